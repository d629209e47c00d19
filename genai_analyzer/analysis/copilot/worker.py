"""Query worker processes: where SQL that a person or a model wrote actually runs.

``SafeRunner`` (runner.py) checks a statement in the app's process, then hands it to one of a few
long-lived worker processes (``WorkerPool``). Each worker opens its own locked-down DuckDB instance
(an in-memory database with the warehouse ATTACHed ``READ_ONLY``, external access off, the
configuration locked) and caps its own address space with ``RLIMIT_AS``: what it had after opening
plus ``memory_mb``. So a query that allocates past the cap fails inside the worker (DuckDB's "Out of
Memory Error ... bad allocation"), even where DuckDB's own ``memory_limit`` does not count the
allocation (one huge string from ``repeat``), and never takes the app's memory.

The time limit has two lines: DuckDB's ``interrupt()`` from a timer inside the worker, when the
request's deadline comes; and the parent, which kills a worker still busy ``grace_s`` after the
deadline (a string function that does not look at the interrupt). A worker that was killed, that
died, or that hit the memory cap (its heap may stay large) is replaced in the background; the pool
keeps ``size`` workers. The deadline starts when the request arrives, so time spent waiting for a
free worker counts too.

Requests and replies travel over a pipe: ``(sql, check_plan, timeout_s)`` in; out one tuple,
``("ok", columns, rows, truncated)`` with JSON-friendly rows, or ``(kind, message)`` where kind is
``unsafe``, ``timeout``, ``memory`` (with a third item: whether the worker carries on) or
``failed``. A reply larger than ``max_result_bytes`` is
refused in the worker, so a result cannot take the app's memory either.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import pickle
import queue
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, Pipe
from typing import TYPE_CHECKING, Any

import duckdb

from genai_analyzer.analysis.copilot.guard import ALLOWED_TABLES, plain_error
from genai_analyzer.core.jsonable import plain

if TYPE_CHECKING:
    from genai_analyzer.warehouse.ducklake import LakeTarget

ATTACHED_AS = "warehouse"  # catalog name of the attached file inside each worker's instance
# DuckDB errors that mean one of the engine's guards refused the statement (not a broken query).
_ENGINE_REFUSALS = ("read-only mode", "configuration has been locked", "disabled by configuration")
# How an allocation past the address-space cap (or DuckDB's memory limit) surfaces.
_OUT_OF_MEMORY = ("Out of Memory", "bad allocation", "bad_alloc", "std::bad_alloc")
_START_TIMEOUT_S = 120.0  # a worker opens the warehouse within this (a DuckLake catalog may be slow)
_MB = 1 << 20


@dataclass(frozen=True)
class WorkerConfig:
    """What each worker needs to open the warehouse and run queries (picklable)."""

    path: str
    lake: LakeTarget | None = None
    secret_dir: str = ""  # DuckLake only: an empty folder of the runner's own
    memory_mb: int = 1024
    threads: int = 2
    max_rows: int = 1000
    max_cross_rows: int = 10_000_000
    max_result_bytes: int = 64 * _MB


class WorkerStartError(Exception):
    """A worker could not open the warehouse; the message says why."""


# ---------------------------------------------------------------------------------------------
# In the worker process
# ---------------------------------------------------------------------------------------------


def child(fd: int) -> None:
    """The worker process's entry point: the pipe's end is ``fd``; the first message is the
    ``WorkerConfig``."""
    conn = Connection(fd)
    with contextlib.suppress(EOFError, OSError):  # the app closed the runner or ended
        main(conn, conn.recv())


def main(conn, config: WorkerConfig) -> None:
    """The worker's loop: open, report ``("ready", columns, lake)``, then answer requests until
    the pipe closes or a ``None`` request arrives."""
    try:
        con, lake = open_locked(config)
        columns = read_columns(con)
    except Exception as exc:  # reported to the parent, which raises it with this text
        conn.send(("failed", str(exc)))
        return
    _cap_address_space(config.memory_mb)
    baseline_mb = _rss_mb()
    conn.send(("ready", columns, lake))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        sql, check_plan, timeout_s = request
        reply = run_one(con, sql, check_plan=check_plan, timeout_s=timeout_s, config=config)
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            reply = ("memory", "the result did not fit in the query memory limit")
            data = pickle.dumps(reply)
        if len(data) > config.max_result_bytes:
            reply = (
                "failed",
                f"The result is larger than {config.max_result_bytes // _MB} MB; select fewer or "
                "shorter columns, or aggregate.",
            )
            data = pickle.dumps(reply)
        if reply[0] == "memory":
            # keep going when the failed allocation left little behind (one huge string is refused
            # at once); otherwise its heap may stay large: exit, and the parent starts a fresh one
            keep = _rss_mb() - baseline_mb < config.memory_mb / 4
            conn.send((*reply[:2], keep))
            if not keep:
                return
            continue
        conn.send_bytes(data)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / _MB


def _cap_address_space(memory_mb: int) -> None:
    """RLIMIT_AS: what the worker holds now (Python, DuckDB, the open warehouse, its threads) plus
    ``memory_mb``. Past it, every allocation fails: DuckDB reports it as out of memory."""
    with open("/proc/self/statm") as statm:
        now = int(statm.read().split()[0]) * resource.getpagesize()
    cap = now + memory_mb * _MB
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def open_locked(config: WorkerConfig) -> tuple[duckdb.DuckDBPyConnection, LakeTarget | None]:
    """The locked-down instance: in-memory, the warehouse (file or DuckLake) ATTACHed read-only,
    then files go dark, then nothing can be changed. Returns it and the pinned DuckLake target."""
    db_config: dict[str, Any] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "allow_unsigned_extensions": False,
        "allow_persistent_secrets": False,
        "memory_limit": f"{config.memory_mb}MB",  # the first line; RLIMIT_AS is the hard one
        "threads": config.threads,
        "temp_directory": "",  # never spill to disk: a runaway query fails instead
        # A table name must never resolve to a Python variable (a DataFrame); set here, not with
        # SET, so that every cursor has it.
        "python_enable_replacements": False,
    }
    lake = config.lake
    if lake is not None:
        # DuckLake's ATTACH looks secrets up in the persistent store, so that store must exist; an
        # empty folder of the runner's own keeps ~/.duckdb's secrets out of reach, and with
        # external access off nothing can be written to it.
        db_config.update(allow_persistent_secrets=True, secret_directory=config.secret_dir)
    con = duckdb.connect(":memory:", config=db_config)
    try:
        if lake is not None:
            lake = _attach_lake(con, lake)
        else:
            path = config.path.replace("'", "''")
            con.execute(f"ATTACH '{path}' AS {ATTACHED_AS} (READ_ONLY)")
        con.execute(f"USE {ATTACHED_AS}")
        con.execute("SET GLOBAL TimeZone = 'UTC'")  # GLOBAL so that cursors have it too
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except Exception:
        con.close()
        raise
    return con, lake


def _attach_lake(con: duckdb.DuckDBPyConnection, lake: LakeTarget) -> LakeTarget:
    """The DuckLake, read-only at its snapshot, with only that snapshot's Parquet files readable
    once external access is off. DuckDB's allow-list does not tell reads from writes: the
    statement check and DuckDB's one-SELECT check are what keep COPY out (docs/ducklake.md)."""
    from genai_analyzer.warehouse import ducklake

    if lake.snapshot is None:
        probe = duckdb.connect(":memory:", config={"autoload_known_extensions": False})
        try:
            ducklake.attach(probe, lake, "lake")
            lake = replace(lake, snapshot=ducklake.current_snapshot(probe, "lake"))
        finally:
            probe.close()
    ducklake.attach(con, lake, ATTACHED_AS)
    files = ducklake.data_files(con, ATTACHED_AS, lake.snapshot)
    con.execute("SET allowed_paths = $files", {"files": files})
    return lake


