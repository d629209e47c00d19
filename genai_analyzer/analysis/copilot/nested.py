"""Figures taken per unit, then averaged over the units (blind set 40, nested rates): "the median of
each user's own success rate", "the average of the daily error rates", "average daily active users
in September", "mean of each user's p95 latency", "take each week's p95 latency and average those
weekly figures", "how many images does a session have, the median over sessions".

``spec.nested`` is [aggregate, unit]: the figure is computed for each unit (a user, a session, a
day, a week, a month: a grouping of the layer, added inside), then the aggregate ("avg" or
"median") of those figures is taken, per the groupings said ("for each tier"), each unit counting
once. The average of per-user success rates is not the success rate of all generations (a user
with one generation weighs as much as one with a hundred); the words say which is asked for, and
without an aggregate said ("the typical user's success rate": a median or a mean?) it is declined.
"""

from __future__ import annotations

import re
from dataclasses import replace

from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.copilot.units import expressed
from genai_analyzer.analysis.semantic import SemanticLayer

_UNITS = {"user": "user", "customer": "user", "account": "user", "person": "user", "people": "user",
          "session": "session", "day": "day", "date": "day", "week": "week", "month": "month"}  # fmt: skip
_ADJECTIVES = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "per-user": "user",
    "per-session": "session",
}
_UNIT = r"(?P<unit>users?|customers?|accounts?|person|people|sessions?|days?|dates?|weeks?|months?)'?"
_ADJ = r"(?P<adj>daily|weekly|monthly|per-user|per-session)"
_AGG = r"(?P<agg>average|averages|averaged|averaging|mean|median|avg)"
_EACH = r"(?:each|every|the|those|these|all|all the|all of the)"
_FIGURES = r"(?: (?:figures|values|numbers|rates|counts|results|amounts|ones))?"

# the aggregate said before the unit: "the median of each user's own", "the average of the daily",
# "average the users' own", "mean over the days of each day's", "averaging each user's own" (never a
# bare "average session": "average session length" is a figure of its own)
_OF_EACH = rf"(?: of (?:each|every) (?:{_UNIT.replace('?P<unit>', '?:')}))?(?: own)?{_FIGURES}"
BEFORE = rf"{_AGG} (?:value )?(?:of|over|across) (?:{_EACH} )?(?:the )?{_UNIT}{_OF_EACH}"
BEFORE_ADJ = rf"{_AGG} (?:(?:value )?(?:of|over|across) )?(?:the|those|these|all the) {_ADJ}{_OF_EACH}"
BEFORE_EACH = rf"{_AGG} (?:each|every) {_UNIT}(?: own)?{_FIGURES}"
BEFORE_OWN = rf"{_AGG} (?:the|those|these|all the) {_UNIT} own{_FIGURES}"
# the unit said with the aggregate after: "averaged across days", "the median over sessions",
# "averaging over sessions", "each user counting once", "every day counting equally"
AFTER = (
    rf"(?:(?:give me |take |taking |use |using )?the )?{_AGG} (?:over|across|by|among) (?:{_EACH} )?{_UNIT}"
)
COUNTING = rf"(?:so |with )?(?:each|every) {_UNIT} count(?:s|ing|ed)? (?:once|equally|the same)"
# "take each week's p95 latency and average those weekly figures"
TAKE = rf"(?:take|taking|compute|work out|get) (?:{_EACH} )?{_UNIT}(?: own)?"
AVERAGE_THOSE = (
    rf"(?:,? )?(?:and|then) (?:(?:take )?the )?{_AGG}(?: of)? (?:those|these|them|that|the)"
    rf"(?: {_ADJ})?{_FIGURES}"
    rf"(?: across (?:{_EACH} )?{_UNIT.replace('?P<unit>', '?:')})?"
)
# "average daily active users", "median weekly revenue": the adjective's period is the unit
DAILY = rf"{_AGG} {_ADJ}(?= [a-z])"
# "the median number of generations per user", "median revenue per day": the unit after "per" (read
# there as a division or a grouping, which the per-unit query keeps)
# ("median latency per day" is the daily median, a series by day: only a user or a session here)
MEDIAN_PER = (
    r"(?P<agg>median)(?=(?: [a-z0-9]+){1,4} per (?P<unit>users?|customers?|accounts?|sessions?)(?![a-z]))"
)
# "median session cost", "the average user's revenue": the unit before a total
SINGLE = (
    rf"(?:the )?{_AGG} {_UNIT}(?= (?:cost|costs|spend|revenue|margin|gpu|generations?|images?|failures?|"
    r"failed generations?)(?![a-z]))"
)
# "how many images does a session have", "how many sessions does a user usually have"
HAVE = (
    rf"(?:does|do|did) (?:a|an|each|one|every|the typical|the average) {_UNIT}"
    r"(?: (?:usually|typically|normally|generally))? (?:have|has|contain|hold|include|get|see|make)"
)
# "taken over that tier's users", "computed across all users"
OVER = (
    rf"(?:taken|computed|calculated|worked out) (?:over|across|among) (?:that [a-z]+ |the [a-z]+ |{_EACH} )?"
    rf"{_UNIT}"
)
TYPICAL_USER = r"(?:the |a |an |our )?(?:typical|average|median) (?:user|customer|account)(?! per)"
# "typical", "usually", "typically": an aggregate not said, asked of one unit
VAGUE = rf"(?:the )?typical {_UNIT}|(?:usually|typically|normally|generally|on average|on avg)"


