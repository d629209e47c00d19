"""A throwaway local PostgreSQL server for the DuckLake tests: initdb into a temporary folder, trust
auth, a Unix socket in that folder only (no TCP port), stopped and deleted at teardown.

PostgreSQL refuses to run as root, so as root the server runs as the unprivileged ``nobody`` user
(the folder is handed to it). Without PostgreSQL's programs the tests skip, or fail when
GENAI_REQUIRE_POSTGRES=1 (set by .ci/run, which installs them).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PROGRAMS = ("initdb", "pg_ctl", "postgres")
PORT = 5432  # only names the socket file: the server listens on no TCP address


def postgres_bin() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres: from PATH, else Debian's newest version."""
    found = shutil.which("initdb")
    if found:
        folder = Path(os.path.realpath(found)).parent
        if all((folder / p).exists() for p in PROGRAMS):
            return folder

    def version(folder: Path) -> int:
        return int(folder.parent.name) if folder.parent.name.isdigit() else 0

    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version)
    for folder in reversed(versions):
        if all((folder / p).exists() for p in PROGRAMS):
            return folder
    return None


def _unprivileged_user() -> tuple[int, int] | None:
    """(uid, gid) to run the server as: None when not root, else ``nobody``'s."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        raise RuntimeError("PostgreSQL refuses root and there is no 'nobody' user to run it.") from None
    return entry.pw_uid, entry.pw_gid


@contextlib.contextmanager
def local_postgres() -> Iterator[str]:
    """A running server; yields a libpq connection string to its ``postgres`` database."""
    folder = postgres_bin()
    if folder is None:
        message = (
            "PostgreSQL is not installed (initdb, pg_ctl and postgres not found on PATH or in "
            "/usr/lib/postgresql/*/bin); install it with: apt-get install postgresql"
        )
        if os.environ.get("GENAI_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " (GENAI_REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    user = _unprivileged_user()
    # A short path of our own under /tmp: the socket path has a ~100 character limit, and pytest's
    # tmp folders are private to the current user, which `nobody` could not enter.
    root = Path(tempfile.mkdtemp(prefix="genai-pg-"))
    if user:
        os.chown(root, *user)
    data, log = root / "data", root / "server.log"
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    run = {"check": True, "capture_output": True, "text": True, "env": env, "cwd": root}
    if user:
        run.update(user=user[0], group=user[1], extra_groups=[])
    try:
        subprocess.run(
            [folder / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"], **run
        )
        options = f"-p {PORT} -k {root} -c listen_addresses='' -c fsync=off"
        subprocess.run([folder / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start"], **run)
    except subprocess.CalledProcessError as exc:
        server_log = log.read_text() if log.exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(
            f"Could not start a local PostgreSQL ({exc.cmd[0]}): {exc.stderr or exc.stdout}\n{server_log}"
        ) from exc
    try:
        yield f"host={root} port={PORT} user=postgres dbname=postgres"
    finally:
        subprocess.run(
            [folder / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"], **{**run, "check": False}
        )
        shutil.rmtree(root, ignore_errors=True)


def create_database(conninfo: str, name: str) -> str:
    """Create database ``name`` on the server of ``conninfo``; return a connection string to it.
    Uses DuckDB's postgres extension, so the tests need no PostgreSQL client library."""
    from genai_analyzer.warehouse import duck

    con = duck.connect(":memory:", extensions=("postgres_scanner",))
    try:
        con.execute(f"ATTACH '{conninfo}' AS pg (TYPE postgres)")
        con.execute(f"CALL postgres_execute('pg', 'CREATE DATABASE {name}', use_transaction => false)")
    finally:
        con.close()
    return conninfo.replace("dbname=postgres", f"dbname={name}")


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A local PostgreSQL server for the session: a libpq connection string to its ``postgres``
    database (make one database per test with ``create_database``)."""
    with local_postgres() as conninfo:
        yield conninfo
