"""Hugging Face datasets: a prompt or generation dataset read with the ``datasets`` library.

``--source hf --dataset X`` reads X as

- a local folder written by ``Dataset.save_to_disk`` / ``DatasetDict.save_to_disk``;
- a local Parquet file, or a folder of Parquet files (a hub-style ``data/train-*.parquet`` layout
  gives its splits);
- otherwise a hub id (``owner/name``), loaded with ``datasets.load_dataset`` when the hub can be
  reached. Before that, the hub's address must answer an HTTP request within ``HUB_PROBE_SECONDS``:
  offline, the build fails at once with a message saying what to do, instead of waiting through
  the client's retries.
  With ``HF_HUB_OFFLINE=1`` (or ``HF_DATASETS_OFFLINE=1``) the hub is not tried and ``datasets``
  reads its own cache.

The rows then go through the logs column contract (``logs.land_logs``), with ``--columns`` naming
the dataset's own columns (``prompt=text,user_id=author``). Only ``prompt`` is required: a
prompts-only dataset gets what any source without users or timestamps gets (each generation a
session of the ``unknown`` user; timestamps, tiers and telemetry simulated), and the report's
notes say so. Image, audio and video columns are left out (named in the notes); a ``ClassLabel``
column is read as its label names.
"""

from __future__ import annotations

import contextlib
import re
import threading
from pathlib import Path

import duckdb

from genai_analyzer.core.errors import IngestError
from genai_analyzer.pipeline.ingest.common import IngestReport
from genai_analyzer.pipeline.ingest.logs import FILE_COLUMN, land_logs

HUB_PROBE_SECONDS = 3.0
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")
SAVED_MARKERS = ("state.json", "dataset_dict.json")  # what save_to_disk writes
MEDIA_FEATURES = ("Image", "Audio", "Video", "Pdf")  # feature types whose values are files


def ingest_hf(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    *,
    split: str | None = None,
    columns: dict[str, str] | None = None,
    limit: int | None = None,
    progress: bool = False,
) -> IngestReport:
    """Load ``dataset`` (hub id or local path) into ``raw.generations`` through the logs contract."""
    with _progress_bars(progress):
        ds, location, split = load_hf_dataset(dataset, split=split)
    report = IngestReport(source="hf", location=location)
    report.notes.append(f"split {split}: {len(ds):,} rows")
    if limit is not None and limit < len(ds):
        ds = ds.select(range(limit))
    table = _arrow_table(ds, report)
    con.execute("SET TimeZone = 'UTC'")  # timestamps without an offset are UTC
    con.register("hf_rows", table)
    try:
        # FILE_COLUMN as <folder>/<split>: relative image paths are relative to the folder, and a
        # row without a generation_id is found as "<split>:<row>".
        con.execute(
            f'CREATE OR REPLACE TEMP TABLE logs AS SELECT *, $file AS "{FILE_COLUMN}" FROM hf_rows',
            {"file": f"{location.rstrip('/')}/{split}"},
        )
    finally:
        con.unregister("hf_rows")
    report = land_logs(con, report, f"The dataset {location}", required=("prompt",), columns=columns)
    given = set(report.provided_columns)
    if "user_name" not in given:
        report.notes.append("no user column: each generation is a session of the 'unknown' user")
    if "created_at" not in given:
        report.notes.append("no timestamp column: every timestamp simulated (docs/simulation.md)")
    return report


def load_hf_dataset(dataset: str, *, split: str | None = None):
    """(the ``datasets.Dataset`` of one split, where it was read from, the split's name)."""
    import datasets

    path = Path(dataset).expanduser()
    if path.exists():
        found = _local(datasets, path.resolve())
        location = str(path.resolve())
    elif HUB_ID.match(dataset) and not dataset.startswith((".", "/", "~")):
        found = _from_hub(datasets, dataset)
        location = dataset
    else:
        raise IngestError(f"Dataset not found: {dataset} is neither a local path nor a hub id (owner/name).")
    if isinstance(found, datasets.Dataset):
        return found, location, split or str(found.split or "train")
    names = list(found)
    if split is None:
        split = "train" if "train" in names or len(names) != 1 else names[0]
    if split not in names:
        raise IngestError(f"The dataset {location} has no split {split!r}; its splits: {', '.join(names)}.")
    return found[split], location, split


