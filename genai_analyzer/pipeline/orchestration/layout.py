"""What the Dagster assets read and write, without Dagster: the source's partitions and the storage root.

Partitioned assets write one Parquet file per partition under the storage root; the unpartitioned
assets assemble a staging DuckDB file from them there, and the last one copies it to the warehouse.
Everything here is plain Python so it can be tested and reasoned about on its own.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from genai_analyzer.core.errors import BuildError
from genai_analyzer.core.settings import Settings
from genai_analyzer.pipeline.build import BuildRequest

PART_DATASETS = ("generations", "embeddings", "labels", "thumbnails")
LOG_SUFFIXES = (".parquet", ".csv", ".jsonl", ".json")
# The build's sources that come in partitions (parts or files); a `datasets` dataset (--source hf)
# is built by `genai-analyzer build` only.
PIPELINE_SOURCES = ("sample", "diffusiondb", "logs")


def part_key(part: int) -> str:
    """Partition key of a DiffusionDB part: zero-padded so keys sort in part order."""
    return f"part-{part:06d}"


@dataclass(frozen=True)
class Pipeline:
    """The source the assets read and the folder they write to, from settings."""

    settings: Settings
    source: str
    path: Path | None
    storage: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> Pipeline:
        source = settings.pipeline_source
        if source not in PIPELINE_SOURCES:
            known = ", ".join(PIPELINE_SOURCES)
            raise BuildError("prepare", f"GENAI_PIPELINE_SOURCE={source!r} is unknown; use one of {known}")
        path = Path(settings.pipeline_path).resolve() if settings.pipeline_path else None
        if source != "sample" and path is None:
            raise BuildError(
                "prepare",
                f"GENAI_PIPELINE_SOURCE={source} needs GENAI_PIPELINE_PATH: a local DiffusionDB folder or "
                "metadata file, or a logs file or folder (fetch hub parts first with genai-analyzer build)",
            )
        storage = Path(settings.pipeline_storage or Path(settings.data_dir) / "pipeline").resolve()
        return cls(settings, source, path, storage)

    @property
    def partitioned_by(self) -> str:
        """'part' for DiffusionDB and the sample, 'file' for logs (one export per day, typically)."""
        return "file" if self.source == "logs" else "part"

    def partition_keys(self) -> list[str]:
        """The source's partitions, read from file names and metadata only (no rows are loaded)."""
        if self.source == "logs":
            root = self.path if self.path.is_dir() else self.path.parent
            return [f.relative_to(root).as_posix() for f in self.log_files()]
        return [part_key(p) for p in self.parts()]

    def parts(self) -> list[int]:
        """DiffusionDB part numbers in the source (the sample's from its size: 1,000 rows a part)."""
        if self.source == "sample":
            from genai_analyzer.pipeline.sample.writer import ROWS_PER_PART

            return list(range(1, 1 + -(-self.settings.sample_generations // ROWS_PER_PART)))
        return diffusiondb_parts(self.path)

    def log_files(self) -> list[Path]:
        from genai_analyzer.pipeline.ingest.logs import _log_files

        return _log_files(self.path)

    def request(self, partition: str | None = None) -> BuildRequest:
        """The build request for one partition (all of the source when ``partition`` is None)."""
        if self.source == "logs":
            path = self.path / partition if partition and self.path.is_dir() else self.path
            return BuildRequest(source="logs", path=path)
        parts = [int(partition.removeprefix("part-"))] if partition else None
        return BuildRequest(source=self.source, path=self.path, parts=parts)

    # --- files under the storage root ----------------------------------------------------------

    def part_file(self, dataset: str, partition: str) -> Path:
        name = partition.rsplit(".", 1)[0] if self.source == "logs" else partition
        return self.storage / "parts" / dataset / f"{name.replace('/', '__')}.parquet"

    def part_files(self, dataset: str, partitions: list[str]) -> list[Path]:
        """The files of every partition, or a BuildError naming those not materialized yet."""
        files = [self.part_file(dataset, p) for p in partitions]
        missing = [p for p, f in zip(partitions, files, strict=True) if not f.exists()]
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            raise BuildError(
                dataset,
                f"{len(missing)} partition(s) of parts/{dataset} are not materialized yet ({shown}); "
                "materialize every partition of the partitioned assets first",
            )
        return files

    @property
    def staging(self) -> Path:
        """The DuckDB file the unpartitioned assets build, copied to the warehouse at the end."""
        return self.storage / "staging.duckdb"

    @property
    def dbt_dir(self) -> Path:
        return self.storage / "dbt"

    def write_report(self, name: str, report: dict) -> None:
        path = self.storage / "reports" / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(report, indent=2, default=str))
        os.replace(tmp, path)

    def read_report(self, name: str) -> dict:
        path = self.storage / "reports" / f"{name}.json"
        if not path.exists():
            raise BuildError("warehouse", f"{path} is missing: materialize the asset that writes it first")
        return json.loads(path.read_text())


def diffusiondb_parts(path: Path) -> list[int]:
    """Part numbers in a local DiffusionDB folder or metadata file (its part_id column, or file names)."""
    from genai_analyzer.pipeline.ingest.diffusiondb import _find_metadata, _iter_part_jsons

    meta = _find_metadata(path, "auto")
    if meta is not None:
        import duckdb

        reader = "read_csv" if meta.suffix.lower() == ".csv" else "read_parquet"
        try:
            rows = duckdb.sql(
                f"SELECT DISTINCT part_id FROM {reader}($f) ORDER BY 1", params={"f": str(meta)}
            )
            parts = [int(r[0]) for r in rows.fetchall() if r[0] is not None]
        except duckdb.Error as exc:
            raise BuildError(
                "prepare", f"{meta} has no readable part_id column to partition by: {exc}"
            ) from exc
    else:
        parts = sorted({p for p, _, _ in _iter_part_jsons(path)})
    if not parts:
        raise BuildError("prepare", f"{path} holds no DiffusionDB parts to partition by")
    return parts