def read_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = $catalog AND table_schema = 'main' "
        "AND list_contains($tables, table_name)",
        {"catalog": ATTACHED_AS, "tables": list(ALLOWED_TABLES)},
    ).fetchall()
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    return columns


def run_one(con, sql: str, *, check_plan: bool, timeout_s: float, config: WorkerConfig) -> tuple:
    """One request: the plan check, the run under DuckDB's interrupt and the row cap."""
    cur = con.cursor()
    timer = threading.Timer(max(timeout_s, 0.001), cur.interrupt)
    timer.start()
    try:
        cur.execute(f"USE {ATTACHED_AS}")  # a cursor starts in the default (in-memory) catalog
        if check_plan:
            refusal = _check_plan(cur, sql, config.max_cross_rows)
            if refusal:
                return ("unsafe", refusal)
        cur.execute(sql)
        names = [d[0] for d in cur.description] if cur.description else []
        fetched = cur.fetchmany(config.max_rows + 1)
        rows = [[plain(v) for v in row] for row in fetched[: config.max_rows]]
        return ("ok", names, rows, len(fetched) > config.max_rows)
    except duckdb.InterruptException:
        return ("timeout", "")
    except MemoryError:
        return ("memory", "")
    except duckdb.Error as exc:
        message = plain_error(exc)
        if isinstance(exc, duckdb.OutOfMemoryException) or any(m in message for m in _OUT_OF_MEMORY):
            return ("memory", message)
        if isinstance(exc, duckdb.PermissionException) or any(m in message for m in _ENGINE_REFUSALS):
            return ("unsafe", message)
        if not timer.is_alive():  # the interrupt can surface as another error type
            return ("timeout", "")
        return ("failed", message)
    finally:
        timer.cancel()
        cur.close()


