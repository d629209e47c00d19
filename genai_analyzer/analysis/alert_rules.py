"""The alert rules file: what to watch, read from YAML and checked before anything is evaluated.

The shipped rules are ``genai_analyzer/data/alerts.yaml``; ``GENAI_ALERTS`` (or ``check --rules``)
names a file of one's own. The format (docs/alerts.md)::

    rules:
      - name: p95 latency by tier          # unique, shown in every finding
        metric: p95_latency_ms             # any metric of the semantic layer but a date
        by: tier                           # optional: one finding per value of a dimension
        window: day                        # optional; the only window is a day (UTC)
        above: 30000                       # a threshold: fires above it (and/or below:)
      - name: daily cost spike
        metric: cost_usd
        zscore: {max: 3.5, trailing_days: 28, min_history: 14, direction: up}

A rule has thresholds (``above``, ``below`` or both) or a ``zscore``, never neither or both. Any
mistake (YAML that does not parse, an unknown key, an unknown metric or dimension, a value of the
wrong kind) is an ``AlertRulesError`` naming the file, the rule and the key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from genai_analyzer.analysis import semantic
from genai_analyzer.core.contract import ALERTS_FILE
from genai_analyzer.core.errors import AnalyzerError

WINDOWS = ("day",)
DIRECTIONS = ("up", "down", "both")
RULE_KEYS = ("name", "metric", "by", "window", "above", "below", "zscore", "description")
ZSCORE_KEYS = ("max", "trailing_days", "min_history", "direction")
DEFAULT_MAX_Z = 3.5
DEFAULT_TRAILING_DAYS = 28
MAX_TRAILING_DAYS = 366


class AlertRulesError(AnalyzerError):
    """A rules file that cannot be used; the message names the file, the rule and the key."""


@dataclass(frozen=True)
class ZScore:
    """A robust z-score test against the trailing days (docs/alerts.md): fires when
    (x - median) / (1.4826 * MAD) is beyond ``max`` in ``direction``; needs ``min_history`` days
    with a value among the ``trailing_days`` before the day."""

    max: float = DEFAULT_MAX_Z
    trailing_days: int = DEFAULT_TRAILING_DAYS
    min_history: int = DEFAULT_TRAILING_DAYS
    direction: str = "both"

    def beyond(self, z: float) -> bool:
        """Whether ``z`` is past the limit in the rule's direction."""
        if self.direction == "up":
            return z > self.max
        if self.direction == "down":
            return z < -self.max
        return abs(z) > self.max


@dataclass(frozen=True)
class Rule:
    """One alert rule: a metric per day, overall or per value of ``by``, against thresholds or a
    robust z-score."""

    name: str
    metric: str
    by: str | None = None
    window: str = "day"
    above: float | None = None
    below: float | None = None
    zscore: ZScore | None = None
    description: str = ""

    @property
    def lookback_days(self) -> int:
        """Days before the checked one that the rule reads."""
        return self.zscore.trailing_days if self.zscore else 0


@dataclass(frozen=True)
class RuleSet:
    """The rules of one file, and where they came from."""

    path: Path
    rules: tuple[Rule, ...]


def rules_path(alerts_file: str | Path | None = None) -> Path:
    """The rules file in force: ``alerts_file`` (GENAI_ALERTS, ``--rules``) or the shipped one."""
    return Path(alerts_file).expanduser() if alerts_file else ALERTS_FILE


def load_rules(path: str | Path | None = None) -> RuleSet:
    """The rules in ``path`` (default: the shipped file), checked."""
    path = rules_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AlertRulesError(f"no alert rules file at {path}") from None
    except IsADirectoryError:
        raise AlertRulesError(f"{path} is a folder, not an alert rules file") from None
    except UnicodeDecodeError:
        raise AlertRulesError(f"{path} is not a text file of alert rules") from None
    return RuleSet(path, parse_rules(text, source=path.name))


