"""Figures against a baseline (blind set 38): "which plans have a worse failure rate than the
product as a whole", "which days beat the mean number of generations per day", "each style's
success rate minus the overall", "each sampler's median latency as a multiple of the overall
median", "revenue per active user by tier, next to the overall", "each tier's revenue as an index
where the mean of the tiers is 100".

Two baselines, said apart in the reading:
- **the overall figure** ("the overall error rate", "the service as a whole", "the p95 of all
  generations", and "than average" for a rate, an average or a percentile): the same figure over
  every row the question keeps (its period and filters), ungrouped: a scalar subquery;
- **the mean of the groups** ("the average hour", "the mean number of generations per day", "the
  daily average", an index, and "than average" for a count or a total, where the overall figure
  would be the sum of the groups): ``avg(x) OVER ()`` over the grouped rows.

What is asked of it: the groups above or below it, by a factor too ("at least 1.5 times the
overall error rate"); the difference ("minus the overall", "how far from", "differ from", in
percentage points for a rate when said); the ratio ("as a multiple of"); an index (100 = the mean);
or the two side by side ("next to", "compared with"). The figure and the baseline are always both
shown. Before this, "than the overall ..." was declined word by word or, for "than average", read
as a plain grouping that answered every group (a wrong answer where only some were asked for)."""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.running import additive
from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText, phrase_re
from genai_analyzer.analysis.copilot.units import is_rate

OVERALL = (
    r"(?:the )?(?:overall|global|company[- ]wide|site[- ]?wide|service[- ]wide|fleet[- ]wide|"
    r"platform[- ]wide|all[- ]up|whole[- ](?:product|service|platform|company))"
)
WHOLE = (
    r"(?:the )?(?:product|service|platform|fleet|site|app|company|business|data)"
    r"(?: as a whole| overall| in total)"
    # "than sessions overall", "the all-sessions average" (blind set 43)
    r"|(?<=than )(?:the )?(?:all )?(?:sessions|generations|images|users|rows)"
    r"(?: as a whole| overall| combined)"
    r"|(?:the )?all[- ](?:sessions|generations|images|users|rows)"
    r"(?: (?:median|average|mean|figure|value|one))?"
    r"|(?:the )?(?:all|whole|entire) (?:the )?(?:product|service|platform|data)|as a whole"
    r"|(?:of|over|across|for) all (?:the )?(?:generations|data|rows|images|requests|traffic|sessions|users)"
)
MEAN = r"(?:the |an |a )?(?:average|mean|typical)"
PERIODS = r"day|week|month|hour|weekday|day of (?:the )?week|hour of (?:the )?day"
BARE = r"(?:the )?(?:average|mean|norm)"  # "than average": the kind of baseline follows the figure
HIGHER = r"worse|higher|more|greater|bigger|larger|longer|slower|costlier|pricier|above|over|exceed(?:s|ed)?"
HIGHER += r"|beats?"
LOWER = r"better|lower|less|fewer|smaller|shorter|faster|cheaper|below|under"
DIFFERENCE = (
    r"minus|differs?(?: from)?|difference (?:from|to|with|between)|deviat(?:es?|ion) from|gap (?:to|from)|"
    r"how far(?: above or below| off| away)?|(?:by )?how (?:much|many percentage points)"
    r"(?: (?:longer or shorter|higher or lower|more or less|above or below|longer|shorter|higher|lower|more|"
    r"less))?|"
    r"above or below|"
    r"percentage points?"
)
MULTIPLE = r"(?:as )?a multiple of|relative to|as a ratio (?:of|to)|divided by"
INDEX = r"(?:as )?an? index(?: where| with| so that)?|indexed to 100|(?:is|=|equals?|at|as) 100"
# what joins the figure to the baseline, right before it
JOIN = (
    r"(?:than|from|to|of|with|next to|alongside|beside|compared? (?:to|with)|against|versus|vs|and)(?: the)?"
)
# what stands right before a baseline: "than", "from", "next to", "above", "minus", "1.5 times"
LEAD = rf"{JOIN}|{HIGHER}|{LOWER}|minus|times|as|vs\.?"
# before a mean of the groups, only a comparison's own words: "and", "with", "of", "to" join figures
COMPARED = (
    rf"than|from|next to|alongside|beside|compared? (?:to|with)|against|versus|vs\.?|{HIGHER}|{LOWER}|minus|"
    r"times|as"
)
_FACTOR = (
    r"(?:(?:at least|more than|over|above) )?(?:(\d+(?:\.\d+)?)( and a half)?|(twice|double)) (?:times )?"
    r"(?:as (?:high|much|large|often) as )?(?:the )?$"
)


