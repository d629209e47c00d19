"""Thresholds: a comparison with a number, on a metric per group or on a numeric column per row.

- "tiers with more than 100 sessions", "users whose error rate is above 10%", "samplers with a p95
  latency under 8 seconds", "prompts used more than 3 times": the metric per group (HAVING), the
  group being the noun before it;
- "how many users have over 50 generations": the number of those groups;
- "error rate by tier for users with more than 50 generations": the rows of the groups that pass
  (a semi-join), over all the data only: with a period or another filter the count it means is
  not clear, so it is declined;
- "generations with more than 50 steps": a numeric dimension of the layer per row (WHERE); a metric
  is not a column, so "generations with a p95 latency above 8 seconds" is declined, but the plain
  "latency" of generations is each one's own (row_times.py).

A threshold is ``[metric or dimension, op, value, group]`` in ``QuerySpec.thresholds`` (group is the
dimension whose groups are compared, None for a row threshold or for the question's own grouping).
Values are read in the metric's unit: a rate as a share ("above 3%" is 0.03), a time in ms from
the unit named ("8 seconds" is 8000); a value whose unit is unclear is declined.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.missing import describe_missing, read_missing
from genai_analyzer.analysis.copilot.row_times import row_column
from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText, phrase_re
from genai_analyzer.analysis.copilot.vocabulary import (
    ENTITY_DIMENSIONS,
    ROW_NOUNS,
    UNIT_ATTRIBUTES,
    UNIT_NOUNS,
)
from genai_analyzer.analysis.formatting import format_value
from genai_analyzer.analysis.semantic import SemanticLayer

COMPARATORS = (
    (r"no more than|not more than|at most|a maximum of", "<="),
    (r"no less than|no fewer than|not less than|at least|a minimum of", ">="),
    (r"more than|over|above|greater than|higher than|larger than|bigger than|longer than|slower than|"
     r"in excess of|exceeding|exceeds?|exceeded", ">"),
    (r"less than|fewer than|under|below|lower than|smaller than|shorter than|faster than|quicker than", "<"),
    (r"exactly", "="),
)  # fmt: skip
OP_WORDS = {">": "above", ">=": "at least", "<": "below", "<=": "at most", "=": "exactly"}
_CMP = "|".join(c for c, _ in COMPARATORS)
_UNITS = {"ms": 1, "millisecond": 1, "milli": 1, "s": 1000, "sec": 1000, "second": 1000,
          "min": 60_000, "minute": 60_000, "hour": 3_600_000, "hr": 3_600_000}  # fmt: skip
_UNIT = r"milliseconds?|millis|ms|seconds?|secs?|s|minutes?|mins?|hours?|hrs?|dollars?|usd"
_ANCHOR = rf"(?P<cmp>{_CMP}) (?P<num>\d+(?:\.\d+)?)(?P<pct> ?%| percent| per cent)?(?: ?(?P<unit>{_UNIT}))?"
_COUNT = r"how many|the number of|number of|count of|count the|count|total number of"
_PEOPLE = r"users?|people|customers?|folks|members|creators?|accounts?"
_LINKS = (
    r"that|which|who|whose|where|with|having|have|has|had|were|was|are|is|been|got|get|gets|used|run|"
    r"ran|made|make|makes|generated|generate|generates|created|create|creates|asked|submitted|showing|show|"
    r"contain|contains|contained|containing|include|"
    r"includes|included|including|"
    # "users who tried more than one sampler", "generated images in more than 3 distinct domains"
    r"tried|try|tries|use|uses|using|(?:images|generations|pictures|renders) (?:in|across)|"
    # "how many prompts are used by more than one user" (only "distinct prompts" was read: blind set 46)
    r"(?:used|run|made|generated|submitted|typed|tried) by"
)
_ARTICLE = r"(?:(?:a|an|the|their|its) )?"
# "error rate by tier, only counting users with more than 50 generations": the rows of those users
# ("only" after something asked: "only users with ..." alone asks for the users)
_AMONG = r"(?:for|of|from|among|by|(?<=[a-z] )only) (?:the )?$"
_VERBS = r"(?: (?:is|are|was|were|of|at|being|averaging|averages|stays|stayed|remains|remained))?"


def read_thresholds(
    layer: SemanticLayer,
    t: QuestionText,
    spec: QuerySpec,
    metric_phrases: list[tuple[str, str]],
    dim_phrases: list[tuple[str, str]],
    value_words: set[str],
) -> None:
    """Every threshold the question names, its words sealed (no comparison cue elsewhere)."""
    read_missing(layer, t, spec, dim_phrases)  # "generations with no error code"
    numeric = {
        d.name for d in layer.dimensions.values() if not (d.values or d.time or d.name in ENTITY_DIMENSIONS)
    }
    measured = [(p, "metric", n) for p, n in metric_phrases]
    measured += [(p, "dimension", n) for p, n in dim_phrases if n in numeric]
    measured.sort(key=lambda m: -len(m[0]))
    measured_re = "|".join(phrase_re(p) for p, _, _ in measured)
    subjects = [(p, n) for p, n in dim_phrases] + [(w, n) for w, n in UNIT_NOUNS.items()]
    subjects.sort(key=lambda s: -len(s[0]))
    subject_re = "|".join(phrase_re(p) for p, _ in subjects) + "|" + ROW_NOUNS
    for m in list(t.find(_ANCHOR)):
        spans = [(m.start(), m.end())]
        # the measured words right after the number, or right before the comparator, in unread text
        end = next((i for i in range(m.end(), len(t.text)) if t.used[i]), len(t.text))
        after = re.compile(rf" (?:(?:of|in) )?({measured_re}|times?)(?![a-z0-9])").match(t.text, m.end(), end)
        lo = next((i + 1 for i in range(m.start() - 1, -1, -1) if t.used[i]), 0)
        before = re.search(rf"(?<![a-z0-9])({measured_re}){_VERBS} $", t.text[lo : m.start()])
        what, start = None, m.start()
        if after and before and _numeric_before(before, measured, t.text[lo + before.end(1) : m.start()]):
            after = None  # "height at least 768 cost us": the number is the height's, "cost" the figure asked
        multiple = after and re.fullmatch(r"times?", after.group(1))
        if multiple and re.compile(rf" (?:the|as|that|our|their|its|what|of|{measured_re})(?![a-z])").match(
            t.text, after.end()
        ):  # "more than 3 times the average revenue per user" ("times revenue per user" once reworded):
            # a multiple of a baseline against.py did not read, not generations counted (it answered
            # users with more than 3 generations)
            raise CannotAnswer(
                f"I read '{m.group(0)} {after.group(1)}' as a multiple of a figure, but not which figure or "
                "over what it is taken: ask e.g. 'which days had more than 2 times the daily average "
                "number of generations'.",
                unread=tuple(m.group(0).split()),
            )
        if after:
            what, said = after.group(1), f"{m.group(0)} {after.group(1)}"
            spans.append((m.end(), after.end(1)))
        elif before:
            what, start = before.group(1), lo + before.start(1)
            said = f"{what} {m.group(0)}"
            spans.append((start, m.start()))
        if what is None:
            continue  # left unread: the accounting names it
        if before and re.fullmatch(_PEOPLE, what) and not t.text[lo + before.end(1) : m.start()].strip():
            # "enterprise users under 30": an age, which the warehouse does not hold, or a count of
            # users; it read a count (blind set 25)
            raise CannotAnswer(
                f"'{said}' does not say what is {OP_WORDS[_op(m['cmp'])]} {m['num']}: the warehouse holds no "
                f"age; for a count say e.g. 'samplers with fewer than {m['num']} users'.",
                unread=tuple(said.split()),
            )
        subject = re.search(
            rf"(?:(?<![a-z0-9])(?P<count>{_COUNT})(?P<between>(?: [a-z']+){{0,3}}?) )?(?:the )?"
            rf"(?<![a-z0-9])(?P<subj>{subject_re})(?: (?:{_LINKS}))* {_ARTICLE}$",
            t.text[:start],
        )
        if subject and not _free(t, (subject.start("subj"), start)):
            subject = None
        group = _subject(subject, subjects) if subject else None
        kinds: dict[
            str, str
        ] = {}  # the first metric and dimension these words name, as the parser reads them
        for p, kind, n in measured:
            if re.fullmatch(phrase_re(p), what):
                kinds.setdefault(kind, n)
        name = _name(what, said, kinds, group, bool(subject) and group is None, m)
        metric = layer.metrics.get(name)
        one = m["cmp"] == "at least" and m["num"] == "1" and _UNITS_WITH_ONE.search(t.text[: m.start()])
        if after and metric and "status" in metric.sql and one:
            continue  # "what share of sessions had at least one failed generation": as for a rate below
        if after and metric and metric.format == "rate" and not m["pct"] and not what.startswith("time"):
            if one:
                continue  # "what share of sessions ran into at least one error": the units with one
            raise CannotAnswer(
                f"'{said}' counts {what}, and the layer has {what} as a rate: ask e.g. "
                f"'{metric.label.lower()} above 5%'.",
                unread=tuple(said.split()),
            )
        value = _value(m, layer, name)
        if subject:  # the subject's noun is read here unless it is the generations themselves
            spans.append((subject.start("subj") if group else subject.end("subj"), start))
            between = set((subject.group("count") and subject.group("between") or "").split())
            if subject.group("count") and group and between <= value_words | {"distinct", "unique"}:
                spans.append(subject.span("count"))
                # "how many distinct prompts have ...": the count's own word, not a value's
                spans += [(subject.start("between") + w.start(), subject.start("between") + w.end())
                          for w in re.finditer(r"distinct|unique", subject.group("between"))]  # fmt: skip
                spec.count_of = group
        for a, b in spans:
            t.seal_span(a, b)
        if name in layer.dimensions:
            spec.thresholds.append([name, _op(m["cmp"]), value, None])
        else:
            spec.thresholds.append([name, _op(m["cmp"]), value, group])
            # "revenue of users with more than 50 generations": the users' rows, not a row per user
            # and "how many generations did users with ... make": counted by something else
            among = subject and (
                re.search(_AMONG, t.text[: subject.start()])
                or (subject.group("count") and spec.count_of != group)
            )
            if group and group not in spec.dimensions and not (among and group in ENTITY_DIMENSIONS):
                spec.dimensions.append(group)
                spec.positions[group] = start
        words = t.text[min(a for a, _ in spans) : max(b for _, b in spans)].strip()
        spec.matched[words] = describe_threshold(layer, spec.thresholds[-1])


# "what share of sessions ... at least one error": a share of the units with such a generation
_UNITS_WITH_ONE = re.compile(
    r"(?:share|fraction|percent|percentage|proportion|portion) of (?:the |all |our )?(?:[a-z]+ )?"
    r"(?:sessions|users|customers|accounts|people)(?: [a-z']+){0,3} $"
)


def _numeric_before(before, measured: list[tuple[str, str, str]], between: str) -> bool:
    """Whether the words right before the comparison name a number of each row ("width", "steps"),
    with nothing between: the number is theirs, not the figure's said after it (blind set 42)."""
    said = before.group(1)
    return not between.strip() and any(
        k == "dimension" and re.fullmatch(phrase_re(p), said) for p, k, _ in measured
    )


