"""The fault corpus (docs/reliability.md): damaged and hostile inputs, built in temporary folders.

Each fault is built twice from real DiffusionDB rows: once as is, where the build must finish,
name the problem (count and first examples) in its report, build every other row and lose none
(rows read = rows built + rows rejected), and once with ``strict``, where it must fail with the
same message. Inputs that cannot be used at all must fail clearly and keep the old warehouse.
Then: one build at a time per warehouse, stale locks, and what killed builds leave behind.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from genai_analyzer.analysis.status import format_status, warehouse_status
from genai_analyzer.core.errors import BuildError
from genai_analyzer.pipeline.build import BuildLock, BuildRequest, build_warehouse
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings, shared_path

OFFICIAL = [
    "image_name", "prompt", "part_id", "seed", "step", "cfg", "sampler", "width", "height",
    "user_name", "timestamp", "image_nsfw", "prompt_nsfw",
]  # fmt: skip


# --- the clean corpus ------------------------------------------------------------------------


def image_entries() -> list[dict]:
    with open(shared_path("parts_000001-000005", "images", "images_index.csv")) as fh:
        return list(csv.DictReader(fh))


def clean_metadata() -> pd.DataFrame:
    """1,000 real rows with users and times; the first 5 carry the names of the 5 real images."""
    frame = pd.read_parquet(shared_path("users_1k", "diffusiondb_sample_typed.parquet"))
    frame = frame.drop(columns=["row_in_source"]).reset_index(drop=True)
    entries = image_entries()
    frame["image_name"] = pd.Series([e["image_name"] for e in entries], dtype="object")
    frame["part_id"] = pd.Series([int(e["part_id"]) for e in entries], dtype="Int64")
    return frame[OFFICIAL]


def write_images(folder: Path) -> None:
    """images/part-00000N.zip holding the real images (stored, so a byte is easy to damage)."""
    src = shared_path("parts_000001-000005", "images")
    (folder / "images").mkdir(parents=True, exist_ok=True)
    for entry in image_entries():
        archive = folder / "images" / f"part-{int(entry['part_id']):06d}.zip"
        with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_STORED) as zf:
            zf.write(src / entry["file"], entry["image_name"])


def clean_dataset(folder: Path, frame: pd.DataFrame | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (clean_metadata() if frame is None else frame).to_parquet(folder / "metadata.parquet")
    write_images(folder)
    return folder


def team_logs(n: int = 300) -> pd.DataFrame:
    real = pd.read_parquet(shared_path("users_1k", "diffusiondb_sample_typed.parquet")).head(n)
    return pd.DataFrame(
        {
            "user_id": real["user_name"].str[:12],
            "timestamp": real["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "prompt": real["prompt"],
            "status": "success",
            "latency_ms": [1500.0 + i for i in range(n)],
        }
    )


# --- the faults ------------------------------------------------------------------------------


@dataclass
class Fault:
    """A damaged input: how to make it, and what the build must report about it."""

    request: BuildRequest
    rows_read: int  # rows the source holds (readable ones)
    rejected: list[int] = field(default_factory=list)  # source rows that must be rejected
    kinds: dict[str, int] = field(default_factory=dict)  # issue kind -> count
    example: str = ""  # text the report must show


def _diffusiondb(folder: Path, **kwargs) -> BuildRequest:
    return BuildRequest(source="diffusiondb", path=folder, enrich=(), **kwargs)


def truncated_zip(folder: Path) -> Fault:
    clean_dataset(folder)
    archive = folder / "images" / "part-000001.zip"
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) * 6 // 10])  # the central directory is gone
    return Fault(
        _diffusiondb(folder),
        1000,
        kinds={"archive_unreadable": 1, "image_missing": 1},
        example="part-000001.zip",
    )


def bad_crc_member(folder: Path) -> Fault:
    clean_dataset(folder)
    archive = folder / "images" / "part-000002.zip"
    with zipfile.ZipFile(archive) as zf:
        info = zf.infolist()[1]
    data = bytearray(archive.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF  # one byte of the image: its CRC no longer holds
    archive.write_bytes(bytes(data))
    request = BuildRequest(source="diffusiondb", path=folder, enrich=("thumbnails",))
    return Fault(request, 1000, kinds={"image_corrupt": 1}, example=f"part-000002.zip::{info.filename}")


def bad_crc_part_json(folder: Path) -> Fault:
    """No metadata file: rows are rebuilt from the part JSONs, and part 2's is damaged."""
    src = shared_path("parts_000001-000005")
    (folder / "images").mkdir(parents=True)
    for part in (1, 2):
        with zipfile.ZipFile(folder / "images" / f"part-{part:06d}.zip", "w") as zf:
            zf.write(src / f"part-{part:06d}.json", f"part-{part:06d}.json")
    archive = folder / "images" / "part-000002.zip"
    with zipfile.ZipFile(archive) as zf:
        info = zf.infolist()[0]
    data = bytearray(archive.read_bytes())
    data[info.header_offset + 30 + len(info.filename.encode()) + 40] ^= 0xFF
    archive.write_bytes(bytes(data))
    return Fault(_diffusiondb(folder), 1000, kinds={"part_json_unreadable": 1}, example="part-000002.json")


