"""Rankings and orders: top / bottom N ("the 3 slowest", "least used"), an order with no limit
("worst first", "sorted from highest to lowest"), and which way "best" and "worst" point for the
metric (the worst latency is the highest, the worst success rate the lowest)."""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.spec import CannotAnswer, NeedsClarification, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.copilot.vocabulary import SUBJECTLESS, word_number
from genai_analyzer.analysis.semantic import SemanticLayer

BY_USE = " (by use)"  # the end of a ranking's 'matched' note when it ranks by use ('most used')
_USE_WORDS = r"\b(?:used|common|popular|frequent)\b"

# Words ranking the groups, highest first or lowest first ("the 3 shortest queues")
HIGH = r"top|best|highest|largest|biggest|most|heaviest|busiest|worst|slowest|priciest|longest"
LOW = r"bottom|lowest|smallest|least|fewest|lightest|quietest|fastest|cheapest|shortest|quickest"


PLACES = {"second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5}
_PLACE = "|".join(PLACES)


def read_place(t: QuestionText, spec: QuerySpec) -> bool:
    """ "the runner-up in revenue", "the second-most used sampler", "the third-largest cluster",
    "and which one is third?": one row, after the ones ranked before it (blind set 37). A place with
    no ranking word ("which one is third") keeps the direction of the ranking it follows."""
    ranked = rf"(?:[- ](?:({HIGH})|({LOW}))(?: used| common| popular)?)"
    for m in t.find(rf"(?:the |a )?(?:({_PLACE}){ranked}|runner-?ups?{ranked}?)"):
        place = PLACES[m.group(1)] if m.group(1) else 2
        t.take(m)
        spec.top, spec.offset, spec.ascending = 1, place - 1, bool(m.group(3) or m.group(5))
        said = f"place {place}, {'lowest' if spec.ascending else 'highest'} first"
        directed = any(m.group(g) for g in (2, 3, 4, 5))  # a ranking word said with the place
        spec.matched[m.group(0).strip()] = said if directed else f"place {place}"
        for after in t.find(r"(?:in|on|for|by) (?=[a-z])"):  # "the runner-up in revenue"
            if after.start() == m.end() + 1:
                t.take(after)
        return True
    said = rf"(?:is|comes?|came|ranks?|ranked|finish(?:es|ed)?|in) (?:the )?({_PLACE})(?: place| spot)?"
    for m in t.find(said):
        t.take(m)
        spec.top, spec.offset = 1, PLACES[m.group(1)] - 1
        spec.matched[m.group(0).strip()] = f"place {PLACES[m.group(1)]}"
        return True
    return False


def read_top(t: QuestionText, spec: QuerySpec) -> None:
    """Top / bottom N. "worst" and "best" follow the metric: the worst latency is the highest,
    the worst success rate the lowest (resolved in ``_direction`` once the metric is known)."""
    if read_place(t, spec):
        return
    number = r"(\d+|one)"  # other number words are digits by now (vocabulary.digits_for_spelled_numbers)
    # "the top 4 most used prompts": the ranking said twice over, by use (counted in the parser)
    used = r"(?: (?:used|common|popular|frequent|frequently used))?"
    use = rf"(?: (?:most|least){used.removeprefix('(?:')}"
    for pattern, ascending in (
        (rf"(?<!at )(?:the )?(?:{HIGH}) {number}{use}", False),
        (rf"(?<!at )(?:the )?(?:{LOW}) {number}{use}", True),
        (rf"{number} (?:{HIGH}){used}", False),
        (rf"{number} (?:{LOW}){used}", True),
    ):
        for m in t.find(pattern):
            t.take(m)
            spec.top, spec.ascending = word_number(m.group(1)), ascending
            if " least " in m.group(0) and not ascending:  # "top 3 least used": the fewest uses first
                spec.ascending = True
            by_use = BY_USE if re.search(_USE_WORDS, m.group(0)) else ""
            spec.matched[m.group(0).strip()] = f"{'bottom' if spec.ascending else 'top'} {spec.top}{by_use}"
            _ranked_by_units(t, spec, m.end())
            return
    for m in t.find(rf"(?:which|what|the) {number}{use}(?= [a-z])"):  # "which 3 domains have the highest ..."
        t.take(m)
        spec.top = word_number(m.group(1))
        spec.ascending = " least " in m.group(0)
        by_use = BY_USE if re.search(_USE_WORDS, m.group(0)) else ""
        spec.matched[m.group(0).strip()] = f"{'bottom' if spec.ascending else 'top'} {spec.top}{by_use}"
        break
    for pattern, ascending in (
        (rf"(?<!at )(?:the )?(?:{LOW})", True),
        (rf"(?<!at )(?:the )?(?:{HIGH})", False),
    ):  # noqa: E501
        for m in t.find(pattern + r"(?: used| common| popular| active)?"):
            t.take(m)
            if spec.sort and not spec.top:  # "most common error codes, most frequent first": an order
                spec.matched[m.group(0).strip()] = "sorted"
                return
            spec.top = spec.top or 1
            spec.ascending = ascending
            spec.matched[m.group(0).strip()] = f"{'bottom' if ascending else 'top'} {spec.top}"
            return


def read_sort(t: QuestionText, spec: QuerySpec) -> None:
    """ "profit by art style, worst first", "sorted from highest to lowest", "in ascending order":
    an order asked for with no limit; best and worst follow the metric (``_direction``)."""
    ends = (
        r"highest|largest|biggest|most|best|worst|lowest|smallest|least|fewest|slowest|longest|priciest|"
        r"fastest|quickest|shortest|cheapest|busiest|quietest"
    )
    verb = r"(?:(?:sort|sorted|order|ordered|rank|ranked|list|listed)(?: (?:it|them|that|this))? )?"
    for m in t.find(
        rf"{verb}(?:from )?(?:the )?({ends}) (?:first|to (?:the )?(?:{ends}))|"
        rf"{verb}in (ascending|descending) order|(?:sorted|ordered) (ascending|descending)|"
        r"sorted (newest) first|sorted (alphabetically)"  # presentation.py: the periods or the names
    ):
        t.take(m)
        word = next(w for w in m.groups() if w)
        if word in ("newest", "alphabetically"):
            spec.sort = {"newest": "newest", "alphabetically": "names"}[word]
            spec.matched[m.group(0).strip()] = (
                "sorted, newest first" if word == "newest" else "sorted by name"
            )
            return
        high = ("highest", "largest", "biggest", "most", "descending", "slowest", "longest", "priciest")
        high += ("busiest",)
        spec.sort = word if word in ("best", "worst") else "desc" if word in high else "asc"
        first = {"ascending": "lowest", "descending": "highest"}.get(word, word)
        spec.matched[m.group(0).strip()] = f"sorted, {first} first"
        for verb_m in t.find(r"(?:rank|order|sort)(?= (?:the |all |all the )?[a-z ]+? from )"):  # "rank the"
            t.take(verb_m)
        return


def direction(layer: SemanticLayer, t: QuestionText, spec: QuerySpec) -> None:
    """ "worst" / "best" rank by what is bad or good for the metric, not by its size. A ranking by
    use ("the 5 most used samplers") ranks by the count of generations: with another figure
    ("... by error rate") it is two rankings in one, and declined."""
    if any(v.endswith(BY_USE) for v in spec.matched.values()) and spec.metrics != ["generations"]:
        raise CannotAnswer(
            "'most used' ranks by how many generations; with another figure the question asks for two "
            "rankings at once. Ask for the most used first, then the figure for those values.",
            ("top 5 most used samplers", "error rate by sampler"),
        )
    if spec.sort in ("best", "worst") and spec.metrics:
        better_high = layer.metrics[spec.metrics[0]].higher_is_better
        spec.sort = "asc" if (spec.sort == "worst") == better_high else "desc"
    if not spec.top or not spec.metrics:
        return
    better_high = layer.metrics[spec.metrics[0]].higher_is_better
    if t.has(r"worst"):
        spec.ascending = better_high
    elif t.has(r"best"):
        spec.ascending = not better_high


# "on our busiest day", "on the day with the highest error rate": a period chosen by a ranking
_PERIOD = r"(?:day|week|month|hour|weekday|date)"
_NESTED = (
    r"(?<![a-z])(?:on|in|during|for|at) (?:the|our|that) (?:(?:single )?(?:busiest|quietest|worst|best|"
    rf"slowest|fastest|most active|least active|peak) {_PERIOD}|{_PERIOD} (?:with|that had|which had) the "
    r"(?:highest|most|lowest|fewest|least|worst|best|biggest|largest|smallest))"
)


def refuse_nested_rank(layer: SemanticLayer, t: QuestionText, spec: QuerySpec) -> None:
    """ "error rate by sampler on the day with the highest error rate", "cost per session on our
    busiest day": a figure asked on the period that ranks first by another figure, or split by
    something else, is two questions (blind set 22: it ranked the days by the figure asked, or by
    day and sampler together). The period ranked by the figure asked, alone, is one ("how many
    generations on our busiest day")."""
    m = re.search(_NESTED, t.text)
    if m is None:
        return
    split = [d for d in spec.dimensions if not layer.dimensions[d].time]
    first = spec.metrics[0] if spec.metrics else None
    if re.search(r"busiest|quietest|most active|least active|peak", m.group(0)):
        ranked_first = first == "generations"  # the busiest day is the one with the most generations
    else:  # "on the day with the highest failure rate, what was the median": ranked by the first figure
        after = t.text[m.end() :].lstrip()
        ranked_first = any(after.startswith(p) for p in spec.said(first))
    if split or spec.per or not ranked_first:
        raise CannotAnswer(
            f"'{m.group(0)}' picks a period by one figure, then asks for another there: that is two "
            "questions. Ask which period first (e.g. 'which day had the most generations'), then ask "
            "about that day by its date.",
            unread=tuple(m.group(0).split()),
        )


def ask_what_ranks(layer: SemanticLayer, t: QuestionText, spec: QuerySpec) -> None:
    """ "what's slow?": which thing is slow is asked, not which kind of thing; ask which, with
    the metric by a few dimensions as the readings to choose from. First, a period picked by a
    ranking and asked about is declined (``refuse_nested_rank``)."""
    refuse_nested_rank(layer, t, spec)
    m = re.match(rf" {SUBJECTLESS}(?= )", t.text)
    if m is None or not spec.metrics or any(not layer.dimensions[d].time for d in spec.dimensions):
        return
    label = layer.metrics[spec.metrics[0]].label.lower()
    label = re.sub(r"\s*\((?:ms|usd|minutes|share)\)$", "", label)
    raise NeedsClarification(
        f"'{m.group(0).strip()}' does not say which things to compare.",
        tuple(f"{label} by {d}" for d in ("sampler", "art style", "tier")),
    )


def _ranked_by_units(t: QuestionText, spec: QuerySpec, end: int) -> None:
    """ "top 10 users by sessions", "top 5 styles by users": the units after "by" are the figure
    counted, not a grouping (it answered the active users of each session)."""
    units = {"users": "active_users", "sessions": "sessions"}
    by = r" ([a-z]+) (by (?:the )?(?:number of |count of |total )?(users|sessions))(?![a-z])"
    m = re.compile(by).match(t.text, end)
    if m and m.group(1) != m.group(3):
        t.take_span(m.start(2), m.end(2))
        spec.metrics.append(units[m.group(3)])
        spec.matched[m.group(2)] = units[m.group(3)]


def count_when_only_top(t: QuestionText, spec: QuerySpec, entities) -> None:
    """ "top3 styles", "bottom 2 domains": a top N of a grouping with no figure named ranks by the
    number of generations (blind set 47; it found no metric). "the best sampler", "which clusters are
    the worst", "top 5 worst samplers" name a ranking whose figure is not said and stay asked back; a
    unit ("top 3 users") is not ranked by a guess."""
    ranked = re.findall(rf"(?<![a-z])(?:(?:top|bottom) \d+|(?:{HIGH}|{LOW}))(?![a-z])", t.text)
    plain = len(ranked) == 1 and re.fullmatch(r"(?:top|bottom) \d+", ranked[0])
    units = set(spec.dimensions) & set(entities)
    if plain and not spec.metrics and spec.top and spec.dimensions and not units:
        spec.metrics = ["generations"]
        spec.matched.setdefault("(top N, no figure named)", "ranked by generations, counted")
    elif plain and not spec.metrics and spec.top and units:  # "top 10 users": by which figure, asked back
        said = re.search(r"(?:top|bottom) \d+ ([a-z]+)", t.text)
        noun = said.group(1) if said else "users"
        raise NeedsClarification(
            f"'{ranked[0]}' needs a figure to rank {noun} by.",
            tuple(f"{ranked[0]} {noun} by {f}" for f in ("generations", "revenue", "sessions") if f != noun),
        )