def _free(t: QuestionText, span: tuple[int, int]) -> bool:
    return not any(t.used[span[0] : span[1]])


def _op(comparator: str) -> str:
    return next(op for words, op in COMPARATORS if re.fullmatch(words, comparator))


def _subject(subject, subjects: list[tuple[str, str]]) -> str | None:
    """The dimension whose groups the subject names ("tiers", "prompts"), or None for rows."""
    text = subject.group("subj")
    return next((name for p, name in subjects if re.fullmatch(phrase_re(p), text)), None)


def _name(what: str, said: str, kinds: dict[str, str], group: str | None, row: bool, m) -> str:
    """The metric or the numeric dimension the threshold is on (``said``: the words read)."""
    if re.fullmatch(r"times?", what):
        # "used more than 3 times": generations counted (not "timeout rate", blind set 26)
        kinds = {"metric": "generations"}
    if "dimension" in kinds and (row or group is None or "metric" not in kinds):
        # "prompts with complexity above 7": a number the prompt itself carries keeps its rows
        if group is not None and kinds["dimension"] not in UNIT_ATTRIBUTES.get(group, ()):
            raise CannotAnswer(
                f"'{said}' reads as a number per generation, not per group: ask e.g. "
                f"'generations with {said}', or for an average per group.",
                unread=tuple(said.split()),
            )
        return kinds["dimension"]
    if "dimension" in kinds:
        raise CannotAnswer(
            f"'{said}' could be an average per group or the generations with that many; ask "
            f"'average {what} above {m['num']}' or 'generations with {said}'.",
            unread=tuple(said.split()),
        )
    if row and (column := row_column(kinds.get("metric"), what)):
        return column  # "generations with a latency above 5 s": each generation's own
    if row:
        raise CannotAnswer(
            f"The semantic layer defines {what} as a figure over many generations, not a column of each "
            f"generation, so I cannot keep the generations with {said}; ask for groups instead, e.g. "
            f"'samplers with {what} {m.group(0)}'.",
            unread=tuple(said.split()),
        )
    return kinds["metric"]


