"""A PostgreSQL cluster of the test's own, so a test can stop, restart, crash and ``kill -9`` the
centre (the shared server of ``POS_TEST_PG_URL`` must never be stopped).

``initdb`` runs into a fresh directory under /tmp from the newest ``/usr/lib/postgresql/*/bin``
(or ``POS_TEST_PG_BIN``); the server listens on 127.0.0.1 on a free port that stays the same across
restarts (so a :class:`faults_proxy.FaultProxy` in front of it keeps working). As root, the server
runs as the ``postgres`` user, as .ci/postgres.sh does. Without the binaries the tests skip with a
reason (.ci/postgres.sh installs them on CI).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def server_bin() -> Path | None:
    """The directory of ``initdb``/``pg_ctl``/``postgres``, or None."""
    env = os.environ.get("POS_TEST_PG_BIN")
    candidates = [Path(env)] if env else sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version)
    found = [d for d in candidates if (d / "initdb").exists() and (d / "pg_ctl").exists()]
    return found[-1] if found else None


def _version(path: Path) -> tuple[int, ...]:
    with contextlib.suppress(ValueError):
        return tuple(int(p) for p in path.parent.name.split("."))
    return (0,)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """One throwaway PostgreSQL server: :meth:`start`, :meth:`stop` (``fast`` / ``immediate``),
    :meth:`restart`, :meth:`kill9` (the postmaster, as a crash does), :meth:`url`."""

    def __init__(self, bin_dir: Path, *, user: str = "pos") -> None:
        self.bin = bin_dir
        self.user = user
        self.base = Path(tempfile.mkdtemp(prefix="pos-faults-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "log"
        self.port = free_port()
        self.as_pg: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the server as postgres
            shutil.chown(self.base, "postgres")
            self.as_pg = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C", "-N")

    def _run(self, tool: str, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.as_pg, str(self.bin / tool), *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=timeout,
        )

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while it runs (from postmaster.pid)."""
        try:
            first = (self.data / "postmaster.pid").read_text().split("\n", 1)[0]
        except (FileNotFoundError, PermissionError):
            return None
        try:
            pid = int(first)
        except ValueError:
            return None
        return pid if _alive(pid) else None

    @property
    def running(self) -> bool:
        return self.pid is not None

    def start(self, *, timeout: float = 30) -> None:
        """Start the server and wait until it accepts connections (after a crash: after recovery)."""
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=60 -c shared_buffers=16MB"
        )
        deadline = time.monotonic() + timeout
        while True:
            args = ("-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "20", "start")
            done = self._run("pg_ctl", *args, check=False)
            if done.returncode == 0:
                return
            # after a kill -9 the orphaned backends may still hold the shared memory for a moment
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start: {done.stdout}{done.stderr}\n{self.log_tail()}")
            time.sleep(0.3)

    def stop(self, mode: str = "fast") -> None:
        """``fast``: roll back sessions, shut down cleanly; ``immediate``: quit at once (recovery at the
        next start)."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop", check=False)

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def kill9(self) -> None:
        """``kill -9`` the postmaster (its backends notice and quit on their own), then wait until it
        and its backends are gone."""
        pid = self.pid
        if pid is None:
            return
        family = [pid, *_children(pid)]
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in family):
            time.sleep(0.02)

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        with contextlib.suppress(Exception):
            self.kill9()
        shutil.rmtree(self.base, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie is gone: it only waits for its parent to reap it


def _children(pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(proc.name))
    return found


def require_bin() -> Path:
    found = server_bin()
    if found is None:
        pytest.skip(
            "the PostgreSQL server binaries (initdb, pg_ctl) are not installed under /usr/lib/postgresql/*/bin "
            "(.ci/postgres.sh installs them; POS_TEST_PG_BIN names another directory)"
        )
    return found


@contextmanager
def own_cluster() -> Iterator[PgCluster]:
    """A started cluster of the caller's own, destroyed after the block."""
    cluster = PgCluster(require_bin())
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


def create_database(cluster: PgCluster, name: str) -> str:
    """A new database on ``cluster``; returns its URL."""
    import psycopg2

    conn = psycopg2.connect(cluster.url(), connect_timeout=5)
    conn.autocommit = True
    try:
        conn.cursor().execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    return cluster.url(name)
