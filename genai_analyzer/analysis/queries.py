"""The query layer: one function per question, named after what it returns.

Every number the app, the API and the CLI show comes from here, through ``Warehouse.query`` with
bound parameters. Metrics are defined once (``METRICS``) and every query that needs one reuses its
SQL; the filter bar is one ``Filters`` object applied the same way everywhere.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from genai_analyzer.analysis import semantic, timegrain
from genai_analyzer.analysis.filters import COMPARE_LABELS, VALUE_FIELDS, Filters
from genai_analyzer.warehouse.reader import Warehouse

# Metric name -> SQL aggregate over fact_generations (alias f), from the semantic layer
# (genai_analyzer/data/semantic_layer.yaml) that the SQL Copilot reads too.
METRICS = semantic.load().metric_sql("generations")
KPI_METRICS = (
    "generations",
    "active_users",
    "sessions",
    "success_rate",
    "p50_latency_ms",
    "p95_latency_ms",
    "cost_usd",
    "revenue_usd",
    "margin_usd",
)
GENERATIONS = semantic.load().grains["generations"]


def from_filtered(where: str, *reads: str) -> str:
    """FROM ... WHERE ``where`` over the generations grain, joining only the tables that the
    condition or ``reads`` (keys, metrics) use (semantic.Grain.from_reading)."""
    return f" FROM {GENERATIONS.from_reading(where, *reads)} WHERE {where} "


def _select(*metrics: str) -> str:
    return ", ".join(f"{METRICS[m]} AS {m}" for m in metrics)


def _grouped(
    wh: Warehouse, filters: Filters, keys: str, metrics: tuple[str, ...], order: str
) -> pd.DataFrame:
    where, params = filters.where()
    select = f"{keys}, {_select(*metrics)}"
    body = from_filtered(where, select)
    return wh.query(f"SELECT {select} {body} GROUP BY ALL ORDER BY {order}", params)


def data_range(wh: Warehouse) -> tuple[date, date]:
    """First and last day (UTC) with generations (once per open warehouse: every chart asks)."""
    return wh.memo(
        "data_range",
        lambda: (
            wh.scalar("SELECT min(date_key) FROM fact_generations"),
            wh.scalar("SELECT max(date_key) FROM fact_generations"),
        ),
    )


def overview_figures(wh: Warehouse) -> dict:
    """One row of headline figures over the whole warehouse, plus where the data came from."""
    select = (
        f"{_select(*METRICS)}, min(f.created_at) AS first_at, max(f.created_at) AS last_at, "
        "count(f.image_path) AS with_image"
    )  # the joins a metric reads (a prompt's length reads dim_prompts), and only those
    row = wh.row(f"SELECT {select} FROM {GENERATIONS.from_reading(select)}")
    info = wh.build_info()
    # a metric of format date (the data's first and last day) as its ISO text, as JSON carries it
    figures = {name: row[name].isoformat() if isinstance(row[name], date) else row[name] for name in METRICS}
    simulated = {col: n for col, n in info["simulated_columns"].items() if n}
    figures.update(
        first_generation=str(row["first_at"]),
        last_generation=str(row["last_at"]),
        generations_with_image=int(row["with_image"]),
        source=info["source"],
        synthetic=bool(info.get("synthetic")),
        simulated_columns=sorted(simulated),
        built_at=info["built_at"],
    )
    return figures


def showcase_session(wh: Warehouse, limit: int = 4) -> pd.DataFrame:
    """The first ``limit`` generations with thumbnails of the session whose user tried the most
    distinct prompts (ties: most thumbnails, then session id): a refinement, shown on Overview."""
    return wh.query(
        """
        WITH pick AS (
            SELECT session_id FROM fact_generations
            GROUP BY session_id HAVING count(thumb_path) >= 2
            ORDER BY count(DISTINCT prompt_id) DESC, count(thumb_path) DESC, session_id LIMIT 1
        )
        SELECT f.session_id, f.session_seq, f.generation_id, f.thumb_path, p.prompt, f.status,
               f.latency_ms, f.user_id
        FROM fact_generations f JOIN pick USING (session_id) LEFT JOIN dim_prompts p USING (prompt_id)
        WHERE f.thumb_path IS NOT NULL ORDER BY f.session_seq LIMIT $limit
        """,
        {"limit": limit},
    )


def enrichment_counts(wh: Warehouse) -> dict:
    """What enrichment added: distinct prompts, those with an embedding and with labels, and the
    generations with a thumbnail."""
    return wh.row(
        "SELECT count(*) AS prompts, count(text_embedding) AS embedded, count(domain) AS labelled, "
        "(SELECT count(thumb_path) FROM fact_generations) AS thumbs FROM dim_prompts"
    )


def column_types(wh: Warehouse) -> dict[str, dict[str, str]]:
    """table -> {column: DuckDB type} for the mart tables, as the warehouse stores them."""
    frame = wh.query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    )
    types: dict[str, dict[str, str]] = {}
    for row in frame.itertuples():
        types.setdefault(row.table_name, {})[row.column_name] = row.data_type
    return types


def kpis(
    wh: Warehouse,
    filters: Filters | None = None,
    compare: str = "previous",
    compare_start: str | date | None = None,
    compare_end: str | date | None = None,
) -> dict[str, dict]:
    """Each KPI over the filtered period and, unless ``compare="none"``, over the period compared
    with (``Filters.compared_period``: the period of the same length just before, or a chosen one).

    {metric: {"value": v, "previous": p, "change": (v - p) / |p| or None}}; {metric: {"value": v}}
    with ``compare="none"``. "previous" holds the compared period's value in either mode.
    """
    filters = filters or Filters()
    first, last = data_range(wh)
    against = filters.compared_period(first, last, compare, compare_start, compare_end)
    current = _kpi_row(wh, replace(filters, start=filters.start or first, end=filters.end or last))
    if against is None:
        return {name: {"value": current[name]} for name in KPI_METRICS}
    before = _kpi_row(wh, against)
    out = {}
    for name in KPI_METRICS:
        value, prev = current[name], before[name]
        change = None if prev in (None, 0) or value is None else (value - prev) / abs(prev)
        out[name] = {"value": value, "previous": prev, "change": change}
    return out


def _kpi_row(wh: Warehouse, filters: Filters) -> dict:
    where, params = filters.where()
    select = _select(*KPI_METRICS)
    return wh.row(f"SELECT {select} {from_filtered(where, select)}", params)


def time_span(wh: Warehouse, filters: Filters) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The first and last generation (UTC) passing the filters; None when none does. Remembered
    per filters while the warehouse is open: each chart over time asks for the same span."""

    def compute():
        where, params = filters.where()
        span = "epoch_ms(min(f.created_at)), epoch_ms(max(f.created_at))"
        first, last = wh.rows(f"SELECT {span} {from_filtered(where, span)}", params)[0]
        return None if first is None else (pd.Timestamp(first, unit="ms"), pd.Timestamp(last, unit="ms"))

    return wh.memo(("time_span", filters), compute)


