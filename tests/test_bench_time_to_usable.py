"""scripts/bench_time_to_usable.py on a small metadata file, end to end as a user runs it: the
build in a child process with the static tier from an empty model cache, the app's first answers,
the MiniLM baseline and the table (docs/benchmarks.md, Time to usable)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the static model is made from the bundled MiniLM (a few minutes)

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_time_to_usable.py"


def _seconds(output: str, row: str) -> float:
    m = re.search(rf"^\| {re.escape(row)} \| \**([\d.,]+)\** \|$", output, re.M)
    assert m, f"no row {row!r} in:\n{output}"
    return float(m.group(1).replace(",", ""))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("ttu")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--size", "1500", "--sample", "20", "--workdir", str(workdir)],
        capture_output=True,
        text=True,
        timeout=1500,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return workdir, done.stdout


def test_the_build_is_timed_and_the_app_answers_each_surface(run):
    _, output = run
    build = _seconds(output, "build, `GENAI_EMBEDDING_BACKEND=static` (child process, wall)")
    embeddings = _seconds(output, "of which embeddings (making the static model, then every prompt)")
    usable = _seconds(output, "**time to usable** (build + open + the first answer of each)")
    assert 0 < embeddings < build <= usable
    for surface in ("open", "overview", "kpis", "daily series", "keyword search", "search by meaning"):
        assert _seconds(output, f"first answer: {surface}") >= 0
    assert "search by meaning answered with the static tier" in output  # not MiniLM's vectors


def test_the_baseline_is_measured_in_the_same_run(run):
    _, output = run
    m = re.search(r"^1,500 generations, ([\d,]+) distinct prompts; skipped: labels,clusters", output, re.M)
    assert m, output
    rate = re.search(r"MiniLM \(`onnx`, ([\d,]+) prompts/s on 20\)", output)
    assert rate, output
    baseline = re.search(r"until search by meaning works \| (\d+) \|", output)
    ratio = re.search(r"ratio, baseline / static \| ([\d.]+)x \|", output)
    assert baseline and ratio
    usable = _seconds(output, "**time to usable** (build + open + the first answer of each)")
    assert float(ratio.group(1)) == pytest.approx(int(baseline.group(1)) / usable, abs=0.06)


def test_the_metadata_is_kept_for_the_next_run_and_each_run_gets_a_fresh_cache(run):
    workdir, output = run
    assert (workdir / "meta_1500" / "metadata.parquet").is_file()
    (folder,) = [p for p in workdir.iterdir() if p.name.startswith("run-")]
    assert (folder / "warehouse.duckdb").is_file()
    assert list((folder / "models" / "static").iterdir()), "the static model was made in the run's own cache"
    assert re.search(r"peak resident memory of the build: [\d,]+ MB", output)
