"""Folders beside a warehouse named after their content: the bm25s keyword index and the vector
index. The warehouse is read-only and replaced whole by every build, so what search needs beyond
it lives next to it, one folder per content key; a build keeps the published warehouse's folder and
removes the others.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def prune_folders(root: Path, keep: str | None) -> list[str]:
    """Remove the folders under ``root`` other than ``keep`` (the published warehouse's key), and
    leftovers of interrupted builds; return their names. A reader that still has a removed index
    open keeps reading it (memory-mapped files outlive their names)."""
    if not root.is_dir():
        return []
    removed = []
    for folder in sorted(root.iterdir()):
        if folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed
