"""Follow-ups merged into the spec of the answer before them, and the last check of any spec: one grain."""

from __future__ import annotations

import calendar
import re
from dataclasses import replace

from genai_analyzer.analysis.copilot.shares import is_total
from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec, TimeRange
from genai_analyzer.analysis.copilot.statuses import rate_of_its_own_status
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.copilot.thresholds import bare_threshold
from genai_analyzer.analysis.copilot.time_phrases import THAT_PERIOD
from genai_analyzer.analysis.copilot.vocabulary import UNIT_COUNT_METRICS
from genai_analyzer.analysis.semantic import SemanticLayer


def merge(layer: SemanticLayer, previous: QuerySpec, new: QuerySpec, text: str) -> QuerySpec:
    """The previous question refined by a follow-up: its metric, groupings, filters, period or
    ranking replaced or added to by what the follow-up names ("by week instead", "now only pro")."""
    costs = [m for m in previous.metrics if m in layer.metrics and layer.metrics[m].format == "usd"]
    if (said := COST_WORDS.search(text)) and not new.metrics and not costs:
        raise CannotAnswer(
            f"'{said.group(0)}' ranks by a cost, and the answer before is {', '.join(previous.metrics)}: "
            "say which figure to rank by, e.g. 'the 3 with the lowest cost'.",
            unread=(said.group(0),),
        )
    merged = replace(previous, filters={k: list(v) for k, v in previous.filters.items()})
    merged.matched = dict(new.matched)
    if new.metrics == ["generations"] and previous.metrics and ROWS_OF_A_KIND.match(text):
        pass  # "only successful generations" after average steps: those rows' average steps
    elif new.metrics == ["prompt_edits"] and _of_edits(layer, previous) and NARROWING.match(text):
        pass  # "only for edits made by pro users" after the similarity by edit type: those edits' figure
    elif new.metrics == ["generations"] and previous.metrics != new.metrics and _COUNTED_BACK.search(text):
        _counted_back(previous)  # "and how many of those are pro?" counts what was counted before
    elif new.metrics and previous.metrics and set(new.metrics) <= {th[0] for th in new.thresholds}:
        pass  # "make it having count > 200": the groups kept change, the figure stays (blind set 35)
    elif new.metrics and _speed_rank(layer, previous, new):
        # "now the 3 fastest" after the p95 latency by sampler: ranked by that latency, not the median
        kept = ", ".join(previous.metrics)
        merged.matched = {k: kept if v.split(" ")[0] in new.metrics else v for k, v in merged.matched.items()}
    elif new.metrics and ADDED.search(text):  # "add the p95 latency too": both figures
        merged.metrics = [*previous.metrics, *(m for m in new.metrics if m not in previous.metrics)]
        merged.ratio = False
    elif new.metrics:
        merged.metrics, merged.ratio, merged.counted_rate = new.metrics, new.ratio, new.counted_rate
        money = all(m in layer.metrics and layer.metrics[m].format == "usd" for m in new.metrics)
        if merged.per == "generation" and not new.per and not money:
            # "average cost" was cost per generation: the figure's own, replaced with it; another sum of
            # money takes its place per generation ("swap cost for revenue" answered the revenue total)
            merged.per = None
        if (
            merged.per == "session"
            and not new.per
            and all(layer.metrics[m].grain == "sessions" for m in new.metrics)
        ):
            merged.per = (
                None  # "use the median instead" after generations per session: one per session already
            )
    if new.gap:  # "now enterprise vs free, same layout (enterprise minus free)" (gaps.py)
        merged.gap, merged.gap_sides, merged.gap_shown = new.gap, new.gap_sides, new.gap_shown
    elif new.dimensions or new.filters:  # other sides or groups: the gap before is not theirs
        merged.gap = None
    if new.nested:  # "use the mean instead of the median" (nested.py)
        merged.nested = new.nested
    if new.share and not new.metrics:  # "now as a share of the total" (as_share)
        merged.share = True
    if new.per:  # "per user instead"
        merged.per = new.per
    merged.per_scope = new.per_scope or previous.per_scope
    if new.scale:  # "per 1,000 generations instead"
        merged.scale, merged.scale_of = new.scale, new.scale_of
    if new.dimensions == ["session"] and any(th[3] == "session" for th in new.thresholds):
        new = replace(new, dimensions=[])  # "only the sessions with 5 or more generations": rows kept
    if new.dimensions:
        dims = layer.dimensions
        new_time = [d for d in new.dimensions if dims[d].time]
        new_other = [d for d in new.dimensions if not dims[d].time]
        kept = [d for d in previous.dimensions if not (dims[d].time and new_time)]
        swap = "instead" in text or SWAPPED.match(text)  # "what about by art style?": in its place
        kept = [d for d in kept if not (not dims[d].time and new_other and swap)]
        if "instead" in text and kept == previous.dimensions:
            kept = []  # "by day instead" after "by tier": nothing of the same kind to swap, so all
        if new.top:  # "and the busiest day of the week?" after the hours: the weekdays ranked, alone
            kept = []
        merged.dimensions = kept + [d for d in new.dimensions if d not in kept]
        if not previous.dimensions and not new.compare_direction:
            # "did it go up?" of one figure is a yes or no the change answers; "split that by tier"
            # shows every tier's change (it kept only the tiers that went up: blind set 43)
            merged.compare_direction = None
    merged.dimensions = [d for d in merged.dimensions if d not in new.dropped]
    if "status" not in new.dimensions and rate_of_its_own_status(layer, merged):
        merged.dimensions.remove("status")  # "and what share were errors?" after generations by status
    if new.splits:  # "just weekends vs weekdays rather than each day": the sides, not every value
        merged.splits = {**{d: s for d, s in previous.splits.items() if d not in new.splits}, **new.splits}
    merged.contains = new.contains or previous.contains  # "and for prompts with 'castle' in them?"
    adds_values = ADDED.search(text) and not new.metrics  # "add pro to that": beside the values before
    if _failed_of_a_count(previous, new, text):  # "and how many of those failed?" after a count: both
        merged.metrics = ["generations", "failed_generations"]
        new = replace(new, filters={d: v for d, v in new.filters.items() if d != "status"})
    for dim, values in new.filters.items():
        before = previous.filters.get(dim, []) if adds_values else []
        merged.filters[dim] = [*before, *(v for v in values if v not in before)]
    if new.time and new.compare and new.time.kind == "week_before" and previous.time is not None:
        pass  # "how does that compare with the week before": the baseline, not the period asked about
    elif (
        new.time
        and new.compare
        and new.baseline is None
        and previous.time is not None
        and (
            re.search(
                rf"(?:with|to|against|vs\.?|versus|than) (?:the |to )?{re.escape(new.time.phrase)}", text
            )
        )
    ):  # "how does that compare with September" after October: October against September
        merged.time, merged.baseline = previous.time, new.time
    elif new.time and (before := _before_that(previous.time, new.time, text)):
        merged.time = before  # "the week before that" after September: the last week of August
    elif new.time:
        merged.time = new.time
    if new.top:  # "and which one is third?": a place alone keeps the direction ranked before
        merged.top, merged.offset = new.top, new.offset
        place_only = new.offset and any(v == f"place {new.offset + 1}" for v in new.matched.values())
        merged.ascending = previous.ascending if place_only else new.ascending
    merged.sort = new.sort or previous.sort
    merged.compare = new.compare or (previous.compare and not new.time)
    if new.thresholds:  # "and more than 5 times?": the new threshold replaces the one on the same figure
        replaced = {th[0] for th in new.thresholds}
        merged.thresholds = [th for th in previous.thresholds if th[0] not in replaced] + new.thresholds
    merged.count_of = new.count_of or previous.count_of
    if not new.count_of and "(distinct values)" in previous.matched:  # "now per style instead": still counted
        merged.matched.setdefault("(distinct values)", previous.matched["(distinct values)"])
    merged.count_with = new.count_with if new.count_of else previous.count_with
    merged.unit = new.unit or (previous.unit if not new.metrics else None)  # "in seconds, please"
    merged.round_to = new.round_to if new.round_to is not None else previous.round_to  # "unrounded": -1
    merged.excluded = {d: v for d, v in previous.excluded.items() if d not in new.filters} | new.excluded
    if new.metrics or new.dimensions or new.top or new.never_of:  # "how many users never ..." is
        merged.never, merged.never_of = new.never, new.never_of  # kept only by a filter or a period
    return merged


def _of_edits(layer: SemanticLayer, previous: QuerySpec) -> bool:
    """Whether every figure before is a prompt edit's (the layer's metrics reading the edits, alias e)."""
    names = [m for m in previous.metrics if m in layer.metrics]
    return bool(names) and all(layer.metrics[m].reads("e") for m in names)


# "and how many of those are on the pro plan?": the things the answer before counted
_COUNTED_BACK = re.compile(r"(?:how many|number) of (?:those|them|these|which)(?! [a-z]+ fail)")


def _counted_back(previous: QuerySpec) -> None:
    """A count "of those" after a count of users or sessions keeps that count (it answered the
    generations of the filter instead, a different figure); after any other figure it says no count
    of what, and is declined."""
    if len(previous.metrics) == 1 and previous.metrics[0] in UNIT_COUNT_METRICS:
        return
    raise CannotAnswer(
        f"'How many of those' counts what the answer before counted, and it gave "
        f"{', '.join(previous.metrics)}, not a count of users or sessions: say what to count, e.g. 'how "
        "many pro users'.",
        unread=("those",),
    )


def _failed_of_a_count(previous: QuerySpec, new: QuerySpec, text: str) -> bool:
    """ "and how many of those failed?" after a count of generations: the count and the failed ones
    among them, side by side (as when asked in one message: statuses.py)."""
    return (
        previous.metrics == new.metrics == ["generations"]
        and "status" not in previous.filters
        and "success" not in new.filters.get("status", ["success"])
        and re.search(r"(?:how many|number) of (?:those|them|these)(?: [a-z]+)? fail", text) is not None
    )


SPEED_WORDS = re.compile(r"fast|faster|fastest|quick|quicker|quickest|slow|slower|slowest|speedy|speediest")
# Ranking words that name a cost: "the 3 cheapest" ranks by what something costs
COST_WORDS = re.compile(
    r"(?<![a-z])(?:cheap|cheaper|cheapest|pricier|priciest|costlier|costliest|most expensive|least expensive)"
    r"(?![a-z])"
)


def _speed_rank(layer: SemanticLayer, previous: QuerySpec, new: QuerySpec) -> bool:
    """Whether the follow-up's only figure is a speed word ranking ("fastest", "slowest") and the
    answer before is a latency (a time in ms): the ranking is by that latency."""
    said = [phrase for phrase, name in new.matched.items() if name.split(" ")[0] in new.metrics]
    times = [layer.metrics[m] for m in previous.metrics if m in layer.metrics]
    return bool(
        said
        and all(SPEED_WORDS.fullmatch(phrase) for phrase in said)
        and times
        and all(m.format == "ms" for m in times)
        and (new.top or new.sort)
    )


# Words that refine an answer before them: said with no answer before, there is nothing to refine
_REFINES = re.compile(
    r"\s*(?:what about|how about|and (?:for|by|the|what|how|only)|now |same\b|"
    r"instead\b|also |just (?!(?:give|show|tell|need|want|wondering|checking)\b)|only (?:for|the)|"
    r"(?:how many|which|what share|what percent(?:age)?|how much) of (?:those|these|them)\b)"
)


def lone_follow_up(text: str) -> bool:
    """Whether a message with no answer before it reads as a follow-up ("now only pro", "what about
    by week", "only successful generations": blind set 38 answered that last one as a question)."""
    return bool(_REFINES.match(text) or ROWS_OF_A_KIND.match(text))


