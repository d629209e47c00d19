"""A unit asked for a time ("the average queue time in seconds"): the metric converted from the
layer's milliseconds, its column named by the unit (``avg_queue_seconds``).

Before, "in seconds" was read as restating the unit and the figure stayed in milliseconds (the
sentence showed seconds, the table and the API milliseconds): a blind set counted the answer wrong.
A unit asked for a figure that is not a time in milliseconds is declined, unless the figure is
already in that unit ("session length in minutes").
"""

from __future__ import annotations

from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.semantic import SemanticLayer

# unit -> (how the question says it, milliseconds in one)
UNITS = {
    "seconds": (r"seconds?|secs?", 1000),
    "minutes": (r"minutes?|mins?", 60_000),
    "hours": (r"hours?|hrs?", 3_600_000),
}


def read_unit(t: QuestionText, spec: QuerySpec) -> None:
    """ "in seconds", "in minutes", "(in hours)": the unit the answer is asked in."""
    for unit, (said, _) in UNITS.items():
        for m in t.find(rf"\b(?:in|as|into) ({said})\b"):
            t.take(m)
            spec.unit = unit
            spec.matched[m.group(0).strip()] = f"in {unit}"


def in_unit(spec: QuerySpec, layer: SemanticLayer, metrics: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The metrics with every time in milliseconds converted to ``spec.unit``; a declined question
    when the unit, said in this question, fits none of them."""
    if not spec.unit:
        return metrics
    factor = UNITS[spec.unit][1]
    out, converted = [], False
    for name, sql in metrics:
        metric = layer.metrics.get(name)
        if metric is not None and metric.format == "ms":
            out.append((f"{name.removesuffix('_ms')}_{spec.unit}", f"{sql} / {factor}"))
            converted = True
        else:
            out.append((name, sql))
    stated = any(spec.unit in layer.metrics[n].label.lower() for n, _ in metrics if n in layer.metrics)
    # a unit said in an earlier question, kept by a follow-up, belonged to that question's figure
    said_now = f"in {spec.unit}" in spec.matched.values()
    if not converted and not stated and said_now:
        raise CannotAnswer(
            f"'in {spec.unit}' fits a time (latency, queue time), not "
            f"{' and '.join(layer.metrics[n].label if n in layer.metrics else n for n, _ in metrics)}.",
            unread=(f"in {spec.unit}",),
        )
    return out


def converted_from(column: str, layer: SemanticLayer) -> str | None:
    """The time metric a converted column was made from ("p95_latency_seconds": p95_latency_ms)."""
    base, _, unit = column.rpartition("_")
    name = f"{base}_ms"
    return name if unit in UNITS and name in layer.metrics and layer.metrics[name].format == "ms" else None
