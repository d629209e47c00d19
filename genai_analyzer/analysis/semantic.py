"""The semantic layer: metrics, dimensions, grains and funnels read from ``data/semantic_layer.yaml``.

One definition for everyone: ``queries.METRICS`` (the Analytics tab and the API) and the SQL
Copilot both read it. ``load()`` checks the file's shape so that a bad edit fails loudly at import
rather than as a wrong number on a page.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from genai_analyzer.core.contract import SEMANTIC_LAYER_FILE
from genai_analyzer.core.errors import AnalyzerError

LAYER_FILE = SEMANTIC_LAYER_FILE
FORMATS = ("count", "rate", "ms", "usd", "number", "date")


# A join of a grain's FROM clause: "[LEFT] JOIN <table> <alias> USING (<keys>)".
_JOIN = re.compile(r"\s+((?:LEFT\s+)?JOIN\s+\w+\s+(\w+)\s+USING\s*\([^)]*\))", re.I)
_ALIAS = re.compile(r"\b([A-Za-z_]\w*)\.")


@dataclass(frozen=True)
class Grain:
    name: str
    description: str
    from_sql: str
    date_sql: str

    def from_reading(self, *sql: str) -> str:
        """The FROM clause with only the joins whose table alias the ``sql`` parts (select list,
        conditions) read. The layer's joins add columns, never rows or filters: every generation
        has one user and at most one prompt, every session one user (the build's dbt
        ``relationships`` and ``unique`` tests), so leaving an unread one out changes no result,
        and saves its scan: about 120 ms a statement for dim_prompts at 1M generations."""
        used = set(_ALIAS.findall(" ".join(sql)))
        return _JOIN.sub(lambda m: m.group(0) if m.group(2) in used else "", self.from_sql)


@dataclass(frozen=True)
class Metric:
    name: str
    grain: str
    sql: str
    label: str
    format: str
    higher_is_better: bool = False
    synonyms: tuple[str, ...] = ()

    def reads(self, alias: str) -> bool:
        """Whether the metric's SQL reads the table of ``alias`` (its grain's join: "e", the edits)."""
        return alias in _ALIAS.findall(self.sql)


@dataclass(frozen=True)
class Dimension:
    name: str
    label: str
    sql: dict[str, str]  # grain -> expression
    values: bool = False
    time: bool = False
    synonyms: tuple[str, ...] = ()
    # The rows that have a value, where the others have none by definition ("failed generations":
    # a successful generation has no error code). Grouped by, it names those rows' values only.
    only_for: str = ""
    # A number in a unit ("ms"): compared in that unit ("above 5 s" is 5000), never grouped by
    unit: str = ""

    def expression(self, grain: str) -> str | None:
        return self.sql.get(grain)

    def condition(self, grain: str, *, param: str | None = None, values=()) -> str:
        """The condition keeping rows of ``grain`` whose value of this dimension is in a list: the
        bound list parameter ``$param`` (the query layer), or ``values`` written as literals (the
        copilot, whose SQL is shown and can be edited)."""
        expr = self.sql[grain]
        if param is not None:
            return f"list_contains(${param}, {expr})"
        return f"{expr} IN ({', '.join(literal(v) for v in values)})"


def literal(value) -> str:
    """A SQL literal for a number or a text value (quotes doubled)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class FunnelStep:
    name: str
    label: str
    sql: str  # a condition on one row of the funnel's grain (its FROM clause's aliases)
    synonyms: tuple[str, ...] = ()  # what a question may call reaching it ("a kept image")


@dataclass(frozen=True)
class Funnel:
    """Ordered steps over one grain: a row counts at step k when it meets the conditions of steps
    1 to k (analysis/funnel.py)."""

    name: str
    label: str
    grain: str
    steps: tuple[FunnelStep, ...]
    description: str = ""
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class SemanticLayer:
    grains: dict[str, Grain]
    metrics: dict[str, Metric]
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    unsupported: tuple[tuple[tuple[str, ...], str], ...] = ()  # (words, reason)
    segments: tuple[dict, ...] = ()  # {phrases, dimension, values}: named groups of values
    funnels: dict[str, Funnel] = field(default_factory=dict)

    def metric_sql(self, grain: str = "generations") -> dict[str, str]:
        """metric name -> SQL aggregate, for the metrics of one grain."""
        return {m.name: m.sql for m in self.metrics.values() if m.grain == grain}


class SemanticLayerError(AnalyzerError):
    pass


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SemanticLayerError(f"{LAYER_FILE.name}: {message}")