def time_grain(wh: Warehouse, filters: Filters, roll_up: bool = False) -> str:
    """The grain a time chart draws for these filters (``timegrain``): from the span of the
    generations passing them or, when none does, of the filter's dates (a day when open).
    ``roll_up``: the coarser grain of a roll-up chart, when the data fill enough of its buckets."""
    span = time_span(wh, filters)
    if span is None:
        if not (filters.start and filters.end):
            return "day"
        span = (pd.Timestamp(filters.start), pd.Timestamp(filters.end) + pd.Timedelta(hours=23))
    grain = timegrain.grain_for_span(span[1] - span[0])
    return timegrain.rolled_up(grain, *span) if roll_up else grain


def _over_time(
    wh: Warehouse, filters: Filters, metrics: tuple[str, ...], grain: str, shift_days: int
) -> pd.DataFrame:
    """One row per non-empty bucket of ``grain`` (``bucket``: its start, UTC; ``grain``), the
    buckets moved forward by ``shift_days``; the grain is in the frame's attrs too."""
    where, params = filters.where()
    select = f"{timegrain.BUCKET_SQL[grain]} AS bucket, {_select(*metrics)}"
    frame = wh.query(
        f"SELECT {select} {from_filtered(where, select)} GROUP BY ALL ORDER BY bucket",
        {**params, "shift_days": shift_days},
    )
    frame.insert(1, "grain", grain)
    frame.attrs["grain"] = grain
    return frame