def _value(m, layer: SemanticLayer, name: str) -> float | int:
    """The number in the unit the SQL compares in: a share for a rate, milliseconds for a time."""
    number, pct, unit = float(m["num"]), bool(m["pct"]), (m["unit"] or "").rstrip("s") or None
    if m["unit"] in ("s", "ms"):
        unit = m["unit"]
    metric = layer.metrics.get(name)
    kind = metric.format if metric else layer.dimensions[name].unit or "number"
    minutes = metric is not None and "(minutes)" in metric.label
    said = m.group(0).split(" ", len(m["cmp"].split()))[-1]
    if kind == "rate" and not unit:
        if pct:
            number /= 100
        elif number > 1:
            raise CannotAnswer(
                f"Is '{said}' a percentage? Write it as '{said}%', or as a share such as 0.1.",
                unread=(said,),
            )
    elif kind == "ms" or minutes:
        if pct or not unit or unit not in _UNITS:
            raise CannotAnswer(f"'{said}': say the unit, e.g. '8 seconds' or '8000 ms'.", unread=(said,))
        number = number * _UNITS[unit] / (60_000 if minutes else 1)
    elif pct or (unit and not (kind == "usd" and unit in ("dollar", "usd"))):
        raise CannotAnswer(f"I cannot read '{said}' for {name.replace('_', ' ')}.", unread=(said,))
    return int(number) if float(number).is_integer() else number


def settle(layer: SemanticLayer, spec: QuerySpec) -> None:
    """Once the whole question (and a follow-up's previous one) is read: a threshold on a metric
    compares the question's groups (HAVING), or keeps the rows of the groups that pass when they are
    not the question's groups (a semi-join, over all the data only); "how many" counts the groups
    (per the other groupings: "by week instead" counts them week by week)."""
    for counted in (*([spec.count_of] if spec.count_of else []), *spec.count_with):
        if counted not in spec.dimensions:
            spec.dimensions.append(counted)
    for threshold in spec.thresholds:
        name, _, _, group = threshold
        if name in layer.dimensions:
            continue
        if group is None and not spec.dimensions:
            raise CannotAnswer(
                f"A threshold on {layer.metrics[name].label} compares groups: say which, e.g. "
                "'which domains have an error rate above 3%' or 'users with more than 50 generations'."
            )
        if group is not None and group not in spec.dimensions:
            scoped = [d for d in spec.filters if d not in UNIT_ATTRIBUTES.get(group, {group})]
            if spec.time is not None or scoped:
                raise CannotAnswer(
                    f"Keeping the {group}s with {describe_threshold(layer, threshold)} and then asking "
                    "about a period or other filters leaves open over which data they are counted; ask "
                    "it over all the data, or list the groups with the threshold."
                )
    # "how many different prompts": counted over the generations, unless a figure is named besides
    named = any(v == "generations" and not k.startswith("(") for k, v in spec.matched.items())
    counted_over = (
        {"generations"} if "(distinct values)" in spec.matched and on_rows_only(layer, spec) else set()
    )
    counted_over = set() if named else counted_over
    # (a count of the groups above a baseline keeps them by its one figure: against.py)
    if (
        spec.count_of
        and not spec.against
        and (set(spec.metrics) - {t[0] for t in spec.thresholds} - counted_over)
    ):
        raise CannotAnswer(
            f"'How many {spec.count_of}s' counts them (or those passing a threshold); other figures "
            "need their own question."
        )


