"""One or two sentences reading a copilot result, and the chart that fits it (if any)."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go

from genai_analyzer.analysis.copilot import (
    against,
    buckets,
    firsts,
    gaps,
    lumped,
    nested,
    overlap,
    prompt_text,
    rate_rows,
    ratios,
    running,
)
from genai_analyzer.analysis.copilot.clock import describe_hours
from genai_analyzer.analysis.copilot.compiler import only_for
from genai_analyzer.analysis.copilot.counted_rows import CONSTANT_IN
from genai_analyzer.analysis.copilot.day_ranges import OPEN_START
from genai_analyzer.analysis.copilot.thresholds import describe_threshold
from genai_analyzer.analysis.copilot.units import column_label, is_rate, label_in
from genai_analyzer.analysis.copilot.vocabulary import UNIT_COUNTS
from genai_analyzer.analysis.copilot.within import partition
from genai_analyzer.analysis.formatting import format_value, metric_kind
from genai_analyzer.analysis.semantic import Dimension, SemanticLayer


def fmt(value, kind: str) -> str:
    """A metric value in a sentence: 3.2%, 4.1 s, $12.30, 1,204 (the shared formatter)."""
    return format_value(value, kind, missing="no value")


def _kind(layer: SemanticLayer, column: str) -> str:
    if column.endswith("_share") and column.removesuffix("_share") in layer.metrics:
        return "rate"  # a part of a total (shares.py)
    return metric_kind(column, layer)


def _label(layer: SemanticLayer, metric: str) -> str:
    if metric in layer.metrics:
        return layer.metrics[metric].label
    if metric == overlap.COLUMN:
        return overlap.LABEL
    if (ratio := ratios.label(layer, metric)) is not None:  # "Revenue (USD) / Cost (USD)"
        return ratio
    if metric.endswith("_share") and metric.removesuffix("_share") in layer.metrics:
        return f"Share of {layer.metrics[metric.removesuffix('_share')].label}"
    if metric.endswith("_count") and metric.removesuffix("_count") in layer.metrics:  # sessions counted
        return layer.metrics[metric.removesuffix("_count")].label.replace("Share of ", "Number of ")
    if metric.endswith("_count") and metric[: -len("_count")] in layer.dimensions:  # groups counted
        return f"Number of {layer.dimensions[metric[: -len('_count')]].label}s"
    if (over := nested.label(layer, metric, _label)) is not None:  # "median_of_user_success_rate"
        return over
    if (converted := column_label(metric, layer)) is not None:  # "in seconds", "in cents" (units.py)
        return converted
    # "running_revenue_usd", "rolling_7d_generations" (running.py), "overall_error_rate" (against.py)
    shapes = r"(running|rolling_(\d+)d|overall|mean|pct_change|change)_(.+)"  # "change_": running.py too
    if (m := re.fullmatch(shapes, metric)) and m.group(3) != metric:
        said = {"running": "Running", "overall": "Overall", "mean": "Mean over the groups of",
                "change": "Change in", "pct_change": "% change in"}.get(m.group(1))  # fmt: skip
        return f"{said or m.group(2) + '-day rolling'} {_label(layer, m.group(3))}"
    return metric


def explain(frame: pd.DataFrame, dims: list[str], metrics: list[str], layer: SemanticLayer, *,
            window=None, compare=None, truncated=False, scoped=False) -> str:  # fmt: skip
    """A plain reading of the result: the value, or the extremes, or the trend. ``scoped``: the
    rows are the filter bar's (scope.py), not all the data."""
    whole = " within the filter bar" if scoped else " over all the data"
    period = f" from {window[0]} to {window[1]}" if window else whole
    if frame.empty:
        where = " and the filter bar" if scoped else ""
        return f"No rows{period}: nothing matches these filters{where} in the warehouse."
    if compare is not None and metrics != [overlap.COLUMN]:  # an overlap is one figure (overlap.py)
        metric = metrics[1]
        kind = _kind(layer, metric)
        label = _label(layer, metric)
        if not dims:
            row = frame.iloc[0]
            return (
                f"{label} was {fmt(row[metric], kind)}{period}, against {fmt(row[metrics[0]], kind)} "
                f"from {compare[0]} to {compare[1]} (change {fmt(row['change'], kind)})."
            )
        key = dims[0]
        up = frame[frame["change"] > 0]
        top = frame.iloc[0]
        return (
            f"{label}{period} against {compare[0]} to {compare[1]}: {len(up)} of {len(frame)} {key} values "
            f"went up. The largest change: {top[key]} ({fmt(top[metric + '_before'], kind)} → "
            f"{fmt(top[metric], kind)})."
        )
    metric = metrics[0]
    kind, label = _kind(layer, metric), _label(layer, metric)
    if not dims:
        parts = [f"{_label(layer, m)} is {fmt(frame.iloc[0][m], _kind(layer, m))}" for m in metrics]
        return "; ".join(parts) + f"{period}."
    key = dims[0]
    values = frame[metric]
    if _dimension(layer, key).time and len(frame) > 1:
        first, last = frame.iloc[0], frame.iloc[-1]
        peak = frame.loc[values.idxmax()]
        return (
            f"{label} by {_dimension(layer, key).label}{period}: {fmt(first[metric], kind)} at "
            f"{first[key]}, {fmt(last[metric], kind)} at {last[key]}; the highest was "
            f"{fmt(peak[metric], kind)} at {peak[key]}."
        )
    hi, lo = frame.loc[values.idxmax()], frame.loc[values.idxmin()]
    more = " (first rows only: the result was cut at the row limit)" if truncated else ""
    if len(frame) == 1:  # "for hour of day (UTC) 22", not "for 22": the one row says what it is
        return f"{label} for {_dimension(layer, key).label} {hi[key]}{period}: {fmt(hi[metric], kind)}{more}."
    return (
        f"{label} by {_dimension(layer, key).label}{period}: highest for {hi[key]} "
        f"({fmt(hi[metric], kind)}), "
        f"lowest for {lo[key]} ({fmt(lo[metric], kind)}), across {len(frame)} values{more}."
    )


