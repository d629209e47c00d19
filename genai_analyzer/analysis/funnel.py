"""Funnels: how many sessions reach each step, and where they drop off.

The steps are defined once, in the semantic layer's ``funnels:`` section
(``data/semantic_layer.yaml``, read and checked by ``semantic.load``), so the copilot can read the
same definitions. The session funnel: started -> succeeded (a successful generation) -> refined (a
modifier or settings edit, docs/refinement.md) -> kept (an idea ended on a success: a kept image).
Steps are ordered: a session counts at step k only when it meets the conditions of steps 1 to k
(in any order within the session).

What the shared ``Filters`` mean here (docs/cohorts.md): a session is counted when it **started**
on a day in the range (the sessions grain's date, as the ``session_count`` metric), its user's
tier is among the tiers, and it has at least one generation of the chosen statuses, domains and
art styles. The steps always read the whole session: ``statuses=["error"]`` gives the funnel of
sessions that met an error, not a funnel of errors.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from genai_analyzer.analysis import semantic
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.warehouse.reader import Warehouse

GROUPS = ("none", "tier")
PERIODS = ("none", "day", "week", "month")  # the session's start day, week or month
DEFAULT_FUNNEL = "session"


def _scope(filters: Filters, grain: semantic.Grain) -> tuple[str, dict]:
    """The condition on the funnel grain's rows for ``filters``, and its parameters."""
    return filters.row_scope(grain.name)


def _bad_step(wh: Warehouse, spec: semantic.Funnel, grain: semantic.Grain) -> semantic.FunnelStep | None:
    """The first step whose condition does not run on this warehouse, if one does not."""
    for step in spec.steps:
        try:
            wh.query(f"EXPLAIN SELECT 1 FROM {grain.from_sql} WHERE ({step.sql})")
        except duckdb.Error:
            return step
    return None


def funnel_query(
    filters: Filters | None = None,
    *,
    by: str = "none",
    period: str = "none",
    name: str = DEFAULT_FUNNEL,
    layer: semantic.SemanticLayer | None = None,
) -> tuple[str, dict]:
    """The SQL counting the rows that reach each step, one row per group and period (grp,
    period, reached_1 ... reached_n), and its bound values: what ``funnel`` runs, and what the
    copilot reshapes into its answer (copilot/behaviour.py)."""
    layer = layer or semantic.load()
    spec = layer.funnels[name]
    grain = layer.grains[spec.grain]
    where, params = _scope(filters or Filters(), grain)
    group = "'all'" if by == "none" else layer.dimensions[by].expression(grain.name)
    bucket = "NULL" if period == "none" else layer.dimensions[period].expression(grain.name)
    flags = ", ".join(f"({step.sql}) AS step_{i}" for i, step in enumerate(spec.steps, 1))
    reached = ", ".join(
        f"count(*) FILTER (WHERE {' AND '.join(f'step_{j}' for j in range(1, i + 1))}) AS reached_{i}"
        for i in range(1, len(spec.steps) + 1)
    )
    source = grain.from_reading(where, group, bucket, *(step.sql for step in spec.steps))
    sql = f"""
        WITH flagged AS (SELECT {group} AS grp, {bucket} AS period, {flags} FROM {source} WHERE {where})
        SELECT grp, period, {reached} FROM flagged GROUP BY ALL ORDER BY grp, period
    """
    return sql, params


def funnel(
    wh: Warehouse,
    filters: Filters | None = None,
    *,
    by: str = "none",
    period: str = "none",
    name: str = DEFAULT_FUNNEL,
    layer: semantic.SemanticLayer | None = None,
) -> pd.DataFrame:
    """One row per (group, period, step), steps in their order: step_number, step (its name),
    label, the rows reaching it (``sessions`` for the session funnel: the grain's name),
    share_of_first (of those at step 1), dropped (reached the previous step, not this one; 0 at
    step 1) and drop_off_rate (dropped / the previous step's; null at step 1 and after an empty
    step). ``by``: none or tier (the user's); ``period``: none, or the day, week or month (its
    first day) the row started in. A step whose SQL does not run is a SemanticLayerError naming
    the funnel and the step."""
    layer = layer or semantic.load()
    if name not in layer.funnels:
        raise ValueError(f"unknown funnel {name!r}; the semantic layer defines {', '.join(layer.funnels)}")
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join(GROUPS)}")
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")
    spec = layer.funnels[name]
    sql, params = funnel_query(filters, by=by, period=period, name=name, layer=layer)
    try:
        wide = wh.query(sql, params)
    except duckdb.Error as exc:
        step = _bad_step(wh, spec, layer.grains[spec.grain])
        if step is None:
            raise
        raise semantic.SemanticLayerError(
            f"{semantic.LAYER_FILE.name}: funnel {name}, step {step.name}: its sql does not run on "
            f"this warehouse: {str(exc).splitlines()[0]}"
        ) from exc
    return _long(wide, spec, by, period)


def _long(wide: pd.DataFrame, spec: semantic.Funnel, by: str, period: str) -> pd.DataFrame:
    """The wide counts (reached_1 ... reached_n per group and period) as one row per step."""
    unit = spec.grain  # what is counted: sessions for the session funnel
    rows = []
    for row in wide.itertuples(index=False):
        counts = [int(getattr(row, f"reached_{i}")) for i in range(1, len(spec.steps) + 1)]
        for number, (step, count) in enumerate(zip(spec.steps, counts, strict=True), 1):
            previous = counts[number - 2] if number > 1 else None
            rows.append({
                "grp": row.grp, "period": row.period, "step_number": number, "step": step.name,
                "label": step.label, unit: count,
                "share_of_first": count / counts[0] if counts[0] else None,
                "dropped": 0 if previous is None else previous - count,
                "drop_off_rate": (previous - count) / previous if previous else None,
            })  # fmt: skip
    columns = ["grp", "period", "step_number", "step", "label", unit, "share_of_first", "dropped",
               "drop_off_rate"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame[["share_of_first", "drop_off_rate"]] = frame[["share_of_first", "drop_off_rate"]].astype(float)
    if period == "none":
        frame = frame.drop(columns="period")
    frame = frame.drop(columns="grp") if by == "none" else frame.rename(columns={"grp": by})
    return frame
