"""Read DiffusionDB in its own layout, from a local folder or the Hugging Face hub.

The dataset repository holds ``metadata.parquet`` (2M variant) or ``metadata-large.parquet``
(large variant) and the images as ``images/part-NNNNNN.zip`` (2M) or
``diffusiondb-large-part-{1,2}/part-NNNNNN.zip`` (large, WebP), each archive also holding a
``part-NNNNNN.json`` with the generation parameters. Images are matched to metadata rows by
(image_name, part_id), never by position.

Also accepted: a folder with unpacked part folders or loose image files, a folder with only the
part JSON files (rows are rebuilt from them), and a bare metadata file (.parquet or .csv).

A part archive that cannot be opened (truncated, not a zip) and a part JSON that cannot be read
(bad CRC, truncated, not JSON) are counted and named in the report, and the rest is built; rows
are checked as ``common`` describes.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import pandas as pd

from genai_analyzer.core.errors import IngestError
from genai_analyzer.core.images import IMAGE_SUFFIXES, part_from_name, zip_member_path
from genai_analyzer.pipeline.ingest.common import (
    IngestReport,
    create_raw_table,
    fill_report,
    generation_id_sql,
    require_file,
    sampler_name_sql,
    timestamp_sql,
)

METADATA_FILES = ("metadata.parquet", "metadata-large.parquet")
IMAGE_DIRS = ("images", "diffusiondb-large-part-1", "diffusiondb-large-part-2")
# metadata column -> raw.generations column
COLUMN_MAP = {
    "image_name": "image_name",
    "prompt": "prompt",
    "part_id": "part_id",
    "seed": "seed",
    "step": "step",
    "cfg": "cfg",
    "sampler": "sampler",
    "width": "width",
    "height": "height",
    "user_name": "user_name",
    "timestamp": "created_at",
    "image_nsfw": "image_nsfw",
    "prompt_nsfw": "prompt_nsfw",
}


def ingest_diffusiondb(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    source: str = "diffusiondb",
    limit: int | None = None,
    parts: list[int] | None = None,
    variant: str = "auto",
) -> IngestReport:
    """Load DiffusionDB-layout data at ``path`` into ``raw.generations``; report what was found."""
    path = require_file(Path(path), "DiffusionDB path").resolve()
    report = IngestReport(source=source, location=str(path))
    con.execute("SET TimeZone = 'UTC'")  # timestamps without an offset are UTC
    bad_jsons: list[tuple[str, str]] = []  # (part JSON, why)
    bad_archives: list[tuple[str, str]] = []  # (part archive, why)
    meta_file = _find_metadata(path, variant)
    if meta_file is not None:
        _load_metadata(con, meta_file, parts=parts, limit=limit)
    else:
        rows = _rows_from_part_jsons(path, parts, bad_jsons)
        if rows.empty:
            found = f" (unreadable: {'; '.join(f'{n}: {why}' for n, why in bad_jsons)})" if bad_jsons else ""
            raise IngestError(
                f"{path} has neither {' nor '.join(METADATA_FILES)} nor readable part-NNNNNN.json "
                f"files: it does not look like DiffusionDB{found}."
            )
        if limit is not None:
            rows = rows.head(limit)
        con.register("part_json_rows", rows)
        con.execute("CREATE OR REPLACE TEMP TABLE meta AS SELECT * FROM part_json_rows")
        con.unregister("part_json_rows")
        report.notes.append("metadata rebuilt from the part JSON files (no users or timestamps)")
    present = [c for c in COLUMN_MAP if _has_column(con, "meta", c)]
    if "prompt" not in present:
        found = ", ".join(_columns(con, "meta"))
        raise IngestError(f"{meta_file or path} has no 'prompt' column; found: {found}")
    report.provided_columns = [COLUMN_MAP[c] for c in present]

    images, duplicates = _index_images(path.parent if path.is_file() else path, bad_archives)
    report.image_files = len(images) + duplicates
    con.register("image_files", images)
    con.execute("CREATE OR REPLACE TEMP TABLE image_index AS SELECT * FROM image_files")
    con.unregister("image_files")
    if bad_archives:
        report.add_issue(
            "archive_unreadable",
            "counted",
            len(bad_archives),
            "part archive unreadable, its images counted as not found",
            [f"{name}: {why}" for name, why in bad_archives],
            unit="file",
        )
    if bad_jsons:
        report.add_issue(
            "part_json_unreadable",
            "counted",
            len(bad_jsons),
            "part JSON unreadable, the rows it holds left out",
            [f"{name}: {why}" for name, why in bad_jsons],
            unit="file",
        )
    if duplicates:
        report.add_issue(
            "image_file_duplicate",
            "counted",
            duplicates,
            "image file name found twice under the source (the one whose part is known is used)",
            [],
            unit="file",
        )
    create_raw_table(con, _select_sql(con, source, present), report)
    return fill_report(con, report)


def _find_metadata(path: Path, variant: str) -> Path | None:
    if path.is_file():
        return path
    names = {"2m": METADATA_FILES[:1], "large": METADATA_FILES[1:], "auto": METADATA_FILES}[variant]
    for name in names:
        if (path / name).exists():
            return path / name
    return None


def _load_metadata(con, meta_file: Path, *, parts, limit) -> None:
    suffix = meta_file.suffix.lower()
    if suffix == ".parquet":
        reader = "read_parquet($file)"
    elif suffix == ".csv":
        reader = "read_csv($file, header = true)"
    else:
        raise IngestError(f"{meta_file}: metadata must be .parquet or .csv, not '{suffix}'.")
    where, params = "", {"file": str(meta_file)}
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE meta_probe AS SELECT * FROM {reader} LIMIT 0", params)
        if parts:
            if not _has_column(con, "meta_probe", "part_id"):
                raise IngestError(f"{meta_file} has no part_id column, so --parts cannot apply.")
            where, params["parts"] = "WHERE part_id IN (SELECT unnest($parts))", list(parts)
        lim = f"LIMIT {int(limit)}" if limit is not None else ""
        con.execute(f"CREATE OR REPLACE TEMP TABLE meta AS SELECT * FROM {reader} {where} {lim}", params)
    except duckdb.Error as exc:
        raise IngestError(f"Cannot read {meta_file}: {exc}") from exc


def _rows_from_part_jsons(
    path: Path, parts: list[int] | None, unreadable: list[tuple[str, str]]
) -> pd.DataFrame:
    """Rows (image_name, part_id, prompt, seed, cfg, step, sampler) from the part JSON files; a
    file that cannot be read or parsed is added to ``unreadable`` and skipped."""
    frames = []
    for part_id, name, payload in _iter_part_jsons(path, unreadable):
        if parts and part_id not in parts:
            continue
        try:
            mapping = json.loads(payload)
            if not isinstance(mapping, dict) or not all(isinstance(v, dict) for v in mapping.values()):
                raise ValueError("not a mapping of image names to parameters")
        except ValueError as exc:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
            unreadable.append((name, f"not valid part JSON: {exc}"))
            continue
        frames.append(
            pd.DataFrame(
                {
                    "image_name": list(mapping),
                    "part_id": part_id,
                    "prompt": [v.get("p") for v in mapping.values()],
                    "seed": [v.get("se") for v in mapping.values()],
                    "cfg": [v.get("c") for v in mapping.values()],
                    "step": [v.get("st") for v in mapping.values()],
                    "sampler": [v.get("sa") for v in mapping.values()],
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# What reading a damaged archive or member raises: bad CRC and bad headers (BadZipFile), a
# truncated deflate stream (zlib.error, EOFError), a file cut short (OSError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError)


def _iter_part_jsons(path: Path, unreadable: list[tuple[str, str]]) -> Iterable[tuple[int, str, bytes]]:
    seen = set()
    for json_file in sorted(path.rglob("part-*.json")):
        part = part_from_name(json_file.name)
        if part is not None and part not in seen:
            seen.add(part)
            yield part, str(json_file), json_file.read_bytes()
    for zip_file in _part_zips(path):
        part = part_from_name(zip_file.name)
        if part is None or part in seen:
            continue
        member = f"part-{part:06d}.json"
        try:
            zf = zipfile.ZipFile(zip_file)
        except ZIP_ERRORS:
            continue  # an archive that cannot be opened is reported by the image index
        try:
            with zf:
                if member not in zf.namelist():
                    continue
                payload = zf.read(member)
        except ZIP_ERRORS as exc:
            unreadable.append((f"{zip_file.name}::{member}", _why(exc)))
            continue
        seen.add(part)
        yield part, f"{zip_file}::{member}", payload


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _part_zips(root: Path) -> list[Path]:
    return sorted(z for d in IMAGE_DIRS for z in (root / d).glob("part-*.zip"))


def index_images(root: Path) -> pd.DataFrame:
    """Every image under the dataset folder: image_name, part_id (None if unknown), image_path."""
    return _index_images(root, [])[0]


def _index_images(root: Path, unreadable: list[tuple[str, str]]) -> tuple[pd.DataFrame, int]:
    """``index_images`` and the number of image files dropped as duplicate names; archives that
    cannot be opened are added to ``unreadable`` (their images count as missing)."""
    rows: list[tuple[str, int | None, str]] = []
    for zip_file in _part_zips(root):
        part = part_from_name(zip_file.name)
        try:
            with zipfile.ZipFile(zip_file) as zf:
                names = zf.namelist()
        except ZIP_ERRORS as exc:
            unreadable.append((str(zip_file.relative_to(root)), _why(exc)))
            continue
        rows += [(n, part, zip_member_path(zip_file, n)) for n in names if n.lower().endswith(IMAGE_SUFFIXES)]
    for folder in (root / d for d in IMAGE_DIRS):
        if not folder.is_dir():
            continue
        for file in folder.rglob("*"):
            if file.suffix.lower() in IMAGE_SUFFIXES:
                # images/part-000001/x.png carries its part; images/x.png does not.
                rows.append((file.name, part_from_name(file.parent.name), str(file.resolve())))
    frame = pd.DataFrame(rows, columns=["image_name", "part_id", "image_path"])
    frame["part_id"] = frame["part_id"].astype("Int64")
    # One entry per image: prefer the one whose part is known.
    frame = frame.sort_values(["image_name", "part_id"], na_position="last")
    unique = frame.drop_duplicates("image_name", keep="first").reset_index(drop=True)
    return unique, len(frame) - len(unique)


def _select_sql(con, source: str, present: list[str]) -> str:
    def col(name: str) -> str:
        return f"m.{name}" if name in present else "NULL"

    created, created_raw = "NULL", "NULL"
    if "timestamp" in present:
        created = timestamp_sql("m.timestamp", _column_type(con, "meta", "timestamp"))
        created_raw = "CAST(m.timestamp AS VARCHAR)"
    key = "coalesce(m.image_name, 'row' || m.rowid)" if "image_name" in present else "'row' || m.rowid"
    join = (
        "LEFT JOIN image_index i ON i.image_name = m.image_name "
        "AND (i.part_id IS NULL OR m.part_id IS NULL OR i.part_id = m.part_id)"
        if "image_name" in present
        else "LEFT JOIN (SELECT NULL AS image_path) i ON false"
    )
    part = "m.part_id" if "part_id" in present else "NULL"
    return f"""
        SELECT '{source}' AS source,
               m.rowid AS source_row,
               {generation_id_sql(source, key)} AS generation_id,
               {col("image_name")} AS source_key,
               {col("image_name")} AS image_name,
               {part} AS part_id,
               coalesce(CAST(m.prompt AS VARCHAR), '') AS prompt,
               {col("seed")} AS seed,
               {col("step")} AS step,
               {col("cfg")} AS cfg,
               {sampler_name_sql("m.sampler") if "sampler" in present else "NULL"} AS sampler,
               {col("width")} AS width,
               {col("height")} AS height,
               {col("user_name")} AS user_name,
               {created} AS created_at,
               {created_raw} AS created_at_raw,
               {col("image_nsfw")} AS image_nsfw,
               {col("prompt_nsfw")} AS prompt_nsfw,
               i.image_path AS image_path,
               'stable-diffusion-v1' AS model,
               NULL AS src_tier, NULL AS src_status, NULL AS src_error_code,
               NULL AS src_queue_ms, NULL AS src_latency_ms, NULL AS src_gpu_seconds,
               NULL AS src_cost_usd, NULL AS src_revenue_usd
        FROM meta m {join}
        ORDER BY m.rowid
    """


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def _has_column(con, table: str, column: str) -> bool:
    return column in _columns(con, table)


def _column_type(con, table: str, column: str) -> str:
    return dict((r[0], r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall())[column]


# --- the Hugging Face hub -------------------------------------------------------------------


def hub_files(parts: Iterable[int], *, variant: str = "2m", images: bool = True) -> list[str]:
    """Repository paths to fetch for these parts of the 2M or large variant."""
    files = ["metadata.parquet" if variant == "2m" else "metadata-large.parquet"]
    if images:
        for part in parts:
            if variant == "2m":
                files.append(f"images/part-{part:06d}.zip")
            else:
                folder = "diffusiondb-large-part-1" if part <= 10000 else "diffusiondb-large-part-2"
                files.append(f"{folder}/part-{part:06d}.zip")
    return files


def fetch_diffusiondb(
    dest: Path,
    parts: Iterable[int],
    *,
    repo: str = "poloclub/diffusiondb",
    variant: str = "2m",
    images: bool = True,
    downloader: Callable[..., str] | None = None,
    progress: bool = True,
) -> Path:
    """Download metadata and the given parts into ``dest`` (the dataset layout); return ``dest``.

    ``downloader`` has the signature of ``huggingface_hub.hf_hub_download``; files already in
    ``dest`` are not fetched again.
    """
    from tqdm.auto import tqdm

    if downloader is None:
        from huggingface_hub import hf_hub_download as downloader
    dest.mkdir(parents=True, exist_ok=True)
    for name in tqdm(hub_files(parts, variant=variant, images=images), desc="fetch", disable=not progress):
        if (dest / name).exists():
            continue
        try:
            downloader(repo_id=repo, filename=name, repo_type="dataset", local_dir=str(dest))
        except Exception as exc:  # the hub client raises many types; all mean "not fetched"
            raise IngestError(
                f"Could not fetch {name} from the hub dataset {repo}: {exc}. "
                "Offline? Download the files elsewhere and pass --path to the folder."
            ) from exc
    return dest


def parse_parts(text: str | None) -> list[int] | None:
    """'1-10' -> [1..10]; '1,3,5-6' -> [1, 3, 5, 6]; None -> None."""
    if not text:
        return None
    parts: list[int] = []
    try:
        for chunk in text.split(","):
            lo, _, hi = chunk.strip().partition("-")
            parts += range(int(lo), int(hi or lo) + 1)
    except ValueError:
        raise IngestError(f"--parts {text!r}: use numbers and ranges like '1-10' or '1,3,5-6'.") from None
    if not parts or min(parts) < 1:
        raise IngestError(f"--parts {text!r}: part numbers start at 1.")
    return sorted(set(parts))
