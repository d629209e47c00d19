"""A rate's cases as the rows a figure is over (blind set 45): "the average friction score of the
sessions that ended on a failure" is the friction of those sessions, not the friction and the share
of sessions ending on a failure side by side (a wrong answer: it listed both figures).

A rate of the layer (``avg(CASE WHEN <condition> THEN 1.0 ELSE 0.0 END)``) named right after "of
(the) sessions that", "for generations which", ... beside another figure of the same grain becomes
that condition on the rows (``spec.kept_by``), said in the reading as "only sessions ending on a
failure"; the compiler adds the condition to the WHERE clause.

The share of sessions of a size ("what share of sessions got to 5 or more generations", "what fraction
of sessions are a single generation") is the share of the sessions grain's rows whose size passes,
not a count of generations shared out (declined before: a share with a threshold on a figure).
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.spec import QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.semantic import SemanticLayer

# a rate of the layer: the share of rows meeting a condition
RATE = re.compile(r"avg\(CASE WHEN (?P<cond>.+) THEN 1\.0 ELSE 0\.0 END\)")
_NOUNS = {"sessions": r"sessions?", "generations": r"generations?|images?|renders?|requests?"}
_OF = r"(?:of|for|in|among|across|over) (?:the |those |all |all the |only the |just the )?"


def read(layer: SemanticLayer, t: QuestionText, spec: QuerySpec) -> None:
    """Each rate named after "of the <rows> that" beside another figure of its grain: a condition."""
    for name in list(spec.metrics):
        metric = layer.metrics[name]
        at = spec.positions.get(f"metric:{name}")
        others = [m for m in spec.metrics if m != name and layer.metrics[m].grain == metric.grain]
        if at is None or not others or not RATE.fullmatch(metric.sql) or metric.grain not in _NOUNS:
            continue
        rows = _NOUNS[metric.grain]
        said = re.search(rf"{_OF}(?:(?:{rows}) (?:that|which|where|whose) )?$", t.text[:at])
        starts_with_rows = re.match(rf"(?:{rows})\b", t.text[at:])
        if said is None or not (said.group(0).rstrip().split()[-1] in ("that", "which", "where", "whose")
                                or starts_with_rows):  # fmt: skip
            continue
        t.take_span(said.start(), said.end())
        spec.metrics.remove(name)
        spec.kept_by.append(name)
        phrase = next((p for p, m in spec.matched.items() if m == name), name)
        spec.matched[phrase] = f"only the {metric.grain} counted by {name}"


def condition(layer: SemanticLayer, name: str) -> str:
    """The condition of a rate's cases: the rows it counts."""
    return f"({RATE.fullmatch(layer.metrics[name].sql)['cond']})"


def describe(layer: SemanticLayer, name: str) -> str:
    """ "only sessions ending on a failure": the rows, in the rate's own words."""
    label = layer.metrics[name].label
    return "only " + re.sub(r"^(?:share|rate) of ", "", label, flags=re.I).lower()


def sessions_of_a_size(t: QuestionText, spec: QuerySpec) -> None:
    """ "what share of sessions have 5 or more generations": each session's own size as the part."""
    sized = spec.thresholds and all(th[0] == "generations" and th[3] == "session" for th in spec.thresholds)
    if not (spec.share and sized and spec.metrics in (["generations"], ["sessions"]) and not spec.dimensions):
        return
    if not re.search(
        r"(?:share|fraction|proportion|percentage|percent|%) of (?:all |the |our )?sessions", t.text
    ):
        return
    spec.metrics = ["session_count"]
    for threshold in spec.thresholds:
        threshold[0], threshold[3] = "session_size", None