def zero_byte_parquet(folder: Path) -> Fault:
    """A folder of logs where one file is empty (zero bytes)."""
    folder.mkdir(parents=True)
    team_logs().to_parquet(folder / "a.parquet")
    (folder / "b.parquet").write_bytes(b"")
    request = BuildRequest(source="logs", path=folder, enrich=())
    return Fault(request, 300, kinds={"file_unreadable": 1}, example="b.parquet")


def wrong_column_types(folder: Path) -> Fault:
    frame = clean_metadata()
    frame["width"] = frame["width"].astype(str).astype(object)
    frame.loc[10, "width"] = "wide"
    frame.loc[11, "width"] = "512.5"
    frame["step"] = frame["step"].astype(str).astype(object)
    frame.loc[12, "step"] = "fifty"
    clean_dataset(folder, frame)
    return Fault(
        _diffusiondb(folder),
        1000,
        rejected=[10, 11, 12],
        kinds={"width_not_a_number": 1, "width_not_whole": 1, "step_not_a_number": 1},
        example="row 10: wide",
    )


def negative_sizes(folder: Path) -> Fault:
    frame = clean_metadata()
    frame.loc[[20, 21, 22], "width"] = -512
    frame.loc[23, "height"] = 0
    clean_dataset(folder, frame)
    return Fault(
        _diffusiondb(folder),
        1000,
        rejected=[20, 21, 22, 23],
        kinds={"width_out_of_range": 3, "height_out_of_range": 1},
        example="row 20: -512",
    )


def out_of_range_steps_cfg_and_nan(folder: Path) -> Fault:
    clean_dataset(folder)
    meta = folder / "metadata.parquet"
    con = duckdb.connect()
    con.execute(
        f"""
        COPY (SELECT * REPLACE (
                CASE WHEN rn = 30 THEN 'nan'::DOUBLE WHEN rn = 31 THEN 500.0 ELSE cfg END AS cfg,
                CASE WHEN rn = 32 THEN 0 ELSE step END AS step,
                CASE WHEN rn = 33 THEN 'inf'::DOUBLE ELSE image_nsfw END AS image_nsfw)
              FROM (SELECT *, row_number() OVER () - 1 AS rn FROM read_parquet('{meta}'))
              ORDER BY rn)
        TO '{folder / "m.parquet"}' (FORMAT parquet)
        """
    )
    con.close()
    (folder / "m.parquet").replace(meta)
    return Fault(
        _diffusiondb(folder),
        1000,
        rejected=[30, 31, 32, 33],
        kinds={"cfg_nan": 1, "cfg_out_of_range": 1, "step_out_of_range": 1, "image_nsfw_nan": 1},
        example="row 30",
    )