def on_rows_only(layer: SemanticLayer, spec: QuerySpec) -> bool:
    """Whether every threshold is on a number each row carries ("prompts with complexity above 7"),
    none on a figure per group ("prompts used more than 3 times")."""
    return all(th[0] in layer.dimensions for th in spec.thresholds)


def moved(spec: QuerySpec) -> bool:
    """Whether the follow-up only moved the threshold before, or set one on the answer's groups
    (``bare_threshold``)."""
    return any(note.endswith((MOVED, SET_ON_ANSWER)) for note in spec.matched.values())


def describe_threshold(layer: SemanticLayer, threshold: list) -> str:
    """ "Sessions above 100", "sampling steps above 50", "Error rate above 3.0%"."""
    name, op, value, _ = threshold
    if missing := describe_missing(layer, threshold):
        return missing
    if name in layer.dimensions:
        dim = layer.dimensions[name]
        return f"{dim.label} {OP_WORDS[op]} {format_value(value, dim.unit) if dim.unit else value}"
    metric = layer.metrics[name]
    return f"{metric.label} {OP_WORDS[op]} {format_value(value, metric.format)}"


# What a follow-up may say around a bare threshold: "ok and which are above 2%?", "what about over 5?"
# how a follow-up that only moves the threshold before is recorded: it refines that answer, whatever
# its first word ("above 3%" after "which styles have a failure rate above 4.5%")
MOVED = "(the threshold before, moved)"
SET_ON_ANSWER = "(a threshold on the groups of the answer before)"
_AFTER = r"(?:\s+(?:instead|then|now|please|only))*\s*"  # what may follow a follow-up's threshold
_AROUND = (
    r"(?:(?:ok|okay|and|so|now|then|but|what|how|about|which|ones|those|the|are|is|only|just|instead|if|"
    r"with|have|has|one|make|it|that)\s+)*"
)


# "raise the bar to 400", "lower the threshold to 2%": the threshold moved, its comparison kept
_MOVE_TO = (
    r"(?P<cmp>(?:raise|lower|move|change|set|bump|increase|decrease|drop|put)(?: it)?(?: up| down)? "
    r"(?:(?:the|that|this) )?(?:(?:bar|threshold|cut ?off|cut-off|limit|minimum|min|floor|line) )?"
    r"(?:up |down )?(?:to|at)) "
    rf"(?P<num>\d+(?:\.\d+)?)(?P<pct> ?%| percent| per cent)?(?: ?(?P<unit>{_UNIT}))?"
)


