"""DiffusionDB-sized builds: the scale generator, per-step peak memory, and the build benchmark."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb
import pytest
from click.testing import CliRunner

from genai_analyzer.cli import main as cli
from genai_analyzer.pipeline.sample import default_users


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="resetting the peak needs Linux /proc")
def test_the_peak_memory_of_a_step_starts_again_after_a_reset():
    # In a fresh interpreter: a long test session's allocator may keep freed blocks resident,
    # which would hide the reset rather than test it.
    script = textwrap.dedent(
        """
        from genai_analyzer.core.peak_memory import peak_mb, reset_peak
        assert reset_peak()
        before = peak_mb()
        block = bytearray(200 * 2**20)  # 200 MB, touched so that it is resident
        block[::4096] = b"x" * len(block[::4096])
        grown = peak_mb()
        del block
        reset_peak()
        print(before, grown, peak_mb())
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    before, grown, after = map(float, out.split())
    assert grown - before >= 190
    assert after < grown - 150


def test_generate_writes_the_diffusiondb_layout_at_the_size_asked(tmp_path):
    out = tmp_path / "scale"
    result = CliRunner().invoke(cli, ["generate", "--generations", "2500", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "wrote 2,500 generations" in result.output
    meta = str(out / "metadata.parquet")
    rows, users, parts = duckdb.sql(
        f"SELECT count(*), count(DISTINCT user_name), count(DISTINCT part_id) FROM read_parquet('{meta}')"
    ).fetchone()
    assert (rows, parts) == (2500, 3)  # 1,000 rows a part, as DiffusionDB
    assert users <= default_users(2500)
    columns = [r[0] for r in duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{meta}')").fetchall()]
    assert columns == [
        "image_name", "prompt", "part_id", "seed", "step", "cfg", "sampler", "width", "height",
        "user_name", "timestamp", "image_nsfw", "prompt_nsfw",
    ]  # fmt: skip


def test_generate_refuses_to_overwrite_a_dataset_unless_asked(tmp_path):
    out = tmp_path / "scale"
    assert (
        CliRunner().invoke(cli, ["generate", "--generations", "1000", "--out", str(out), "--quiet"]).exit_code
        == 0
    )
    before = (out / "metadata.parquet").read_bytes()
    again = CliRunner().invoke(cli, ["generate", "--generations", "1000", "--out", str(out), "--seed", "9"])
    assert again.exit_code == 2 and "add --overwrite" in again.output
    assert (out / "metadata.parquet").read_bytes() == before
    redo = ["generate", "--generations", "1000", "--out", str(out), "--seed", "9", "--overwrite", "--quiet"]
    assert CliRunner().invoke(cli, redo).exit_code == 0
    assert (out / "metadata.parquet").read_bytes() != before
    bad = CliRunner().invoke(cli, ["generate", "--generations", "0", "--out", str(out)])
    assert bad.exit_code == 2 and "--generations" in bad.output


@pytest.mark.slow  # several builds: in the full suite only
def test_the_build_benchmark_smoke_run_reports_every_step_at_two_sizes(tmp_path, capsys):
    from scripts.bench_build import STEPS, main

    table = main(["--sizes", "3000", "6000", "--workdir", str(tmp_path)])
    lines = table.splitlines()
    assert lines[0].startswith("| step | 3k s | 3k peak MB | 6k s | 6k peak MB | time 6k/3k |")
    for step in (*STEPS, "**total**", "warehouse file"):
        assert any(line.startswith(f"| {step} |") for line in lines), step
    total = next(line for line in lines if line.startswith("| **total** |"))
    seconds = [float(cell.strip(" *")) for cell in total.split("|")[2:6:2]]
    assert all(s > 0 for s in seconds)
    assert (tmp_path / "warehouse_6000.duckdb").exists()
    with duckdb.connect(str(tmp_path / "warehouse_6000.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM fact_generations").fetchone() == (6000,)
    assert "loadavg before" in capsys.readouterr().out


def test_dbt_runs_under_the_builds_memory_limit(tmp_path, monkeypatch):
    """GENAI_MEMORY_LIMIT reaches dbt's own DuckDB connection (it did not: at 2M generations with
    prompt vectors dbt took the build to 9.7 GB); unset, dbt gets DuckDB's default, which the
    profile cannot leave empty. A limit too small for the models stops dbt, naming the memory."""
    from genai_analyzer.core.errors import BuildError
    from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
    from genai_analyzer.pipeline.transform import dbt_memory_limit
    from tests.conftest import make_settings

    default = dbt_memory_limit("")
    assert default.endswith("iB") and duckdb.sql(f"SELECT '{default}'").fetchone()
    assert dbt_memory_limit("3GB") == "3GB"
    settings = make_settings(tmp_path, memory_limit="3GB")
    build_warehouse(settings, BuildRequest(source="sample", enrich=()), progress=False)
    assert __import__("os").environ["GENAI_DBT_MEMORY_LIMIT"] == "3GB"
    import genai_analyzer.pipeline.transform as transform

    real = transform.run_dbt

    def tiny(*args, memory_limit="", **kwargs):
        return real(*args, memory_limit="1MB", **kwargs)

    monkeypatch.setattr(transform, "run_dbt", tiny)
    small = make_settings(tmp_path / "small")
    with pytest.raises(BuildError, match="(?i)memory"):
        build_warehouse(small, BuildRequest(source="sample", enrich=()), progress=False)
