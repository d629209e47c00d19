"""Peak resident memory of this process, per build step.

DuckDB and dbt run in-process, so the process's resident set counts their memory too. On Linux the
high-water mark (``VmHWM``) can be reset by writing ``5`` to ``/proc/self/clear_refs``, which gives
a peak per step; elsewhere the figure is the process's peak so far (``ru_maxrss``).
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

_CLEAR_REFS = Path("/proc/self/clear_refs")
_STATUS = Path("/proc/self/status")


def reset_peak() -> bool:
    """Start a new peak from the current resident set; False where the OS cannot."""
    try:
        _CLEAR_REFS.write_text("5")
        return True
    except OSError:
        return False


def peak_mb() -> float:
    """Peak resident memory in MB (2**20 bytes) since the last ``reset_peak``, or since start."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / 2**20 if sys.platform == "darwin" else maxrss / 1024  # bytes on macOS, kB elsewhere