_STEP_NAME = re.compile(r"[a-z][a-z0-9_]*")
_STEP_KEYS = {"name", "label", "sql", "synonyms"}


def _funnel(name: str, spec, grains: dict[str, Grain]) -> Funnel:
    """One funnel of the ``funnels:`` section, checked: a known grain, a label, at least two steps,
    each with a unique lower-case name, a label and one SQL condition."""
    where = f"funnel {name}"
    _check(isinstance(spec, dict), f"{where}: needs grain, label and steps")
    _check(spec.get("grain") in grains, f"{where}: unknown grain {spec.get('grain')!r}; use one of "
           f"{', '.join(grains)}")  # fmt: skip
    _check(bool(spec.get("label")), f"{where}: needs a label")
    steps = spec.get("steps")
    _check(isinstance(steps, list) and len(steps) >= 2, f"{where}: steps must be a list of two or more")
    seen: list[str] = []
    for number, step in enumerate(steps, 1):
        at = f"{where}, step {number}"
        _check(isinstance(step, dict), f"{at}: must be a mapping with name, label and sql")
        step_name = step.get("name")
        _check(isinstance(step_name, str) and bool(_STEP_NAME.fullmatch(step_name)),
               f"{at}: name must be lower-case letters, digits and _, not {step_name!r}")  # fmt: skip
        at = f"{at} ({step_name})"
        _check(step_name not in seen, f"{at}: another step has this name")
        _check(not set(step) - _STEP_KEYS, f"{at}: unknown keys {sorted(set(step) - _STEP_KEYS)}")
        _check(bool(step.get("label")), f"{at}: needs a label")
        sql = step.get("sql")
        _check(isinstance(sql, str) and bool(sql.strip()), f"{at}: needs sql, a condition on one row")
        _check(";" not in sql, f"{at}: sql must be one condition, without ';'")
        seen.append(step_name)
    return Funnel(
        name=name,
        label=spec["label"],
        grain=spec["grain"],
        steps=tuple(
            FunnelStep(s["name"], s["label"], " ".join(s["sql"].split()), tuple(s.get("synonyms", ())))
            for s in steps
        ),
        description=" ".join(str(spec.get("description", "")).split()),
        synonyms=tuple(s.lower() for s in spec.get("synonyms", [])),
    )


@functools.cache
def load(path: Path = LAYER_FILE) -> SemanticLayer:
    """The semantic layer in ``path`` (cached), validated."""
    spec = yaml.safe_load(path.read_text())
    grains = {
        name: Grain(name, g.get("description", ""), " ".join(g["from"].split()), g["date"])
        for name, g in spec["grains"].items()
    }
    metrics = {}
    for name, m in spec["metrics"].items():
        _check(m.get("grain") in grains, f"metric {name}: unknown grain {m.get('grain')!r}")
        _check(m.get("format") in FORMATS, f"metric {name}: format must be one of {FORMATS}")
        _check(bool(m.get("sql")) and bool(m.get("label")), f"metric {name}: needs sql and label")
        metrics[name] = Metric(
            name=name,
            grain=m["grain"],
            sql=m["sql"],
            label=m["label"],
            format=m["format"],
            higher_is_better=bool(m.get("higher_is_better", False)),
            synonyms=tuple(s.lower() for s in m.get("synonyms", [])),
        )
    dimensions = {}
    for name, d in spec["dimensions"].items():
        sql = d.get("sql") or {}
        _check(bool(sql) and set(sql) <= set(grains), f"dimension {name}: sql per known grain")
        dimensions[name] = Dimension(
            name=name,
            label=d.get("label", name),
            sql=dict(sql),
            values=bool(d.get("values", False)),
            time=bool(d.get("time", False)),
            synonyms=tuple(s.lower() for s in d.get("synonyms", [])),
            only_for=str(d.get("only_for", "")),
            unit=str(d.get("unit", "")),
        )
    unsupported = tuple(
        (tuple(w.lower() for w in u["words"]), u["reason"]) for u in spec.get("unsupported", [])
    )
    segments = tuple(spec.get("segments", []))
    for seg in segments:
        _check(seg.get("dimension") in dimensions, f"segment {seg.get('phrases')}: unknown dimension")
    funnels = {name: _funnel(name, f, grains) for name, f in (spec.get("funnels") or {}).items()}
    return SemanticLayer(
        grains=grains,
        metrics=metrics,
        dimensions=dimensions,
        unsupported=unsupported,
        segments=segments,
        funnels=funnels,
    )