def read_against(
    t: QuestionText,
    spec: QuerySpec,
    metric_phrases: list[tuple[str, str]],
    dim_phrases: list[tuple[str, str]],
) -> None:
    """The baseline a question measures its groups against, and what it asks of it."""
    metric = "|".join(phrase_re(p) for p, _ in metric_phrases if len(p) > 2)
    dims = "|".join(phrase_re(p) for p, _ in dim_phrases)
    per = (
        r"(?: per (?:active )?(?:user|session|generation|image|day|gpu hour)s?)?"  # "revenue per active user"
    )
    said = rf"(?: (?:average |median )?(?:{metric}){per})?"
    kinds = (
        # "the mean number of generations per day": the days' mean ("the average revenue per user" is
        # the per-user figure overall, read below)
        (rf"{MEAN} (?:(?:number|count|amount) of )?(?:[a-z]+ ){{0,2}}?per (?:{PERIODS})", "mean"),
        (rf"(?:the )?(?:daily|hourly|weekly|monthly) (?:average|mean)|{MEAN} (?:{dims})(?! of)", "mean"),
        # "than the median user", "the daily median": the median of the groups (blind set 41)
        (rf"(?:the )?(?:daily|hourly|weekly|monthly) median|(?:the )?median (?:{dims})(?! of)", "median"),
        (rf"{MEAN}(?: [a-z]+)? of the (?:\d+ )?(?:{dims})", "mean"),
        (rf"{OVERALL}{said}|(?:the )?(?:{metric}) (?:{WHOLE})|{WHOLE}", "overall"),
        # "slower than average", "higher than the p95" (the question's own figure, with nothing after it)
        (rf"(?<=than ){BARE}(?= *$| [a-z]+ *$)", "average"),
        (rf"(?<=than )(?:the )?(?:{metric})(?= *$)", "overall"),
    )
    for pattern, kind in kinds:
        for m in t.find(pattern):
            lead = LEAD if kind == "overall" else COMPARED  # "and the average steps too" is a figure
            if not re.search(rf"(?<![a-z])(?:{lead}) $", t.text[: m.start()]) and not t.has(INDEX):
                continue  # "the overall error rate", "average sampling steps": no baseline said
            _read(t, spec, m, kind)
            if kind in ("mean", "median"):
                groups_named(t, spec, m.group(0), dim_phrases)
            for again in t.find(pattern):  # "... than the overall? Give me k_lms minus the overall"
                t.take(again)
            return


def _read(t: QuestionText, spec: QuerySpec, m: re.Match, kind: str) -> None:
    t.take(m)
    spec.against = kind
    spec.matched[m.group(0).strip()] = f"against {_SAID.get(kind, 'the overall figure')}"
    for pattern, how in ((INDEX, "index"), (DIFFERENCE, "difference"), (MULTIPLE, "multiple")):
        for said in t.find(pattern):
            t.take(said)
            spec.against_as = spec.against_as or how
            spec.matched[said.group(0).strip()] = f"against it: {how}"
    if spec.against_as == "index":  # "as an index where the mean of the tiers is 100"
        spec.against = "mean"
    elif spec.against_as == "difference" and re.search(r"percentage points?", t.text):
        spec.against_as = "points"
    before = t.rest()[: m.start()]
    if not spec.against_as:
        _keep(t, spec, before, m.start())
    if join := re.search(rf"(?<![a-z])(?:{JOIN}) *$", t.rest()[: m.start()]):
        t.take_span(join.start(), join.end())


_SAID = {"mean": "the mean of the groups", "median": "the median of the groups"}
_OVERALL_SAID = "the overall figure (every row, no grouping)"  # the reading's words for the overall
_ADJECTIVE_UNIT = {"daily": "day", "hourly": "hour", "weekly": "week", "monthly": "month"}
_NESTED_AGG = {"mean": "avg", "median": "median"}


