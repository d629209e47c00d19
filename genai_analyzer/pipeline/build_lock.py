"""One build at a time per warehouse, and the files a killed build left behind.

A build (or ``enrich``) holds ``<warehouse>.lock`` beside the warehouse: an OS file lock, which dies
with its process, plus the holder's pid and start time as JSON. A second build on the same file
stops at once, naming the holder; a lock left by a dead process is taken over. Files a killed
build left (``<stem>_building_<pid>.duckdb`` and its ``.wal`` and ``.tmp``, ``.write-test-<pid>``)
are removed by the next build once their process is gone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

from genai_analyzer.core.errors import BuildError

log = logging.getLogger(__name__)

try:
    import fcntl
except ImportError:  # Windows: the lock falls back to an exclusive create plus the holder's pid
    fcntl = None


class BuildLock:
    """``<warehouse>.lock``: held by one build (or enrich) of that warehouse at a time.

    The OS lock (flock) ends with its process however it ends, so a lock file left by a killed
    build is simply taken over; the file's JSON (pid, host, started_at) names the holder in the
    message a second build stops with. The holder removes the file when it is done.
    """

    def __init__(self, target: Path):
        self.target = Path(target)
        self.path = self.target.with_name(self.target.name + ".lock")
        self.fd: int | None = None
        self.stale: dict | None = None  # what a dead holder left in the file

    def __enter__(self) -> BuildLock:
        for _ in range(20):  # retried only when the holder removed the file as we opened it
            if self._try_acquire():
                return self
        raise BuildError("prepare", f"could not take the build lock {self.path}")

    def __exit__(self, *exc) -> None:
        self.release()

    def _try_acquire(self) -> bool:
        if fcntl is None:
            return self._try_acquire_exclusive()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_holder(fd, wait_for_live=True)
            os.close(fd)
            raise BuildError("prepare", self._busy(holder)) from None
        try:
            same_file = os.fstat(fd).st_ino == os.stat(self.path).st_ino
        except FileNotFoundError:
            same_file = False
        if not same_file:
            os.close(fd)
            return False
        self._take(fd, _read_holder(fd))
        return True

    def _try_acquire_exclusive(self) -> bool:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            with open(self.path, "rb") as fh:
                holder = _parse_holder(fh.read())
            if holder.get("pid") and _pid_alive(holder["pid"]):
                raise BuildError("prepare", self._busy(holder)) from None
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            self.stale = holder or None
            return False
        self._take(fd, {})
        return True

    def _take(self, fd: int, previous: dict) -> None:
        if previous:
            self.stale = previous
        if self.stale:
            log.warning(
                "took over the build lock %s left by pid %s (started %s), which is no longer running",
                self.path,
                self.stale.get("pid", "?"),
                self.stale.get("started_at", "?"),
            )
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "warehouse": str(self.target),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        os.fsync(fd)
        self.fd = fd

    def _busy(self, holder: dict) -> str:
        pid = holder.get("pid", "unknown")
        started = holder.get("started_at", "at an unknown time")
        host = holder.get("host")
        where = f" on {host}" if host and host != socket.gethostname() else ""
        return (
            f"another build is writing {self.target} (pid {pid}{where}, started {started}); "
            f"it holds {self.path.name}. Wait for it to finish, or build into another --db."
        )

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)  # while still held: no one else can hold this file
        finally:
            os.close(self.fd)
            self.fd = None


def _read_holder(fd: int, *, wait_for_live: bool = False) -> dict:
    """The holder's JSON in the lock file; when ``wait_for_live``, give a holder that has just
    taken the lock a moment to write itself in."""
    deadline = time.monotonic() + (1.0 if wait_for_live else 0)
    while True:
        holder = _parse_holder(os.pread(fd, 65536, 0))
        alive = holder.get("pid") and _pid_alive(holder["pid"])
        if alive or time.monotonic() >= deadline:
            return holder
        time.sleep(0.05)


def _parse_holder(data: bytes) -> dict:
    try:
        holder = json.loads(data.decode() or "{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _pid_alive(pid) -> bool:
    """Whether process ``pid`` runs on this machine (a zombie, killed but not yet reaped, does not)."""
    try:
        pid = int(pid)
    except (TypeError, ValueError):
        return False
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would end the process there; assume it runs
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def remove_leftovers(target: Path) -> list[str]:
    """Remove what builds of ``target`` that are no longer running left behind; return the names.

    Called with the lock held. A file of a running process is never touched.
    """
    suffix = re.escape(target.suffix or ".duckdb")
    patterns = (
        re.compile(rf"^{re.escape(target.stem)}_building_(\d+){suffix}(\.wal|\.tmp)?$"),
        re.compile(r"^\.write-test-(\d+)$"),
    )
    removed = []
    for path in sorted(target.parent.iterdir()):
        match = next((m for p in patterns if (m := p.match(path.name))), None)
        if match is None or int(match.group(1)) == os.getpid() or _pid_alive(match.group(1)):
            continue
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path.name)
    if removed:
        log.warning("removed files of builds that are no longer running: %s", ", ".join(removed))
    return removed


# --- the steps -------------------------------------------------------------------------------