def unparseable_timestamps(folder: Path) -> Fault:
    frame = clean_metadata()
    frame["timestamp"] = frame["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S+00:00").astype(object)
    frame.loc[40, "timestamp"] = "yesterday-ish"
    frame.loc[41, "timestamp"] = "2022-13-45 99:00"
    frame.loc[42, "timestamp"] = None
    clean_dataset(folder, frame)
    return Fault(
        _diffusiondb(folder),
        1000,
        kinds={"timestamp_unparseable": 2, "timestamp_missing": 1},
        example="row 40: yesterday-ish",
    )


def duplicate_image_names(folder: Path) -> Fault:
    frame = clean_metadata()
    frame.loc[[50, 51], "image_name"] = frame.loc[0, "image_name"]
    frame.loc[[50, 51], "part_id"] = frame.loc[0, "part_id"]
    clean_dataset(folder, frame)
    return Fault(
        _diffusiondb(folder),
        1000,
        rejected=[50, 51],
        kinds={"duplicate_key": 2},
        example=f"row 50 [{frame.loc[0, 'image_name']}]: first at row 0",
    )


def bad_log_values(folder: Path) -> Fault:
    """Logs: an unknown status and tier, text latency, a repeated generation id, columns named
    ``filename`` and ``rowid``."""
    folder.mkdir(parents=True)
    logs = team_logs()
    logs["generation_id"] = [f"g{i}" for i in range(len(logs))]
    logs["tier"] = "pro"
    logs["latency_ms"] = logs["latency_ms"].astype(str).astype(object)
    logs.loc[5, "status"] = "exploded"
    logs.loc[6, "tier"] = "platinum"
    logs.loc[7, "latency_ms"] = "fast"
    logs.loc[8, "generation_id"] = "g1"
    logs["filename"] = "x.png"
    logs["rowid"] = 7
    logs.to_csv(folder / "logs.csv", index=False)
    request = BuildRequest(source="logs", path=folder / "logs.csv", enrich=())
    kinds = {"status_unknown": 1, "tier_unknown": 1, "src_latency_ms_not_a_number": 1, "duplicate_key": 1}
    return Fault(request, 300, rejected=[5, 6, 7, 8], kinds=kinds, example="row 8 [g1]: first at row 1")


FAULTS = [
    truncated_zip,
    bad_crc_member,
    bad_crc_part_json,
    zero_byte_parquet,
    wrong_column_types,
    negative_sizes,
    out_of_range_steps_cfg_and_nan,
    unparseable_timestamps,
    duplicate_image_names,
    bad_log_values,
]


def _no_leftovers(folder: Path) -> None:
    left = [p.name for p in folder.iterdir() if "_building_" in p.name or p.name.endswith(".lock")]
    assert left == []


@pytest.mark.slow
@pytest.mark.parametrize("make_fault", FAULTS, ids=[f.__name__ for f in FAULTS])
def test_each_fault_is_reported_the_rest_is_built_and_strict_fails_with_the_same_message(
    tmp_path, make_fault
):
    fault = make_fault(tmp_path / "input")
    settings = make_settings(tmp_path)
    summary = build_warehouse(settings, fault.request, progress=False)

    ingest = summary.ingest
    got = {issue["kind"]: issue["count"] for issue in ingest["issues"]}
    assert got == fault.kinds
    messages = [issue["message"] for issue in ingest["issues"]]
    assert any(fault.example in m for m in messages), messages
    # nothing lost: every row read is built or rejected, and the rejected ones are the faulty ones
    assert ingest["rows_read"] == fault.rows_read
    assert ingest["rows_read"] == summary.table_rows["fact_generations"] + ingest["rows_rejected"]
    with Warehouse(settings.db_path, extensions=()) as wh:
        rejected = list(wh.query("SELECT source_row FROM raw.rejected_generations ORDER BY 1")["source_row"])
        issues = wh.scalar("SELECT count(*) FROM raw.ingest_issues")
        built = wh.scalar("SELECT count(*) FROM fact_generations")
    assert rejected == fault.rejected
    assert issues == sum(i["count"] for i in ingest["issues"] if i["action"] != "counted")
    assert built == fault.rows_read - len(fault.rejected)
    # the status command shows the same messages
    text = format_status(warehouse_status(settings.db_path))
    for message in messages:
        assert message in text

    strict = make_settings(tmp_path / "strict")
    fault.request.strict = True
    with pytest.raises(BuildError, match="--strict") as err:
        build_warehouse(strict, fault.request, progress=False)
    for message in messages:
        assert message in str(err.value)
    assert not strict.db_path.exists()
    _no_leftovers(tmp_path)
    _no_leftovers(strict.db_path.parent)


