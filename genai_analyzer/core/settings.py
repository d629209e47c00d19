"""One settings object, built from environment variables and CLI flags.

Every variable is declared once in ``ENV_VARS`` with its default and meaning; ``docs/settings.md``
lists the same table (a test fails when one is undocumented). Nothing here runs at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from genai_analyzer.core.catalog import parse_catalog
from genai_analyzer.core.contract import (
    EMBEDDING_BACKENDS,
    LABELLERS,
    LLM_BACKENDS,
    NSFW_SCORING,
    WAREHOUSE_TARGETS,
)
from genai_analyzer.core.errors import SettingsError


@dataclass(frozen=True)
class EnvVar:
    name: str
    field: str
    default: str
    help: str


ENV_VARS: tuple[EnvVar, ...] = (
    EnvVar(
        "GENAI_DB", "db_path", "data/warehouse.duckdb", "Warehouse file the build writes and the app reads."
    ),
    EnvVar(
        "GENAI_DATA_DIR", "data_dir", "data", "Folder for generated data (the embedded sample, downloads)."
    ),
    EnvVar("GENAI_SEED", "seed", "42", "Seed for the sample generator and every simulated column."),
    EnvVar(
        "GENAI_SESSION_GAP_MINUTES", "session_gap_minutes", "30", "Inactivity gap that starts a new session."
    ),
    EnvVar("GENAI_SESSION_MAX_HOURS", "session_max_hours", "24", "A session is cut after this many hours."),
    EnvVar("GENAI_SAMPLE_GENERATIONS", "sample_generations", "4000", "Generations in the embedded sample."),
    EnvVar("GENAI_SAMPLE_USERS", "sample_users", "300", "Users in the embedded sample."),
    EnvVar("GENAI_SAMPLE_DAYS", "sample_days", "42", "Days the embedded sample spans."),
    EnvVar(
        "GENAI_NSFW_BLOCK_THRESHOLD",
        "nsfw_block_threshold",
        "0.9",
        "image_nsfw at or above which a generation is simulated as nsfw_blocked.",
    ),
    EnvVar(
        "GENAI_NSFW_BLUR_THRESHOLD",
        "nsfw_blur_threshold",
        "0.5",
        "image_nsfw at or above which the Explorer blurs a thumbnail until it is clicked.",
    ),
    EnvVar(
        "GENAI_HF_REPO",
        "hf_repo",
        "poloclub/diffusiondb",
        "Hugging Face dataset repository used by --source diffusiondb when no --path is given.",
    ),
    EnvVar(
        "GENAI_FIRST_BUILD",
        "first_build",
        "",
        "Build options app.py builds with when it starts without a warehouse, e.g. '--source diffusiondb "
        "--parts 1-2' on a Space (empty: the embedded sample).",
    ),
    EnvVar(
        "GENAI_ALERTS",
        "alerts_file",
        "",
        "Alert rules file (YAML) that `check`, the build summary, /alerts and the Overview evaluate "
        "(empty: the shipped genai_analyzer/data/alerts.yaml); docs/alerts.md.",
    ),
    EnvVar(
        "GENAI_THREADS",
        "threads",
        "0",
        "DuckDB worker threads (0: DuckDB's default, all cores); also the threads of the cluster "
        "step's k-means fit (0: one, docs/clusters.md).",
    ),
    EnvVar(
        "GENAI_MEMORY_LIMIT",
        "memory_limit",
        "",
        "DuckDB memory limit for the build and its dbt models, e.g. '6GB' (empty: DuckDB's default, 80% of "
        "the memory).",
    ),
    EnvVar(
        "GENAI_EMBEDDING_MODEL",
        "embedding_model",
        "all-MiniLM-L6-v2",
        "Sentence-transformers model for prompt embeddings: the bundled default, a local path, or a hub id.",
    ),
    EnvVar(
        "GENAI_EMBEDDING_BACKEND",
        "embedding_backend",
        "onnx",
        "Embedding backend: torch (fp32), onnx (fp32 on ONNX Runtime), onnx-int8, or static (a static "
        "model made from MiniLM for the build's corpus: fast, lower quality; docs/enrichment.md).",
    ),
    EnvVar(
        "GENAI_BACKGROUND_EMBEDDINGS",
        "background_embeddings",
        "true",
        "Whether the app, serving a warehouse embedded with the static tier, computes the full-quality "
        "vectors in a background thread and swaps them in when done (true/false; docs/enrichment.md).",
    ),
    EnvVar(
        "GENAI_IMAGE_MODEL",
        "image_model",
        "",
        "Image embedding model: empty for the bundled EfficientNet-Lite0 (ImageNet; visual similarity), "
        "or a local folder or hub id (hub: only when online) of a CLIP model (transformers CLIPModel): "
        "image embeddings in CLIP space, text-to-image search and the prompt-image agreement score "
        "(docs/images.md).",
    ),
    EnvVar(
        "GENAI_NSFW_SCORING",
        "nsfw_scoring",
        "auto",
        "Score images for NSFW from their thumbnails with the bundled Open-NSFW classifier: auto (only "
        "images whose generations have no image_nsfw from the source), on (every image, the source's "
        "score still wins), off (docs/images.md).",
    ),
    EnvVar(
        "GENAI_MODEL_CACHE",
        "model_cache",
        "",
        "Folder for the embedding model's ONNX exports and static models (empty: ~/.cache/genai-analyzer).",
    ),
    EnvVar(
        "GENAI_PIPELINE_SOURCE",
        "pipeline_source",
        "sample",
        "Source the Dagster assets read: sample, diffusiondb or logs (docs/orchestration.md).",
    ),
    EnvVar(
        "GENAI_PIPELINE_PATH",
        "pipeline_path",
        "",
        "For the Dagster assets: the local DiffusionDB folder or metadata file, or the logs file or folder.",
    ),
    EnvVar(
        "GENAI_PIPELINE_STORAGE",
        "pipeline_storage",
        "",
        "Folder the Dagster assets write partition files and the staging warehouse to "
        "(empty: <GENAI_DATA_DIR>/pipeline); a shared volume when steps run on several machines.",
    ),
    EnvVar(
        "GENAI_PIPELINE_EXECUTOR",
        "pipeline_executor",
        "multiprocess",
        "Dagster executor for the assets: multiprocess (this machine), k8s (a pod per step, dagster-k8s) "
        "or celery (Celery workers, dagster-celery); docs/orchestration.md.",
    ),
    EnvVar(
        "GENAI_WAREHOUSE_TARGET",
        "warehouse_target",
        "file",
        "Where the build publishes and the app reads: file (GENAI_DB) or ducklake (docs/ducklake.md).",
    ),
    EnvVar(
        "GENAI_DUCKLAKE_CATALOG",
        "ducklake_catalog",
        "",
        "PostgreSQL catalog of the DuckLake, a libpq string, e.g. 'dbname=genai host=localhost user=genai'.",
    ),
    EnvVar(
        "GENAI_DUCKLAKE_DATA_PATH",
        "ducklake_data_path",
        "data/lake",
        "Folder the build writes the DuckLake's Parquet files to (readers take it from the catalog).",
    ),
    EnvVar(
        "GENAI_DUCKLAKE_SNAPSHOT",
        "ducklake_snapshot",
        "0",
        "DuckLake snapshot the app reads (0: the newest; an older id reads an earlier build).",
    ),
    EnvVar(
        "GENAI_QUERY_TIMEOUT_S",
        "query_timeout_s",
        "5",
        "Seconds a query written by a person or a model (copilot, edited SQL) may take, from its arrival.",
    ),
    EnvVar(
        "GENAI_QUERY_MEMORY_MB",
        "query_memory_mb",
        "1024",
        "Memory in MB one such query may allocate in its worker process (an OS cap) before it is stopped.",
    ),
    EnvVar(
        "GENAI_QUERY_WORKERS",
        "query_workers",
        "2",
        "Worker processes that run such queries; this many run at once, others wait within their time.",
    ),
)


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("data/warehouse.duckdb")
    data_dir: Path = Path("data")
    seed: int = 42
    session_gap_minutes: int = 30
    session_max_hours: int = 24
    sample_generations: int = 4000
    sample_users: int = 300
    sample_days: int = 42
    nsfw_block_threshold: float = 0.9
    nsfw_blur_threshold: float = 0.5
    hf_repo: str = "poloclub/diffusiondb"
    first_build: str = ""
    alerts_file: str = ""
    threads: int = 0
    memory_limit: str = ""
    embedding_model: str = "all-MiniLM-L6-v2"
    embedding_backend: str = "onnx"
    background_embeddings: bool = True
    model_cache: str = ""
    image_model: str = ""
    nsfw_scoring: str = "auto"
    labeller: str = "embedding"
    llm_backend: str = "none"
    llm_model: str = ""
    llm_base_url: str = "http://127.0.0.1:11434/v1"
    llm_api_key: str = ""
    llm_gguf_file: str = ""
    thumb_size: int = 256
    share: bool = False
    auth: str = ""
    pipeline_source: str = "sample"
    pipeline_path: str = ""
    pipeline_storage: str = ""
    pipeline_executor: str = "multiprocess"
    warehouse_target: str = "file"
    ducklake_catalog: str = ""
    ducklake_data_path: str = "data/lake"
    ducklake_snapshot: int = 0
    query_timeout_s: float = 5.0
    query_memory_mb: int = 1024
    query_workers: int = 2

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        """Settings from the environment, then ``overrides`` (CLI flags) where not None."""
        environ = os.environ if environ is None else environ
        types = {f.name: f.type for f in fields(cls)}
        values = {}
        for var in ENV_VARS:
            raw = environ.get(var.name, var.default)
            values[var.field] = _parse(var, raw, types[var.field])
        settings = cls(**values)
        given = {k: v for k, v in overrides.items() if v is not None}
        if given:
            settings = replace(settings, **given)
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.session_gap_minutes <= 0:
            raise SettingsError("GENAI_SESSION_GAP_MINUTES must be a positive number of minutes.")
        if self.session_max_hours <= 0:
            raise SettingsError("GENAI_SESSION_MAX_HOURS must be a positive number of hours.")
        if not 0 <= self.nsfw_block_threshold <= 2:
            raise SettingsError("GENAI_NSFW_BLOCK_THRESHOLD must lie between 0 and 2.")
        if not 0 <= self.nsfw_blur_threshold <= 2:
            raise SettingsError("GENAI_NSFW_BLUR_THRESHOLD must lie between 0 and 2.")
        if self.labeller not in LABELLERS:
            raise SettingsError("GENAI_LABELLER must be 'embedding' or 'llm'.")
        if self.llm_backend not in LLM_BACKENDS:
            raise SettingsError("GENAI_LLM_BACKEND must be one of none, openai, transformers, mlx.")
        if not 16 <= self.thumb_size <= 2048:
            raise SettingsError("GENAI_THUMB_SIZE must be between 16 and 2048 pixels.")
        if self.embedding_backend not in EMBEDDING_BACKENDS:
            raise SettingsError(
                f"GENAI_EMBEDDING_BACKEND={self.embedding_backend!r} is not a known embedding backend; "
                f"use one of {', '.join(EMBEDDING_BACKENDS)} (docs/enrichment.md compares them)."
            )
        if self.nsfw_scoring not in NSFW_SCORING:
            raise SettingsError(
                f"GENAI_NSFW_SCORING={self.nsfw_scoring!r}: use auto (score images the source left "
                "without image_nsfw), on (every image) or off (docs/images.md)."
            )
        if self.pipeline_executor not in ("multiprocess", "k8s", "celery"):
            raise SettingsError(
                f"GENAI_PIPELINE_EXECUTOR={self.pipeline_executor!r}: use multiprocess (this machine), "
                "k8s (dagster-k8s) or celery (dagster-celery); see docs/orchestration.md."
            )
        if self.warehouse_target not in WAREHOUSE_TARGETS:
            raise SettingsError(
                f"GENAI_WAREHOUSE_TARGET={self.warehouse_target!r}: use 'file' (the single DuckDB file at "
                "GENAI_DB) or 'ducklake' (a PostgreSQL catalog plus Parquet files, docs/ducklake.md)."
            )
        if self.warehouse_target == "ducklake":
            parse_catalog(self.ducklake_catalog)  # raises with an example when empty or not PostgreSQL
        if self.ducklake_snapshot < 0:
            raise SettingsError("GENAI_DUCKLAKE_SNAPSHOT must be 0 (the newest) or a snapshot id.")
        if not 0 < self.query_timeout_s <= 3600:
            raise SettingsError("GENAI_QUERY_TIMEOUT_S must be a positive number of seconds (at most 3600).")
        if self.query_memory_mb < 64:
            raise SettingsError("GENAI_QUERY_MEMORY_MB must be at least 64 (MB).")
        if not 1 <= self.query_workers <= 64:
            raise SettingsError("GENAI_QUERY_WORKERS must be between 1 and 64.")
        if self.sample_generations <= 0 or self.sample_users <= 0 or self.sample_days <= 0:
            raise SettingsError("The sample size settings must be positive.")

    @property
    def sample_dir(self) -> Path:
        return Path(self.data_dir) / "sample"

    @property
    def model_cache_dir(self) -> Path:
        """Where exported embedding models are kept: GENAI_MODEL_CACHE, else the user's cache."""
        if self.model_cache:
            return Path(self.model_cache).expanduser()
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "genai-analyzer"


def _parse(var: EnvVar, raw: str, typ: str):
    try:
        if typ in ("int", int):
            return int(raw)
        if typ in ("float", float):
            return float(raw)
        if typ in ("bool", bool):
            if raw.strip().lower() not in ("1", "0", "true", "false", "yes", "no", ""):
                raise ValueError(raw)
            return raw.strip().lower() in ("1", "true", "yes")
        if typ in ("Path", Path):
            return Path(raw)
        return raw
    except ValueError:
        raise SettingsError(
            f"{var.name}={raw!r} is not a valid {typ}: {var.help} (default {var.default!r})"
        ) from None