def _check_plan(cur, sql: str, max_cross_rows: int) -> str | None:
    """A refusal when DuckDB plans a cross product larger than ``max_cross_rows``."""
    try:
        plan = json.loads(cur.execute(f"EXPLAIN (FORMAT json) {sql}").fetchall()[0][1])
    except (ValueError, IndexError, TypeError):
        return None  # an unexpected EXPLAIN shape: the time limit still holds
    for node in _plan_nodes(plan):
        if node.get("name") == "CROSS_PRODUCT" and _estimate(node) > max_cross_rows:
            return (
                f"The query joins tables without a join condition and would make about "
                f"{_estimate(node):,} rows (the limit is {max_cross_rows:,}). Join on a key, "
                "e.g. JOIN dim_users USING (user_id)."
            )
    return None


def _plan_nodes(plan):
    for node in plan if isinstance(plan, list) else [plan]:
        yield node
        yield from _plan_nodes(node.get("children", []))


def _estimate(node) -> int:
    """A plan node's estimated rows; DuckDB leaves cross products (and some others) blank."""
    value = node.get("extra_info", {}).get("Estimated Cardinality")
    if value not in (None, ""):
        try:
            return int(value)
        except ValueError:
            pass
    children = [_estimate(child) for child in node.get("children", [])]
    if node.get("name") == "CROSS_PRODUCT":
        return math.prod(children)
    if node.get("name") == "UNGROUPED_AGGREGATE":
        return 1
    return max(children, default=1)


# ---------------------------------------------------------------------------------------------
# In the app's process
# ---------------------------------------------------------------------------------------------


class _Worker:
    """A worker process started with ``python -c`` (not multiprocessing: nothing of the app's
    ``__main__`` is imported again) and the parent's end of its pipe."""

    def __init__(self, config: WorkerConfig):
        self.conn, child_end = Pipe(duplex=True)
        fd = child_end.fileno()
        path = os.pathsep.join(p for p in sys.path if p)
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"from {__name__} import child; child({fd})"],
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
        )
        child_end.close()
        self.conn.send(config)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def exitcode(self) -> int | None:
        return self.process.poll()

    def alive(self) -> bool:
        return self.process.poll() is None

    def join(self, timeout: float) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        self.join(5)
        self.conn.close()


