"""The unit and the precision a figure is asked in. A time ("the average queue time in seconds"):
the metric converted from the layer's milliseconds (or from the unit its label names: session length
in minutes), its column named by the unit (``avg_queue_seconds``, ``avg_session_seconds``). Money in
cents or in thousands of dollars (``cost_cents``, ``revenue_usd_thousands``); a rate "as a
percentage" (``error_rate_pct``, 100 times the fraction); and "rounded to two decimals", "to the
nearest dollar", "no decimals": the figure rounded in the SQL, so that the table, the API and an
export carry the same rounded number (blind set 37: each was declined or, for "2 decimals", read as
the 2nd of December).

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


# money units: (how the question says it, the factor from US dollars)
MONEY = {
    "cents": (r"(?:us )?cents?", 100),
    # a bare "k" is not a unit ("where sampler in ('k_euler', ...)"): "$k", "k dollars" are
    "thousands": (
        r"(?:\$ )?(?:thousands?|1000s)(?: of (?:us )?(?:dollars|usd|\$))?|\$ ?k|k (?:dollars|usd)",
        0.001,
    ),
}
PERCENT = r"(?:as|in|into) (?:a )?(?:percent(?:age)?s?|%)|in percent(?:age)? terms"
_PLACES = r"(?:decimal(?: places?| points?| digits?)?s?|dp|digits? after the (?:decimal )?point)"
_NEAREST = r"(?:whole )?(dollar|cent|unit|integer|number|percent|second|minute|hour|ms|millisecond)s?"
_ROUNDED = r"(?:,? )?(?:rounded |round(?: it| them| that)?(?: off)? )?"
ROUNDING = (  # (pattern, decimals: 1 for the number in group 1, 0, or None for "not rounded")
    (rf"{_ROUNDED}(?:to )?(?:just )?(\d|one) {_PLACES}", 1),
    (rf"{_ROUNDED}to (?:the )?nearest {_NEAREST}", 0),
    (rf"{_ROUNDED}(?:to |in )?whole (?:cents|dollars|numbers|units)", 0),
    (r"(?:,? )?(?:with )?(?:no|without|zero) decimals?(?: places)?|(?:,? )?as (?:an )?integers?", 0),
    (r"(?:,? )?(?:unrounded|not rounded|no rounding|without rounding)", None),
)


def read_unit(t: QuestionText, spec: QuerySpec) -> None:
    """ "in seconds", "in minutes", "(in hours)", "in cents", "as a percentage": the unit the
    answer is asked in; "rounded to two decimals", "to the nearest dollar": its precision."""
    for unit, (said, _) in (*UNITS.items(), *MONEY.items()):
        for m in t.find(rf"\b(?:in|as|into|expressed in) ({said})\b"):
            t.take(m)
            spec.unit = unit
            spec.matched[m.group(0).strip()] = f"in {unit}"
    if spec.unit in UNITS:  # "GPU minutes ... minutes, not hours": the unit restated against another
        others = "|".join(said for _, (said, _) in UNITS.items())
        for m in t.find(rf"(?:{UNITS[spec.unit][0]}),? (?:not|rather than|instead of) (?:in )?(?:{others})"):
            t.take(m)
            spec.matched[m.group(0).strip()] = f"in {spec.unit}"
    for m in t.find(rf"(?:expressed )?(?:{PERCENT})"):
        t.take(m)
        spec.unit = "percent"
        spec.matched[m.group(0).strip()] = "as a percentage"
    for m in t.find(r"in (?:us )?(?:dollars|usd)"):  # the layer's own unit, restated
        t.take(m)
        spec.matched[m.group(0).strip()] = "in US dollars (as stored)"
    # ("as a fraction of all users" is a share, read by shares.py: "of" after it names the whole)
    for m in t.find(r"(?:as|in) (?:a )?(?:fraction|proportion|decimal)s?(?: of 1| between 0 and 1|(?! of ))"):
        t.take(m)  # "the style's minus the overall, as a fraction": a rate's own form (blind set 38)
        spec.matched[m.group(0).strip()] = "as a fraction (as stored)"
    for pattern, decimals in ROUNDING:
        for m in t.find(pattern):
            t.take(m)
            places = int(m.group(1).replace("one", "1")) if decimals == 1 else decimals
            if decimals == 0 and m.lastindex and m.group(1) == "cent" and spec.unit != "cents":
                places = 2  # "to the nearest cent", in dollars
            spec.round_to = -1 if places is None else places
            spec.matched[m.group(0).strip(" ,")] = (
                "not rounded" if places is None else f"rounded to {places} decimal{'s' * (places != 1)}"
            )
            if spec.unit is None and t.has(r"percent(?:age)?s?|%"):  # "what percentage ...? One decimal."
                spec.unit = "percent"
            return


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
    a metric's label names: session length in minutes asked "in seconds"), or every sum of money in
    cents or thousands of dollars; a declined question when the unit, said in this question, fits
    none of them. A percentage is applied last (``expressed``), after shares are made."""
    said_dollars = "in US dollars (as stored)" in spec.matched.values()
    if said_dollars and not any(
        n in layer.metrics and layer.metrics[n].format == "usd" for n in spec.metrics
    ):
        # "how much are free users burning on compute, in dollars": it answered GPU hours (blind set 40)
        raise CannotAnswer(
            f"'in dollars' fits money (cost, revenue, margin), not "
            f"{' and '.join(layer.metrics[n].label if n in layer.metrics else n for n in spec.metrics)}; "
            "the GPU time's price is the cost: ask e.g. 'cost for free users'.",
            ("cost for free users", "cost by tier"),
            unread=("in", "dollars"),
        )
    if not spec.unit or spec.unit == "percent":
        return metrics
    out, converted = [], False
    for name, sql in metrics:
        base, per, unit_of = name.partition("_per_")  # "gpu_hours_per_generation": a total per unit
        metric = layer.metrics.get(base)
        if spec.unit in MONEY:
            if metric is not None and metric.format == "usd":
                factor = MONEY[spec.unit][1]
                scaled = f"({sql}) * {factor:g}" if factor >= 1 else f"({sql}) / {1 / factor:g}"
                out.append((money_column(base, spec.unit) + per + unit_of, scaled))
                converted = True
            else:
                out.append((name, sql))
            continue
        factor = UNITS[spec.unit][1]
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
        kinds = "money (cost, revenue, margin)" if spec.unit in MONEY else (
            "a time (latency, queue time, session length, GPU time)")  # fmt: skip
        raise CannotAnswer(
            f"'in {spec.unit}' fits {kinds}, not "
            f"{' and '.join(layer.metrics[n].label if n in layer.metrics else n for n, _ in metrics)}.",
            unread=(f"in {spec.unit}",),
        )
    return out