def groups_named(t: QuestionText, spec: QuerySpec, said: str, dim_phrases: list[tuple[str, str]]) -> None:
    """The groups a mean or a median of the groups names ("than the average session": each session;
    "the daily average": each day), grouped by when the question groups by nothing else, and counted
    when it asks how many ("how many sessions had more generations than the average session"). The
    same average said again over the units ("averaged over all sessions", read by nested.py, or
    "averaging over all domains") is that baseline, not a second figure."""
    named = next((u for a, u in _ADJECTIVE_UNIT.items() if a in said.split()), None)
    for phrase, dim in sorted(dim_phrases, key=lambda p: -len(p[0])):
        if named is None and re.search(rf"(?<![a-z]){phrase_re(phrase)}(?![a-z])", said):
            named = dim
    if named is None:
        return
    if spec.nested:  # "... than the median user, taking the median over all users"
        agg, unit = spec.nested
        if unit != named or agg != _NESTED_AGG[spec.against]:
            raise CannotAnswer(
                f"I read the {spec.against} of the {named}s as the baseline and {_NESTED_AGG[agg]} over "
                f"{unit}s besides: say one of them."
            )
        spec.nested = None
        for leading in t.find(
            r"(?:taking|take|taken|computing|computed|using)(?: the)?(?= (?:average|mean|median) )"
        ):
            t.take(leading)  # "..., taking the median over all users": its verb
    nouns = "|".join(phrase_re(p) for p, d in dim_phrases if d == named)
    restated = (
        rf"(?:(?:the )?(?:average|mean|median|averaged|averaging|taking the (?:average|mean|median)|taken|"
        rf"computed)(?: (?:is|was))? )?(?:over|across|of|among) (?:all|every|each)(?: the| of the)? (?:\d+ )?"
        rf"(?:{nouns})s?(?: in the data)?(?: '?[a-z_-]+'? (?:included|too))?"
    )
    for again in t.find(restated):
        t.take(again)
        spec.matched[again.group(0).strip(" ,")] = f"the {spec.against} over the {named}s"
    if named in spec.dimensions or any(d for d in spec.dimensions if d != named):
        return
    spec.dimensions.append(named)
    for asked in t.find(rf"^ (?:how many|number of|count of|count the) (?:{nouns})s?(?= )"):
        t.take(asked)
        spec.count_of = named
        spec.matched[asked.group(0).strip()] = f"the {named}s passing, counted"


def _keep(t: QuestionText, spec: QuerySpec, before: str, start: int) -> None:
    """ "worse than", "beat", "at least 1.5 times the": the groups kept by how they compare."""
    if f := re.search(_FACTOR, before):
        factor = 2.0 if f.group(3) else float(f.group(1)) + (0.5 if f.group(2) else 0)
        spec.against_keep = [">=" if "least" in f.group(0) else ">", factor]
        t.take_span(f.start(), start)
        spec.matched[f.group(0).strip()] = f"kept: {spec.against_keep[0]} {factor:g} times it"
        return
    cue = re.search(
        rf"(?<![a-z])(?:({HIGHER})|({LOWER}))(?![a-z])(?: [a-z0-9-]+){{0,5}}? (?:than )?(?:the )?$", before
    )
    if cue is None:
        return
    word = cue.group(1) or cue.group(2)
    spec.against_keep = [word if word in ("worse", "better") else ">" if cue.group(1) else "<", 1.0]
    if not re.fullmatch(r"slower|faster|longer|shorter", word):  # a figure's words too ("slower": latency)
        t.take_span(cue.start(), cue.start() + len(word))
        spec.matched[word] = f"kept: {spec.against_keep[0]} it"


def resolved(spec: QuerySpec, layer) -> tuple[str, list | None]:
    """(the baseline: "overall" | "mean", the groups kept: [op, factor] or None), with "than average"
    and "worse" / "better" read by the figure, once it is known."""
    if len(spec.metrics) != 1:
        raise CannotAnswer(
            "A figure against the overall or the average is read for one figure at a time: ask for one."
        )
    metric = layer.metrics[spec.metrics[0]]
    kind, keep = spec.against, spec.against_keep
    if kind == "average":  # the sum of the groups is no baseline for a count or a total: their mean is
        kind = "mean" if additive(metric.sql) and spec.per is None else "overall"
    if keep and keep[0] in ("worse", "better"):
        keep = [">" if (keep[0] == "better") == metric.higher_is_better else "<", keep[1]]
    return kind, keep


