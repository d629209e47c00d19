"""The query layer: one function per question, named after what it returns.

Every number the app, the API and the CLI show comes from here, through ``Warehouse.query`` with
bound parameters. Metrics are defined once (``METRICS``) and reused by every query that needs them.
"""

from __future__ import annotations

from genai_analyzer.warehouse import Warehouse

# Metric name -> SQL aggregate over fact_generations (alias f). Defined once, used everywhere.
METRICS = {
    "generations": "count(*)",
    "active_users": "count(DISTINCT f.user_id)",
    "sessions": "count(DISTINCT f.session_id)",
    "success_rate": "avg(CASE WHEN f.status = 'success' THEN 1.0 ELSE 0.0 END)",
    "error_rate": "avg(CASE WHEN f.status = 'error' THEN 1.0 ELSE 0.0 END)",
    "p50_latency_ms": "quantile_cont(f.latency_ms, 0.5)",
    "p95_latency_ms": "quantile_cont(f.latency_ms, 0.95)",
    "cost_usd": "sum(f.cost_usd)",
    "revenue_usd": "sum(f.revenue_usd)",
    "margin_usd": "sum(f.revenue_usd) - sum(f.cost_usd)",
}


def overview_figures(wh: Warehouse) -> dict:
    """One row of headline figures over the whole warehouse, plus where the data came from."""
    select = ", ".join(f"{sql} AS {name}" for name, sql in METRICS.items())
    row = wh.query(
        f"SELECT {select}, min(f.created_at) AS first_at, max(f.created_at) AS last_at, "
        "count(f.image_path) AS with_image FROM fact_generations f"
    ).iloc[0]
    info = wh.build_info()
    figures = {name: _plain(row[name]) for name in METRICS}
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


def _plain(value):
    """numpy scalars -> Python numbers, so results are JSON-friendly."""
    return value.item() if hasattr(value, "item") else value