def test_the_clean_corpus_has_no_problems_so_each_strict_failure_is_its_fault(tmp_path):
    from genai_analyzer.pipeline.ingest.diffusiondb import ingest_diffusiondb
    from genai_analyzer.warehouse.duck import connect

    con = connect(":memory:", extensions=())
    report = ingest_diffusiondb(con, clean_dataset(tmp_path / "clean"))
    assert (report.rows, report.rows_rejected, report.images_found, report.issues) == (1000, 0, 5, [])
    # the values land as read: sizes, steps, cfg and times of the source, none altered
    source = clean_metadata()
    got = con.execute("SELECT width, height, step, cfg, created_at FROM raw.generations ORDER BY 1").df()
    assert sorted(got["width"]) == sorted(source["width"])
    assert sorted(got["cfg"]) == sorted(source["cfg"])
    assert list(got["created_at"].sort_values()) == list(source["timestamp"].sort_values())


def test_negative_widths_no_longer_turn_into_timeouts(tmp_path):
    """Before the checks, a width of -512 made the simulation's pixel factor NaN, and NaN compares
    above every number: the generation silently became a timeout."""
    from genai_analyzer.pipeline.simulate import refuse_invalid_inputs
    from genai_analyzer.warehouse.duck import connect

    con = connect(":memory:", extensions=())
    con.execute("CREATE SCHEMA raw")
    con.execute(
        "CREATE TABLE raw.generations AS SELECT 'g1' AS generation_id, 0 AS source_row, -512 AS width, "
        "512 AS height, 50 AS step, 7.0 AS cfg, 0.1 AS image_nsfw, 0.1 AS prompt_nsfw, "
        "NULL::DOUBLE AS src_queue_ms, NULL::DOUBLE AS src_latency_ms, NULL::DOUBLE AS src_gpu_seconds, "
        "NULL::DOUBLE AS src_cost_usd, NULL::DOUBLE AS src_revenue_usd"
    )
    with pytest.raises(Exception, match="non-positive size"):
        refuse_invalid_inputs(con)


# --- unusable input fails clearly ------------------------------------------------------------


def _zero_byte_metadata(folder: Path) -> BuildRequest:
    clean_dataset(folder)
    (folder / "metadata.parquet").write_bytes(b"")
    return _diffusiondb(folder)


def _logs_without_user_id(folder: Path) -> BuildRequest:
    folder.mkdir(parents=True)
    team_logs().drop(columns=["user_id"]).to_parquet(folder / "logs.parquet")
    return BuildRequest(source="logs", path=folder / "logs.parquet", enrich=())


def _every_log_file_empty(folder: Path) -> BuildRequest:
    folder.mkdir(parents=True)
    for name in ("a.parquet", "b.parquet"):
        (folder / name).write_bytes(b"")
    return BuildRequest(source="logs", path=folder, enrich=())


def _every_row_rejected(folder: Path) -> BuildRequest:
    frame = clean_metadata().head(3)
    frame["width"] = -1
    clean_dataset(folder, frame)
    return _diffusiondb(folder)


