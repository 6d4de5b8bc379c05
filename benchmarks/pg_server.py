"""A PostgreSQL server for the sync benchmarks: one of the benchmark's own (``initdb`` into a temp
directory, on a free port, ``fsync`` on as a real centre has it, as the ``postgres`` user when run as
root) when the server binaries are installed, else the server of ``POS_BENCH_PG_URL`` or
``POS_TEST_PG_URL``. Each measured run gets a fresh database with pos_tui's schema.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _bin() -> Path | None:
    found = [d for d in sorted(Path("/usr/lib/postgresql").glob("*/bin")) if (d / "initdb").exists()]
    return found[-1] if found else None


@contextmanager
def server(url: str | None = None) -> Iterator[dict[str, Any]]:
    """``{"url": …, "own": bool, "settings": {...}}`` of a server the caller may create databases on."""
    if url is None and (bin_dir := _bin()) is not None:
        base = Path(tempfile.mkdtemp(prefix="pos-bench-pg-"))
        as_pg: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(base, "postgres")
            as_pg = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        data = base / "data"

        def run(*args: str) -> None:
            subprocess.run([*as_pg, *args], check=True, capture_output=True, text=True)

        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "pos", "--auth=trust", "-E", "UTF8", "--locale=C")
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=2GB"
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start")
        try:
            found = f"postgresql://pos@127.0.0.1:{port}/postgres"
            yield {"url": found, "own": True, "settings": settings(found)}
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
            shutil.rmtree(base, ignore_errors=True)
        return
    found = url or os.environ.get("POS_BENCH_PG_URL") or os.environ.get("POS_TEST_PG_URL")
    if not found:
        raise SystemExit(
            "no PostgreSQL: install the server (initdb under /usr/lib/postgresql/*/bin) or set POS_BENCH_PG_URL"
        )
    yield {"url": found, "own": False, "settings": settings(found)}


def _admin(url: str) -> Any:
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


def settings(url: str) -> dict[str, str]:
    """The server settings that decide a commit's cost, for the results."""
    conn = _admin(url)
    try:
        cur = conn.cursor()
        out = {}
        for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers", "wal_level"):
            cur.execute(f"SHOW {name}")
            out[name] = cur.fetchone()[0]
        return out
    finally:
        conn.close()


def create_database(server_url: str, prefix: str, *, schema: bool = True) -> str:
    """A new database on the server; with ``schema``, pos_tui's (created by ``open_database``)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    conn = _admin(server_url)
    try:
        conn.cursor().execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    url = server_url.rsplit("/", 1)[0] + "/" + name
    if schema:
        from pos_tui.store import close_database, open_database

        open_database(url)
        close_database()
    return url


def drop_database(server_url: str, url: str) -> None:
    conn = _admin(server_url)
    try:
        conn.cursor().execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        conn.close()
