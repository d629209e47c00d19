"""A unit asked for a time ("the average queue time in seconds"): the metric converted from the
layer's milliseconds (or from the unit its label names: session length in minutes), its column
named by the unit (``avg_queue_seconds``, ``avg_session_seconds``).

Before, "in seconds" was read as restating the unit and the figure stayed in milliseconds (the
sentence showed seconds, the table and the API milliseconds): a blind set counted the answer wrong.
A unit asked for a figure that is not a time in milliseconds is declined, unless the figure is
already in that unit ("session length in minutes").
"""

from __future__ import annotations

import re

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


# the unit a time metric's label names, in brackets: "p95 latency (ms)", "... (minutes)"
LABEL_UNIT = re.compile(rf"\((?:ms|{'|'.join(UNITS)})\)")


def _unit_of(metric) -> tuple[str, int] | None:
    """(the unit a time metric is in, milliseconds in one): "ms" for the layer's milliseconds,
    else the unit its label names ("Average session length (minutes)"); None for other figures."""
    if metric.format == "ms":
        return "ms", 1
    label = metric.label.lower()
    if metric.name.endswith("_hours"):  # GPU hours: a time, in hours
        return "hours", UNITS["hours"][1]
    return next(((unit, ms) for unit, (_, ms) in UNITS.items() if f"({unit})" in label), None)


def relabel(label: str, unit: str) -> str:
    """A time metric's label in another unit: "p95 latency (ms)" -> "p95 latency (seconds)",
    "GPU hours" -> "GPU minutes"."""
    if LABEL_UNIT.search(label):
        return LABEL_UNIT.sub(f"({unit})", label)
    return re.sub(r"\bhours\b", unit, label)


def _renamed(name: str, unit: str, to: str) -> str:
    """``p95_latency_ms`` -> ``p95_latency_seconds``; ``avg_session_minutes`` -> ``avg_session_seconds``."""
    return f"{name.removesuffix('_' + unit)}_{to}"


def in_unit(spec: QuerySpec, layer: SemanticLayer, metrics: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The metrics with every time converted to ``spec.unit`` (from milliseconds, or from the unit
    a metric's label names: session length in minutes asked "in seconds"); a declined question
    when the unit, said in this question, fits none of them."""
    if not spec.unit:
        return metrics
    factor = UNITS[spec.unit][1]
    out, converted = [], False
    for name, sql in metrics:
        base, per, unit_of = name.partition("_per_")  # "gpu_hours_per_generation": a total per unit
        metric = layer.metrics.get(base)
        unit = _unit_of(metric) if metric is not None else None
        if unit is not None and unit[0] != spec.unit:
            scaled = f"{sql} / {factor}" if unit[1] == 1 else f"{sql} * {unit[1]} / {factor}"
            out.append((_renamed(base, unit[0], spec.unit) + per + unit_of, scaled))
            converted = True
        else:
            out.append((name, sql))
    stated = any(spec.unit in layer.metrics[n].label.lower() for n, _ in metrics if n in layer.metrics)
    # a unit said in an earlier question, kept by a follow-up, belonged to that question's figure
    said_now = f"in {spec.unit}" in spec.matched.values()
    if not converted and not stated and said_now:
        raise CannotAnswer(
            f"'in {spec.unit}' fits a time (latency, queue time, session length, GPU time), not "
            f"{' and '.join(layer.metrics[n].label if n in layer.metrics else n for n, _ in metrics)}.",
            unread=(f"in {spec.unit}",),
        )
    return out


def converted_from(column: str, layer: SemanticLayer) -> str | None:
    """The time metric a converted column was made from ("p95_latency_seconds": p95_latency_ms,
    "avg_session_seconds": avg_session_minutes, "gpu_minutes": gpu_hours)."""
    base, _, unit = column.rpartition("_")
    if unit not in UNITS:
        return None
    for name in (f"{base}_ms", *(f"{base}_{u}" for u in UNITS if u != unit)):
        if name in layer.metrics and _unit_of(layer.metrics[name]) is not None:
            return name
    return None
