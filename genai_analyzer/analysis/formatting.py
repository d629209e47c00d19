"""Numbers as people read them: one formatter for the KPI cards, charts, copilot tables and the CLI.

Kinds follow the semantic layer's metric formats (count, rate, ms, usd, number). Exports and API
answers keep full precision: only what is shown on a screen passes through here.
"""

from __future__ import annotations

import math
import re

from genai_analyzer.analysis import semantic

_UNIT_SUFFIX = re.compile(r"\s*\((ms|usd|minutes|share)\)$", re.I)


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False


def format_value(value, kind: str, *, compact: bool = False, missing: str = "–") -> str:
    """A value of a kind as people read it: 3.2%, 4.1 s, $12.30, 1,204. ``compact`` (KPI cards)
    keeps one decimal of seconds and whole cents; ``missing`` stands for a null."""
    if _missing(value):
        return missing
    if kind == "rate":
        return f"{100 * value:.1f}%"
    if kind == "ms":
        if compact:
            return f"{value / 1000:,.1f} s"
        return f"{value / 1000:,.2f} s" if abs(value) >= 1000 else f"{value:,.0f} ms"
    if kind == "usd":
        return f"${value:,.2f}" if compact or abs(value) >= 1 or value == 0 else f"${value:,.4f}"
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "seconds":
        return format_duration(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 0.01 or value == 0 else f"{value:.3g}"
    return str(value)


def format_duration(seconds) -> str:
    """Seconds as '45 s', '12 min' or '3.2 h'."""
    if _missing(seconds):
        return "–"
    seconds = float(seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 3 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def format_change(change) -> str:
    """A relative change as '▲ +12.0%', '▼ -3.1%' or '■ 0.0%'."""
    if _missing(change):
        return "–"
    if change == 0:
        return "■ 0.0%"
    return f"{'▲' if change > 0 else '▼'} {change:+.1%}"


def format_interval(rate, low, high) -> str:
    """A rate and its confidence interval in whole percent: '12% (8-17%)'."""
    if _missing(rate):
        return "–"
    return f"{100 * rate:.0f}% ({100 * low:.0f}-{100 * high:.0f}%)"


def plural(n: int | float, noun: str, plural_form: str | None = None) -> str:
    """'1 user', '2 users', '1,204 sessions' (``plural_form`` for irregular nouns)."""
    many = plural_form or (
        noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
    )
    return f"{n:,} {noun if n == 1 else many}"


def metric_kind(name: str, layer: semantic.SemanticLayer | None = None) -> str:
    """The format kind of a metric (or of a comparison column such as ``cost_usd_before``)."""
    metrics = (layer or semantic.load()).metrics
    base = name.removesuffix("_before")
    return metrics[base].format if base in metrics else "number"


def metric_label(name: str, *, short: bool = False) -> str:
    """The semantic layer's label of a metric; ``short`` drops a unit the formatted value shows
    ('p95 latency (ms)' -> 'p95 latency')."""
    metrics = semantic.load().metrics
    label = metrics[name].label if name in metrics else name.replace("_", " ")
    return _UNIT_SUFFIX.sub("", label) if short else label


def format_metric(name: str, value, *, compact: bool = False) -> str:
    """A metric's value, formatted by its kind in the semantic layer."""
    return format_value(value, metric_kind(name), compact=compact)


def format_share(n: int, total: int) -> str:
    """n of total as a whole percentage ('-' when total is 0)."""
    return f"{100 * n / total:.0f}%" if total else "-"