def read_nested(t: QuestionText, spec: QuerySpec) -> None:
    """Set ``spec.nested`` from the first phrase that says an aggregate over units."""
    aggs, units, said = [], [], []
    patterns = (
        TAKE,
        HAVE,
        BEFORE,
        BEFORE_ADJ,
        BEFORE_EACH,
        BEFORE_OWN,
        AFTER,
        COUNTING,
        AVERAGE_THOSE,
        DAILY,
        SINGLE,
    )
    for pattern in (*patterns, MEDIAN_PER, OVER):
        for m in t.find(pattern):
            groups = m.groupdict()
            unit = _unit(groups)
            if pattern is OVER and not said:  # a unit said alone is no average
                continue
            if re.search(r"than (?:the )?(?:(?:daily|hourly|weekly|monthly) )?$", t.text[: m.start()]):
                continue  # "than the weekly average over all the weeks": a baseline (against.py)
            t.take(m)
            said.append(m.group(0).strip(" ,"))
            if groups.get("agg"):
                aggs.append("median" if groups["agg"] == "median" else "avg")
            if unit:
                units.append(unit)
    if not said:
        for m in t.find(TYPICAL_USER):  # "the typical user's success rate": not the rate of all generations
            if re.search(r"than $", t.text[: m.start()]):
                continue  # "cost more than the average user": the mean of the users (against.py)
            raise CannotAnswer(
                "'the typical user' could be the median or the average of each user's own figure (not the "
                "figure over all generations): say which.",
                ("the median of each user's success rate", "the average of each user's success rate"),
                unread=tuple(m.group(0).split()),
            )
        return
    vague = []
    for m in t.find(VAGUE):
        t.take(m)
        vague.append(m.group(0).strip())
        if unit := _unit(m.groupdict()):
            units.append(unit)
    if len(set(units)) != 1 or len(set(aggs)) > 1:
        raise CannotAnswer(
            "I read an average over units, but not one unit and one aggregate: say e.g. 'the median of "
            "each user's success rate' or 'the average of the daily error rates'.",
            unread=tuple(w for phrase in said for w in phrase.split()),
        )
    if not aggs:
        raise CannotAnswer(
            f"Over each {units[0]}'s figure, say which: the median or the average (e.g. 'the median of "
            f"each {units[0]}'s success rate').",
            unread=tuple(w for phrase in [*said, *vague] for w in phrase.split()),
        )
    spec.nested = [aggs[0], units[0]]
    for phrase in [*said, *vague]:
        spec.matched[phrase] = f"{_WORD[aggs[0]]} over {units[0]}s"


