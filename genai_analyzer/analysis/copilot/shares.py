"""Shares of a total: "what share of revenue comes from pro", "what share of revenue does each tier
bring in", "what fraction of generations use more than 50 steps".

The whole is the metric over the question's period; the part is what the filters and row
thresholds keep (the metric with a ``FILTER``), or, with no filter, each group of a grouping (the
metric over the sum of the groups). Only a total or a count has parts that add up to it: a share
of a rate, an average or a margin is declined, and so is a part named twice over ("what share of
pro revenue comes from anime": which is the part, which the whole?).
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot import rate_rows
from genai_analyzer.analysis.copilot.spec import CannotAnswer, NeedsClarification, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText, phrase_re
from genai_analyzer.analysis.copilot.vocabulary import ROW_NOUNS
from genai_analyzer.analysis.semantic import Metric, SemanticLayer

# Words for a part of a whole.
SHARE = r"share|fraction|percentage|percent|proportion|portion|part|%"
# A sum or a count, divided by a constant at most ("sum(f.gpu_seconds) / 3600").
_TOTAL = re.compile(r"((?:count|sum)\((?!DISTINCT)[^()]*\))((?: / \d+)?)", re.I)
_DISTINCT = re.compile(r"(count\(DISTINCT [^()]*\))()", re.I)


def is_total(metric: Metric) -> bool:
    """Whether the metric is a total or a count of something, whose parts add up to it."""
    return bool(_TOTAL.fullmatch(metric.sql) or _DISTINCT.fullmatch(metric.sql))


# A status rate: the share of generations with one status (or none of one).
_CASES = re.compile(r"avg\(CASE WHEN (f\.status [^()]+?) THEN 1\.0 ELSE 0\.0 END\)")
# The columns a status rate's cases are told apart by: over rows filtered on them the rate is 0 or 1.
_CASE_COLUMNS = ("status", "error_code")


def whole_condition(layer: SemanticLayer, spec: QuerySpec) -> str | None:
    """The SQL condition of the rows a share is taken among (``spec.whole``'s cases), or None."""
    return _CASES.fullmatch(layer.metrics[spec.whole].sql).group(1) if spec.whole else None


def _among_cases(layer: SemanticLayer, spec: QuerySpec, t: QuestionText) -> None:
    """ "What share of errors had the CUDA_OOM code", "among generations with status error, what
    share had the CUDA_OOM code": a status rate read with a share's words and a filter on the
    status or error code (over those rows the rate is 0 or 1 by definition) asks how the rate's
    cases divide. It becomes the share of generations among the rate's cases that the filter
    keeps; a status named only as "status error" is no grouping then."""
    if spec.share or len(spec.metrics) != 1 or not t.has(SHARE):
        return
    name = spec.metrics[0]
    if not _CASES.fullmatch(layer.metrics[name].sql) or "generations" not in layer.metrics:
        return
    grouped_by_status = t.has(r"(?:by|per|each|every|for each) (?:status|statuses|outcome)")
    parts = [d for d in spec.filters if d not in spec.dimensions]
    # "what share of timeouts were from pro users": the cases named after the share's words, then
    # where they came from, is the same question with the part on any dimension
    from_part = t.has(
        rf"(?:{SHARE}) of \w+(?: generations?)? (?:were|was|are|is|came|come|comes|coming) from"
    )
    if not parts or grouped_by_status:
        return
    cases = [d for d in parts if d in _CASE_COLUMNS]
    if cases and len(cases) < len(parts) and not from_part:
        # "what share of pro errors had the CUDA_OOM code": the rate over the code is 0 or 1, and
        # which filter narrows the whole and which names the part is not said
        raise CannotAnswer(
            "The question names a part and narrows the whole in one breath: say which part of which "
            "whole, e.g. 'what share of errors had the CUDA_OOM code' (among every error); to take it "
            "among one tier's errors, set the tier in the filter bar (or the API's filters).",
            ("what share of errors had the CUDA_OOM code", "error rate by tier"),
        )
    if not (from_part or cases):
        return
    if (
        re.search(rf"(?:{SHARE}) of (?:all )?(?:[a-z]+ ){{0,2}}?{ROW_NOUNS} (?:that|which) ", t.text)
        and " among " not in t.text
    ):
        # "the share of that tier's generations that failed with code X": of all of them, or of the
        # failed ones? (it was read among the failed ones; blind set 33's gold took all of them)
        raise CannotAnswer(
            "Is that a share of all the generations, or of the failed ones only? Ask e.g. 'what share "
            "of failures had the CUDA_OOM code' (among failures), or the count: 'how many generations "
            "failed with the CUDA_OOM code'.",
            ("what share of failures had the CUDA_OOM code",),
        )
    spec.metrics, spec.whole, spec.share = ["generations"], name, True
    spec.dimensions = [d for d in spec.dimensions if d != "status"]


_RATE = rate_rows.RATE
_COUNTED = r"how many|(?:the )?(?:number|count) of sessions|count the sessions"


# the cases of each status rate, said so that the copilot reads them back (composition.py)
_CASES_SAID = {"failure_rate": "failed generations", "error_rate": "errored generations",
               "timeout_rate": "timed out generations", "nsfw_block_rate": "blocked generations",
               "success_rate": "successful generations"}  # fmt: skip


def _cases_by_group(layer: SemanticLayer, spec: QuerySpec) -> None:
    """ "among the failed generations, what's the tier mix?", "how do the failed generations split
    across error codes": how a status's cases divide among the groups (composition.py says it "the
    share among failed generations by tier"). "The share of failed generations by tier" can be that
    or each tier's failure rate (a statistician's "proportion of successful generations, stratified
    by width" is the rate): asked, with both readings."""
    groups = [d for d in spec.dimensions if not layer.dimensions[d].time]  # (over time: the rate per period)
    if spec.share or len(spec.metrics) != 1 or not groups or "generations" not in layer.metrics:
        return
    name = spec.metrics[0]
    if not _CASES.fullmatch(layer.metrics[name].sql):
        return
    said = [p for p, read in spec.matched.items() if read == name]
    if any(re.search(rf"(?:{SHARE}) among ", p) for p in said):  # the cases (and any filter) are the whole
        spec.share, spec.whole, spec.metrics, spec.share_among = True, name, ["generations"], True
        return
    # "the share of failed generations", "proportion of errors": the cases named right after "of"
    rows = rf"{ROW_NOUNS}|sessions?|users?|prompts?|requests?|attempts?"
    cases = rf"(?:what |the )?(?:{SHARE}) of (?:the |all |all the |our |those )?(?!(?:{rows}) )"
    cases += r"[a-z_]+(?: [a-z_]+)?"
    cased = any(d in spec.filters for d in _CASE_COLUMNS)  # "... that failed with code X" (_among_cases)
    if name in _CASES_SAID and not cased and any(re.fullmatch(rf"{cases}(?: (?:{rows}))?", p) for p in said):
        label, group = layer.metrics[name].label.lower(), layer.dimensions[groups[0]].label
        raise NeedsClarification(
            f"'{said[0]}' by {group} can be each {group}'s {label} or how the {_CASES_SAID[name]} divide "
            f"among the {group}s.",
            (f"{label} by {group}", f"among the {_CASES_SAID[name]}, what's the {group} mix"),
        )


def counted_rate(layer: SemanticLayer, spec: QuerySpec, t: QuestionText) -> None:
    """ "How many sessions ended on a failure": the sessions a share of sessions counts, not the share
    (it answered the share, 4.6%: found while reading blind set 37). Asked with a share's own words
    ("how many sessions, as a share, ...", "how often") it stays the share."""
    rates = [m for m in spec.metrics if m not in ("sessions", "session_count")]
    if len(rates) != 1 or spec.share or spec.per or spec.scale or spec.ratio or spec.compare:
        return
    metric = layer.metrics[rates[0]]
    if metric.grain != "sessions" or not _RATE.fullmatch(metric.sql) or not t.has(_COUNTED):
        return
    if t.has(rf"{SHARE}|rates?|percent(?:age)?|fraction|proportion|often|ratio|likely|chance"):
        return
    spec.metrics, spec.counted_rate = rates, True
    spec.matched.setdefault("(how many)", f"the sessions counted: {metric.label.lower()}")


def count_sql(sql: str) -> str:
    """A share's rows counted: ``avg(CASE WHEN c THEN 1.0 ELSE 0.0 END)`` -> ``count(*) FILTER (WHERE c)``."""
    return f"count(*) FILTER (WHERE {_RATE.fullmatch(sql)['cond']})"


def settle(layer: SemanticLayer, spec: QuerySpec, t: QuestionText) -> None:
    """Decline a share the question does not say enough about to answer one way. "What share of
    errors come from pro users" asks how the errors divide, not the error rate of pro users: a
    rate with a share's words and "come from" is declined."""
    counted_rate(layer, spec, t)
    rate_rows.read(layer, t, spec)  # "the friction of the sessions that ended on a failure"
    rate_rows.sessions_of_a_size(t, spec)  # "what share of sessions have 5 or more generations"
    _cases_by_group(layer, spec)
    _among_cases(layer, spec, t)
    rates = [m for m in spec.metrics if layer.metrics[m].format == "rate"]
    if rates and t.has(SHARE) and t.has(r"(?:comes?|came|coming) from"):
        raise CannotAnswer(
            f"'come from' asks how the {layer.metrics[rates[0]].label.lower()}'s cases divide, which I "
            "cannot read yet; I can give the rate per group instead.",
            (f"{layer.metrics[rates[0]].label.lower()} by tier",),
            unread=("come", "from"),
        )
    cased = [
        d for d in spec.filters if d in _CASE_COLUMNS and d not in spec.dimensions and d not in spec.excluded
    ]
    if cased and not spec.share:
        _restated_statuses(layer, spec)
        if all(_CASES.fullmatch(layer.metrics[m].sql) for m in spec.metrics):
            # "failure rate for error code MODEL_ERROR": 1 by definition over those rows (it answered 100%)
            raise CannotAnswer(
                f"Over the generations with that {cased[0].replace('_', ' ')}, a status rate is 0 or 1 by "
                "definition. Ask how often it happens, e.g. 'what share of failures had the CUDA_OOM code', "
                "or count them: 'how many generations failed with the CUDA_OOM code'.",
                ("what share of failures had the CUDA_OOM code",),
            )
    if not spec.share:
        return
    if t.has(r"how many|number of|count of") and t.has(
        r"and (?:what|which|how much)|and (?:as|in) (?:a )?(?:share|percent)"
    ):
        # "how many were blocked, and what is that as a share of all": two figures (it answered the share)
        raise CannotAnswer(
            "That asks for two figures, a count and a share: ask for the count, then the share (or the "
            "rate, e.g. 'nsfw block rate'), one at a time.",
            unread=("and",),
        )
    metric = layer.metrics[spec.metrics[0]]
    parts = [d for d in spec.filters if d not in spec.dimensions]
    parts += [th[0] for th in spec.thresholds if th[0] in layer.dimensions]
    parts += ["prompt"] if spec.contains else []  # "used a prompt containing 'greg rutkowski'"
    groups = [d for d in spec.dimensions if not layer.dimensions[d].time]
    if len(spec.metrics) > 1 or not is_total(metric):
        raise CannotAnswer(
            f"A share of {metric.label} is not defined: only a total or a count (generations, users, "
            "cost, revenue, GPU hours) has parts that add up to it."
        )
    if (
        spec.compare
        or spec.per
        # the top N's share together ("what share comes from the top 10 users", lumped.py) or each one's
        # of all ("each of the top 3 users' share of revenue"): one grouping ranked, its number said ("the
        # most active users": how many?)
        or (
            spec.top
            and not spec.top_share
            and (parts or len(groups) != 1 or len(spec.dimensions) != 1 or not _numbered_top(spec))
        )
        or spec.splits
        or any(th[0] in layer.metrics for th in spec.thresholds)
    ):
        raise CannotAnswer(
            "A share together with a comparison, a ratio or a ranking is more than I can read at once."
        )
    # the words between "share of" and the figure name the whole only with groups for its parts ("what
    # share of september generations were anime": the month is the period, anime the part)
    if spec.share_among and "share_among" in spec.positions:
        start, end = spec.positions["share_among"], spec.positions["share_among_end"]
        said = [t.text.find(f" {p}") for p, read in spec.matched.items() if read.split(" ")[0] in parts]
        inside = [at for at in said if start <= at < end]
        if inside and not groups:  # "what share of pro revenue": of the whole, which part?
            raise CannotAnswer(
                "The question names the whole (what the filters keep) but no part of it: say which, e.g. "
                "'what share of pro users' generations went to each sampler'."
            )
        spec.share_among = bool(inside) and len(inside) == len(said) and bool(groups)
    # (with share_among the filters keep the whole and the groups are its parts)
    if (
        not spec.share_among
        and (len(parts) > 1 or (parts and groups))
        and not _within_each_group(layer, spec, t, groups)
    ):
        raise CannotAnswer(
            "The question names more than one part: say which part of which whole, e.g. 'what share "
            "of revenue comes from pro users' or 'what share of revenue does each tier bring in'."
        )
    if not parts and not groups:
        raise CannotAnswer(
            f"A share of {metric.label} needs a part: a filter ('from pro users') or a grouping "
            "('each tier')."
        )
    if len(groups) > 1 and not parts:  # "each style's share within each domain": which whole?
        spec.share_within = _whole_per_group(layer, spec, t, groups)
    if groups and (spec.share_among or not parts) and _DISTINCT.fullmatch(metric.sql):
        raise CannotAnswer(
            f"{metric.label} of the groups do not add up to the whole (a user can be in several), so a "
            "share per group is not defined; ask for the share of one group, e.g. 'what share of users "
            "are pro'."
        )


def _numbered_top(spec: QuerySpec) -> bool:
    """Whether the top N was said with its number ("the top 3 users"), not by a word alone."""
    return any(
        re.search(r"\d", p) for p, read in spec.matched.items() if read.startswith(("top ", "bottom "))
    )


def _restated_statuses(layer: SemanticLayer, spec: QuerySpec) -> None:
    """ "number of errors (status error) for pro users": the bare status word read as its rate beside
    the count, a column that is 1 by definition over those rows, is the status restated. Said of a
    wider group it narrows it: "how many failed generations were timeouts or errors" counts those
    two (the 168 failed were answered as if the words restated "failed"; found beside blind set 42)."""
    bare, statuses = [], []
    for name in spec.metrics:
        said = spec.said(name)
        rate_said = any(re.search(r"rate|share|percent|ratio|fraction|%", p) for p in said)
        if said and not rate_said and (cases := _CASES.fullmatch(layer.metrics[name].sql)):
            bare.append(name)
            statuses += re.findall(r"'([^']+)'", cases[1])
    if not bare or len(bare) == len(spec.metrics):
        return
    narrows = set(statuses) < set(spec.filters.get("status", ()))
    if narrows:
        spec.filters["status"] = [v for v in spec.filters["status"] if v in statuses]
    for name in bare:
        spec.metrics.remove(name)
        read = f"narrowed to status {', '.join(statuses)}" if narrows else "the status, restated"
        spec.matched.update({p: read for p in spec.said(name)})


def _within_each_group(layer: SemanticLayer, spec: QuerySpec, t: QuestionText, groups: list[str]) -> bool:
    """ "per tier: the share of that tier's generations that failed with code X", "for each sampler,
    what share of its generations came from pro users": the part taken within each group, said so
    (the group's own whole pointed back to), with every condition said after the share's words (a
    condition before them might narrow the whole instead: "for pro users, the share of each
    sampler's generations that failed" is not read)."""
    if len(groups) == 1 and _grouping_said_last(layer, spec, t, groups[0]):
        return True  # "what share of sessions run into at least one failure, by plan?" (blind set 48)
    cue = re.search(rf"(?:{SHARE}) of (?:all )?(?:that|each|every|its|their)(?= )", t.text)
    if not groups or cue is None:
        return False
    conditions = [
        p
        for p, read in spec.matched.items()
        if read not in layer.metrics and not read.startswith(("by ", "as a share"))
    ]
    return all(t.text.find(f" {p}") > cue.start() for p in conditions)


def _grouping_said_last(layer: SemanticLayer, spec: QuerySpec, t: QuestionText, group: str) -> bool:
    """ "what share of sessions hit a failure, by plan": a grouping said last, after every condition,
    with nothing after it, splits the question asked whole: the share within each group."""
    said = [(t.text.rfind(f" {p}"), p) for p, read in spec.matched.items() if read == f"by {group}"]
    said = [(at, p) for at, p in said if at >= 0]
    if len(said) != 1 or t.text[said[0][0] + len(said[0][1]) + 1 :].strip(" ?.!"):
        return False
    conditions = [p for p, read in spec.matched.items() if read not in layer.metrics and p != said[0][1]]
    return all(0 <= t.text.find(f" {p}") < said[0][0] for p in conditions) and bool(conditions)


# the whole said of one group: "within each domain", "of that domain's generations", "its own"
_WITHIN = r"(?:within|inside|in|for|across|among) (?:each|every|a given|a single|one)"
_BACK = r"(?:of|in|within|from|for) (?:all )?(?:that|its|their|the same|each|every|a given)"
# the whole said to be everything: "of all generations", "of the total", "overall"
_ALL = r"(?:of|out of) (?:all|the total|the whole|everything|all of)|overall|grand total|in total|in all"


def _whole_per_group(layer: SemanticLayer, spec: QuerySpec, t: QuestionText, groups: list[str]) -> list[str]:
    """The groupings a share with two or more is taken within: those said with a whole of their own
    ("within each domain", "of that domain's generations"), or, said before the share's words, the
    groups the others divide ("for each tier, the share of generations by status"). A share over
    every pair is read only where the question says the whole is everything ("of all generations")."""
    share = re.search(rf"(?<![a-z])(?:{SHARE})(?![a-z])", t.text)
    within = []
    for name in groups:
        dim = layer.dimensions[name]
        said_as = sorted({name.replace("_", " "), *dim.synonyms}, key=len, reverse=True)
        nouns = "|".join(phrase_re(p) for p in said_as)
        said = [t.text.find(f" {p}") for p, read in spec.matched.items() if read == f"by {name}"]
        before = share and any(0 <= at < share.start() for at in said)
        if re.search(rf"(?<![a-z])(?:{_WITHIN}|{_BACK}) (?:{nouns})(?![a-z])", t.text) or before:
            within.append(name)
    if within and len(within) < len(groups):
        spec.matched[f"(within each {', '.join(within)})"] = "the share within each group"
        return within
    if t.has(_ALL):
        return []
    raise CannotAnswer(
        f"A share by {' and '.join(groups)} can be of each {groups[0]}'s total or of the grand total: say "
        f"which, e.g. 'the share of each {groups[1]} within each {groups[0]}' or 'the share of all "
        f"{spec.metrics[0]} by {' and '.join(groups)}'.",
        unread=("share",),
    )


def share_sql(
    spec: QuerySpec, metric_sql: str, part: list[str], time_keys: list[str], whole: str | None = None
) -> str:
    """The share's expression: the metric over the rows ``part`` keeps over the metric over all of
    them (or over the rows ``whole`` keeps: a status rate's cases), or with no part each group's
    metric over the sum of the groups (per time group)."""
    if part:
        m = _TOTAL.fullmatch(metric_sql) or _DISTINCT.fullmatch(metric_sql)
        kept = f"{m.group(1)} FILTER (WHERE {' AND '.join([*part, *([whole] if whole else [])])}){m.group(2)}"
        among = f"{m.group(1)} FILTER (WHERE {whole}){m.group(2)}" if whole else metric_sql
        return f"{kept} / nullif({among}, 0)"
    over = f"PARTITION BY {', '.join(time_keys)}" if time_keys else ""  # (the groups a share is within too)
    return f"{metric_sql} / nullif(sum({metric_sql}) OVER ({over}), 0)"
