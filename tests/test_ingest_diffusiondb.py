"""The DiffusionDB loader on real rows: layouts, image alignment, missing data, bad input."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from genai_analyzer.core.errors import IngestError
from genai_analyzer.core.images import read_image_bytes
from genai_analyzer.pipeline.ingest.diffusiondb import fetch_diffusiondb, ingest_diffusiondb, parse_parts
from genai_analyzer.warehouse.duck import connect
from tests.conftest import shared_path


@pytest.fixture
def con():
    con = connect(":memory:", extensions=())
    con.execute("SET TimeZone = 'UTC'")
    yield con
    con.close()


def raw(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM raw.generations ORDER BY source_row").df()


def image_index() -> list[dict]:
    with open(shared_path("parts_000001-000005", "images", "images_index.csv")) as fh:
        return list(csv.DictReader(fh))


def test_parts_folder_with_missing_images_is_loaded_and_counted(con):
    report = ingest_diffusiondb(con, shared_path("parts_000001-000005"))
    assert report.rows == 5000
    assert report.images_found == 5
    assert report.images_missing == 4995
    assert report.empty_prompts == 1
    assert report.rows_without_user == 5000  # this file has no user_name column
    rows = raw(con)
    assert rows["generation_id"].is_unique
    assert set(rows["sampler"]) <= {"k_lms", "k_euler", "k_euler_ancestral", "k_heun", "k_dpm_2_ancestral"}


def test_each_found_image_is_the_image_of_its_own_row(con):
    folder = shared_path("parts_000001-000005")
    ingest_diffusiondb(con, folder)
    rows = raw(con).set_index("image_name")
    for entry in image_index():
        row = rows.loc[entry["image_name"]]
        assert row["prompt"] == entry["prompt"]
        assert int(row["part_id"]) == int(entry["part_id"])
        assert int(row["seed"]) == int(entry["seed"])
        assert read_image_bytes(row["image_path"]) == (folder / "images" / entry["file"]).read_bytes()


def _zip_layout(tmp_path: Path) -> Path:
    """The official layout: metadata.parquet plus images/part-NNNNNN.zip with PNGs and JSON."""
    src = shared_path("parts_000001-000005")
    (tmp_path / "images").mkdir(parents=True)
    shutil.copy(src / "metadata.parquet", tmp_path / "metadata.parquet")
    by_part: dict[int, list[dict]] = {}
    for entry in image_index():
        by_part.setdefault(int(entry["part_id"]), []).append(entry)
    for part, entries in by_part.items():
        with zipfile.ZipFile(tmp_path / "images" / f"part-{part:06d}.zip", "w") as zf:
            for entry in entries:
                zf.write(src / "images" / entry["file"], entry["image_name"])
            zf.write(src / f"part-{part:06d}.json", f"part-{part:06d}.json")
    return tmp_path


def test_images_inside_part_zips_are_matched_by_name_and_part(con, tmp_path):
    folder = _zip_layout(tmp_path)
    report = ingest_diffusiondb(con, folder)
    assert report.images_found == 5
    rows = raw(con).set_index("image_name")
    src = shared_path("parts_000001-000005", "images")
    for entry in image_index():
        path = rows.loc[entry["image_name"], "image_path"]
        assert path.endswith(f"part-{int(entry['part_id']):06d}.zip::{entry['image_name']}")
        assert read_image_bytes(path) == (src / entry["file"]).read_bytes()


def test_an_image_stored_under_the_wrong_part_is_not_attached(con, tmp_path):
    folder = _zip_layout(tmp_path)
    entry = next(e for e in image_index() if e["part_id"] == "1")
    # Move part 1's only image into part 3's archive: its (image_name, part_id) no longer matches.
    (folder / "images" / "part-000001.zip").unlink()
    with zipfile.ZipFile(folder / "images" / "part-000003.zip", "w") as zf:
        zf.write(shared_path("parts_000001-000005", "images", entry["file"]), entry["image_name"])
    report = ingest_diffusiondb(con, folder)
    assert report.images_found == 4
    rows = raw(con).set_index("image_name")
    assert pd.isna(rows.loc[entry["image_name"], "image_path"])


def test_rows_are_rebuilt_from_part_jsons_when_metadata_is_absent(con, tmp_path):
    src = shared_path("parts_000001-000005")
    for part in (1, 2):
        shutil.copy(src / f"part-{part:06d}.json", tmp_path)
    report = ingest_diffusiondb(con, tmp_path)
    assert report.rows == 2000
    expected = pd.read_parquet(src / "metadata.parquet").query("part_id <= 2")
    got = raw(con)
    assert list(got["image_name"]) == list(expected["image_name"])
    assert list(got["prompt"]) == list(expected["prompt"].fillna(""))
    assert list(got["sampler"]) == list(expected["sampler"])


def test_integer_sampler_codes_and_official_columns(con, tmp_path):
    frame = pd.read_parquet(shared_path("users_1k", "diffusiondb_sample_typed.parquet")).head(20)
    frame = frame.drop(columns=["row_in_source"])
    frame.insert(0, "image_name", [f"{i:08d}-0000-0000-0000-000000000000.png" for i in range(20)])
    frame.insert(2, "part_id", 1)
    frame["sampler"] = 8
    frame.to_parquet(tmp_path / "metadata.parquet")
    report = ingest_diffusiondb(con, tmp_path)
    assert report.rows == 20
    rows = raw(con)
    assert set(rows["sampler"]) == {"k_lms"}
    assert rows["created_at"].notna().all()
    assert report.images_missing == 20


def test_missing_and_deleted_users_are_counted(con, tmp_path):
    frame = pd.read_parquet(shared_path("users_1k", "diffusiondb_sample_typed.parquet")).head(10)
    frame.loc[0:1, "user_name"] = None
    frame.loc[2, "user_name"] = "deleted_account"
    frame.to_parquet(tmp_path / "metadata.parquet")
    report = ingest_diffusiondb(con, tmp_path)
    assert (report.rows_without_user, report.deleted_accounts) == (2, 1)


def test_limit_and_parts_select_rows(con):
    folder = shared_path("parts_000001-000005")
    assert ingest_diffusiondb(con, folder, parts=[2, 4]).rows == 2000
    assert set(raw(con)["part_id"]) == {2, 4}
    assert ingest_diffusiondb(con, folder, limit=123).rows == 123


def test_parse_parts_reads_ranges_and_rejects_nonsense():
    assert parse_parts("1-3,7") == [1, 2, 3, 7]
    assert parse_parts(None) is None
    with pytest.raises(IngestError, match="ranges like"):
        parse_parts("one-two")
    with pytest.raises(IngestError, match="start at 1"):
        parse_parts("0-2")


def test_corrupt_parquet_gives_a_clear_error(con, tmp_path):
    (tmp_path / "metadata.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(IngestError, match="Cannot read"):
        ingest_diffusiondb(con, tmp_path)


def test_metadata_without_prompt_column_is_refused(con, tmp_path):
    pd.DataFrame({"seed": [1, 2]}).to_parquet(tmp_path / "metadata.parquet")
    with pytest.raises(IngestError, match="no 'prompt' column"):
        ingest_diffusiondb(con, tmp_path)


def test_empty_metadata_is_refused(con, tmp_path):
    pd.DataFrame({"prompt": pd.Series([], dtype=str)}).to_parquet(tmp_path / "metadata.parquet")
    with pytest.raises(IngestError, match="no generations"):
        ingest_diffusiondb(con, tmp_path)


def test_a_folder_that_is_not_diffusiondb_is_refused(con, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(IngestError, match="does not look like DiffusionDB"):
        ingest_diffusiondb(con, tmp_path)
    with pytest.raises(IngestError, match="not found"):
        ingest_diffusiondb(con, tmp_path / "missing")


def test_hub_fetch_downloads_metadata_and_parts_through_the_hub_client_interface(tmp_path):
    """The hub cannot be reached here: a stand-in with hf_hub_download's signature serves files."""
    remote = _zip_layout(tmp_path / "remote")
    calls = []

    def fake_hf_hub_download(*, repo_id, filename, repo_type, local_dir):
        calls.append((repo_id, filename, repo_type))
        target = Path(local_dir) / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(remote / filename, target)
        return str(target)

    dest = tmp_path / "local"
    fetch_diffusiondb(dest, [2], downloader=fake_hf_hub_download, progress=False)
    assert calls == [
        ("poloclub/diffusiondb", "metadata.parquet", "dataset"),
        ("poloclub/diffusiondb", "images/part-000002.zip", "dataset"),
    ]
    fetch_diffusiondb(dest, [2], downloader=fake_hf_hub_download, progress=False)
    assert len(calls) == 2  # files already there are not fetched again
    con = connect(":memory:", extensions=())
    report = ingest_diffusiondb(con, dest, parts=[2])
    assert (report.rows, report.images_found) == (1000, 4)


def test_hub_errors_become_an_actionable_message(tmp_path):
    def offline(**kwargs):
        raise ConnectionError("no route to host")

    with pytest.raises(IngestError, match="pass --path"):
        fetch_diffusiondb(tmp_path, [1], downloader=offline, progress=False)


def test_json_params_in_zip_agree_with_metadata(tmp_path):
    folder = _zip_layout(tmp_path)
    meta = pd.read_parquet(folder / "metadata.parquet").set_index("image_name")
    with zipfile.ZipFile(folder / "images" / "part-000002.zip") as zf:
        params = json.loads(zf.read("part-000002.json"))
    for name, p in list(params.items())[:50]:
        assert meta.loc[name, "prompt"] == p["p"]
        assert int(meta.loc[name, "seed"]) == p["se"]


def test_duckdb_connection_has_no_network_autoinstall():
    con = connect(":memory:")
    loaded = dict(con.execute("SELECT extension_name, loaded FROM duckdb_extensions()").fetchall())
    assert loaded["vss"] and loaded["fts"]
    with pytest.raises(duckdb.Error):
        con.execute("SELECT * FROM read_csv('https://example.invalid/x.csv')")
