"""Alerts: the rules of a rules file (``alert_rules``) evaluated on one day, and anomalous days.

Each rule reads its metric per day (UTC) from the semantic layer, overall or per value of ``by``,
and gives one ``Finding`` per group: the day's value against a threshold, or its robust z-score
against the trailing days::

    z = (x - median) / (1.4826 * MAD)      over the trailing days, the day itself left out

MAD is the median absolute deviation from the median; 1.4826 * MAD estimates the standard deviation
of normal data. When more than half the trailing days share one value, MAD is 0: the scale is then
1.2533 * the mean absolute deviation from the median (the same estimate from the mean deviation),
and when every trailing day has the same value, any other value is infinitely far (fires) and the
same value is z = 0. A rule whose trailing window holds fewer than ``min_history`` days with a value
is reported as "not enough history", never as a pass.

A day without rows has no value for an average or a percentile ("no data"), and 0 for a metric made
of counts and sums only (generations, cost): those days count as 0 in the history too, within the
data's range.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta

import pandas as pd

from genai_analyzer.analysis import queries, semantic
from genai_analyzer.analysis.alert_rules import Rule, ZScore
from genai_analyzer.analysis.filters import NO_FILTERS, VALUE_FIELDS, FilterError, Filters, parse_day
from genai_analyzer.analysis.formatting import format_metric, metric_label, plural
from genai_analyzer.warehouse.reader import Warehouse

MAD_SCALE = 1.4826  # 1 / Phi^-1(3/4): MAD -> standard deviation for normal data
MEAN_AD_SCALE = 1.2533  # sqrt(pi / 2): mean absolute deviation -> standard deviation
STATUSES = ("fired", "ok", "no data", "not enough history")
_AGGREGATE = re.compile(r"\b([a-z_]+)\s*\(", re.I)


@dataclass(frozen=True)
class Baseline:
    """The trailing days' median, MAD, the scale used and the z-score of the day against them."""

    median: float
    mad: float
    scale: float
    z: float
    history_days: int


def robust_z(value: float, history: list[float]) -> Baseline:
    """``value``'s robust z-score against ``history`` (non-empty): (x - median) / (1.4826 * MAD),
    with the mean absolute deviation when MAD is 0, and 0 or an infinity when both are 0."""
    series = pd.Series(history, dtype="float64")
    median = float(series.median())
    deviations = (series - median).abs()
    mad = float(deviations.median())
    scale = MAD_SCALE * mad if mad > 0 else MEAN_AD_SCALE * float(deviations.mean())
    if scale > 0:
        z = (value - median) / scale
    else:
        z = 0.0 if value == median else math.copysign(math.inf, value - median)
    return Baseline(median, mad, scale, z, len(series))


def additive(metric: str) -> bool:
    """Whether a metric is made of counts and sums only, so that a day without rows is 0 (not null)."""
    calls = {c.lower() for c in _AGGREGATE.findall(semantic.load().metrics[metric].sql)}
    return bool(calls) and calls <= {"count", "sum"}


def daily_series(
    wh: Warehouse,
    metric: str,
    start: date,
    end: date,
    *,
    by: str | None = None,
    filters: Filters = NO_FILTERS,
) -> pd.DataFrame:
    """One row per day from ``start`` to ``end`` (and per value of ``by``) with rows passing
    ``filters``: ``day``, ``group`` (the value of ``by``, or None), ``value`` of the metric."""
    layer = semantic.load()
    spec = layer.metrics[metric]
    grain = layer.grains[spec.grain]
    where, params = replace(filters, start=start, end=end).where(spec.grain)
    group = f"coalesce(CAST({layer.dimensions[by].sql[spec.grain]} AS VARCHAR), '(none)')" if by else "NULL"
    select = f"{grain.date_sql} AS day, {group} AS grp, {spec.sql} AS value"
    frame = wh.query(
        f"SELECT {select} FROM {grain.from_reading(where, select)} WHERE {where} GROUP BY ALL ORDER BY ALL",
        params,
    )
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return frame.rename(columns={"grp": "group"})


@dataclass(frozen=True)
class Finding:
    """What one rule found for one group on one day."""

    rule: str
    metric: str
    by: str | None
    group: str | None
    day: date
    value: float | None
    status: str  # one of STATUSES
    fired: bool
    reason: str
    above: float | None = None
    below: float | None = None
    median: float | None = None
    mad: float | None = None
    z: float | None = None
    max_z: float | None = None
    history_days: int | None = None
    history_needed: int | None = None

    def as_record(self) -> dict:
        """A JSON-friendly dict (an infinite z is null; ``reason`` says why)."""
        record = asdict(self)
        record["day"] = self.day.isoformat()
        if record["z"] is not None and not math.isfinite(record["z"]):
            record["z"] = None
        return record


