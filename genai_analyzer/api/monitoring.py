"""The monitoring endpoints: the alert rules evaluated, and anomalous days of a daily series.

A mixin of ``api.endpoints.Api`` (which registers them by name in ``ENDPOINTS``), as
``api/behaviour.py``: ``*_frame`` methods return the DataFrame behind a view, the others its
records, and every argument is checked before a query runs.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from genai_analyzer.analysis import alerts, semantic
from genai_analyzer.analysis.alert_rules import (
    DEFAULT_MAX_Z,
    DEFAULT_TRAILING_DAYS,
    DIRECTIONS,
    MAX_TRAILING_DAYS,
    RuleSet,
    load_rules,
)
from genai_analyzer.analysis.filters import NO_FILTERS, Filters
from genai_analyzer.api.checks import MAX_ID_CHARS, InputError, check_choice, check_count, check_text
from genai_analyzer.core.jsonable import records
from genai_analyzer.core.settings import Settings
from genai_analyzer.warehouse.reader import Warehouse

MAX_Z_LIMIT = 100.0
# The Analytics charts that show a metric of the semantic layer: a rule on one of them that fires
# on the checked day is drawn as a badge on the chart (the others are listed on the Overview).
CHART_ALERT_METRICS = {
    "daily activity": ("generations", "active_users"),
    "outcomes": ("error_rate", "failure_rate", "nsfw_block_rate", "success_rate"),
    "latency by hour and tier": ("p95_latency_ms", "p50_latency_ms", "avg_latency_ms"),
    "weekly performance": ("cost_usd", "revenue_usd", "margin_usd"),
}


class MonitoringEndpoints:
    """Alerts and anomalies over ``self.wh``."""

    wh: Warehouse

    def configured_rules(self) -> RuleSet:
        """The rules in force: GENAI_ALERTS, else the shipped ones; read on each call, so an edited
        file counts at once (an AlertRulesError names a mistake in it)."""
        return load_rules(Settings.from_env().alerts_file or None)

    def alerts_report(self, day: str = "") -> tuple[RuleSet, date, list[alerts.Finding]]:
        """The rules in force, the day checked and the findings (``day`` YYYY-MM-DD; empty: the
        data's last day)."""
        checked = alerts.check_day(self.wh, check_text(day, "day", MAX_ID_CHARS))
        rule_set = self.configured_rules()
        # once per open warehouse (read-only) and version of the file: the Overview asks on every load
        key = f"alerts:{rule_set.path.resolve()}:{rule_set.path.stat().st_mtime_ns}:{checked}"
        return rule_set, checked, self.wh.memo(key, lambda: alerts.evaluate(self.wh, rule_set.rules, checked))

    def chart_alerts(self) -> dict[str, list[alerts.Finding]]:
        """chart -> the findings that fired on the data's last day for the metrics it shows (the
        charts of CHART_ALERT_METRICS; the others show no rule's metric): the charts' badges, from
        one evaluation of the rules."""
        _, _, findings = self.alerts_report()
        return {
            chart: [f for f in findings if f.fired and f.metric in metrics]
            for chart, metrics in CHART_ALERT_METRICS.items()
        }

    def alerts(self, day: str = "") -> dict:
        """The alert rules (docs/alerts.md) evaluated on one day (YYYY-MM-DD; empty: the data's last
        day): {day, rules_file (its name), rules (how many), fired (how many findings fired),
        summary (one line), findings: one record per rule and group: rule, metric, by, group, day,
        value, status (fired, ok, no data, not enough history), fired, reason (one line), above and
        below (threshold rules), median, mad, z, max_z and history_days (z-score rules; z is null
        when infinite: the trailing days were all equal and the day differs)}."""
        rule_set, checked, findings = self.alerts_report(day)
        return {
            "day": checked.isoformat(),
            "rules_file": rule_set.path.name,
            "rules": len(rule_set.rules),
            "fired": sum(f.fired for f in findings),
            "summary": alerts.summary_line(findings, len(rule_set.rules), checked),
            "findings": [f.as_record() for f in findings],
        }

    def anomalies_frame(
        self, metric: str, filters: Filters, trailing_days: int, max_z: float, direction: str
    ) -> pd.DataFrame:
        """The rows behind /anomalies, their arguments checked."""
        metric = check_choice(metric, "metric", semantic.load().metrics, "metric")
        trailing_days = check_count(trailing_days, "trailing_days", MAX_TRAILING_DAYS)
        if isinstance(max_z, bool) or not isinstance(max_z, int | float) or not math.isfinite(max_z):
            raise InputError("max_z must be a number.", code="invalid_type", field="max_z")
        if not 0 < max_z <= MAX_Z_LIMIT:
            raise InputError(f"max_z must be above 0 and at most {MAX_Z_LIMIT:g}.", field="max_z")
        direction = check_choice(direction, "direction", DIRECTIONS, "direction")
        return alerts.anomalous_days(
            self.wh, filters, metric, trailing_days=trailing_days, max_z=float(max_z), direction=direction
        )

    def anomalies(
        self,
        metric: str = "generations",
        filters: Filters = NO_FILTERS,
        trailing_days: int = DEFAULT_TRAILING_DAYS,
        max_z: float = DEFAULT_MAX_Z,
        direction: str = "both",
    ) -> list[dict]:
        """Each day of the filtered period with the metric's value (any semantic-layer metric) and
        its robust z-score against the trailing_days before it (1-366, default 28), under the same
        filters: one record per day (a day without rows is 0 for a count or a sum, left out for an
        average or a percentile): day, value, median, mad, z, history_days, status
        (ok, fired, no data, not enough history: fewer than trailing_days days with data before it)
        and anomalous (z past max_z, default 3.5, in direction up, down or both)."""
        return records(self.anomalies_frame(metric, filters, trailing_days, max_z, direction))
