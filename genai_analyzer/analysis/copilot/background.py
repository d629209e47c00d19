"""A question told after its background (blind set 32): "We shipped a new queue last week and support
says pro users still wait. I want to see it: what was the average queue time for pro users, day by
day, over the last 14 days?"

Only when the whole message cannot be answered, it is cut into sentences (and at a colon); when the
last part is a question the copilot answers on its own, that question is answered, provided the
background names nothing the question leaves out. A period or a value (a tier, a style, a weekend)
said only in the background might be meant for the question, so the message is declined, naming it,
rather than answered without it. An instruction to change data or to the model anywhere in the
message still stops it. The answer's "Words read" says that the background was read past.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.followup import AGGREGATES
from genai_analyzer.analysis.copilot.ids import read_ids
from genai_analyzer.analysis.copilot.screening import DESTRUCTIVE, INJECTION, PEOPLE_EDITING
from genai_analyzer.analysis.copilot.spec import CannotAnswer, NeedsClarification, QuerySpec, SmallTalk
from genai_analyzer.analysis.copilot.statuses import rate_words as status_rate_words
from genai_analyzer.analysis.copilot.text import QuestionText, phrase_re
from genai_analyzer.analysis.copilot.time_phrases import THAT_PERIOD, read_time
from genai_analyzer.analysis.copilot.vocabulary import DAY_PARTS, ENTITY_DIMENSIONS, FILLER, QUALIFIERS, STOP

# a sentence ends at . ! ? ; before the next word (not inside "1.5%"), a lead-in at a colon
_BREAK = re.compile(r"(?<=[.!?;])\s+(?=[A-Za-z'\"(])|(?<=[a-z]):\s+(?=[A-Za-z])")


def split(question: str, about_one: bool = False) -> tuple[str, str] | None:
    """(the background, the question asked last), or None: for a message of one sentence, for a
    background that asks a question itself ("how reliable is it during 9am-5pm? success rate please":
    the last part only names the figure), and for a last part that points back into it ("does latency
    go up with steps? show it per step count"). ``about_one``: the background names one user, session
    or prompt by its id, which "their" and "it" point back to ("Did user 727a9603186c10de hit the NSFW
    filter? How many of their generations were blocked?")."""
    parts = [p.strip() for p in _BREAK.split(question.strip()) if p.strip()]
    if len(parts) < 2 or len(re.findall(r"[a-z]+", parts[-1].lower())) < 3:
        return None
    background, asked = " ".join(parts[:-1]), parts[-1]
    if not about_one and (_asks(background) or re.search(_POINTS_BACK, asked.lower())):
        return None
    return background, asked


# a yes or no question put before the request that settles it: "Does queue time rise and fall
# through the day? Give the average queue time for each UTC hour." (blind set 42)
_HYPOTHESIS = re.compile(r"(?:do|does|did|is|are|was|were|can|could|will|would|has|have)\s", re.I)


def _asks(background: str) -> bool:
    """Whether the background asks a question of its own, other than one yes or no question whose
    figures the request after it must name (``_left_out``)."""
    return "?" in background and not (background.count("?") == 1 and _HYPOTHESIS.match(background))


# ("their" too: "Account 4c70b07124537b1a asks about their bill: how much revenue did their
# generations bring in" answered everyone's revenue; blind set 34)
_POINTS_BACK = r"\b(?:it|its|that|this|them|those|these|they|their|theirs|he|she|his|her|the same|same)\b"


def parse(parser, question: str, context: QuerySpec | None = None) -> QuerySpec:
    """The spec of ``question``: read whole, or, when that is declined, its last sentence read past
    the background (``parser`` is the copilot's ``Parser``)."""
    try:
        return parser.parse(question, context)
    except (NeedsClarification, SmallTalk):
        raise
    except CannotAnswer as whole:
        cut = split(question, about_one=True)
        if cut is None:
            if (first := restated(parser, question, context)) is not None:
                return first
            raise
        background, asked = cut
        told = QuestionText(background)  # normalized once; its text is what the checks below read
        named = QuerySpec(metrics=[])  # the ids the background names: the question is about them (ids.py)
        read_ids(told, named, parser.lookup)  # an id the warehouse does not hold declines the message
        if not named.filters and split(question) is None:
            if (first := restated(parser, question, context)) is not None:
                return first  # "ARPU for paying customers: their revenue divided by ..."
            raise
        said = told.text
        if INJECTION.search(said) or DESTRUCTIVE.search(PEOPLE_EDITING.sub(" ", said)):
            raise  # "delete the free users. how many users are there?": not answered past the request
        if (period := read_time(QuestionText(background))) is not None and period.phrase:
            # "complains things were slow on October 12. What was their median latency that day?"
            asked = re.sub(
                rf"(?<![a-z]){THAT_PERIOD}(?![a-z])", f" {period.phrase} ", asked, count=1, flags=re.I
            )
        try:
            spec = parser.parse(asked, context)
        except CannotAnswer:
            if (first := restated(parser, question, context)) is not None:
                return first
            raise whole from None
        for dim, values in named.filters.items():  # "how much revenue did their generations bring"
            if spec.filters.setdefault(dim, values) != values:
                raise CannotAnswer(f"The message names two {dim}s: ask about one at a time.") from None
        spec.matched.update(named.matched)
    left_out = _left_out(parser, told, spec, hypothesis="?" in background and not named.filters)
    if left_out and (grouped := _heading_grouping(parser, background, asked, context)) is not None:
        return grouped  # "Reconcile by month: revenue, cost, and revenue minus cost"
    if left_out and (first := restated(parser, question, context)) is not None:
        return first  # "Revenue-to-cost ratio for each plan: dollars earned per dollar of GPU spend"
    if left_out:
        raise CannotAnswer(
            f"I read the question '{asked}', but the sentences before it name {left_out}, which the question "
            "itself does not: ask again with it in the question, or without it.",
            unread=(left_out.strip("'"),),
        )
    spec.matched[f"'{background}'"] = "background, read past (it names nothing the question leaves out)"
    return spec


# a lead-in that names only a grouping, at a colon: "Blast radius by tier: failed generations and ..."
_HEADING = re.compile(r"^(?P<head>[a-z' -]*?)\s*(?P<by>(?:by|per|for each|for every) [a-z ]+?)\s*$", re.I)


def _heading_grouping(parser, background: str, asked: str, context: QuerySpec | None) -> QuerySpec | None:
    """ "Reconcile by month: revenue, cost, and revenue minus cost": the lead-in's grouping read with
    the question (it was declined as left out), the lead-in's other words ("reconcile", "blast
    radius") a heading read past, provided they name nothing else the reading leaves out."""
    m = _HEADING.match(background.strip())
    if m is None or len(m.group("head").split()) > 4:
        return None
    try:
        spec = parser.parse(f"{asked.rstrip(' ?.')} {m.group('by')}", context)
    except CannotAnswer:
        return None
    if _left_out(parser, QuestionText(background), spec):
        return None
    read = f"a heading, read past; its '{m.group('by')}' read with the question"
    spec.matched[f"'{m.group('head')}'"] = read
    return spec


# a question, then what it means: "Revenue-to-cost ratio for each plan: dollars earned per dollar of
# GPU spend", "GPU spend per active user, by tier (the tier's total cost divided by its number of
# users)", "Median prompt length in characters for each art style (over generations)" (blind set 44)
_RESTATED = re.compile(
    r"(?<=[a-z0-9])(?:[.!?;]\s+|:\s+|,? (?:i\.?e\.?|that is|meaning|in other words),?\s+|"
    r"\s*\((?=[^()]*\)\W*$))",
    re.I,
)
_DEFINED = re.compile(r",? (?:i\.?e\.?|that is|meaning|in other words)", re.I)
# words that would change a figure, not restate it: a condition, a cut-off, an exception
_CHANGES = re.compile(
    r"(?<![a-z])(?:except|excluding|exclude|not|no|never|without|only|just|but|instead|rather|top|bottom|"
    r"most|least|more|less|fewer|above|below|under|than|after|before|since|until|last|first|\d+)(?![a-z])"
)
_DEFINING = {"divided", "minus", "plus", "times", "included", "counted", "counting", "earned", "spent",
             "spend", "dollar", "dollars", "its", "their", "those", "these", "total", "over"}  # fmt: skip


def restated(parser, question: str, context: QuerySpec | None) -> QuerySpec | None:
    """The reading of the question said first, when what follows only restates it (a definition, in
    the layer's own words), or None. The rest must name no period, grouping, value or figure the
    reading leaves out, no condition ("only", "except", a number) and no word outside the vocabulary:
    otherwise the whole message's decline stands."""
    said = question.strip()
    if (cut := _RESTATED.search(said)) is None:
        return None
    parts = [said[: cut.start()], said[cut.end() :]]
    # "..., i.e. the tier's revenue divided by its number of users?": the message's own question mark
    defined = _DEFINED.match(cut.group(0))
    if "?" in (parts[1].rstrip(" ?") if defined else parts[1]) or not parts[0].strip():
        return None
    first, rest = parts[0].strip(), parts[1].strip(" ().")
    told = QuestionText(rest)
    if len(told.text.split()) < 2 or _CHANGES.search(told.text):
        return None
    known = parser.vocabulary | QUALIFIERS | STOP | FILLER | _DEFINING
    if any(w not in known and w.rstrip("s") not in known for w in told.text.split()):
        return None
    try:
        spec = parser.parse(first, context)
    except CannotAnswer:
        return None
    if re.search(rf"(?<![a-z0-9])(?:{'|'.join(AGGREGATES)})(?![a-z0-9])", told.text):
        # "How long does a typical session last? Give me the median, in minutes.": the statistic said
        # after the question is the one asked (it answered the average of "typical", the median dropped)
        try:
            swapped = parser.parse(rest, spec)
        except CannotAnswer:
            return None
        swapped.matched[f"'{rest}'"] = "the statistic asked for, said after the question"
        return swapped
    if _left_out(parser, told, spec, hypothesis=True):
        return None
    if not spec.share and re.search(
        r"(?<![a-z])(?:shares?|percent(?:age)?s?|fractions?|proportions?|%)", told.text
    ):
        return None  # "... split across the edit types? The number of each and its share": a share left out
    spec.matched[f"'{rest}'"] = (
        "what the question means, said again: read past (it names nothing the reading leaves out)"
    )
    return spec


def _left_out(parser, t: QuestionText, spec: QuerySpec, hypothesis: bool = False) -> str | None:
    """A period, a grouping or a value the background names and the question's reading leaves out,
    or None; after a yes or no question (``hypothesis``), a figure it names too."""
    said = t.text
    if ident := re.search(
        r"(?<![a-z0-9])(?=[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{6,}(?![a-z0-9])", t.rest()
    ):
        return f"'{ident.group(0)}'"  # an id (a user, a session): the question is about it
    period = read_time(t)
    if period is not None and spec.time is None:
        return f"a period ('{period.phrase or 'a date'}')"
    hours = "hour" in spec.dimensions or "hour" in spec.filters
    if not hours and (part := re.search(rf"(?<![a-z])(?:{DAY_PARTS})(?![a-z])", said)):
        return f"'{part.group(0)}'"  # "nights are slow. what is the error rate?": the hours, left out
    for phrase, name in parser.dim_phrases:  # "Paying-user economics, week by week: ..."
        if name in spec.dimensions or name in spec.filters or name in ENTITY_DIMENSIONS:
            continue
        words = phrase_re(phrase)
        if parser.layer.dimensions[name].time and not re.search(r"by|per|each|daily|weekly|monthly", phrase):
            # "last week" is a period (above), not a grouping: "by week", "week by week" are
            words = rf"(?:by|per|each|every) {words}|{words} by {words}"
        if re.search(rf"(?<![a-z0-9])(?:{words})(?![a-z0-9])", said):
            return f"'{phrase}'"
    if re.search(r"(?<![a-z0-9])\d{1,2}(?::\d\d)? ?(?:am|pm)(?![a-z])", said) and not hours:
        return "hours of the day"  # "is it slow from 9am to 5pm?": the hours, left out
    if hypothesis:  # a yes or no question before the request: its figures are the request's
        asked = {_measure(m) for m in spec.metrics}
        layer = parser.layer
        statuses = "status" in spec.filters or any("status" in layer.metrics[m].sql for m in spec.metrics)
        grouped = {p for p, d in parser.dim_phrases if d in spec.dimensions or d in spec.filters}
        for phrase, name in parser.metric_phrases:
            if name in _ROWS or _measure(name) in asked:  # "does a generation cost more": the rows
                continue
            if statuses and "status" in layer.metrics[name].sql:  # "failing? how many failed": asked
                continue
            if phrase in grouped:  # "do higher step counts make people wait longer? ... per step count"
                continue
            if re.search(rf"(?<![a-z0-9]){phrase_re(phrase)}(?![a-z0-9])", said):
                return f"'{phrase}'"
    rates = any(parser.layer.metrics[m].format == "rate" for m in spec.metrics if m in parser.layer.metrics)
    statuses = [(w, "status", (), None) for w, _ in status_rate_words()]  # "timeouts cluster on one tier"
    for words, dim, _, _ in [*parser.value_pairs, *statuses]:
        if not words or dim in spec.filters or dim in spec.dimensions or dim in spec.excluded:
            continue
        if dim == "status" and (
            rates or "failed_generations" in spec.metrics
        ):  # "images fail a lot for them": the rate asked is of that status
            continue
        if re.search(rf"(?<![a-z0-9]){phrase_re(words)}(?![a-z0-9])", said):
            return f"'{words}'"
    return None


_ROWS = {"generations", "sessions", "session_count", "active_users"}  # the things counted, said as nouns


def _measure(metric: str) -> str:
    """What a metric measures, whatever the statistic: "p50_latency_ms" and "avg_latency_ms" are both
    the latency ("is it slower ...? show the mean latency" asks about the same thing)."""
    return re.sub(r"^(?:p\d+|avg|mean|median|max|min)_", "", metric)