def check_day(wh: Warehouse, day: str | date | None) -> date:
    """The day to check: ``day`` (YYYY-MM-DD) within the data, or the data's last day."""
    first, last = queries.data_range(wh)
    if first is None:
        raise FilterError("The warehouse holds no generations to check.", field="day")
    parsed = parse_day(day, "day")
    if parsed is None:
        return last
    if not first <= parsed <= last:
        raise FilterError(f"day {parsed} is outside the data ({first} to {last}).", field="day")
    return parsed


def evaluate(
    wh: Warehouse, rules: tuple[Rule, ...] | list[Rule], day: str | date | None = None
) -> list[Finding]:
    """Every rule on ``day`` (default: the data's last day): one finding per rule and group."""
    day = check_day(wh, day)
    first = queries.data_range(wh)[0]
    values = queries.dimension_values(wh)
    findings = []
    for rule in rules:
        start = max(first, day - timedelta(days=rule.lookback_days))
        frame = daily_series(wh, rule.metric, start, day, by=rule.by)
        groups = sorted(set(frame["group"].dropna()) | set(values.get(rule.by, []))) if rule.by else [None]
        for group in groups:
            rows = frame[frame["group"] == group] if rule.by else frame
            by_day = _filled(dict(zip(rows["day"], rows["value"], strict=True)), rule.metric, start, day)
            findings.append(_finding(rule, group, day, by_day))
    return findings


def _filled(by_day: dict, metric: str, start: date, end: date) -> dict[date, float]:
    """Day -> value, without nulls; days without rows as 0 for an additive metric."""
    out = {d: float(v) for d, v in by_day.items() if v is not None and not pd.isna(v)}
    if additive(metric):
        for n in range((end - start).days + 1):
            out.setdefault(start + timedelta(days=n), 0.0)
    return out


def _finding(rule: Rule, group: str | None, day: date, by_day: dict[date, float]) -> Finding:
    value = by_day.get(day)
    base = {
        "rule": rule.name,
        "metric": rule.metric,
        "by": rule.by,
        "group": group,
        "day": day,
        "value": value,
    }
    who = f"{metric_label(rule.metric, short=True)}{f' ({rule.by} {group})' if rule.by else ''}"
    shown = format_metric(rule.metric, value)
    if rule.zscore is None:
        limits = {"above": rule.above, "below": rule.below}
        if value is None:
            return Finding(**base, **limits, status="no data", fired=False, reason=f"{who}: no data on {day}")
        over = rule.above is not None and value > rule.above
        under = rule.below is not None and value < rule.below
        bounds = " and ".join(
            f"{word} {format_metric(rule.metric, limit)}"
            for word, limit in (("above", rule.above), ("below", rule.below))
            if limit is not None
        )
        verdict = "fires" if over or under else "within limits"
        reason = f"{who} {shown} on {day}: {verdict} (alert {bounds})"
        status = "fired" if over or under else "ok"
        return Finding(**base, **limits, status=status, fired=over or under, reason=reason)
    return _zscore_finding(rule.zscore, base, who, shown, by_day)


def _zscore_finding(test: ZScore, base: dict, who: str, shown: str, by_day: dict[date, float]) -> Finding:
    day, value = base["day"], base["value"]
    history = [v for d, v in by_day.items() if day - timedelta(days=test.trailing_days) <= d < day]
    extra = {"max_z": test.max, "history_days": len(history), "history_needed": test.min_history}
    if len(history) < test.min_history:
        reason = (
            f"{who}: not enough history on {day}: {plural(len(history), 'day')} with data in the "
            f"{test.trailing_days} before, {test.min_history} needed"
        )
        return Finding(**base, **extra, status="not enough history", fired=False, reason=reason)
    if value is None:
        return Finding(**base, **extra, status="no data", fired=False, reason=f"{who}: no data on {day}")
    b = robust_z(value, history)
    fired = test.beyond(b.z)
    metric = base["metric"]
    against = (
        f"median {format_metric(metric, b.median)}, MAD {format_metric(metric, b.mad)}"
        if b.mad > 0
        else f"median {format_metric(metric, b.median)}, MAD 0 so the mean deviation"
        if b.scale > 0
        else f"every trailing day {format_metric(metric, b.median)}"
    )
    z = f"{b.z:+.1f}" if math.isfinite(b.z) else ("+inf" if b.z > 0 else "-inf")
    limit = {"up": f"z > {test.max:g}", "down": f"z < -{test.max:g}", "both": f"|z| > {test.max:g}"}
    reason = (
        f"{who} {shown} on {day}: z {z} against {b.history_days} trailing days ({against}); "
        f"{'fires' if fired else 'no alert'} at {limit[test.direction]}"
    )
    return Finding(
        **base, **extra, median=b.median, mad=b.mad, z=b.z,
        status="fired" if fired else "ok", fired=fired, reason=reason,
    )  # fmt: skip


