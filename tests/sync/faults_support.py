"""Helpers of the fault tests (a uniquely named module; no tests in it): a chain on a PostgreSQL
cluster of the test's own with a fault proxy per terminal, terminals joined through their proxy,
terminal processes (faults_terminal.py) started and killed, and the sums and documents on both
sides to compare."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "accounts"))

from accounts_support import make_books
from faults_pg import PgCluster, create_database, own_cluster
from faults_proxy import FaultProxy
from sync_support import bound

from pos_tui.core.loyalty import rules
from pos_tui.core.loyalty.members.enrolment import enroll
from pos_tui.core.sync import connection, join
from pos_tui.settings import Settings, load_settings
from pos_tui.store import close_database
from pos_tui.store.proxy import database

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).resolve().parent / "faults_terminal.py"
RULES = "[points]\nhold_days = 0\n[earning]\npercent = 10\n"
CARDS = ("2000000000017", "2000000000024", "2000000000031")
# Small offline limits, so that terminals offline at once can really overdraw a member
OFFLINE_POINTS, OFFLINE_GIFT = 300, 20_000  # points; kuruş (200,00 TL)

# the ledgers whose sums are compared (coupon, tier and cheque rows move nothing)
SUMMED = ("stock", "points", "wallet", "gift_card", "account", "stamps")


def terminal_settings(home: Path, path: Path, terminal: str) -> Settings:
    """A terminal's settings: its own file and home, pos.toml with the small offline limits."""
    config = home / "pos.toml"
    if not config.exists():
        text = (REPO / "config" / "pos.toml").read_text(encoding="utf-8")
        text = text.replace("offline_points_per_day = 1000", f"offline_points_per_day = {OFFLINE_POINTS}")
        text = text.replace("offline_gift_card_per_day = 100000", f"offline_gift_card_per_day = {OFFLINE_GIFT}")
        config.write_text(text, encoding="utf-8")
    env = {
        "POS_HOME": str(home),
        "POS_DB": str(path),
        "POS_LANG": "en",
        "POS_CONFIG": str(config),
        "POS_TERMINAL": terminal,
    }
    return load_settings(env)


@dataclass
class Chain:
    """The centre (a database on a cluster of the test's own, reached directly by the test) and a
    fault proxy per terminal in front of it."""

    cluster: PgCluster
    url: str
    base: Path
    proxies: dict[str, FaultProxy] = field(default_factory=dict)

    def proxy(self, terminal: str) -> FaultProxy:
        if terminal not in self.proxies:
            self.proxies[terminal] = FaultProxy("127.0.0.1", self.cluster.port).start()
        return self.proxies[terminal]

    def via(self, terminal: str) -> str:
        """The centre's URL as ``terminal`` reaches it: through its proxy."""
        return self.proxy(terminal).url(self.url)

    def terminal_path(self, terminal: str) -> Path:
        return self.base / terminal / "pos.sqlite3"

    def settings(self, terminal: str) -> Settings:
        home = self.base / terminal
        home.mkdir(parents=True, exist_ok=True)
        return terminal_settings(home, self.terminal_path(terminal), terminal)

    def join(self, terminal: str, now: datetime, store: str = "S1") -> Path:
        """A new terminal file joined to the centre through its proxy."""
        path = self.terminal_path(terminal)
        settings = self.settings(terminal)
        with bound(path):
            join(self.via(terminal), terminal, store, now, settings)
        connection.forget()
        return path

    def heal(self) -> None:
        if not self.cluster.running:
            self.cluster.start()
        for proxy in self.proxies.values():
            proxy.heal()

    def sql(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg2

        conn = psycopg2.connect(self.url, connect_timeout=5)
        try:
            with conn, conn.cursor() as cur:
                cur.execute(sql, params)
                return [tuple(r) for r in cur.fetchall()] if cur.description else []
        finally:
            conn.close()


@contextmanager
def chain(base: Path, settings: Settings, now: datetime) -> Iterator[Chain]:
    """A centre seeded with the ordinary services (users, products 1001–1004, accounts, the points
    rules, members with ``CARDS``) on a cluster of the test's own; proxies closed after."""
    with own_cluster() as cluster, ExitStack() as stack:
        url = create_database(cluster, f"central_{uuid.uuid4().hex[:8]}")
        with bound(url):
            make_books(settings, now)
            rules.apply_rules(RULES, now=now)
            for i, card in enumerate(CARDS):
                enroll(name=f"Üye {i}", phone=f"0532111220{i}", card=card, source="cli", actor=None, now=now)
        connection.forget()
        found = Chain(cluster, url, base)
        stack.callback(_unbind, cluster.port)
        stack.callback(lambda: [p.close() for p in found.proxies.values()])
        stack.callback(connection.forget)
        yield found


def _unbind(port: int) -> None:
    """Leave the store bound to nothing rather than to this cluster's database (it is about to go):
    ``bound`` (sync_support) reopens whatever the store was bound to before, and the next test in
    this process would find a server that is gone."""
    obj = database.obj
    if obj is not None and getattr(obj, "connect_params", {}).get("port") == port:
        close_database()
        database.initialize(None)


# -- terminal processes -------------------------------------------------------------------------


@dataclass
class Process:
    """A terminal process (faults_terminal.py) whose JSON lines go to ``log``."""

    args: list[str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    kills: int = 0

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "POS_LANG": "en"}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, str(DRIVER), *self.args], stdout=out, stderr=subprocess.STDOUT, env=env
            )

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def kill9(self) -> None:
        if self.running:
            assert self.proc is not None
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
            self.kills += 1

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def events(self) -> list[dict[str, Any]]:
        """The JSON lines it printed (other lines, such as a traceback, are skipped)."""
        out = []
        for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue  # a line cut by kill -9
        return out

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])


