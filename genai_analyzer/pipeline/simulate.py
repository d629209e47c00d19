"""Telemetry the source lacks, simulated reproducibly in SQL.

Every random draw is a pure function of (row key, purpose, seed): DuckDB's ``hash`` of those three
gives a uniform number, so a row gets the same values whatever else is in the build, and the same
seed always gives the same warehouse. Columns a source provides are kept as they are; only missing
values are simulated, and ``simulated_columns`` reports how many rows of each column were.

Every formula and constant here is written out in docs/simulation.md; keep the two in step.
"""

from __future__ import annotations

import duckdb

from genai_analyzer.core.errors import IngestError

# The constants of the model, in one place (docs/simulation.md explains each).
PARAMS = {
    "missing_timestamps_start": "2022-08-08 00:00:00+00",
    "missing_timestamps_days": 14,
    "tier_enterprise_base": 0.04,
    "tier_enterprise_extra": 0.06,
    "tier_pro_base": 0.20,
    "tier_pro_extra": 0.25,
    "tier_activity_saturation": 100,
    "signup_mean_days_before_first_seen": 60,
    "signup_max_days_before_first_seen": 730,
    "queue_base_ms": 600,
    "queue_load_exponent": 1.5,
    "queue_sigma": 0.8,
    "priority_free": 1.0,
    "priority_pro": 0.4,
    "priority_enterprise": 0.15,
    "run_overhead_ms": 350,
    "run_ms_per_step_512px": 48,
    "run_pixel_exponent": 1.15,
    "run_sigma": 0.12,
    "second_order_sampler_factor": 2.0,
    "timeout_ms": 60000,
    "error_base": 0.015,
    "error_per_extra_megapixel_unit": 0.02,
    "error_per_load_above_1_5": 0.01,
    "error_free_tier_overload": 0.02,
    "error_invalid_cfg": 0.25,
    "nsfw_check_ms": 150,
    "gpu_usd_per_second": 0.0008,
    "revenue_pro_usd": 0.010,
    "revenue_enterprise_usd": 0.008,
}
SECOND_ORDER_SAMPLERS = ("k_heun", "k_dpm_2", "k_dpm_2_ancestral")
SIMULATED_COLUMNS = (
    "created_at",
    "tier",
    "signup_at",
    "status",
    "error_code",
    "queue_ms",
    "latency_ms",
    "gpu_seconds",
    "cost_usd",
    "revenue_usd",
)