def sides_as_categories(layer: SemanticLayer, splits: dict) -> SemanticLayer:
    """The layer as the reading and the chart see it when a time dimension is split into sides ("6am
    to noon vs noon to 6pm", clock.py): each side is a category (bars, highest and lowest), not a
    point on a time line."""
    timed = {d for d in splits if d in layer.dimensions and layer.dimensions[d].time}
    if not timed:
        return layer
    dims = {name: replace(d, time=False) if name in timed else d for name, d in layer.dimensions.items()}
    return replace(layer, dimensions=dims)


def _dimension(layer: SemanticLayer, key: str) -> Dimension:
    """The layer's dimension of a result column, or a plain category for a derived one (a bucket)."""
    return layer.dimensions.get(key) or Dimension(name=key, label=key.replace("_", " "), sql={})


def chart(frame: pd.DataFrame, dims: list[str], metrics: list[str], layer: SemanticLayer,
          *, compare: bool = False) -> go.Figure | None:  # fmt: skip
    """A line over time, bars over categories, bars of the change for a comparison; None for
    a single number or a result too wide to draw."""
    from genai_analyzer.analysis import plotting as charts

    compare = compare and metrics != [overlap.COLUMN]  # an overlap is one figure (overlap.py)
    if frame.empty or not dims or len(frame) < 2 and not compare:
        return None
    key = dims[0]
    if compare:
        y, title = "change", f"Change in {_label(layer, metrics[1])}"
    else:
        y, title = metrics[0], _label(layer, metrics[0])
    data = frame.copy()
    data[key] = data[key].astype(str) if not _dimension(layer, key).time else data[key]
    color = dims[1] if len(dims) > 1 else None
    if _dimension(layer, key).time and not compare:
        fig = go.Figure()
        groups = data.groupby(color) if color else [(None, data)]
        for name, part in groups:
            fig.add_scatter(x=part[key], y=part[y], mode="lines+markers", name=str(name) if name else y)
    else:
        fig = go.Figure(go.Bar(x=data[y], y=data[key], orientation="h", marker_color=charts.ACCENT))
        fig.update_yaxes(autorange="reversed")
    height = 360 if _dimension(layer, key).time and not compare else max(320, min(24 * len(data) + 80, 700))
    return charts.layout(fig, title, height)


