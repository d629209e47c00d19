"""What several benchmark scripts share: the machine's load and the scale generator's metadata.

Imported as ``benchlib`` (each script puts its own folder on ``sys.path``), or as
``scripts.benchlib`` from the tests.
"""

from __future__ import annotations

import time
from pathlib import Path


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages, as /proc/loadavg gives them ("n/a" elsewhere)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def generated_metadata(workdir: Path, size: int) -> tuple[Path, float | None]:
    """The folder of ``size`` generations written by the scale generator (no images), and the
    seconds writing it took; written only when ``workdir`` lacks it (then the seconds are None)."""
    from genai_analyzer.pipeline.sample import default_users, write_sample

    data = workdir / f"meta_{size}"
    if (data / "metadata.parquet").exists():
        return data, None
    started = time.perf_counter()
    write_sample(data, n_generations=size, n_users=default_users(size), days=90, images=False)
    return data, time.perf_counter() - started
