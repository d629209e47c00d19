"""Sessionization on the real DiffusionDB rows, checked against a plain-Python reference."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from genai_analyzer.pipeline.ingest.diffusiondb import ingest_diffusiondb
from genai_analyzer.pipeline.sessionize import UNKNOWN_USER, build_sessions
from genai_analyzer.warehouse.duck import connect
from tests.conftest import shared_path


def reference_sessions(rows: pd.DataFrame, gap_minutes: int, max_hours: int) -> set[frozenset]:
    """Sessions as sets of generation ids, by the documented rule, one user at a time."""
    sessions = []
    for _, group in rows.sort_values(["created_at", "generation_id"]).groupby("user_name", sort=False):
        current, run_start, prev, current_window = [], None, None, None
        for row in group.itertuples():
            new_run = prev is None or row.created_at - prev > timedelta(minutes=gap_minutes)
            if new_run:
                run_start = row.created_at
            window = (row.created_at - run_start) // timedelta(hours=max_hours)
            if new_run or window != current_window:
                if current:
                    sessions.append(frozenset(current))
                current = []
            current.append(row.generation_id)
            current_window, prev = window, row.created_at
        sessions.append(frozenset(current))
    return set(sessions)


@pytest.fixture
def real_rows():
    con = connect(":memory:", extensions=())
    con.execute("SET TimeZone = 'UTC'")
    ingest_diffusiondb(con, shared_path("users_1k", "diffusiondb_sample_typed.parquet"))
    yield con
    con.close()


def sessions_of(con) -> set[frozenset]:
    frame = con.execute("SELECT session_id, list(generation_id) AS ids FROM raw.sessionized GROUP BY 1").df()
    return {frozenset(ids) for ids in frame["ids"]}


@pytest.mark.parametrize("gap", [5, 30, 120])
def test_sessions_match_the_reference_rule_on_real_rows(real_rows, gap):
    counts = build_sessions(real_rows, gap_minutes=gap)
    rows = real_rows.execute("SELECT generation_id, user_name, created_at FROM raw.generations").df()
    expected = reference_sessions(rows, gap, 24)
    assert sessions_of(real_rows) == expected
    assert counts == {"sessions": len(expected), "users": 173}


def test_a_longer_gap_never_makes_more_sessions(real_rows):
    n = [build_sessions(real_rows, gap_minutes=g)["sessions"] for g in (5, 30, 120, 600)]
    assert n == sorted(n, reverse=True)
    assert n[0] > n[-1]


def test_session_positions_run_from_one_in_time_order(real_rows):
    build_sessions(real_rows)
    frame = real_rows.execute(
        "SELECT s.session_id, s.session_seq, g.created_at FROM raw.sessionized s "
        "JOIN raw.generations g USING (generation_id) ORDER BY s.session_id, s.session_seq"
    ).df()
    for _, group in frame.groupby("session_id"):
        assert list(group["session_seq"]) == list(range(1, len(group) + 1))
        assert group["created_at"].is_monotonic_increasing


def test_activity_longer_than_max_hours_is_cut(tmp_path):
    con = connect(":memory:", extensions=())
    stamps = pd.date_range("2024-01-01", periods=60, freq="20min", tz="UTC")  # 20 h of steady work
    pd.DataFrame({"prompt": "a cat", "user_name": "u1", "timestamp": stamps}).to_parquet(
        tmp_path / "metadata.parquet"
    )
    ingest_diffusiondb(con, tmp_path)
    assert build_sessions(con, gap_minutes=30, max_hours=24)["sessions"] == 1
    assert build_sessions(con, gap_minutes=30, max_hours=6)["sessions"] == 4


def test_rows_without_a_usable_user_are_sessions_of_their_own(tmp_path):
    con = connect(":memory:", extensions=())
    stamps = pd.date_range("2024-01-01", periods=6, freq="1min", tz="UTC")
    users = [None, None, "deleted_account", "", "u1", "u1"]
    pd.DataFrame({"prompt": "x", "user_name": users, "timestamp": stamps}).to_parquet(
        tmp_path / "metadata.parquet"
    )
    ingest_diffusiondb(con, tmp_path)
    assert build_sessions(con) == {"sessions": 5, "users": 2}
    unknown = con.execute(
        "SELECT count(*) FROM raw.sessionized WHERE user_id = $u", {"u": UNKNOWN_USER}
    ).fetchone()[0]
    assert unknown == 4