def _local(datasets, path: Path):
    """A save_to_disk folder, a Parquet file or a folder of Parquet files."""
    if path.is_file():
        if path.suffix.lower() != ".parquet":
            raise IngestError(f"{path} is not a Parquet file; pass a Parquet file or a dataset folder.")
        return _read(lambda: datasets.load_dataset("parquet", data_files=str(path)), path)
    if any((path / marker).exists() for marker in SAVED_MARKERS):
        return _read(lambda: datasets.load_from_disk(str(path)), path)
    if any(path.rglob("*.parquet")):
        return _read(lambda: datasets.load_dataset("parquet", data_files=_parquet_splits(path)), path)
    saved = [p for p in sorted(path.iterdir()) if p.is_dir() and any((p / m).exists() for m in SAVED_MARKERS)]
    if len(saved) == 1:  # e.g. the folder `genai-analyzer export --format datasets` writes into
        return _read(lambda: datasets.load_from_disk(str(saved[0])), saved[0])
    raise IngestError(
        f"{path} holds neither a dataset saved with save_to_disk ({' or '.join(SAVED_MARKERS)}) "
        "nor Parquet files."
    )


def _parquet_splits(path: Path) -> dict[str, list[str]]:
    """split -> the Parquet files of a folder, by the hub's file-naming rules (``data/train-*``,
    ``test/``, ...: datasets' own), other files under it (a save_to_disk copy beside) left out."""
    from datasets.data_files import DataFilesDict, get_data_patterns

    found = DataFilesDict.from_patterns(get_data_patterns(str(path)), base_path=str(path))
    splits = {
        str(split): sorted(f for f in files if f.endswith(".parquet")) for split, files in found.items()
    }
    return {split: files for split, files in splits.items() if files}


def _read(load, where):
    try:
        return load()
    except Exception as exc:  # datasets raises many types (ValueError, FileNotFoundError, ArrowInvalid)
        raise IngestError(f"Cannot read the dataset at {where}: {type(exc).__name__}: {exc}") from exc


def _from_hub(datasets, repo: str):
    from huggingface_hub import constants

    offline = datasets.config.HF_HUB_OFFLINE  # HF_HUB_OFFLINE, or HF_DATASETS_OFFLINE when set
    if not offline:
        problem = hub_unreachable(constants.ENDPOINT)
        if problem:
            raise IngestError(
                f"Cannot load the hub dataset {repo}: the Hugging Face Hub at {constants.ENDPOINT} "
                f"cannot be reached ({problem}). Offline? Save the dataset with save_to_disk (or as "
                "Parquet) on a machine that is online and pass that folder with --dataset; to read a "
                "copy already in the datasets cache, set HF_HUB_OFFLINE=1."
            )
    try:
        return datasets.load_dataset(repo)
    except Exception as exc:  # the hub client and datasets raise many types; all mean "not loaded"
        hint = " (HF_HUB_OFFLINE is set: only a copy in the datasets cache is read)" if offline else ""
        raise IngestError(f"Cannot load the hub dataset {repo}{hint}: {type(exc).__name__}: {exc}") from exc


def hub_unreachable(endpoint: str, timeout: float = HUB_PROBE_SECONDS) -> str | None:
    """Why the hub at ``endpoint`` does not answer an HTTP request within ``timeout`` seconds (name
    lookup included), or None when it answers (whatever the status: it is there)."""
    import httpx

    outcome: list[str | None] = []

    def ask() -> None:
        try:
            httpx.head(endpoint, timeout=timeout, follow_redirects=False)
            outcome.append(None)
        except httpx.HTTPError as exc:
            outcome.append(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)

    worker = threading.Thread(target=ask, daemon=True)  # name lookup has no timeout of its own
    worker.start()
    worker.join(timeout + 0.5)
    return outcome[0] if outcome else f"no answer within {timeout:g} s"


def _arrow_table(ds, report: IngestReport):
    """The rows as an Arrow table: media columns left out, ClassLabel columns as their names."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kinds = {name: type(feature).__name__ for name, feature in ds.features.items()}
    media = [name for name, kind in kinds.items() if kind in MEDIA_FEATURES]
    if media:
        ds = ds.remove_columns(media)
        report.notes.append(
            f"left out (images, audio or video are not read from datasets): {', '.join(media)}"
        )
    table = ds.with_format("arrow")[:]
    for name, kind in kinds.items():
        if kind == "ClassLabel":
            labels = pa.array(ds.features[name].names, pa.string())
            codes = table[name].combine_chunks()
            codes = pc.if_else(pc.greater_equal(codes, 0), codes, pa.scalar(None, codes.type))  # -1: none
            table = table.set_column(table.schema.get_field_index(name), name, labels.take(codes))
    return table


@contextlib.contextmanager
def _progress_bars(show: bool):
    import datasets

    was = datasets.is_progress_bar_enabled()
    if not show:
        datasets.disable_progress_bars()
    try:
        yield
    finally:
        if was and not show:
            datasets.enable_progress_bars()