def columns(spec: QuerySpec, layer, grain_name: str, metric: tuple[str, str], dims, where: list[str]):
    """([(column, SQL)] of the baseline and what is asked of it, the condition keeping the groups or
    None, whether the baseline is a window over the groups)."""
    kind, keep = resolved(spec, layer)
    name, sql = metric
    if spec.top or spec.share or spec.running or (spec.count_of and not keep) or spec.within or spec.ratio:
        raise CannotAnswer(
            "A figure against the overall or the average, with a ranking, a share, a running figure or a "
            "count of groups, is more than I can read in one question: ask for one of them."
        )
    if kind in ("mean", "median"):
        if not dims:
            raise CannotAnswer(f"The {kind} of the groups needs groups: e.g. 'days with more generations "
                               f"than the daily {'average' if kind == 'mean' else kind}'.")  # fmt: skip
        base, base_name = f"{'avg' if kind == 'mean' else 'median'}({sql}) OVER ()", f"{kind}_{name}"
    else:
        kept = list(where)
        if not dims:  # "k_lms's average latency against the overall": the overall is every sampler's
            if len(spec.filters) != 1:
                raise CannotAnswer("Against the overall figure, name one value to compare (e.g. 'k_lms's "
                                   "average latency against the overall'), or group by it.")  # fmt: skip
            ((dim, values),) = spec.filters.items()
            kept = [c for c in kept if c != layer.dimensions[dim].condition(grain_name, values=values)]
        source = layer.grains[grain_name].from_reading(sql, *kept)
        base = f"(SELECT {sql} FROM {source}" + (f" WHERE {' AND '.join(kept)})" if kept else ")")
        base_name = f"overall_{name}"
    out = [(base_name, base)]
    if spec.against_as == "points" and not is_rate(layer, name):
        raise CannotAnswer(f"Percentage points are a difference of two rates; the {name} is not a rate.")
    if spec.against_as in ("difference", "points"):
        out.append((f"{name}_minus_{kind}" + "_pp" * (spec.against_as == "points"),
                    f"({sql} - {base})" + " * 100" * (spec.against_as == "points")))  # fmt: skip
    elif spec.against_as == "multiple":
        out.append((f"{name}_over_{kind}", f"{sql} / nullif({base}, 0)"))
    elif spec.against_as == "index":
        out.append((f"{name}_index", f"100 * {sql} / nullif({base}, 0)"))
    condition = None
    if keep and dims:
        op, factor = keep
        condition = f"{sql} {op} {'' if factor == 1 else f'{factor:g} * '}{base}"
    return out, condition, kind in ("mean", "median")


def describe(spec: QuerySpec, layer) -> str:
    """How the baseline was read, in plain words."""
    kind, keep = resolved(spec, layer)
    said = _SAID.get(kind, _OVERALL_SAID)
    if kind not in ("mean", "median") and not spec.dimensions and spec.filters:
        said = "the overall figure (without that filter)"
    if spec.against_as:
        if spec.against_as == "index":
            return f"as an index (100 = {said})"
        asked = {"difference": "the difference from", "points": "the difference in percentage points from",
                 "multiple": "as a multiple of"}[spec.against_as]  # fmt: skip
        return f"{asked} {said}"
    if keep:
        return f"only the groups {kept(spec, layer)}, shown beside it"
    return f"beside {said}"


def kept(spec: QuerySpec, layer) -> str:
    """Which groups pass, in plain words: "above the mean of the groups", "at least 3 times the overall
    figure" (the reading of a count of them says it after the figure: explain.py)."""
    kind, (op, factor) = resolved(spec, layer)
    said = _SAID.get(kind, _OVERALL_SAID)
    word = {">": "above", "<": "below", ">=": "at least"}[op]
    return f"{word} {'' if factor == 1 else f'{factor:g} times '}{said}"