def activity_over_time(
    wh: Warehouse, filters: Filters | None = None, *, grain: str | None = None, shift_days: int = 0
) -> pd.DataFrame:
    """One row per hour, day, week or month with generations (the grain fits the span, see
    ``timegrain``; or ``grain``): generations, users, success rate, p50/p95 latency, cost, revenue."""
    filters = filters or Filters()
    metrics = (
        "generations",
        "active_users",
        "success_rate",
        "p50_latency_ms",
        "p95_latency_ms",
        "cost_usd",
        "revenue_usd",
    )
    return _over_time(wh, filters, metrics, grain or time_grain(wh, filters), shift_days)


def performance_over_time(
    wh: Warehouse, filters: Filters | None = None, *, grain: str | None = None, shift_days: int = 0
) -> pd.DataFrame:
    """One row per bucket of the roll-up grain (weeks over six weeks of data, hours over a few):
    generations, users, success rate, cost, revenue, margin."""
    filters = filters or Filters()
    metrics = ("generations", "active_users", "success_rate", "cost_usd", "revenue_usd", "margin_usd")
    return _over_time(wh, filters, metrics, grain or time_grain(wh, filters, roll_up=True), shift_days)


def with_comparison(
    wh: Warehouse,
    filters: Filters | None,
    query,
    compare: str = "previous",
    compare_start: str | date | None = None,
    compare_end: str | date | None = None,
) -> pd.DataFrame:
    """``query(wh, filters)``'s rows, then its rows over the compared period
    (``Filters.compared_period``: the period of equal length just before, or a chosen one), at the
    same grain, moved onto the shown period's axis (the compared period's first day on the shown
    one's). ``period`` says which rows are which ("current", and "previous" or "compared", as
    ``COMPARE_LABELS``), ``period_start``/``period_end`` their dates (in attrs["periods"] too, for a
    compared period without rows)."""
    filters = filters or Filters()
    first, last = data_range(wh)
    current = replace(filters, start=filters.start or first, end=filters.end or last)
    against = filters.compared_period(first, last, compare, compare_start, compare_end)
    now = query(wh, filters)
    if against is None:
        return now
    label = COMPARE_LABELS[compare]
    grain = now.attrs.get("grain")
    days = (current.start - against.start).days
    before = query(wh, against, grain=grain, shift_days=days) if grain else query(wh, against)
    parts = [
        rows.assign(period=name, period_start=period.start, period_end=period.end)
        for name, period, rows in (("current", current, now), (label, against, before))
    ]
    frame = pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True)
    periods = {"current": (current.start, current.end), label: (against.start, against.end)}
    frame.attrs = {**now.attrs, "periods": periods}
    return frame


def with_previous_period(wh: Warehouse, filters: Filters | None, query) -> pd.DataFrame:
    """``with_comparison`` against the period of equal length just before the shown one."""
    return with_comparison(wh, filters, query, "previous")


def status_breakdown(wh: Warehouse, filters: Filters | None = None) -> pd.DataFrame:
    """One row per (status, error code): generations and their share of all."""
    frame = _grouped(
        wh,
        filters or Filters(),
        "f.status, coalesce(f.error_code, '') AS error_code",
        ("generations",),
        "generations DESC",
    )
    frame["share"] = frame["generations"] / frame["generations"].sum() if len(frame) else []
    return frame


def latency_by_hour_and_tier(wh: Warehouse, filters: Filters | None = None) -> pd.DataFrame:
    """One row per (UTC hour of day, tier): generations, p50 and p95 latency."""
    keys = f"{semantic.load().dimensions['hour'].expression('generations')} AS hour, u.tier"
    return _grouped(
        wh, filters or Filters(), keys, ("generations", "p50_latency_ms", "p95_latency_ms"), "hour, tier"
    )