class WorkerPool:
    """``size`` long-lived workers; ``execute`` hands a request to a free one and waits for its
    reply until the deadline (plus ``grace_s``), killing and replacing a worker that overruns or
    dies. Safe to share between threads. The first worker starts at once (its errors, e.g. no
    warehouse, are raised here); the others start in the background."""

    def __init__(self, config: WorkerConfig, size: int = 2, grace_s: float = 0.5):
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._start_error = ""
        self.grace_s = grace_s
        self.size = size
        self.config = config
        first, self.columns, lake = self._start()
        self.config = replace(config, lake=lake)  # a DuckLake stays at the snapshot the first saw
        self._idle.put(first)
        self._live = size  # workers running or starting
        for _ in range(size - 1):
            self._start_in_background()

    def _start(self) -> tuple[_Worker, dict[str, set[str]], LakeTarget | None]:
        worker = _Worker(self.config)
        try:
            message = worker.conn.recv() if worker.conn.poll(_START_TIMEOUT_S) else ("failed", "no answer")
        except (EOFError, OSError):
            worker.join(5)
            message = ("failed", f"the worker process ended at start (exit code {worker.exitcode})")
        if message[0] != "ready":
            worker.kill()
            raise WorkerStartError(message[1])
        return worker, message[1], message[2]

    def _start_in_background(self) -> None:
        def start() -> None:
            try:
                worker = self._start()[0]
            except Exception as exc:
                with self._lock:
                    self._live -= 1
                    self._start_error = str(exc)
                return
            self._release(worker)

        threading.Thread(target=start, name="genai-query-worker-start", daemon=True).start()

    def _retire(self, worker: _Worker) -> None:
        """Kill ``worker`` and start its replacement."""
        worker.kill()
        with self._lock:
            if self._closed:
                return
        self._start_in_background()

    def _acquire(self, deadline: float) -> _Worker | None:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                worker = self._idle.get(timeout=min(remaining, 0.25))
            except queue.Empty:
                with self._lock:
                    if self._closed:
                        raise WorkerStartError("the query runner is closed") from None
                    if self._live > 0:
                        continue
                    error, self._live = self._start_error, 1
                self._start_in_background()  # try again for the next request
                raise WorkerStartError(error or "no query worker is running") from None
            if worker.alive():
                return worker
            self._retire(worker)

    def execute(self, sql: str, *, check_plan: bool, deadline: float) -> tuple:
        """The reply tuple (see the module docstring); ``("timeout", "busy")`` when no worker
        became free before the deadline, ``("died", exitcode)`` when the worker ended mid-query."""
        worker = self._acquire(deadline)
        if worker is None:
            return ("timeout", "busy")
        remaining = deadline - time.monotonic()
        try:
            worker.conn.send((sql, check_plan, remaining))
            ready = worker.conn.poll(max(remaining, 0) + self.grace_s)
            reply = worker.conn.recv() if ready else None
        except (EOFError, OSError):
            worker.join(5)
            code = worker.exitcode
            self._retire(worker)
            if time.monotonic() >= deadline:
                return ("timeout", "killed")
            return ("died", code)
        if reply is None:  # past the deadline and the grace: the worker is killed
            self._retire(worker)
            return ("timeout", "killed")
        if reply[0] == "memory" and not reply[2]:
            self._retire(worker)  # it exits by itself; a fresh one takes its place
        else:
            self._release(worker)
        return reply

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            closed = self._closed
        if closed:
            worker.kill()
        else:
            self._idle.put(worker)

    def pids(self) -> list[int]:
        """The idle workers' process ids (for tests and diagnostics)."""
        with self._idle.mutex:
            return [w.pid for w in self._idle.queue]

    def close(self) -> None:
        with self._lock:
            self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            with contextlib.suppress(OSError):
                worker.conn.send(None)
            worker.join(2)
            worker.kill()
