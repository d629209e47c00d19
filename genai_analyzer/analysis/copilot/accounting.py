"""Every word of a question accounted for, or no answer.

``restated_words`` reads the words that only restate what a step already read (the metric's own
words, its unit, "average" for an average, a comparison's words once a comparison is read, a
trend's words once a time grouping is); ``account_for_words`` then refuses a question with any word
left that is not filler: an unread word may change what is asked ("more than 3 times", "free vs
paid", "happiest"), and answering without it would answer another question.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.ranking import HIGH, LOW
from genai_analyzer.analysis.copilot.ratios import read_ratio
from genai_analyzer.analysis.copilot.spec import CannotAnswer, NeedsClarification, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.copilot.time_phrases import THAT_PERIOD
from genai_analyzer.analysis.copilot.vocabulary import (
    AVERAGE_WORDS,
    COMPARE_WORDS,
    COUNTED_NOUNS,
    COUNTED_UNITS,
    FILLER,
    QUALIFIERS,
    RELATION_DIRECTION,
    RELATION_WORDS,
    TREND_WORDS,
    UNIT_WORDS,
    WEAK_PHRASES,
)
from genai_analyzer.analysis.semantic import SemanticLayer


def restated_words(layer: SemanticLayer, t: QuestionText, spec: QuerySpec) -> None:
    """Words that only restate what was read: the metric's or a grouped or filtered dimension's
    own words ("avg wait time in queue", "the ddim sampler"), "average" for a metric that is an
    average, its unit ("in ms", "in dollars"), "per generation" for a per-generation average,
    "how often" for a rate, a trend's words once a time grouping is read, and a comparison's
    words once a comparison is read."""
    # "which prompt had the most failed generations? show the number of failures": one figure named
    # twice (two columns of one name crashed the answer's summary; blind set 34)
    spec.metrics[:] = list(dict.fromkeys(spec.metrics))
    mean_for_median(layer, t, spec)
    generation_as_subject(spec)
    read_ratio(layer, t, spec)  # "revenue divided by cost": not a grouping by a figure
    by_a_figure(layer, t, spec)
    statistic_of_another(layer, t, spec)
    grouping_restated(layer, spec)
    metrics = [layer.metrics[m] for m in spec.metrics if m in layer.metrics]
    dims = [layer.dimensions[d] for d in [*spec.dimensions, *spec.filters] if d in layer.dimensions]
    own = set()
    filtered = [
        layer.dimensions[d] for d in spec.filters if d in layer.dimensions and d not in spec.dimensions
    ]
    for item in [*metrics, *dims]:
        for phrase in (item.label.lower(), item.name.replace("_", " "), *item.synonyms):
            if item in filtered and " or " in phrase:
                continue  # "known or unknown user" names both values: only "known" users are kept
            own.update(re.findall(r"[a-z]+", phrase))
    averaged = any(m.sql.lower().startswith(("avg(", "quantile", "median")) for m in metrics)
    # "average" restates an average, not a median or a percentile ("the mean and median session
    # length" answered the median alone: the mean was read as a restatement)
    means = any(m.sql.lower().startswith("avg(") for m in metrics)
    rates = any(m.format == "rate" for m in metrics)
    readable = set(own)
    # "average cost per generation": a total per unit is an average over the units
    if means or (spec.per and metrics and not spec.share):
        readable |= AVERAGE_WORDS
        for m in t.find(r"(?:on )?average|per(?= (?:generation|image|render|request)s?)"):
            t.take(m)
    elif averaged:
        readable.add("typical")
    if any(m.grain == "sessions" for m in metrics):  # sessions are dated by their start
        readable |= {"started", "start", "starting", "began", "begin"}
    if any(not layer.dimensions[d].time for d in spec.dimensions):
        readable |= RELATION_WORDS  # "does revenue vary with complexity": revenue by complexity
        # "does the failure rate go up with complexity": the same, asked with a direction
        for m in t.find(RELATION_DIRECTION):
            t.take(m)
    if rates or spec.top:
        readable.add("often")
    if spec.share:  # "what fraction of our cost goes to free users": the part's verb
        readable |= {"goes", "go", "going", "spent", "spend", "belongs"}
    if len(spec.metrics) >= 2 and not spec.compare:  # "spend vs revenue": both figures, side by side
        readable |= {"vs", "versus", "both"}
    if spec.splits or any(len(v) == 2 for d, v in spec.filters.items() if d in spec.dimensions):
        readable.add("both")  # "anime vs photorealistic, show both": the two sides are the rows
    if spec.splits:  # "more on weekends or on weekdays": the two sides' figures answer which
        readable |= {"more", "less", "higher", "lower", "better", "worse", "longer", "shorter"}
    if (spec.top or spec.sort in ("asc", "desc")) and len(
        spec.metrics
    ) == 1:  # "the busiest, the most generations"
        readable |= set((LOW if spec.ascending or spec.sort == "asc" else HIGH).split("|"))

    if (
        spec.per == "generation"
        and metrics
        and all(
            m.format in ("rate", "ms") or m.sql.lower().startswith(("avg(", "quantile", "median"))
            for m in metrics
        )
    ):
        spec.per = None  # an average or a rate is already per generation
        spec.matched = {k: v for k, v in spec.matched.items() if not v.startswith("divided by")}
    if any(m.format == "count" for m in metrics):  # "list them with their counts": the count shown
        for m in t.find(r"(?:with|and) (?:their|the|its) counts?"):
            t.take(m)
    for m in metrics:
        readable |= UNIT_WORDS.get(m.format, frozenset())
        if m.format == "ms" or "duration" in m.sql:  # "how long do they wait": a duration's own word
            readable.add("long")
    if any(layer.dimensions[d].time for d in spec.dimensions) and not spec.compare:
        readable |= TREND_WORDS
    if spec.compare or any(len(v) >= 2 for d, v in spec.filters.items() if d in spec.dimensions):
        # "show both and the change": a comparison's answer holds both periods and the change
        readable |= COMPARE_WORDS | {"day", "days", "week", "weeks", "month", "months", "both"}
        readable |= {"counts", "numbers", "figures", "totals", "values"}  # "both weeks' counts and ..."
        if spec.compare and spec.time is not None and spec.time.n:
            readable.add(str(spec.time.n))  # "last 7 days versus the previous 7"
    for word in sorted(readable, key=len, reverse=True):
        if len(word) > 1:
            for m in t.find(re.escape(word)):
                t.take(m)


def generation_as_subject(spec: QuerySpec) -> None:
    """ "how reliable is image generation", "error rate of image generation by sampler": "image
    generation" said once, in the singular, beside another figure names what that figure is of,
    not a count of generations beside it (it answered both). "Generations and success rate" (a
    plural, or a count's words) stays two figures."""
    if "generations" not in spec.metrics or len(spec.metrics) < 2:
        return
    said = spec.said("generations")
    if said and all(re.fullmatch(r"(?:image |picture |render )?generation", phrase) for phrase in said):
        spec.metrics.remove("generations")
        spec.positions.pop("metric:generations", None)
        for phrase in said:
            spec.matched[phrase] = "what the figure is of"


def mean_for_median(layer: SemanticLayer, t: QuestionText, spec: QuerySpec) -> None:
    """ "the avg generation time": a metric read from a general phrase that is a median (the layer's
    "generation time" is the median latency), asked with "average", "avg" or "mean" left unread,
    is the average of the same column where the layer has it (``avg(x)`` for ``quantile_cont(x,
    0.5)``): a median is not an average. Without such a metric the word stays unread."""
    # "the median instead of the average": the average is what is replaced, read as such
    if any(
        layer.metrics[n].sql.lower().startswith(("quantile", "median"))
        for n in spec.metrics
        if n in layer.metrics
    ):
        for m in t.find(r"(?:average|avg|mean)(?= )"):
            if re.search(r"(?:instead of|rather than|not) (?:the )?$", t.text[: m.start()]):
                t.take(m)
    said = list(t.find(r"(?:on )?(?:average|avg|mean)(?= )"))
    if not said:
        return
    for i, name in enumerate(spec.metrics):
        sql = layer.metrics[name].sql.replace(" ", "") if name in layer.metrics else ""
        # "quantile_cont(s.duration_s, 0.5) / 60": a median, in the unit after it
        median = re.fullmatch(r"(?:quantile_cont\((.+),0\.5\)|median\((.+)\))(.*)", sql)
        if not median:
            continue
        column, unit = median.group(1) or median.group(2), median.group(3)
        mean = next(
            (n for n, m in layer.metrics.items() if m.sql.replace(" ", "") == f"avg({column}){unit}"), None
        )
        if mean is None or mean in spec.metrics:
            continue
        if any(re.search(r"median|p50", k) for k, v in spec.matched.items() if v.split(" ")[0] == name):
            # "the mean and the median latency": the median is said, and the mean is a second figure
            both = list(t.find(r"(?:the )?(?:average|avg|mean) and(?= (?:the )?median )"))
            if both:
                t.take(both[0])
                spec.metrics.insert(i, mean)
                spec.matched[both[0].group(0).strip()] = mean
                spec.positions[f"metric:{mean}"] = both[0].start()
            return
        spec.metrics[i] = mean
        spec.matched = {k: (mean if v == name else v) for k, v in spec.matched.items()}
        if f"metric:{name}" in spec.positions:
            spec.positions[f"metric:{mean}"] = spec.positions.pop(f"metric:{name}")
        for m in said:
            t.take(m)
        return


def by_a_figure(layer: SemanticLayer, t: QuestionText, spec: QuerySpec) -> None:
    """ "error rate by latency", "cost by revenue": a figure after "by" is no grouping, and nothing
    ranks by it; the answer was both figures side by side, over all the data: declined."""
    if spec.top or spec.sort or spec.ratio or len(spec.metrics) < 2:
        return
    for name in spec.metrics[1:]:
        said = spec.said(name)
        if not said or any({p, p[:-1]} & WEAK_PHRASES for p in said):
            continue  # "gpu hours burned by generations that failed": the rows, not a figure
        at = spec.positions.get(f"metric:{name}")
        if at is None or not re.search(r"(?<![a-z])by(?: the| its| their)?\s*$", t.text[:at]):
            continue
        if re.search(r"(?<![a-z])(?:divided|multiplied|times) by(?: the| its| their)?\s*$", t.text[:at]):
            continue
        first, label = layer.metrics[spec.metrics[0]].label, layer.metrics[name].label
        raise CannotAnswer(
            f"'by {label.lower()}' would group by a figure, not by something to group by: ask for "
            f"{first.lower()} by a tier, a sampler or a day, for instance, or for the generations above or "
            "below a value (e.g. 'error rate for generations that took longer than 5 seconds').",
            unread=("by",),
        )


def grouping_restated(layer: SemanticLayer, spec: QuerySpec) -> None:
    """ "does more steps mean more latency? median latency per step count": a statistic of the column
    the rows are grouped by (the average steps in each step count is that count) beside another figure
    restates the grouping; it was a second column of the answer (blind set 46)."""
    dims, metrics = layer.dimensions, layer.metrics
    grouped = {dims[d].expression("generations") for d in spec.dimensions if d in dims}
    for name in list(spec.metrics):
        m = re.fullmatch(r"(?:avg|min|max|median)\((.+)\)", metrics[name].sql) if name in metrics else None
        if m and m.group(1) in grouped and len(spec.metrics) > 1:
            spec.metrics.remove(name)
            for phrase in [p for p, n in spec.matched.items() if n == name]:
                spec.matched[phrase] = "the grouping's own values, said again"


def statistic_of_another(layer: SemanticLayer, t: QuestionText, spec: QuerySpec) -> None:
    """ "p95 queue time", "p50 of queue time": a statistic that is a metric of its own word ("p95" is
    the p95 latency) said of another figure asks for a statistic the layer lacks; it answered the p95
    latency and the average queue time side by side (blind set 33)."""
    named = {p: n for p, n in spec.matched.items() if n in layer.metrics}
    for stat, name in named.items():
        if not re.fullmatch(r"p\d+|median|mean|average|avg|typical|tail", stat):
            continue
        for phrase, other in named.items():
            # "p95 and average queue time": both statistics of the queue time
            stated = re.match(r"(?:average|avg|mean|median|max|min|p\d+) ", phrase)
            if stated and _column(layer, other) == _column(layer, name):
                continue  # "p95 and p99 latency": two statistics of one column, each named
            joined = "(?:and |& |or )(?:the )?" if stated else ""
            if other != name and re.search(
                rf"(?<![a-z0-9]){re.escape(stat)} (?:of |for |in |on |{joined})?(?:the )?{re.escape(phrase)}"
                r"(?![a-z0-9])",
                t.text,
            ):
                raise CannotAnswer(
                    f"The semantic layer has no {stat} of {layer.metrics[other].label.lower()}: ask for "
                    f"the {layer.metrics[other].label.lower()} as it is, or for the "
                    f"{layer.metrics[name].label.lower()}.",
                    unread=(stat,),
                )


def _column(layer: SemanticLayer, metric: str) -> str | None:
    found = re.search(r"\b[a-z]\.([a-z_]+)", layer.metrics[metric].sql)
    return found.group(1) if found else None


def account_for_words(vocabulary: set[str], t: QuestionText, spec: QuerySpec | None = None) -> None:
    """Every word of the question is read by a step, or is a filler word; otherwise the question
    is not answered: an unread word may change what is asked ("more than 3 times", "free vs
    paid", "happiest"), and answering without it answers another question."""
    # a lone "%" asks for a share ("what % of generations ..."), a "$" for money, a lone letter
    # may be half of a shorthand ("w/o", "b/c"): none is dropped unread
    # (the behaviour questions' cohorts, read without a spec, say "that week" of their own)
    for m in t.find(THAT_PERIOD) if spec is not None else ():
        if spec.time is not None:  # "in September, ... more than 10 generations that month"
            t.take(m)
            continue
        raise CannotAnswer(  # "their median latency that day" was answered over all dates (blind set 36)
            f"'{m.group(0)}' points back to a period the question does not name: say which, e.g. 'on "
            "October 12' or 'last week'.",
            unread=tuple(m.group(0).split()),
        )
    left = [w for w in t.words_left() if w not in FILLER]
    # "users who only ever made one generation": a number of things is a condition, never filler
    for m in re.finditer(rf"(?<![a-z0-9])(one|single|a single)(?= {COUNTED_NOUNS}(?![a-z]))", t.text):
        if not any(t.used[m.start() : m.end()]):
            left.append(m.group(1).split()[-1])
    if not left:
        return
    unread = tuple(dict.fromkeys(left))
    vocabulary = vocabulary | QUALIFIERS
    known = [w for w in unread if w in vocabulary or w.rstrip("s") in vocabulary or w.isdigit()]
    unknown = [w for w in unread if w not in known]
    if unknown:
        raise CannotAnswer(
            f"I don't know what '{' '.join(unknown)}' refers to: the warehouse has no such data "
            "(it holds generations, users, sessions, prompts and their labels, latency, status, cost "
            "and revenue).",
            unread=unread,
        )
    raise CannotAnswer(
        f"I understood part of the question, but not what '{' '.join(known)}' asks for here, and "
        "answering without it would answer a different question.",
        unread=unread,
    )


def _refuse_asked_twice(t: QuestionText, found: list[tuple[int, str, str]]) -> None:
    """ "their average latency, and the average latency of all free-tier users": one figure named
    twice, each time of other rows, is two answers; it answered one over both filters' rows, with the
    users counted beside it (blind set 49). Asked back, side by side."""
    seen: dict[str, tuple[int, str]] = {}
    for at, name, phrase in sorted(found):
        if phrase in COUNTED_UNITS or name not in seen:
            seen.setdefault(name, (at, phrase))
            continue
        first, said = seen[name]
        if not re.match(r" (?:of|for|among|from|in) (?:all |the |every )?[a-z]", t.text[at + len(phrase) :]):
            continue  # "the top earner, and how much revenue has it brought in": the figure said again
        if re.search(r"(?<![a-z])(?:and|,|as well as|plus)(?![a-z])", t.text[first + len(said) : at]):
            raise CannotAnswer(
                f"'{said}' is asked twice, each time of other rows: ask for it once, side by side by what "
                f"differs (e.g. '{said} for pro vs free users'), or one at a time.",
                unread=(said,),
            )


def refuse_units_by_metric(t: QuestionText, found: list[tuple[int, str, str]], kept: list) -> None:
    """ "users by revenue": a unit word the metrics step would drop for a stronger metric (``found``
    less ``kept``, as (position, metric, words)), followed by "by" and that metric, ranks the units
    or divides by them; which is not said, so ask rather than answer the total."""
    for start, _, phrase in found:
        if (start, _, phrase) in kept or phrase not in COUNTED_UNITS or not kept:
            continue
        by = re.compile(rf" by (?:the )?(?:{'|'.join(re.escape(k[2]) for k in kept)})(?![a-z])")
        if by.match(t.text, start + len(phrase)):
            unit = "person" if phrase == "people" else phrase.rstrip("s")
            raise NeedsClarification(
                f"'{phrase} by ...' does not say how the {phrase} are counted.",
                (f"top 10 {phrase} by {kept[0][2]}", f"{kept[0][2]} per {unit}"),
            )


# the people a count may be of: "how many folks made images yesterday"
# ("clients" are customers by now: everyday.EARLY)
_PEOPLE = r"users|people|customers|folks|members|accounts|persons|individuals|subscribers|creators"
_MADE = r"made|make|makes|generated|generate|generates|created|create|produced|rendered|ran|run|submitted"


_IMAGES_MADE_BY = (
    rf"(?:how many|number of) ((?:[a-z0-9-]+ ){{0,2}}?)(?:images|generations|pictures|pics|renders) "
    rf"(?:did|do|does|have|has|had)(?= (?:[a-z']+ ){{0,4}}?(?:{_PEOPLE})(?: [a-z']+){{0,3}}? (?:{_MADE}))"
)


def settle_units(
    t: QuestionText, spec: QuerySpec, found: list[tuple[int, str, str]], kept: list, value_words: set[str]
) -> list:
    """The metrics kept once the units are read: "users by revenue" asks back
    (``refuse_units_by_metric``); "how many pro users made images", "how many folks made pictures
    yesterday" count the people, the images being what they made (it answered the images: "folks"
    and a value before "users" hid the counted noun)."""
    refuse_units_by_metric(t, found, kept)
    _refuse_asked_twice(t, found)
    kept = kept + _counted_beside(t, found)
    # "how many sci-fi images did each plan's users make": the images are counted, the users made
    # them (it counted the users: a value before "images" took the noun, "users" was left; blind 25)
    if (
        found
        and all(name == "active_users" for _, name, _ in found)
        and (made := re.search(_IMAGES_MADE_BY, t.text))
        and all(w in value_words for w in made.group(1).split())
    ):
        return [(made.start(), "generations", made.group(0).strip())]
    if spec.thresholds or spec.count_of or not found or any(name != "generations" for _, name, _ in found):
        return kept
    m = re.search(
        rf"(?:how many|number of|count of|count the) ((?:[a-z]+ ){{0,3}}?)({_PEOPLE}) (?:who |that )?"
        rf"(?:have |has |had |did )?(?:{_MADE})(?= )",
        t.text,
    )
    listed = re.search(r" and ", t.open_text())  # "how many users and images": both counted
    if m is None or listed or any(w not in value_words for w in m.group(1).split()):
        return kept
    return [(m.start(2), "active_users", m.group(2))]


_COUNTED_NOUNS = {"users": "active_users", "people": "active_users", "customers": "active_users",
                  "accounts": "active_users", "sessions": "sessions"}  # fmt: skip


def _counted_beside(t: QuestionText, found: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """ "how many paying users and total revenue from them", "number of free users and their cost":
    the units counted beside the other figure, whose noun the value read with it took (only the
    revenue was answered, the count dropped without a word: blind set 43)."""
    names = {name for _, name, _ in found}
    for m in re.finditer(
        rf"(?:how many|number of|count of) (?:[a-z'-]+ ){{0,2}}?({'|'.join(_COUNTED_NOUNS)}) "
        r"(?:(?:are|were) there |(?:do|did) we (?:have|see) )?and ",
        t.text,
    ):
        name = _COUNTED_NOUNS[m.group(1)]
        if name not in names and all(t.used[m.start(1) : m.end(1)]):
            t.take_span(m.start(), m.start(1))
            return [(m.start(1), name, m.group(0)[: m.end(1) - m.start()].strip())]
    return []