def label_breakdown(wh: Warehouse, field: str, filters: Filters | None = None) -> pd.DataFrame:
    """One row per prompt label value (field: 'domain' or 'art_style'): volume, quality, money."""
    if field not in ("domain", "art_style"):
        raise ValueError("field must be 'domain' or 'art_style'")
    keys = f"coalesce(f.{field}, 'unlabelled') AS {field}"
    metrics = ("generations", "active_users", "failure_rate", "p95_latency_ms", "revenue_usd")
    return _grouped(wh, filters or Filters(), keys, metrics, "generations DESC")


def complexity_profile(wh: Warehouse, filters: Filters | None = None) -> pd.DataFrame:
    """One row per prompt complexity score (1-10): generations, p50/p95 latency, failure rate."""
    keys = "f.complexity_score"
    metrics = ("generations", "p50_latency_ms", "p95_latency_ms", "failure_rate")
    frame = _grouped(wh, filters or Filters(), keys, metrics, "complexity_score")
    return frame[frame["complexity_score"].notna()].reset_index(drop=True)


def friction_by_tier(wh: Warehouse, filters: Filters | None = None) -> pd.DataFrame:
    """One row per tier: sessions, mean friction and the mean of each of its drivers.

    A session counts when any of its generations passes the filters (the distinct sessions of
    the passing generations, joined: at 1M generations 55 ms faster than an IN over them).
    """
    where, params = (filters or Filters()).where()
    return wh.query(
        f"""
        SELECT u.tier, count(*) AS sessions,
               avg(s.friction_score) AS friction, avg(s.failure_share) AS failure_share,
               avg(s.retry_share) AS retry_share, avg(s.wait_score) AS wait_score,
               avg(s.abandoned::INTEGER) AS abandoned_share, avg(s.n_generations) AS generations_per_session
        FROM (SELECT DISTINCT f.session_id {from_filtered(where)}) AS passing
        JOIN dim_sessions s USING (session_id) JOIN dim_users u USING (user_id)
        GROUP BY u.tier ORDER BY friction DESC
        """,
        params,
    )


def dimension_values(wh: Warehouse) -> dict[str, list[str]]:
    """dimension -> its distinct values among the generations, for every dimension of the semantic
    layer whose values a filter or a question may name (once per open warehouse)."""

    def compute() -> dict[str, list[str]]:
        values = {}
        for name, dim in semantic.load().dimensions.items():
            expr = dim.expression("generations")
            if dim.values and expr:
                frame = wh.query(
                    f"SELECT DISTINCT {expr} AS v FROM {GENERATIONS.from_reading(expr)} "
                    f"WHERE {expr} IS NOT NULL ORDER BY 1"
                )
                values[name] = [str(v) for v in frame["v"]]
        return values

    return wh.memo("dimension_values", compute)


def filter_choices(wh: Warehouse) -> dict[str, list[str]]:
    """filter name -> the values it can take in this warehouse (the filter bar's choices, and what
    ``Filters.from_inputs`` checks values against)."""
    values = dimension_values(wh)
    return {spec.name: values.get(spec.dimension, []) for spec in VALUE_FIELDS}


# the tables that hold each kind of id (the copilot's lookups by id: copilot/ids.py)
_ID_TABLES = {"user": ("dim_users", "user_id"), "session": ("dim_sessions", "session_id"),
              "prompt": ("dim_prompts", "prompt_id")}  # fmt: skip


def ids_named(wh: Warehouse, token: str) -> dict[str, str]:
    """kind (user, session, prompt) -> the id as stored, for each kind whose table holds ``token``
    as an id, compared without case (a support ticket may quote an id in capitals)."""
    found = {}
    for kind, (table, column) in _ID_TABLES.items():
        sql = f"SELECT {column} FROM {table} WHERE lower({column}) = lower($id) LIMIT 1"
        rows = wh.rows(sql, {"id": token})
        if rows:
            found[kind] = str(rows[0][0])
    return found
