"""Sessions from real activity: per user, in time order, a new session after an inactivity gap.

Rule (docs/sessions.md): a user's generations are ordered by time; a new session starts when
more than ``gap_minutes`` passed since the user's previous generation. A session that keeps going
for longer than ``max_hours`` is cut into consecutive ``max_hours`` windows counted from its first
generation. Rows without a known user (null, empty or "deleted_account") cannot be linked to each
other, so each is a session of its own under the single user id ``unknown``.
"""

from __future__ import annotations

import duckdb

UNKNOWN_USER = "unknown"

USER_ID_SQL = f"""
    CASE WHEN user_name IS NULL OR trim(user_name) IN ('', 'deleted_account') THEN '{UNKNOWN_USER}'
         ELSE substr(md5('user:' || user_name), 1, 16) END
"""


def build_sessions(
    con: duckdb.DuckDBPyConnection, *, gap_minutes: int = 30, max_hours: int = 24
) -> dict[str, int]:
    """Create ``raw.sessionized``: one row per generation with user_id, session_id, session_seq."""
    con.execute(
        f"""
        CREATE OR REPLACE TABLE raw.sessionized AS
        WITH g AS (
            SELECT generation_id, created_at, {USER_ID_SQL} AS user_id,
                   -- unknown users: every generation is its own activity stream
                   CASE WHEN {USER_ID_SQL} = '{UNKNOWN_USER}' THEN generation_id
                        ELSE {USER_ID_SQL} END AS stream
            FROM raw.generations
        ),
        gaps AS (
            SELECT *,
                   CASE WHEN lag(created_at) OVER w IS NULL
                          OR created_at - lag(created_at) OVER w > to_minutes($gap)
                        THEN 1 ELSE 0 END AS starts_run
            FROM g
            WINDOW w AS (PARTITION BY stream ORDER BY created_at, generation_id)
        ),
        runs AS (
            SELECT *, sum(starts_run) OVER (
                       PARTITION BY stream ORDER BY created_at, generation_id
                       ROWS UNBOUNDED PRECEDING) AS run_no
            FROM gaps
        ),
        windows AS (
            SELECT *,
                   floor(epoch(created_at - min(created_at) OVER (PARTITION BY stream, run_no))
                         / (3600 * $max_hours))::INTEGER AS window_no
            FROM runs
        ),
        keyed AS (
            SELECT *,
                   first_value(generation_id) OVER (
                       PARTITION BY stream, run_no, window_no
                       ORDER BY created_at, generation_id) AS first_generation
            FROM windows
        )
        SELECT generation_id, user_id,
               substr(md5('session:' || first_generation), 1, 16) AS session_id,
               row_number() OVER (
                   PARTITION BY first_generation ORDER BY created_at, generation_id
               ) AS session_seq
        FROM keyed
        """,
        {"gap": gap_minutes, "max_hours": max_hours},
    )
    n_sessions, n_users = con.execute(
        "SELECT count(DISTINCT session_id), count(DISTINCT user_id) FROM raw.sessionized"
    ).fetchone()
    return {"sessions": n_sessions, "users": n_users}
