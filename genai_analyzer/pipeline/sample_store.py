"""The embedded sample on disk: written once per set of generator settings, then reused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from genai_analyzer.core.settings import Settings

MANIFEST = "sample_manifest.json"
# Bump when the generator's output changes, so old samples on disk are rebuilt.
GENERATOR_VERSION = 1


def ensure_sample(settings: Settings, *, progress: bool = True) -> Path:
    """The folder holding the embedded sample for these settings, generating it when needed."""
    from genai_analyzer.pipeline.sample import write_sample

    folder = settings.sample_dir
    wanted = {
        "generator_version": GENERATOR_VERSION,
        "n_generations": settings.sample_generations,
        "n_users": settings.sample_users,
        "days": settings.sample_days,
        "seed": settings.seed,
    }
    manifest = folder / MANIFEST
    if manifest.exists() and json.loads(manifest.read_text()) == wanted:
        return folder
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    write_sample(
        staging,
        n_generations=settings.sample_generations,
        n_users=settings.sample_users,
        days=settings.sample_days,
        seed=settings.seed,
        progress=progress,
    )
    (staging / MANIFEST).write_text(json.dumps(wanted, indent=2))
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return folder