def describe(spec, layer: SemanticLayer, *, window=None, previous=None, all_dates: str = "all dates") -> str:
    """How the question was read, in plain words: metric(s), per-unit division, grouping, filters,
    period, comparison, ranking and typo corrections, so that a wrong reading shows at once.
    ``all_dates``: what no period named means (the filter bar's dates, under a scope with dates)."""
    labels = [_label(layer, f"{m}_count" if spec.counted_rate else m) for m in spec.metrics]
    if spec.unit:  # "in seconds", "in cents", "as a percentage": the figures converted (units.py)
        shown = [f"{m}_share" if spec.share else m for m in spec.metrics]  # the columns ``expressed`` sees
        labels = [label_in(x, spec.unit) if spec.unit != "percent" or is_rate(layer, column) else x
                  for column, x in zip(shown, labels, strict=True)]  # fmt: skip
    in_percent = ", in percent" if spec.unit == "percent" else ""  # "gross margin %" (shorthand.py)
    parts = [" / ".join(labels) + f" (a ratio{in_percent})" if spec.ratio else " and ".join(labels)]
    if spec.nested:  # "the median of each user's success rate" (nested.py)
        parts[0] = nested.describe(spec, parts[0])
    if spec.round_to is not None and spec.round_to >= 0:  # "rounded to 2 decimals" (units.py)
        parts[0] += f", rounded to {spec.round_to} decimal{'s' * (spec.round_to != 1)}"
    if spec.running and (runs := running.describe(spec, layer)):  # "cumulative revenue by day"
        parts[0] += ", " + runs
    if spec.scale:  # "per 1,000 generations" (scaling.py)
        parts[0] += f" per {spec.scale:,} {spec.scale_of}s"
    elif spec.per:
        parts[0] += f" per {spec.per.replace('gpu_hour', 'GPU hour').replace('_', ' ')}"
    if spec.against:  # "than the overall error rate" (against.py)
        parts[0] += ", " + against.describe(spec, layer)
    counted = (spec.count_of, *spec.count_with)
    groups = [*spec.within, *(d for d in buckets.grouped(spec) if d not in counted and d not in spec.within)]
    groups = [d for d in groups if not (spec.nested and d == spec.nested[1])]  # the unit (nested.py)
    if spec.count_of:
        said = " and ".join(layer.dimensions[d].label for d in (spec.count_of, *spec.count_with))
        parts[0] = f"Number of {said} combinations" if spec.count_with else f"Number of {said}s"
        if spec.against and spec.against_keep:  # "how many days beat the daily average"
            parts[0] += f" with {_label(layer, spec.metrics[0]).lower()} {against.kept(spec, layer)}"
    if spec.bucket:  # "in 1-second latency buckets" (buckets.py)
        parts.append("by " + buckets.describe(spec, layer))
    if spec.gap:  # "pro vs free and the gap (pro minus free)" (gaps.py)
        parts[0] += f", {gaps.describe(spec)}"
    if groups:
        parts.append("by " + " and ".join(layer.dimensions[d].label for d in groups))
        for d in groups:  # the rows with no value are left out: "only failed generations"
            if rows := only_for(spec, layer, d):
                parts.append(f"only {rows} (the others have no {layer.dimensions[d].label})")
    for dim, values in spec.filters.items():
        label = layer.dimensions[dim].label
        if dim in spec.splits:
            sides = (f"{label_} ({', '.join(map(str, vs))})" for label_, vs, *_ in spec.splits[dim])
            parts.append(f"{label} split into " + " and ".join(sides))
        elif dim in spec.excluded:
            parts.append(f"{label} not {', '.join(map(str, spec.excluded[dim]))}")
        elif dim == "hour":
            parts.append(f"only {label} {describe_hours(values)}")
        else:
            parts.append(f"only {label} {', '.join(map(str, values))}")
    if spec.contains:
        parts.append(prompt_text.describe(spec.contains))
    parts += [rate_rows.describe(layer, name) for name in spec.kept_by]  # "only sessions ending on a failure"
    if spec.per_scope and spec.per:  # "counting sessions with none as zero" (counted_rows.py)
        parts.append(f"over every {spec.per} (those with none count as 0)" if spec.per_scope == "every"
                     else f"over the {spec.per}s that have one")  # fmt: skip
    for threshold in spec.thresholds:
        name, group = threshold[0], threshold[3]
        if name in layer.dimensions:  # a number each row carries: the rows are the grain's
            first = layer.metrics.get(spec.metrics[0]) if spec.metrics else None
            rows = "sessions" if first is not None and first.grain == "sessions" else "generations"
            parts.append(f"only {rows} with {describe_threshold(layer, threshold)}")
        else:
            whose = layer.dimensions[group or (spec.count_of or groups[0])].label
            kept = "counting" if spec.count_of and group in (None, spec.count_of) else "only"
            if group is not None and group not in spec.dimensions:
                kept = "only the generations of"
            said = describe_threshold(layer, threshold)
            if spec.per and name in spec.metrics and group in (None, *spec.dimensions):  # as divided
                said = said.replace(
                    layer.metrics[name].label, f"{layer.metrics[name].label} per {spec.per}", 1
                )
            plural = whose if whose.endswith("s") else f"{whose}s"  # "sampling steps", not "stepss"
            parts.append(f"{kept} {plural} with {said}")
    if window and window[0] == OPEN_START:
        parts.append(f"up to {window[1]}")
    elif window:
        parts.append(f"from {window[0]} to {window[1]}")
    else:
        parts.append(all_dates)
    if previous and spec.overlap:  # "users active in both September and October" (overlap.py)
        parts.append(f"and from {previous[0]} to {previous[1]}: the known users active in both periods")
    elif previous:
        parts.append(f"compared with {previous[0]} to {previous[1]}")
        if spec.unit == "percent":  # the change in percent of the earlier figure, beside it (units.py)
            parts[-1] += ", the change also in percent of the earlier figure"
        if spec.compare_direction and spec.dimensions:
            parts.append(f"values with data in both periods that went {spec.compare_direction}")
    if spec.chrono:  # "the first day with more than 150 generations" (firsts.py)
        parts.append(firsts.describe(spec))
    elif spec.rest or spec.top_share:  # "with the rest as one row" (lumped.py)
        parts.append(lumped.describe(spec, layer))
    elif spec.top:
        parts.append(f"place {spec.offset + 1}, {'lowest' if spec.ascending else 'highest'} first"
                     if spec.offset else f"{'bottom' if spec.ascending else 'top'} {spec.top}")  # fmt: skip
        if inside := partition(spec, spec.dimensions):  # "in each tier" (within.py)
            parts[-1] += " within each " + " and ".join(layer.dimensions[d].label for d in inside)
    elif spec.sort and (spec.dimensions or spec.within):
        order = {"asc": "lowest first", "newest": "newest first", "names": "in alphabetical order"}
        parts.append(order.get(spec.sort, "highest first"))
    for typo, word in spec.corrections.items():
        parts.append(f"reading '{typo}' as '{word}'")
    if spec.never_of:  # "how many users never generated an anime image" (value_filters.py)
        none_of = " or ".join(
            f"{layer.dimensions[d].label} {', '.join(map(str, v))}" for d, v in spec.never.items()
        )
        parts[0] = f"Number of {spec.never_of}s"
        parts.insert(1, f"counting only {spec.never_of}s with no generation of {none_of}")
    if spec.share:  # the filters name the part, not the rows of the whole
        among = ""
        if spec.whole:  # among a status rate's cases ("share of errors had CUDA_OOM")
            among = f" among the cases of the {layer.metrics[spec.whole].label.lower()}"
        wholes = [layer.dimensions[d].label for d in spec.dimensions if d in spec.share_within]
        wholes += [layer.dimensions[d].label for d in spec.dimensions if layer.dimensions[d].time]
        whole = f"within each {' and '.join(wholes)}" if wholes else "the part over the whole"
        if spec.share_among:  # "among the failed generations": of them; "of pro users' generations": of those
            whole = (
                "each group's part of them"
                if spec.whole
                else "each group's part of the rows the filters keep"
            )
        parts[0] = f"Share of {parts[0]}{among} ({whole})"
        if not spec.share_among:  # (else the filters keep the whole: "of pro users' generations")
            # users or sessions counted: the part is those with at least one such generation
            units = {metric: unit for unit, metric in UNIT_COUNTS.items()}
            unit = units.get(spec.metrics[0]) if spec.metrics else None
            varies = unit and any(
                d not in CONSTANT_IN[unit] for d in spec.filters if d not in spec.dimensions
            )
            with_one = f"{unit}s with at least one generation of " if varies else ""
            parts = [
                f"the part: {with_one}{p.removeprefix('only ')}" if p.startswith("only ") else p
                for p in parts
            ]
    return "; ".join(parts)


def generic_chart(frame):
    """A bar or line chart for a result of one label column and one number column."""
    from genai_analyzer.analysis import plotting as charts

    if frame.empty or len(frame) < 2 or frame.shape[1] < 2:
        return None
    numbers = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    labels = [c for c in frame.columns if c not in numbers]
    if not numbers or not labels:
        return None
    x, y = labels[0], numbers[0]
    if pd.api.types.is_datetime64_any_dtype(frame[x]):
        fig = go.Figure(go.Scatter(x=frame[x], y=frame[y], mode="lines+markers", name=y))
    else:
        fig = go.Figure(
            go.Bar(x=frame[y], y=frame[x].astype(str), orientation="h", marker_color=charts.ACCENT)
        )
        fig.update_yaxes(autorange="reversed")
    return charts.layout(fig, y, 360)
