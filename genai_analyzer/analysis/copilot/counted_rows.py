"""What a count counts, settled once the question is read (blind sets 44 and 45):

- sessions counted over days, weeks or a period belong to the day they started (the sessions
  grain), not to every day they had a generation: "sessions per day" counts each session once;
- the generations of one edit type ("how many re-rolls") are counted as the prompt edits they are;
- a count or a total divided per user or per session when a filter keeps only some of each unit's
  rows ("errors per session", "re-rolls per session", "cost of errors per session") is two figures:
  over every session (those with none count as 0) or over the sessions that have one. Said
  ("counting sessions with none as zero", "among the sessions that had one"), the copilot answers
  that one (``spec.per_scope``); not said, it asks, with both readings. Before, it divided by the
  sessions that had one without saying so (blind set 45; a total, blind set 46);
- "how many edits does it take to get a kept image" is one count per the other: declined (it listed
  both counts).
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.spec import CannotAnswer, NeedsClarification, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.semantic import SemanticLayer

# the groupings whose value one unit always has one of: a filter on them narrows the units too
CONSTANT_IN = {"user": {"tier", "user_kind", "user"}, "session": {"tier", "user_kind", "user", "session"}}
# one count or total over the rows: what a filter can be moved into (FILTER (WHERE ...))
ONE_TOTAL = re.compile(r"(?:count|sum)\([^()]*\)")
_UNITS = r"(?:sessions?|users?|people|customers|accounts)"
EVERY = (
    rf"(?:counting|including|treating) (?:the )?{_UNITS} (?:with|that (?:have|had)|having) "
    r"(?:none|no [a-z-]+(?: [a-z-]+)?)(?: (?:as|at) (?:zero|0))?"
    rf"|over (?:every|each|all(?: the)?) {_UNITS}"
)
HAVING = (
    rf"(?:among|over|for|across) (?:only )?(?:the )?{_UNITS} (?:that|which|who) (?:have|had|has) "
    r"(?:one|1|any|some|at least (?:one|1))(?: of them)?"
)

_SCOPES = ((EVERY, "every"), (HAVING, "having"))  # the words of each scope, first found wins

# "how many edits does it take to get an image people keep": a count per outcome (blind set 9)
_TAKES = r"how many (?:[a-z-]+ ){1,4}(?:does|do|did|would|will) it (?:take|takes) (?:to|before|until)"


def settle(layer: SemanticLayer, spec: QuerySpec, t: QuestionText, question: str) -> None:
    """Each rule above, on the read ``spec``; the per-unit scope's words are taken from ``t``."""
    if spec.metrics == ["generations"] and "edit_type" in {*spec.filters, *spec.dimensions}:
        spec.metrics = ["prompt_edits"]
        for threshold in spec.thresholds:  # "users with more than 10 re-rolls": the same count
            threshold[0] = "prompt_edits" if threshold[0] == "generations" else threshold[0]
    if len(spec.metrics) > 1 and re.search(_TAKES, t.text):
        raise CannotAnswer(  # "how many edits does it take to get an image people keep": one over the other
            "'How many ... does it take to get ...' asks for one count per each of the other, which I do not "
            "compute: ask for each count on its own.",
            unread=("take",),
        )
    _per_unit_scope(layer, spec, t, question)
    if spec.metrics != ["sessions"] or spec.per or not (spec.time or spec.dimensions):
        return
    if all(layer.dimensions[d].expression("sessions") for d in [*spec.dimensions, *spec.filters]):
        spec.metrics = ["session_count"]
        for threshold in spec.thresholds:  # "tiers with more than 100 sessions": the same count
            threshold[0] = "session_count" if threshold[0] == "sessions" else threshold[0]


def varying_within(spec: QuerySpec) -> list[str]:
    """The filters that keep some of a unit's rows and not others ("errors per session": the status
    varies within a session; "generations per pro user": the tier does not)."""
    if spec.per not in CONSTANT_IN:
        return []
    return [d for d in spec.filters if d not in CONSTANT_IN[spec.per] and d not in spec.splits]


def read_scope(t: QuestionText, spec: QuerySpec) -> None:
    """ "counting sessions with none as zero", "among the sessions that had one": which units a count
    per unit is over, taken from the question."""
    for pattern, scope in _SCOPES:
        if m := t.take_first(pattern):
            spec.per_scope = scope
            spec.matched[m.strip(" ,")] = (
                f"over {'every unit' if scope == 'every' else 'the units that have one'}"
            )
            return


def _per_unit_scope(layer: SemanticLayer, spec: QuerySpec, t: QuestionText, question: str) -> None:
    counts = [m for m in spec.metrics if ONE_TOTAL.fullmatch(layer.metrics[m].sql)]
    if spec.per_scope or not counts or not (varying := varying_within(spec)):
        return
    for pattern, scope in _SCOPES:  # said where another step read it
        if re.search(rf"(?<![a-z])(?:{pattern})(?![a-z])", t.text):
            spec.per_scope = scope
            return
    label, per = layer.dimensions[varying[0]].label, spec.per
    said = question.strip().rstrip("?.! ")
    raise NeedsClarification(
        f"A count or total of the rows of one {label} per {per}"
        f" can be over every {per} (those with none count as "
        f"0) or over the {per}s that have one: two different figures. Which?",
        (f"{said}, counting {per}s with none as zero", f"{said}, among the {per}s that had one"),
    )


def count_listed(t: QuestionText, spec: QuerySpec, found: list) -> list:
    """ "failed generations and distinct users by tier", "anime images and their average latency":
    the rows a value names (its noun taken with it, as a filter) listed beside a figure are counted
    too (it answered the users alone, the count of failed generations dropped: blind set 48)."""
    if not found or not spec.filters or any(name == "generations" for _, name, _ in found):
        return []
    nouns = r"(?:generations|images|pictures|renders|gens|requests|jobs)"
    first = min(at for at, _, _ in found)
    listed = rf"[a-z]+ ({nouns}),? (?:and|&|plus) (?:the |their |its )?(?:number of |count of |how many )?$"
    if m := re.search(listed, t.text[:first]):
        spec.positions["metric:generations"] = m.start(1)  # the noun was taken by its value's filter
        return [(m.start(1), "generations", m.group(1))]
    return []
