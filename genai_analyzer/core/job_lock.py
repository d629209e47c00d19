"""An OS file lock that says a background job is running: held while it runs, gone with its
process however it ends (a killed job leaves no lock to clear), and testable from any process."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; a job then cannot tell whether another one runs
    fcntl = None


class JobRunning(Exception):
    """Another process (or thread) holds the job's lock."""


@contextlib.contextmanager
def hold(path: Path) -> Iterator[None]:
    """Hold the lock at ``path`` for the block; JobRunning when someone else holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise JobRunning(str(path)) from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def is_held(path: Path) -> bool:
    """Whether a running job holds the lock at ``path`` (False when there is no lock file)."""
    if fcntl is None or not path.exists():
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
