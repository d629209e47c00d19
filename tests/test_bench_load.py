"""The load benchmark (scripts/bench_load.py) run for real with a few clients for a few seconds: it
starts `genai-analyzer serve` on the sample warehouse, drives every endpoint over HTTP, reports
per-endpoint figures and the server's peak memory, and leaves no server behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow  # a real server start (about 15-40 s here) plus the load

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_load.py"
ENDPOINTS = ("kpis", "timeseries", "chart", "search", "sessions", "session", "generation", "ask")


def test_a_short_run_reports_every_endpoint_and_the_peak_memory(sample_warehouse, tmp_path):
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--db", str(sample_warehouse), "--clients", "4", "--duration", "4",
         "--workdir", str(tmp_path), "--json", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.read_text())
    rows = report["summary"]["endpoints"]
    assert list(rows) == list(ENDPOINTS)
    for name, row in rows.items():
        assert row["calls"] >= 1, (name, row)
        assert row["errors"] == 0, (name, row["error_examples"])
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["max_ms"], (name, row)
    assert all(first["ok"] for first in report["warm_up"].values()), report["warm_up"]
    assert report["summary"]["calls"] == sum(r["calls"] for r in rows.values())
    memory = report["memory"]
    assert memory["max_children"] >= 1  # the copilot's query workers are counted
    assert memory["peak_mb"] >= memory["after_warmup_mb"] > 100
    assert memory["peak_mb"] >= memory["peak_server_mb"] + 0.9 * memory["peak_children_mb"]
    # the Markdown table on stdout, one row per endpoint
    for name in ENDPOINTS:
        assert f"| /{name} |" in run.stdout
    assert "0 errors" in run.stdout and "peak" in run.stdout
    # the server and its workers are gone
    serving = [
        p for p in psutil.process_iter(["cmdline"])
        if p.info["cmdline"] and "serve" in p.info["cmdline"] and str(sample_warehouse) in p.info["cmdline"]
    ]  # fmt: skip
    assert not serving, serving