def anomalous_days(
    wh: Warehouse,
    filters: Filters = NO_FILTERS,
    metric: str = "generations",
    *,
    trailing_days: int = 28,
    max_z: float = 3.5,
    min_history: int | None = None,
    direction: str = "both",
) -> pd.DataFrame:
    """One row per day of the filtered period (open ends: the data's first and last day): ``day``,
    ``value``, the trailing days' ``median`` and ``mad``, ``z``, ``history_days`` and
    ``status`` (as a rule's findings), ``anomalous`` when the robust z-score is past ``max_z``.
    The same test as a ``zscore`` rule, over the daily series the filters keep."""
    layer = semantic.load()
    grain = layer.metrics[metric].grain
    unsupported = [s.name for s in VALUE_FIELDS if getattr(filters, s.name) and not _on_grain(s, grain)]
    if unsupported:
        raise FilterError(
            f"{metric} is counted over sessions, which {unsupported[0]} cannot filter; leave it empty.",
            field=unsupported[0],
        )
    first, last = queries.data_range(wh)
    start, end = max(filters.start or first, first), min(filters.end or last, last)
    test = ZScore(max_z, trailing_days, min_history or trailing_days, direction)
    rule = Rule(name=f"{metric} anomalies", metric=metric, zscore=test)
    if start > end:
        return pd.DataFrame(
            columns=["day", "value", "median", "mad", "z", "history_days", "status", "anomalous"]
        )
    lookback = max(first, start - timedelta(days=trailing_days))
    frame = daily_series(wh, metric, lookback, end, filters=filters)
    by_day = _filled(dict(zip(frame["day"], frame["value"], strict=True)), metric, lookback, end)
    rows = []
    for n in range((end - start).days + 1):
        day = start + timedelta(days=n)
        if day not in by_day:
            continue
        found = _finding(rule, None, day, by_day)
        rows.append(
            {
                "day": day, "value": found.value, "median": found.median, "mad": found.mad, "z": found.z,
                "history_days": found.history_days, "status": found.status, "anomalous": found.fired,
            }
        )  # fmt: skip
    frame = pd.DataFrame(
        rows, columns=["day", "value", "median", "mad", "z", "history_days", "status", "anomalous"]
    )
    frame.attrs.update(metric=metric, trailing_days=trailing_days, max_z=max_z, direction=direction)
    return frame


def _on_grain(spec, grain: str) -> bool:
    return semantic.load().dimensions[spec.dimension].expression(grain) is not None


def summary_line(findings: list[Finding], rules: int, day: date) -> str:
    """'2 of 9 checks fired on 2025-10-12 (4 rules)' or 'No alert fires on 2025-10-12 (4 rules
    checked)', then the checks that could not be judged: '; 3 checks without enough history'."""
    checked = plural(rules, "rule")
    fired = sum(f.fired for f in findings)
    line = (
        f"{fired} of {plural(len(findings), 'check')} fired on {day} ({checked})"
        if fired
        else f"No alert fires on {day} ({checked} checked)"
    )
    for status, words in (("not enough history", "without enough history"), ("no data", "without data")):
        n = sum(f.status == status for f in findings)
        if n:
            line += f"; {plural(n, 'check')} {words}"
    return line


def findings_table(findings: list[Finding]) -> pd.DataFrame:
    """The findings as a table people read: status, rule, group, value, what it was checked against."""
    rows = []
    for f in findings:
        if f.max_z is not None and f.z is None and f.median is None:
            against = f"z-score: {f.history_days} days of history, {f.history_needed} needed"
        elif f.max_z is not None:
            z = f"{f.z:+.1f}" if math.isfinite(f.z) else f"{f.z:+}"
            against = f"z {z} vs median {format_metric(f.metric, f.median)} (limit {f.max_z:g})"
        else:
            against = " and ".join(
                f"{word} {format_metric(f.metric, limit)}"
                for word, limit in (("above", f.above), ("below", f.below))
                if limit is not None
            )
        rows.append(
            {
                "status": f.status.upper() if f.fired else f.status, "rule": f.rule,
                "group": f.group or "all", "value": format_metric(f.metric, f.value),
                "checked against": against,
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=["status", "rule", "group", "value", "checked against"])
