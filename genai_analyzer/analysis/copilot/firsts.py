"""The first or the last periods, in time, that a question asks for (blind set 39): "what was the
first day with more than 150 generations", "the earliest week in which the error rate was under 2%",
"the last 3 days with any timeouts".

Read as the time grouping named right after the word, kept in time order and cut at the number
asked (one where none is said): ``spec.chrono`` is "first" (earliest first) or "last" (latest
first), and ``spec.top`` the number. The condition ("with more than 150 generations") is read by the
thresholds as for "days with more than 150 generations"; without one, "the first day" is no ranking
this reads (the first day of the data is a figure of the layer)."""

from __future__ import annotations

from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText

_UNITS = r"days?|dates?|weeks?|months?|hours?|quarters?"
# "the first day with", "the earliest week in which", "the last 3 days on which", "first date when"
_END = r"(?P<end>first|earliest|last|latest|most recent)(?: (?P<n>\d+))?"
# "with" of a comparison is no condition: "compare last week with the week before"
_WITH = r"with(?! the | a | an | last | previous | prior )"
_CUE = rf"(?:{_WITH}|on which|in which|during which|when|where|having|whose)"
# the condition: a comparison with a number within a few words ("with more than 150 generations",
# "on which daily revenue went over 1 dollars"); a period said after a preposition is the period
# ("generations from the last 7 days when ..." stays the last 7 days)
_COMPARED = (
    r"(?=(?: [a-z0-9%$.']+){0,6}? (?:more than|fewer than|less than|over|under|above|below|at least|at most|"
    r"exceed|exceeds|exceeded|exceeding|higher than|lower than|greater than|passed|topped))"
)
_NOT_A_PERIOD = "".join(
    f"(?<!{w} )" for w in ("in", "from", "over", "during", "for", "within", "of", "since")
)
FIRSTS = (
    rf"(?<!compare )(?<!compared )(?<!comparing ){_NOT_A_PERIOD}(?:the )?(?:very )?{_END}"
    rf"(?= (?:{_UNITS}) {_CUE}(?= ){_COMPARED})"
)


def read_firsts(t: QuestionText, spec: QuerySpec) -> None:
    if (m := next(t.find(FIRSTS), None)) is None:
        return
    t.take(m)
    spec.chrono = "first" if m["end"] in ("first", "earliest") else "last"
    spec.top = int(m["n"] or 1)
    spec.matched[m.group(0).strip()] = f"the {spec.chrono} {spec.top} in time"


def order(spec: QuerySpec, time_dims: list[str], other: list[str]) -> str:
    """ORDER BY of the first or the last periods, by time. With another grouping the condition was
    said of something else ("the first day when pro users had more than 50 generations" read users
    with more than 50): declined."""
    if other or not time_dims:
        said_of = " and ".join(other) or "no period"
        raise CannotAnswer(
            f"'the {spec.chrono} ...' reads periods one at a time, and this condition is said of {said_of}: "
            f"ask e.g. 'the {spec.chrono} day with more than 50 generations from pro users'."
        )
    direction = "ASC" if spec.chrono == "first" else "DESC"
    return ", ".join([*(f"{d} {direction}" for d in time_dims), *other])


def describe(spec: QuerySpec) -> str:
    return (
        f"the {spec.chrono} {spec.top} in time, "
        + ("earliest" if spec.chrono == "first" else "latest")
        + " first"
    )