# A follow-up narrowing the rows before to a kind of them, its noun the rows, not a count of them.
ROWS_OF_A_KIND = re.compile(
    r"^\s*(?:and |but |now )*(?:only|just) (?:the |for )?(?:(?!number |count |total |how )[a-z-]+ ){0,2}?"
    r"(?:generations|images|renders)(?: with width exactly \d+ & height exactly \d+)?\s*\??\s*$"  # "768x768"
)
# A follow-up naming another grouping in place of the one before ("what about by art style?").
# "same thing but by domain" (blind set 27): "but" puts the new grouping in place of the old one too
SWAPPED = re.compile(
    r"^\s*(?:and )?(?:(?:what|how) about|(?:(?:the )?same(?: thing| again| breakdown| chart| numbers)?,? )?"
    r"but) "
    r"(?:by|per|for each|split by|broken down by|grouped by)\b"
    # "do the same check for domains", "the same for samplers" (blind set 38): that grouping in its place
    r"|^\s*(?:(?:now |and |please )?(?:do|run|show|give me) )?(?:the )?same"
    r"(?: thing| check| analysis| breakdown| question| chart| again)? (?:for|by|per|across|over) "
    r"(?:the |each |every |all )?[a-z]"
)
# A follow-up adding a figure to the answer before rather than replacing its figure.
ADDED = re.compile(r"^\s*(?:and |also |now |please )*(?:add|include)\b|\b(?:too|as well)\s*\??\s*$")
AGGREGATES = {"median": "median", "p50": "median", "p95": "p95", "95th percentile": "p95", "p99": "p99",
              "99th percentile": "p99", "average": "average", "mean": "average",
              "avg": "average", "maximum": "max", "max": "max", "minimum": "min", "min": "min"}  # fmt: skip
_STATISTICS = "|".join(AGGREGATES)  # the statistics' words, as a regex alternation


def swap_aggregate(metric_phrases, t: QuestionText, spec: QuerySpec, previous: QuerySpec) -> bool:
    """ "what about the median instead?" after "p95 latency by sampler": the same figure with
    another aggregate, when the layer defines it ("median latency"). An aggregate alone that the
    figure before has no such form of ("the p95" after friction) is declined, not read as latency.
    True when the figure before was swapped: a refinement of it, whatever other cue the message has
    ("the median" after the average latency by tier lost the tiers, read as a question of its own)."""
    bare = rf"(?:the )?({_STATISTICS})"
    if previous.nested:  # "use the mean instead of the median" after a median over users (nested.py)
        for m in t.find(rf"{bare}(?: instead)?(?: of (?:the )?(?:median|average|mean|avg))?"):
            t.take(m)
            spec.nested = ["median" if m.group(1) in ("median", "p50") else "avg", previous.nested[1]]
            spec.matched[m.group(0).strip()] = f"the {m.group(1)} over {previous.nested[1]}s instead"
            return True
    named = (p for p, _ in metric_phrases if not re.fullmatch(bare, p))
    if any(True for p in named for _ in t.find(rf"(?:{re.escape(p)})")):
        return False  # a metric named in full is read by the metrics step
    # "p95 instead of the median", "make it the p99 instead of the p95": the statistic replaced is said too
    for m in t.find(rf"{bare}(?:(?: instead)? of (?:the )?(?:{_STATISTICS}))?"):
        word = AGGREGATES[m.group(1)]
        # a figure divided per unit before is looked for with that unit too: "use the median instead"
        # after "on average how many generations per session" is the layer's "median generations per
        # session" (each session's number of generations)
        said_per = [f" per {previous.per}", ""] if previous.per else [""]
        for name in previous.metrics:
            own = [p for p, n in metric_phrases if n == name]
            nouns = {re.sub(rf"^(?:{_STATISTICS}) ", "", p) for p in own}
            found = [
                n
                for per in said_per
                for p, n in metric_phrases
                for noun in nouns
                if p == f"{word} {noun}{per}" and n != name
            ]
            if found:
                t.take(m)
                spec.metrics.append(found[0])
                spec.matched[m.group(0).strip()] = f"{found[0]} (the answer before's figure, {word})"
                return True
        if previous.metrics:
            raise CannotAnswer(
                f"The answer before is {', '.join(previous.metrics)}; the semantic layer defines no "
                f"'{m.group(1)}' of it. Name the figure, e.g. 'p95 latency instead'.",
                unread=(m.group(1),),
            )
    return False