def money_column(name: str, unit: str) -> str:
    """``cost_usd`` in cents -> ``cost_cents``; in thousands -> ``cost_usd_thousands``."""
    return f"{name.removesuffix('_usd')}_cents" if unit == "cents" else f"{name}_thousands"


def is_rate(layer: SemanticLayer, name: str) -> bool:
    """A fraction of 0-1: a rate of the layer, or a share of a total (shares.py), scaled or not."""
    base = name.removesuffix("_share").partition("_per_")[0]
    if "_over_" in base and "_per_" not in name:  # "margin relative to revenue": of one unit, a fraction
        a, _, b = base.partition("_over_")
        formats = {layer.metrics[x].format for x in (a, b) if x in layer.metrics}
        return a in layer.metrics and b in layer.metrics and len(formats) == 1
    metric = layer.metrics.get(base)
    return metric is not None and (metric.format == "rate" or name.endswith("_share")) and "_per_" not in name


def expressed(spec: QuerySpec, layer: SemanticLayer, metrics: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The final figures "as a percentage" (a rate or share times 100, named ``..._pct``) and
    rounded as asked (``round(x, n)``); a percentage asked of no rate is declined."""
    if spec.unit == "percent":
        if not any(is_rate(layer, n) for n, _ in metrics):
            raise CannotAnswer(
                "'as a percentage' fits a rate or a share (error rate, share of revenue), not "
                f"{' and '.join(layer.metrics[n].label if n in layer.metrics else n for n, _ in metrics)}.",
                unread=("percentage",),
            )
        metrics = [(f"{n}_pct", f"100 * ({sql})") if is_rate(layer, n) else (n, sql) for n, sql in metrics]
    if spec.round_to is not None and spec.round_to >= 0:
        metrics = [(n, f"round({sql}, {int(spec.round_to)})") for n, sql in metrics]
    return metrics


def refuse_unshown(spec: QuerySpec, path: str, layer: SemanticLayer | None = None) -> None:
    """A percentage or a rounding asked where the answer is not made of the figures ``expressed``
    rewrites (a comparison of two periods, a count of groups): declined, never dropped. Read from
    the spec, not from the words of this question: a follow-up keeps the rounding said before it
    ("compare last week with the week before" after "... as a percentage, 2 decimals")."""
    percent, rounded = spec.unit == "percent", spec.round_to is not None and spec.round_to >= 0
    if percent and layer is not None and spec.compare and not is_rate(layer, spec.metrics[0]):
        # "how did revenue change from September to October, in dollars and in percent": the change
        # in percent of the earlier figure beside it (compiler._compare; blind set 42)
        percent = False
    if not (percent or rounded):
        return
    asked = " and ".join(w for w, on in (("as a percentage", percent), ("rounded", rounded)) if on)
    said = (w for w, what in spec.matched.items() if what == "as a percentage" or what.startswith("rounded"))
    raise CannotAnswer(
        f"'{asked}' with {path} is more than I can read in one question; ask without it.",
        unread=tuple(word for phrase in said for word in phrase.split()),
    )


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


def label_in(label: str, unit: str) -> str:
    """A metric's label in the unit asked: "p95 latency (ms)" -> "p95 latency (in seconds)",
    "Cost (USD)" -> "Cost (in cents)", "Error rate" -> "Error rate (as a percentage)"."""
    if unit in MONEY:
        said = "in cents" if unit == "cents" else "in thousands of USD"
        return label.replace("(USD)", f"({said})") if "(USD)" in label else label
    if unit == "percent":
        return f"{label} (as a percentage)"
    return LABEL_UNIT.sub(f"(in {unit})", label) if LABEL_UNIT.search(label) else relabel(label, unit)


def column_label(column: str, layer: SemanticLayer) -> str | None:
    """The label of a column converted to another unit ("p95_latency_seconds", "cost_cents",
    "error_rate_pct", "revenue_usd_thousands"), or None for any other column."""
    if (time := converted_from(column, layer)) is not None:
        return relabel(layer.metrics[time].label, column.rsplit("_", 1)[1])
    for suffix, base, unit in (("_pct", column.removesuffix("_pct"), "percent"),
                               ("_cents", column.removesuffix("_cents") + "_usd", "cents"),
                               ("_thousands", column.removesuffix("_thousands"), "thousands")):  # fmt: skip
        if column.endswith(suffix) and base in layer.metrics:
            return label_in(layer.metrics[base].label, unit)
    return None