@pytest.mark.parametrize(
    "make_request, message",
    [
        (_zero_byte_metadata, "Cannot read"),
        (_logs_without_user_id, "lack the required column"),
        (_every_log_file_empty, "Cannot read any of the logs"),
        (_every_row_rejected, "width outside 1..16384: 3 rows rejected"),
    ],
)
@pytest.mark.parametrize("strict", [False, True])
def test_unusable_input_fails_clearly_at_ingest_in_both_modes(tmp_path, make_request, message, strict):
    request = make_request(tmp_path / "input")
    request.strict = strict
    settings = make_settings(tmp_path)
    with pytest.raises(BuildError, match=message) as err:
        build_warehouse(settings, request, progress=False)
    assert err.value.step == "ingest"
    assert not settings.db_path.exists()
    _no_leftovers(tmp_path)


# --- valid but extreme input builds whole, strict or not --------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("strict", [False, True])
def test_a_130_kb_prompt_is_built_whole(tmp_path, strict):
    frame = clean_metadata()
    long_prompt = ("a lighthouse on a cliff at dusk, oil painting, " * 3000)[:130_000]
    frame.loc[60, "prompt"] = long_prompt
    request = _diffusiondb(clean_dataset(tmp_path / "input", frame), strict=strict)
    settings = make_settings(tmp_path)
    summary = build_warehouse(settings, request, progress=False)
    assert summary.ingest["issues"] == [] and summary.table_rows["fact_generations"] == 1000
    with Warehouse(settings.db_path, extensions=()) as wh:
        stored = wh.scalar("SELECT prompt FROM dim_prompts WHERE length(prompt) > 100000")
    assert stored == long_prompt


@pytest.mark.slow
@pytest.mark.parametrize("strict", [False, True])
def test_a_10000_row_single_user_session_is_built(tmp_path, strict):
    n = 10_000
    real = pd.read_parquet(shared_path("users_1k", "diffusiondb_sample_typed.parquet"))
    logs = pd.DataFrame(
        {
            "user_id": "one-busy-user",
            "timestamp": pd.date_range("2024-03-01 09:00", periods=n, freq="1s").strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
            "prompt": [real["prompt"].iloc[i % len(real)] for i in range(n)],
        }
    )
    (tmp_path / "input").mkdir()
    logs.to_parquet(tmp_path / "input" / "logs.parquet")
    settings = make_settings(tmp_path)
    request = BuildRequest(source="logs", path=tmp_path / "input" / "logs.parquet", enrich=(), strict=strict)
    summary = build_warehouse(settings, request, progress=False)
    assert summary.ingest["issues"] == []
    with Warehouse(settings.db_path, extensions=()) as wh:
        sessions = wh.query("SELECT n_generations, duration_s FROM dim_sessions")
        users = wh.query("SELECT n_generations FROM dim_users")
    assert list(sessions["n_generations"]) == [n]  # one session: no gap, under the 24 h cut
    assert abs(sessions["duration_s"].iloc[0] - (n - 1)) <= 1
    assert list(users["n_generations"]) == [n]


# --- one build at a time ----------------------------------------------------------------------


def _cli_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENAI_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return env