# A follow-up that narrows the answer before: "only ...", "just ...", "now only ..."
NARROWING = re.compile(r"^\s*(?:(?:and|but|now|ok|okay|so),? )*(?:only|just)\b")


def check_narrowing(previous: QuerySpec | None, spec: QuerySpec, text: str, named: bool) -> None:
    """A narrowing follow-up ("only count sessions with at least 5 generations" after session
    length by tier) that names no figure of its own keeps the figure before; a reading that changed
    it (the threshold's count read as the figure) would answer another question: declined."""
    if previous is None or named or not NARROWING.match(text) or set(previous.metrics) <= set(spec.metrics):
        return  # the figure before is still answered (a threshold's count may show beside it)
    raise CannotAnswer(
        f"'{text.strip()}' reads as narrowing the answer before ({', '.join(previous.metrics)}), but the "
        f"words would change its figure to {', '.join(spec.metrics)}, which is another question; ask the "
        "whole question in one message."
    )


def check_grain(layer: SemanticLayer, spec: QuerySpec) -> None:
    """Refuse metrics of two grains in one question, or a grouping or filter the grain lacks."""
    of_sessions = [m for m in spec.metrics if m in layer.metrics and layer.metrics[m].grain == "sessions"]
    if spec.metrics and of_sessions == spec.metrics and "session" not in spec.dimensions:
        for threshold in spec.thresholds:  # "average friction for sessions with 10 or more generations":
            if threshold[0] == "generations" and threshold[3] == "session":  # each session's own size
                threshold[0], threshold[3] = "session_size", None
    grains = {
        layer.metrics[m].grain
        for m in [*spec.metrics, *(t[0] for t in spec.thresholds)]
        if m in layer.metrics
    }
    if len(grains) > 1:
        raise CannotAnswer(
            "Those metrics live at different grains (per generation and per session); ask for them "
            "one at a time."
        )
    (grain,) = grains
    numeric = [t[0] for t in spec.thresholds if t[0] in layer.dimensions]
    groups = [t[3] for t in spec.thresholds if t[3] is not None]
    groups += [d for d in spec.within if d in layer.dimensions]  # "... per sampler": ranked within each
    for dim in [*spec.dimensions, *spec.filters, *numeric, *groups, *(["prompt"] if spec.contains else [])]:
        if layer.dimensions[dim].expression(grain) is None:
            raise CannotAnswer(
                f"{layer.metrics[spec.metrics[0]].label} is a per-{grain[:-1]} metric and cannot be "
                f"split or filtered by {layer.dimensions[dim].label}."
            )


def _before_that(previous: TimeRange | None, new: TimeRange, text: str) -> TimeRange | None:
    """ "the week before that", "the 7 days before that": as many days, just before the period of the
    answer before (it answered the week before the data's last week whatever the period before was)."""
    if previous is None or not re.search(r"before (?:that|it|them|then)\b", text):
        return None
    days = {"week_before": 7, "last_week": 7, "last_days": new.n}.get(new.kind)
    if not days:
        return None
    return TimeRange(
        "preceding", n=days, phrase=f"the {days} days before {previous.phrase or 'that'}", of=previous
    )