def parse_rules(text: str, *, source: str = "alerts.yaml") -> tuple[Rule, ...]:
    """The rules in YAML ``text``, checked; ``source`` names the file in errors."""
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "it does not parse"
        raise AlertRulesError(f"{source}: not valid YAML{where}: {problem}") from None
    if not isinstance(spec, dict) or set(spec) - {"rules"} or not isinstance(spec.get("rules"), list):
        raise AlertRulesError(
            f"{source}: the file must hold one key, 'rules', with a list of rules (docs/alerts.md)"
        )
    rules, seen = [], set()
    for i, item in enumerate(spec["rules"], start=1):
        rule = _rule(item, f"{source}: rule {i}")
        if rule.name in seen:
            raise AlertRulesError(f"{source}: rule {i}: the name {rule.name!r} is used twice")
        seen.add(rule.name)
        rules.append(rule)
    return tuple(rules)


def _rule(item, where: str) -> Rule:
    if not isinstance(item, dict):
        raise AlertRulesError(f"{where}: a rule is a mapping of keys ({', '.join(RULE_KEYS)})")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise AlertRulesError(f"{where}: 'name' is required (text)")
    where = f"{where} ({name!r})"
    _known_keys(item, RULE_KEYS, where)
    layer = semantic.load()
    metric = item.get("metric")
    numeric = [n for n, m in layer.metrics.items() if m.format != "date"]  # a date has no threshold
    if metric not in numeric:
        why = "a date, not a figure to alert on" if metric in layer.metrics else "not in the semantic layer"
        raise AlertRulesError(f"{where}: metric {metric!r} is {why}; valid metrics: {', '.join(numeric)}")
    grain = layer.metrics[metric].grain
    by = item.get("by")
    by = None if by in (None, "none") else by
    dimensions = [n for n, d in layer.dimensions.items() if d.values and d.expression(grain)]
    if by is not None and by not in dimensions:
        raise AlertRulesError(
            f"{where}: 'by' {by!r} cannot split {metric}; use none or one of {', '.join(dimensions)}"
        )
    window = item.get("window", "day")
    if window not in WINDOWS:
        raise AlertRulesError(f"{where}: 'window' {window!r} is not supported; use {', '.join(WINDOWS)}")
    above, below = (_number(item, key, where) for key in ("above", "below"))
    zscore = _zscore(item["zscore"], where) if "zscore" in item else None
    if zscore is not None and (above is not None or below is not None):
        raise AlertRulesError(f"{where}: use thresholds ('above'/'below') or 'zscore', not both")
    if zscore is None and above is None and below is None:
        raise AlertRulesError(f"{where}: needs 'above', 'below' or 'zscore'")
    if above is not None and below is not None and below >= above:
        raise AlertRulesError(f"{where}: 'below' ({below}) must be under 'above' ({above})")
    description = item.get("description", "")
    if not isinstance(description, str):
        raise AlertRulesError(f"{where}: 'description' must be text")
    return Rule(name.strip(), metric, by, window, above, below, zscore, description.strip())


def _zscore(spec, where: str) -> ZScore:
    where = f"{where}: 'zscore'"
    if not isinstance(spec, dict):
        raise AlertRulesError(f"{where} is a mapping of {', '.join(ZSCORE_KEYS)}")
    _known_keys(spec, ZSCORE_KEYS, where)
    limit = _number(spec, "max", where)
    limit = DEFAULT_MAX_Z if limit is None else limit
    if limit <= 0:
        raise AlertRulesError(f"{where}: 'max' must be above 0")
    trailing = _whole(spec, "trailing_days", where, DEFAULT_TRAILING_DAYS, MAX_TRAILING_DAYS)
    history = _whole(spec, "min_history", where, trailing, trailing)
    direction = spec.get("direction", "both")
    if direction not in DIRECTIONS:
        raise AlertRulesError(f"{where}: 'direction' {direction!r}; use one of {', '.join(DIRECTIONS)}")
    return ZScore(limit, trailing, history, direction)


def _known_keys(spec: dict, known: tuple[str, ...], where: str) -> None:
    unknown = [str(k) for k in spec if k not in known]
    if unknown:
        raise AlertRulesError(f"{where}: unknown key {unknown[0]!r}; the keys are {', '.join(known)}")


def _number(spec: dict, key: str, where: str) -> float | None:
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AlertRulesError(f"{where}: {key!r} must be a number, not {value!r}")
    return float(value)


def _whole(spec: dict, key: str, where: str, default: int, maximum: int) -> int:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise AlertRulesError(f"{where}: {key!r} must be a whole number from 1 to {maximum}, not {value!r}")
    return value