def _unit(groups: dict) -> str | None:
    if groups.get("unit"):
        word = groups["unit"]
        return _UNITS.get(word) or _UNITS.get(word.removesuffix("s"))
    return _ADJECTIVES.get(groups.get("adj") or "")


_WORD = {"avg": "the average", "median": "the median"}
_SQL = {"avg": "avg", "median": "median"}


def check(layer: SemanticLayer, spec: QuerySpec) -> None:
    """Decline what a figure per unit cannot be taken of: figures that are not per unit (a
    comparison, a share, a running figure). A grouping by the unit ("median generations per day")
    is the unit itself."""
    if not spec.nested:
        return
    unit = spec.nested[1]
    if (
        spec.compare
        or spec.share
        or spec.running
        or spec.count_of
        or spec.against
        or spec.within
        or spec.bucket
    ):
        raise CannotAnswer(
            f"{_WORD[spec.nested[0]].capitalize()} over {unit}s with a comparison, a share, a running figure "
            "or a baseline is more than I can read in one question: ask for one of them."
        )
    if spec.per == unit and unit == "user" and "active_users" in spec.metrics:
        raise CannotAnswer(
            "Active users per user is 1 for every user: ask e.g. 'average daily active users'."
        )


def inner(spec: QuerySpec) -> QuerySpec:
    """The question for the figures per unit: the unit added as a grouping, no ranking (the outer
    query ranks), the rounding left to the outer query."""
    dims = [*(d for d in spec.dimensions if d != spec.nested[1]), spec.nested[1]]
    return replace(spec, nested=None, dimensions=dims, top=None, sort=None, round_to=None)


def wrap(
    spec: QuerySpec, layer: SemanticLayer, sql: str, dims: list[str], metrics: list[str]
) -> tuple[str, list[str]]:
    """The outer SELECT over the per-unit figures of ``sql``: the aggregate of each figure per the
    groupings said; (the SQL, the metric column names)."""
    agg, unit = spec.nested
    names = [f"{agg}_of_{unit}_{m}" for m in metrics]
    # rounded as asked (units.expressed; a percentage was applied to the figures per unit)
    figures = expressed(
        replace(spec, unit=None),
        layer,
        [(n, f"{_SQL[agg]}({m})") for n, m in zip(names, metrics, strict=True)],
    )
    select = [*dims, *(f"{f} AS {n}" for n, f in figures)]
    lines = [f"SELECT {', '.join(select)}", f"FROM (\n{sql}\n) AS per_{unit}"]
    if dims:
        lines.append("GROUP BY ALL")
    if spec.top and dims:
        lines.append(f"ORDER BY {names[0]} {'ASC' if spec.ascending else 'DESC'}, {', '.join(dims)}")
        lines.append(f"LIMIT {int(spec.top)}")
    elif spec.sort in ("asc", "desc") and dims:
        lines.append(f"ORDER BY {names[0]} {spec.sort.upper()}, {', '.join(dims)}")
    elif spec.sort == "newest" and dims:
        lines.append(f"ORDER BY {', '.join(f'{d} DESC' for d in dims)}")
    elif dims:
        lines.append(f"ORDER BY {', '.join(dims)}")
    return "\n".join(lines), names


def describe(spec: QuerySpec, figures: str) -> str:
    agg, unit = spec.nested
    return f"{_WORD[agg].capitalize()}, over {unit}s (each counting once), of each {unit}'s {figures}"


def label(layer: SemanticLayer, column: str, inner_label) -> str | None:
    """The label of an outer column ("median_of_user_success_rate")."""
    for agg in _SQL:
        for unit in set(_UNITS.values()):
            prefix = f"{agg}_of_{unit}_"
            if column.startswith(prefix):
                return (
                    f"{_WORD[agg].capitalize()} over {unit}s of {inner_label(layer, column[len(prefix) :])}"
                )
    return None