def in_context(layer: SemanticLayer, t: QuestionText, spec: QuerySpec, context: QuerySpec) -> None:
    """What a follow-up's words mean only after the answer before: its rows narrowed
    (``period_subject``), its threshold moved (``thresholds.bare_threshold``)."""
    period_subject(layer, t, spec, context)
    if context.time is not None and spec.time is None:  # "and the error rate that day?": the period before
        for m in t.find(THAT_PERIOD):
            t.take(m)
    if context.time is not None and spec.time is not None:  # "the 7 days before that" (_before_that)
        for m in t.find(r"before (?:that|it|them|then)"):
            t.take(m)
    bare_threshold(layer, t, spec, context)
    other_hours(t, spec, context)
    the_rest(t, spec, context)


# "and for everyone else?": the rows the answer before left out
_REST = re.compile(
    r"\s*(?:(?:and|but|so|now|what about|how about|same for|the same for)\s+)*(?:for |about |with )?"
    r"(?:the |all )?(?:everyone else|everybody else|"
    r"rest(?: of (?:the |our )?(?:users|people|customers|them))?|"
    r"others|other users|other ones|everything else|remaining (?:users|ones))"
    r"(?: then)?(?:\s+(?:all together|altogether|together|combined|as one group|in one group))?\s*"
)


def the_rest(t: QuestionText, spec: QuerySpec, context: QuerySpec) -> None:
    """ "and for everyone else?" after "revenue of pro users": the same question over the values
    of the one dimension the answer before filtered that it left out (a negation of its filter,
    ``spec.excluded``). With filters on two dimensions, which one's rest is meant is not said: the
    words stay unread and the question is declined."""
    named = [dim for dim, values in context.filters.items() if values]
    if len(named) != 1 or not _REST.fullmatch(t.rest()):
        return
    dim = named[0]
    spec.excluded[dim] = list(context.filters[dim])
    t.seal_span(0, len(t.text))
    left_out = ", ".join(context.filters[dim])
    spec.matched[t.text.strip()] = f"{dim} not {left_out} (the rest of the answer before)"


# "and outside those hours?": the hours of the day the answer before left out
OTHER_HOURS = re.compile(
    r"\s*(?:(?:and|but|now|so|ok|okay|what|how|about)\s+)*(?:outside(?: of)?|not in|except(?: for)?|"
    r"excluding|other than|beyond|apart from) (?:those|these|that|the|this|them)(?: same)? "
    r"(?:hours?|times?|range|window|time window|hour range)\s*"
)


def other_hours(t: QuestionText, spec: QuerySpec, context: QuerySpec) -> None:
    """ "and outside those hours?" after "success rate between 9am and 5pm": the same question
    over the other hours of the day (the merge replaces the hour filter)."""
    hours = context.filters.get("hour")
    if not hours or "hour" in spec.filters or not (m := OTHER_HOURS.fullmatch(t.rest())):
        return
    t.seal_span(0, len(t.text))
    spec.filters["hour"] = [h for h in range(24) if h not in set(hours)]
    spec.matched[m.group(0).strip()] = "the hours of the day the answer before left out"


def period_subject(layer: SemanticLayer, t: QuestionText, spec: QuerySpec, context: QuerySpec) -> None:
    """ "only sessions in October", "only sessions that started on a weekend" after "average
    friction by tier": the rows of the answer before, narrowed to a period or a filter, not a new
    metric (a count of sessions). Only the previous metric's own rows: "only generations in
    October" after a session metric stays a metric. Nothing narrowed, nothing is read here."""
    grains = {"session": "sessions", "generation": "generations", "image": "generations"}
    # ("now only sessions ...": after the follow-up's own first words, blind set 29)
    # ("what about only sessions started in October?", blind set 31)
    lead = r" (?:(?:now|ok|okay|and|so|then|what about|how about) )*(?:only|just) (?:the |for )?"
    m = re.match(rf"{lead}(sessions?|generations?|images?)(?= )", t.text)
    if m is None or not context.metrics:
        return
    grain = grains[m.group(1).rstrip("s")]
    if all(layer.metrics[n].grain == grain for n in context.metrics if n in layer.metrics):
        t.seal_span(m.start(1), m.end(1))  # sealed: no cue for a count of generations either
        spec.matched[m.group(1)] = f"the {grain} of the answer before"
        # sessions are dated by their start: "that started on a weekend"
        started = re.compile(r" (?:that |which )?(?:were )?started(?= )").match(t.text, m.end(1))
        if grain == "sessions" and started:
            t.take(started)