def define_random_macros(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    """``sim_u(key, purpose)`` uniform in (0, 1); ``sim_n(key, purpose)`` standard normal."""
    seed = int(seed)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP MACRO sim_u(k, purpose) AS
            ((hash(k || '|' || purpose || '|{seed}') >> 11)::DOUBLE + 0.5) / 9007199254740992.0;
        CREATE OR REPLACE TEMP MACRO sim_n(k, purpose) AS
            sqrt(-2 * ln(sim_u(k, purpose || ':a'))) * cos(2 * pi() * sim_u(k, purpose || ':b'));
        """
    )


def fill_missing_timestamps(con: duckdb.DuckDBPyConnection) -> int:
    """Give rows without a timestamp one spread over DiffusionDB's collection window; return count."""
    p = PARAMS
    n = con.execute("SELECT count(*) FROM raw.generations WHERE created_at IS NULL").fetchone()[0]
    if n:
        con.execute(
            f"""
            UPDATE raw.generations
            SET created_at = TIMESTAMPTZ '{p["missing_timestamps_start"]}'
                + to_minutes(floor(sim_u(generation_id, 'created_at')
                                   * {p["missing_timestamps_days"]} * 1440)::BIGINT)
            WHERE created_at IS NULL
            """
        )
    return n


def simulate_users(con: duckdb.DuckDBPyConnection) -> int:
    """Create ``raw.users``: tier (given or simulated from activity) and signup date per user."""
    p = PARAMS
    activity = f"least(1.0, ln(1 + n) / ln({p['tier_activity_saturation']}))"
    p_ent = f"({p['tier_enterprise_base']} + {p['tier_enterprise_extra']} * {activity})"
    p_pro = f"({p['tier_pro_base']} + {p['tier_pro_extra']} * {activity})"
    con.execute(
        f"""
        CREATE OR REPLACE TABLE raw.users AS
        WITH u AS (
            SELECT s.user_id,
                   CASE WHEN s.user_id = 'unknown' THEN NULL ELSE any_value(g.user_name) END AS user_name,
                   count(*) AS n,
                   min(g.created_at) AS first_seen_at,
                   max(g.created_at) AS last_seen_at,
                   CASE WHEN s.user_id = 'unknown' THEN NULL ELSE max(g.src_tier) END AS src_tier
            FROM raw.generations g JOIN raw.sessionized s USING (generation_id)
            GROUP BY s.user_id
        )
        SELECT user_id, user_name, user_id <> 'unknown' AS is_known,
               coalesce(src_tier, CASE
                   WHEN user_id = 'unknown' THEN 'free'
                   WHEN sim_u(user_id, 'tier') < {p_ent} THEN 'enterprise'
                   WHEN sim_u(user_id, 'tier') < {p_ent} + {p_pro} THEN 'pro'
                   ELSE 'free' END) AS tier,
               src_tier IS NULL AS tier_simulated,
               first_seen_at - to_minutes(floor(least(
                   {p["signup_max_days_before_first_seen"]},
                   -{p["signup_mean_days_before_first_seen"]} * ln(sim_u(user_id, 'signup'))
               ) * 1440)::BIGINT) AS signup_at,
               first_seen_at, last_seen_at
        FROM u
        """
    )
    return con.execute("SELECT count(*) FROM raw.users").fetchone()[0]


# Values the ingest rejects (docs/reliability.md). Were one to reach the model it would be altered
# silently: a width <= 0 makes the pixel factor negative, pow() of it NaN, and DuckDB orders NaN
# above every number, so the row became a timeout; a NaN nsfw score became a block.
_INVALID_INPUT = """
    width <= 0 OR height <= 0 OR step <= 0
    OR isnan(cfg) OR isinf(cfg) OR isnan(image_nsfw) OR isnan(prompt_nsfw)
    OR isnan(src_queue_ms) OR isnan(src_latency_ms) OR isnan(src_gpu_seconds)
    OR isnan(src_cost_usd) OR isnan(src_revenue_usd)
"""


def refuse_invalid_inputs(con: duckdb.DuckDBPyConnection) -> None:
    """Fail, naming the rows, when ``raw.generations`` holds a value the model cannot take."""
    n, examples = con.execute(
        f"SELECT count(*), list(generation_id ORDER BY source_row)[1:5] FROM raw.generations "
        f"WHERE {_INVALID_INPUT}"
    ).fetchone()
    if n:
        raise IngestError(
            f"{n} row(s) of raw.generations have a non-positive size or step or a NaN value "
            f"(generation_id {', '.join(examples)}); the simulation does not guess for them."
        )


def simulate_telemetry(con: duckdb.DuckDBPyConnection, *, nsfw_block_threshold: float = 0.9) -> int:
    """Create ``raw.telemetry``: status, error code, queue/latency, GPU time, cost, revenue."""
    refuse_invalid_inputs(con)
    p = PARAMS
    second_order = ", ".join(f"'{s}'" for s in SECOND_ORDER_SAMPLERS)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE raw.telemetry AS
        WITH hourly AS (
            SELECT date_trunc('hour', created_at) AS hr, count(*) AS n
            FROM raw.generations GROUP BY 1
        ),
        load AS (
            SELECT hr, greatest(0.25, least(4.0, n / avg(n) OVER ())) AS load FROM hourly
        ),
        base AS (
            SELECT g.*, u.tier, l.load,
                   coalesce(g.width, 512) * coalesce(g.height, 512) / 262144.0 AS px,
                   coalesce(g.cfg, 7) AS cfg_used,
                   CASE u.tier WHEN 'enterprise' THEN {p["priority_enterprise"]}
                               WHEN 'pro' THEN {p["priority_pro"]}
                               ELSE {p["priority_free"]} END AS priority,
                   CASE WHEN g.sampler IN ({second_order})
                        THEN {p["second_order_sampler_factor"]} ELSE 1.0 END AS sampler_factor
            FROM raw.generations g
            JOIN raw.sessionized s USING (generation_id)
            JOIN raw.users u USING (user_id)
            JOIN load l ON l.hr = date_trunc('hour', g.created_at)
        ),
        draws AS (
            SELECT *,
                {p["queue_base_ms"]} * priority * pow(load, {p["queue_load_exponent"]})
                    * exp({p["queue_sigma"]} * sim_n(generation_id, 'queue')) AS queue_sim,
                {p["run_overhead_ms"]} + coalesce(step, 50) * {p["run_ms_per_step_512px"]}
                    * pow(px, {p["run_pixel_exponent"]}) * sampler_factor
                    * exp({p["run_sigma"]} * sim_n(generation_id, 'run')) AS run_sim,
                {p["error_base"]}
                    + {p["error_per_extra_megapixel_unit"]} * greatest(0, px - 1)
                    + {p["error_per_load_above_1_5"]} * greatest(0, load - 1.5)
                    + CASE WHEN tier = 'free' AND load > 2 THEN {p["error_free_tier_overload"]} ELSE 0 END
                    + CASE WHEN cfg_used < 1 OR cfg_used > 30 THEN {p["error_invalid_cfg"]} ELSE 0 END
                    AS p_error
            FROM base
        ),
        status AS (
            SELECT *, coalesce(src_status, CASE
                WHEN image_nsfw >= {float(nsfw_block_threshold)} THEN 'nsfw_blocked'
                WHEN queue_sim + run_sim > {p["timeout_ms"]} THEN 'timeout'
                WHEN sim_u(generation_id, 'error') < p_error THEN 'error'
                ELSE 'success' END) AS status_final
            FROM draws
        ),
        timed AS (
            SELECT *,
                coalesce(src_queue_ms, round(queue_sim)) AS queue_final,
                round(CASE status_final
                    WHEN 'success' THEN run_sim
                    WHEN 'nsfw_blocked' THEN run_sim + {p["nsfw_check_ms"]}
                    WHEN 'timeout' THEN greatest(0, {p["timeout_ms"]} - coalesce(src_queue_ms, queue_sim))
                    ELSE run_sim * (0.05 + 0.55 * sim_u(generation_id, 'error_at')) END) AS run_final
            FROM status
        ),
        final AS (
            SELECT generation_id,
                status_final AS status,
                coalesce(src_error_code, CASE status_final
                    WHEN 'success' THEN NULL
                    WHEN 'nsfw_blocked' THEN 'NSFW_FILTER'
                    WHEN 'timeout' THEN 'TIMEOUT'
                    ELSE CASE
                        WHEN cfg_used < 1 OR cfg_used > 30 THEN 'INVALID_PARAMS'
                        WHEN px > 1.5 AND sim_u(generation_id, 'code') < 0.6 THEN 'CUDA_OOM'
                        WHEN load > 1.5 AND sim_u(generation_id, 'code') < 0.5 THEN 'WORKER_UNAVAILABLE'
                        ELSE 'MODEL_ERROR' END
                    END) AS error_code,
                queue_final AS queue_ms,
                coalesce(src_latency_ms, queue_final + run_final) AS latency_ms,
                coalesce(src_gpu_seconds,
                         greatest(0, coalesce(src_latency_ms, queue_final + run_final) - queue_final)
                         / 1000.0) AS gpu_seconds,
                tier,
                src_cost_usd, src_revenue_usd
            FROM timed
        )
        SELECT generation_id, status, error_code, queue_ms, latency_ms, gpu_seconds,
               round(coalesce(src_cost_usd, gpu_seconds * {p["gpu_usd_per_second"]}), 6) AS cost_usd,
               round(coalesce(src_revenue_usd, CASE WHEN status <> 'success' THEN 0
                   WHEN tier = 'pro' THEN {p["revenue_pro_usd"]}
                   WHEN tier = 'enterprise' THEN {p["revenue_enterprise_usd"]}
                   ELSE 0 END), 6) AS revenue_usd
        FROM final
        """
    )
    return con.execute("SELECT count(*) FROM raw.telemetry").fetchone()[0]


def simulated_columns(con: duckdb.DuckDBPyConnection, timestamps_filled: int) -> dict[str, int]:
    """Rows simulated per column (0: the source provided every value)."""
    row = con.execute(
        """
        SELECT count(*) FILTER (WHERE src_status IS NULL),
               count(*) FILTER (WHERE src_error_code IS NULL AND coalesce(src_status, '') <> 'success'),
               count(*) FILTER (WHERE src_queue_ms IS NULL),
               count(*) FILTER (WHERE src_latency_ms IS NULL),
               count(*) FILTER (WHERE src_gpu_seconds IS NULL),
               count(*) FILTER (WHERE src_cost_usd IS NULL),
               count(*) FILTER (WHERE src_revenue_usd IS NULL)
        FROM raw.generations
        """
    ).fetchone()
    tier_rows, users = con.execute(
        "SELECT count(*) FILTER (WHERE tier_simulated), count(*) FROM raw.users"
    ).fetchone()
    counts = dict(zip(SIMULATED_COLUMNS[3:], row, strict=True))
    return {"created_at": timestamps_filled, "tier": tier_rows, "signup_at": users, **counts}