def _cli_build(db: Path, data: Path) -> subprocess.Popen:
    args = [sys.executable, "-m", "genai_analyzer.cli", "build", "--source", "diffusiondb"]
    args += ["--path", str(data), "--db", str(db), "--quiet", "--skip", "embeddings,labels,thumbnails"]
    return subprocess.Popen(
        args, env=_cli_env(), cwd=db.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.slow
def test_two_builds_a_second_apart_one_builds_the_other_says_why_it_stops(tmp_path):
    data = shared_path("users_1k", "diffusiondb_sample_typed.parquet")
    db = tmp_path / "w.duckdb"
    first = _cli_build(db, data)
    time.sleep(1.0)
    second = _cli_build(db, data)
    out_second = second.communicate(timeout=300)[0]
    out_first = first.communicate(timeout=300)[0]
    results = sorted([(first.returncode, out_first, first.pid), (second.returncode, out_second, second.pid)])
    (ok, ok_out, ok_pid), (failed, failed_out, _) = results
    assert (ok, failed) == (0, 1), (out_first, out_second)
    assert "fact_generations" in ok_out
    assert "another build is writing" in failed_out
    assert f"pid {ok_pid}," in failed_out and "started 20" in failed_out
    assert "Traceback" not in failed_out
    with Warehouse(db, extensions=()) as wh:
        assert wh.scalar("SELECT count(*) FROM fact_generations") == 1000
    _no_leftovers(tmp_path)


def test_a_held_lock_stops_a_second_build_at_once_naming_the_holder(tmp_path):
    settings = make_settings(tmp_path)
    with BuildLock(settings.db_path.resolve()):
        holder = json.loads((tmp_path / "warehouse.duckdb.lock").read_text())
        started = time.perf_counter()
        with pytest.raises(BuildError, match="another build is writing") as err:
            build_warehouse(settings, BuildRequest(source="sample"), progress=False)
        assert time.perf_counter() - started < 3
    assert err.value.step == "prepare"
    assert f"pid {os.getpid()}," in str(err.value) and holder["started_at"] in str(err.value)
    assert not (tmp_path / "warehouse.duckdb.lock").exists()  # the holder removes it when done


def test_a_stale_lock_and_leftovers_of_dead_builds_are_taken_over_and_removed(tmp_path):
    settings = make_settings(tmp_path)
    dead, alive = _dead_pid(), os.getppid()
    lock = tmp_path / "warehouse.duckdb.lock"
    lock.write_text(json.dumps({"pid": dead, "started_at": "2024-01-01T00:00:00+00:00"}))
    leftovers = [
        f"warehouse_building_{dead}.duckdb",
        f"warehouse_building_{dead}.duckdb.wal",
        f".write-test-{dead}",
    ]
    for name in leftovers:
        (tmp_path / name).write_bytes(b"left by a killed build")
    (tmp_path / f"warehouse_building_{dead}.duckdb.tmp").mkdir()
    (tmp_path / f"warehouse_building_{dead}.duckdb.tmp" / "spill.block").write_bytes(b"x")
    running = tmp_path / f"warehouse_building_{alive}.duckdb"  # a live process's file: untouched
    running.write_bytes(b"in use")
    other = tmp_path / f"other_building_{dead}.duckdb"  # another warehouse's: not ours to remove
    other.write_bytes(b"x")

    data = shared_path("users_1k", "diffusiondb_sample_typed.parquet")
    summary = build_warehouse(
        settings, BuildRequest(source="diffusiondb", path=data, enrich=()), progress=False
    )
    assert summary.stale_lock["pid"] == dead
    assert sorted(summary.leftovers_removed) == sorted([*leftovers, f"warehouse_building_{dead}.duckdb.tmp"])
    assert sorted(
        p.name for p in tmp_path.iterdir() if "_building_" in p.name or "write-test" in p.name
    ) == sorted([running.name, other.name])
    assert not lock.exists()


@pytest.mark.slow
def test_a_killed_build_leaves_nothing_the_next_build_does_not_clean(tmp_path):
    data = shared_path("users_1k", "diffusiondb_sample_typed.parquet")
    db = tmp_path / "w.duckdb"
    proc = _cli_build(db, data)
    building = tmp_path / f"w_building_{proc.pid}.duckdb"
    deadline = time.monotonic() + 60
    while not building.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert building.exists(), "the build never started writing"
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert building.exists() and (tmp_path / "w.duckdb.lock").exists()  # what a kill leaves

    settings = make_settings(tmp_path, db_path=db)
    summary = build_warehouse(
        settings, BuildRequest(source="diffusiondb", path=data, enrich=()), progress=False
    )
    assert summary.stale_lock["pid"] == proc.pid
    assert f"w_building_{proc.pid}.duckdb" in summary.leftovers_removed
    _no_leftovers(tmp_path)
    with Warehouse(db, extensions=()) as wh:
        assert wh.scalar("SELECT count(*) FROM fact_generations") == 1000
    shutil.rmtree(tmp_path / ".dbt", ignore_errors=True)