_HALF = re.compile(r"\b(first|second|1st|2nd|last|other) half\b(?! of)", re.I)


def half_of_that_month(question: str, context: QuerySpec | None) -> str:
    """ "and in the first half?" after "revenue in the second half of September": the half of the
    month the answer before was in (blind set 42; the half was declined). The other half is the one
    the answer before was not. Without one month before, the words are left as said (declined)."""
    period = context.time if context is not None else None
    if period is None or period.kind != "between" or not (m := _HALF.search(question)):
        return question
    start, end = period.start or "", period.end or ""
    if start[-5:-3] != end[-5:-3] or not start[-5:-3].isdigit():
        return question
    half = m[1].lower()
    if half == "other":  # the half the answer before did not cover
        half = "second" if start.endswith("-01") else "first"
    month = calendar.month_name[int(start[-5:-3])].lower()
    year = f" {start[:4]}" if start[:4].isdigit() else ""
    return question[: m.start()] + f"{half} half of {month}{year}" + question[m.end() :]


# "as a share of the total", "now the relative frequencies instead", "show it as percentages", "what
# share is each": the figure before, each group's part of the whole (blind set 47; declined before)
_AS_SHARE = re.compile(
    r"^ (?:(?:and|now|ok|okay|so|please|then),? )*(?:(?:show|give|give me|make|put|turn|express|redo)"
    r"(?: me)? )?(?:it |them |that |those |these |this )?(?:as |in |into )?(?:the |a )?"
    r"(?:shares?|percentages?|fractions?|proportions?|percents?|%)(?: of (?:the |all |it |them )?"
    r"(?:total|whole|all|overall|everything))?(?: instead)?"
    r"(?: of (?:the )?(?:counts?|numbers?|totals?|figures?))?"
    r"(?: (?:is|are) each(?: one)?| (?:for|of) each(?: one)?)?(?: please)? ?$"
    r"|^ (?:and )?what (?:share|fraction|percentage|proportion|percent) (?:is|are|does|do) each"
    r"(?: one| get| have)? $"
)


_SHARE_AGAIN = re.compile(
    r"^ (?:(?:and|so|ok|okay|now),? )*(?:what|the) (?:share|fraction|percentage|proportion|percent)"
    r"(?: of (?:them|those|these|the pictures|the images|the generations))? (?:were|was|are|is)(?= [a-z])"
)


def as_share(layer: SemanticLayer, t: QuestionText, spec: QuerySpec, previous: QuerySpec) -> bool:
    """A follow-up asking the figure before as each group's share of the whole: True when read. After
    a share, "and what share were anime?" asks the same share of other values (their words are read
    by the filters)."""
    again = _SHARE_AGAIN.match(t.text)
    if previous.share and again:
        t.take(again)
        spec.matched[again.group(0).strip()] = "the share before, of the values named now"
        return True
    m = _AS_SHARE.match(t.text)
    if m is None:
        return False
    metrics = layer.metrics
    totals = previous.metrics and all(n in metrics and is_total(metrics[n]) for n in previous.metrics)
    if (not totals or previous.share) and re.search(r"percent|%", m.group(0)):
        return False  # "show those as percentages" after a rate: the rate in percent (units.py)
    if not totals or not previous.dimensions or previous.share:
        raise CannotAnswer(
            "A share is each group's part of a total: ask it after a count or a sum split by something, "
            "e.g. 'generations by status', then 'as a share'.",
            unread=(m.group(0).strip(),),
        )
    t.take(m)
    spec.share = True
    spec.matched[m.group(0).strip()] = "the figure before, as each group's share of the whole"
    return True