def bare_threshold(layer: SemanticLayer, t: QuestionText, spec: QuerySpec, previous: QuerySpec) -> None:
    """ "ok and which are above 2%?" after "which subjects have an error rate above 3%": a follow-up
    saying only a comparison and a number (and connecting words) moves the one threshold on a
    metric before to it (the merge replaces the threshold on the same figure); with no threshold
    before, it may set one on the answer's groups (``_threshold_on_groups``). A follow-up saying
    anything more is left to the other steps."""
    on_metrics = [th for th in previous.thresholds if th[0] in layer.metrics]
    on_rows = [th for th in previous.thresholds if th[0] in layer.dimensions]
    if spec.thresholds:
        return
    if not on_metrics and len(on_rows) != 1:
        _threshold_on_groups(layer, t, spec, previous)
        return
    moved_from = on_metrics or on_rows  # "make it over 20 seconds" after "took over 10 seconds": the rows'
    if len(moved_from) != 1:
        return
    m = re.fullmatch(rf"\s*{_AROUND}{_ANCHOR}{_AFTER}", t.rest())
    m = m or re.fullmatch(rf"\s*{_AROUND}{_MOVE_TO}(?:\s+(?:instead|then|now|please))*\s*", t.rest())
    if m is None:
        return
    name, before, _, group = moved_from[0]
    op = _op(m["cmp"]) if re.fullmatch(_CMP, m["cmp"]) else before  # "raise the bar to 400" keeps it
    _follow_up_threshold(layer, t, spec, m, name, op, group, MOVED)


def _follow_up_threshold(
    layer: SemanticLayer, t: QuestionText, spec: QuerySpec, m: re.Match, name: str, op: str, group, note: str
) -> None:
    """The threshold a follow-up said (match ``m`` of the whole message) on metric ``name``, its
    words sealed and recorded with ``note`` (``moved`` reads it)."""
    spec.thresholds.append([name, op, _value(m, layer, name), group])
    t.seal_span(0, len(t.text))
    said = t.text[m.start("cmp") : m.end()].strip()
    spec.matched[said] = f"{(layer.metrics.get(name) or layer.dimensions[name]).label} {OP_WORDS[op]} {note}"


def _threshold_on_groups(layer: SemanticLayer, t: QuestionText, spec: QuerySpec, previous: QuerySpec) -> None:
    """ "only the domains above 2%" after "the NSFW block rate by domain": the groups of the answer
    before whose one figure passes the threshold (blind set 23). Said of the answer's own grouping
    ("domains" after "by domain") or of the rows kept ("only those above 2%"); a bare "and over 4%?"
    has no threshold to move and is declined; anything more is left to the other steps."""
    metrics = [name for name in previous.metrics if name in layer.metrics]
    if len(metrics) != 1 or len(previous.dimensions) != 1:
        return
    dim = previous.dimensions[0]
    dimension = layer.dimensions[dim]
    names = (dim.replace("_", " "), dimension.label.lower(), *dimension.synonyms)
    nouns = "|".join(phrase_re(n) for n in sorted(set(names), key=len, reverse=True))
    said_of = (
        rf"(?:(?:the |those |ones |the ones )?(?:(?:{nouns})s?|ones|those) )?"
        r"(?:(?:with|that are|which are|at) )?"
    )
    m = re.fullmatch(rf"\s*{_AROUND}{said_of}{_ANCHOR}{_AFTER}", t.rest())
    # the rows are said to be narrowed ("only", "those", "the domains"): a bare "and over 4%?" is not
    if m is None or not re.search(
        rf"(?<![a-z])(?:only|just|those|ones|(?:{nouns})s?)(?![a-z])", m.string[: m.start("cmp")]
    ):
        return
    _follow_up_threshold(layer, t, spec, m, metrics[0], _op(m["cmp"]), dim, SET_ON_ANSWER)