def wait_until(predicate: Any, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


# -- both sides' figures ------------------------------------------------------------------------


def local(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]


def outbox(path: Path) -> list[tuple[int, str]]:
    return [(int(s), str(u)) for s, u in local(path, "SELECT seq, uid FROM sync_outbox ORDER BY seq")]


def meta(path: Path, key: str) -> str | None:
    found = local(path, "SELECT value FROM meta_entry WHERE key = ?", (f"sync_{key}",))
    return None if not found else found[0][0]


_OWN = {
    # table: (ledger, key expression, place expression, amount column, joins)
    "stock_movement": (
        "stock",
        "p.code",
        "COALESCE(l.code, '')",
        "r.qty",
        "JOIN product p ON p.id = r.product_id LEFT JOIN stock_location l ON l.id = r.location_id",
    ),
    "points_entry": ("points", "mb.card", "''", "r.points", "JOIN member mb ON mb.id = r.member_id"),
    "wallet_entry": ("wallet", "mb.card", "''", "r.amount", "JOIN member mb ON mb.id = r.member_id"),
    "gift_card_entry": ("gift_card", "g.code", "''", "r.amount", "JOIN gift_card g ON g.id = r.card_id"),
    "account_entry": ("account", "pa.code", "''", "r.amount", "JOIN party pa ON pa.id = r.party_id"),
}


def own_sums(path: Path) -> dict[tuple[str, str, str], int]:
    """What this terminal's own rows (those its outbox carries; the pulled ones are never
    captured) move, per (ledger, key, place), zero sums left out."""
    sums: dict[tuple[str, str, str], int] = defaultdict(int)
    for table, (ledger, key, place, amount, joins) in _OWN.items():
        for k, p, total in local(
            path,
            f"SELECT {key}, {place}, SUM({amount}) FROM {table} r {joins} "
            f"JOIN sync_capture c ON c.tbl = '{table}' AND c.row_id = r.id AND c.op = 'i' "
            "WHERE c.outbox IS NOT NULL GROUP BY 1, 2",
        ):
            sums[(ledger, str(k), str(p))] += int(total)
    return {k: v for k, v in sums.items() if v}


def add_sums(*parts: dict[tuple[str, str, str], int]) -> dict[tuple[str, str, str], int]:
    total: dict[tuple[str, str, str], int] = defaultdict(int)
    for part in parts:
        for k, v in part.items():
            total[k] += v
    return {k: v for k, v in total.items() if v}


def centre_ledger(chain: Chain, terminal: str | None = None) -> dict[tuple[str, str, str], int]:
    where, params = ("WHERE terminal = %s", (terminal,)) if terminal else ("", ())
    rows = chain.sql(f'SELECT ledger, "key", place, SUM(amount) FROM sync_ledger {where} GROUP BY 1, 2, 3', params)
    return {(a, b, c): int(s) for a, b, c, s in rows if s and a in SUMMED}


def centre_balances(chain: Chain) -> dict[tuple[str, str, str], int]:
    rows = chain.sql('SELECT ledger, "key", place, amount FROM sync_balance')
    return {(a, b, c): int(s) for a, b, c, s in rows if s and a in SUMMED}


def open_holds(chain: Chain) -> dict[tuple[str, str, str], int]:
    rows = chain.sql(
        'SELECT ledger, "key", place, SUM(amount) FROM sync_hold WHERE settled_at IS NULL AND released_at IS NULL '
        "GROUP BY 1, 2, 3"
    )
    return {(a, b, c): int(s) for a, b, c, s in rows if s}


def centre_documents(chain: Chain, terminal: str) -> list[tuple[int, str]]:
    return [
        (int(s), str(u))
        for s, u in chain.sql("SELECT seq, uid FROM sync_document WHERE terminal = %s ORDER BY seq", (terminal,))
    ]


def centre_high_water(chain: Chain, terminal: str) -> int:
    return int(chain.sql("SELECT high_water FROM sync_terminal WHERE terminal = %s", (terminal,))[0][0])


def sync_until_quiet(chain: Chain, terminal: str, now: datetime, *, pull: bool = True, tries: int = 20) -> None:
    """Push (and pull) ``terminal`` in this process until nothing waits (the line healed)."""
    from pos_tui.core import sync

    path = chain.terminal_path(terminal)
    with bound(path):
        for _ in range(tries):
            try:
                result = sync.push(now)
                if pull:
                    sync.pull(now)
            except sync.CentralUnreachable:
                connection.forget()
                time.sleep(0.5)
                continue
            if result.waiting == 0:
                break
        else:
            raise AssertionError(f"{terminal} could not push everything")
    connection.forget()
