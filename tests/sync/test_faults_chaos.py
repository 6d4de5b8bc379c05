"""Faults the sync must survive (issue 15, section 4; docs/sync-faults.md): a terminal process
pushing through a proxy that drops, blackholes, delays and cuts the line, killed with ``kill -9``
at random, while the centre is restarted, stopped at once and its postmaster killed; terminals
selling and redeeming against the same members while going offline and online; replays and an
old backup; a master-data pull cut half way.

Each test runs its own PostgreSQL cluster (faults_pg.py: it restarts and kills it). The random
schedule's seed is printed on failure (``FAULTS_SEED`` repeats one)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from faults_support import (
    REPO,
    Chain,
    Process,
    centre_balances,
    centre_documents,
    centre_high_water,
    centre_ledger,
    chain,
    local,
    meta,
    outbox,
    own_sums,
    sync_until_quiet,
    wait_until,
)

from pos_tui.settings import Settings

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CHAOS_SECONDS = float(os.environ.get("FAULTS_CHAOS_SECONDS", "25"))
LEDGER_TABLES = (
    "stock_movement",
    "points_entry",
    "wallet_entry",
    "gift_card_entry",
    "account_entry",
    "stamp_entry",
    "coupon_use",
    "tier_change",
    "cheque_event",
)


def _seed() -> int:
    return int(os.environ.get("FAULTS_SEED") or time.time_ns() % 1_000_000)


def _pusher(c: Chain, terminal: str, sales: int, seed: int) -> Process:
    home = c.base / terminal
    return Process(
        [
            "push",
            str(c.terminal_path(terminal)),
            str(home),
            terminal,
            "--sales",
            str(sales),
            "--per-round",
            "8",
            "--batch",
            "25",
            "--seed",
            str(seed),
            "--stop",
            str(home / "stop"),
        ],
        home / "pusher.log",
    )


def _cli(c: Chain, terminal: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``pos-admin --db FILE ARGS`` as a process of its own, on the terminal's file and settings."""
    home = c.base / terminal
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_HOME": str(home),
        "POS_CONFIG": str(home / "pos.toml"),
        "POS_LANG": "en",
        "POS_TERMINAL": terminal,
    }
    command = [sys.executable, "-m", "pos_tui.cli.app", "--db", str(c.terminal_path(terminal)), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def _chaos_step(rnd: random.Random, c: Chain, terminal: str, pusher: Process, log: list[str]) -> None:
    """One random fault (or a heal); the centre is always started again within the step."""
    proxy = c.proxy(terminal)
    roll = rnd.random()
    if roll < 0.25:
        proxy.heal()
        log.append("heal")
    elif roll < 0.37:
        proxy.drop()
        log.append("drop")
    elif roll < 0.45:
        proxy.blackhole()
        log.append("blackhole")
    elif roll < 0.52:
        seconds = rnd.choice((0.01, 0.05, 0.2))
        proxy.delay(seconds)
        log.append(f"delay {seconds}")
    elif roll < 0.67:
        n = rnd.randint(100, 30_000)
        direction = rnd.choice(("up", "up", "down"))
        proxy.cut_after(n, direction)
        log.append(f"cut {direction} after {n}")
    elif roll < 0.82:
        pusher.kill9()
        log.append("kill -9 terminal")
    elif roll < 0.88:
        c.cluster.restart("fast")
        log.append("centre restart")
    elif roll < 0.93:
        c.cluster.stop("immediate")
        time.sleep(rnd.uniform(0.1, 0.8))
        c.cluster.start()
        log.append("centre immediate stop")
    else:
        c.cluster.kill9()
        time.sleep(rnd.uniform(0.1, 0.8))
        c.cluster.start()
        log.append("centre kill -9")
    if not pusher.running and pusher.returncode != 0:
        pusher.start()  # killed (or crashed): the terminal comes back and goes on from its file


def test_every_acknowledged_document_is_at_the_centre_once_whatever_breaks(
    tmp_path: Path, settings: Settings, now: datetime
) -> None:
    seed = _seed()
    rnd = random.Random(seed)
    log: list[str] = []
    with chain(tmp_path, settings, now) as c:
        path = c.join("T1", now)
        pusher = _pusher(c, "T1", 5000, seed)
        pusher.start()
        deadline = time.monotonic() + CHAOS_SECONDS
        while time.monotonic() < deadline:
            time.sleep(rnd.uniform(0.1, 0.6))
            _chaos_step(rnd, c, "T1", pusher, log)
        context = f"seed {seed}; faults: {', '.join(log)}"

        # Heal; stop the terminal at a random point (kill -9) and look before anything else is sent:
        # what the terminal holds as acknowledged is at the centre, whatever the centre went through.
        c.heal()
        pusher.kill9()
        acknowledged = int(meta(path, "high_water") or 0)
        local_docs = outbox(path)
        at_centre = set(centre_documents(c, "T1"))
        assert set(local_docs[:acknowledged]) <= at_centre, context
        assert acknowledged <= centre_high_water(c, "T1"), context

        # pos-admin on the terminal while its line is down: exit 1, a clear message, nothing lost.
        c.proxy("T1").drop()
        down = _cli(c, "T1", "sync", "push")
        assert down.returncode == 1, context + down.stderr
        assert "cannot be reached" in down.stderr and "Traceback" not in down.stderr, down.stderr
        assert outbox(path) == local_docs and int(meta(path, "high_water") or 0) == acknowledged
        c.heal()

        # The terminal comes back, stops selling, sends what it has and ends; then pos-admin pushes last.
        (c.base / "T1" / "stop").touch()
        pusher.start()
        assert wait_until(lambda: not pusher.running, 120), context + "\n" + pusher.tail()
        assert pusher.returncode == 0, context + "\n" + pusher.tail()
        up = _cli(c, "T1", "sync", "push", "--json")
        assert up.returncode == 0, context + up.stderr
        assert json.loads(up.stdout)["waiting"] == 0, up.stdout

        local_docs = outbox(path)
        last = local_docs[-1][0]
        assert [seq for seq, _ in local_docs] == list(range(1, last + 1)), context  # gapless, kills or not
        sales = local(path, "SELECT COUNT(*) FROM sale")[0][0]
        assert sales > 20, context  # enough to have crossed every fault (how many depends on the machine's load)
        assert centre_documents(c, "T1") == local_docs, context  # each once: same seqs, same uids
        assert centre_high_water(c, "T1") == last == int(meta(path, "high_water") or 0), context
        captured = local(
            path,
            f"SELECT COUNT(*) FROM sync_capture WHERE outbox IS NOT NULL AND tbl IN {LEDGER_TABLES}",
        )[0][0]
        # every captured ledger row once (the spend rows tiers read are made from the sales' journal entries)
        ledger_rows = "SELECT COUNT(*) FROM sync_ledger WHERE terminal = 'T1' AND ledger <> 'spend'"
        assert c.sql(ledger_rows) == [(captured,)], context
        sums = own_sums(path)
        assert sums and centre_ledger(c, "T1") == sums, context
        assert centre_balances(c) == sums, context
        events = pusher.events()
        assert any(e["event"] == "offline" for e in events), context  # the faults were felt
        assert pusher.kills >= 1, context


GIFT_CARDS = ("GC-FAULTS-0001", "GC-FAULTS-0002")


def _open_the_day(c: Chain, now: datetime) -> None:
    """On T1: opening points for every member and two gift cards sold; pushed, and pulled by all."""
    from decimal import Decimal

    from sync_support import bound

    from pos_tui.core import staff
    from pos_tui.core.loyalty import giftcards, ledger
    from pos_tui.store import models as m

    settings = c.settings("T1")
    with bound(c.terminal_path("T1")):
        admin = staff.actor_by_name("admin", settings=settings)
        for (member_id,) in m.Member.select(m.Member.id).tuples():
            ledger.adjust(member_id, 600, "opening", actor=admin, now=now, terminal="T1")
        for code in GIFT_CARDS:
            giftcards.issue_card(Decimal("300"), actor=admin, now=now, terminal="T1", code=code, method="card")
    for terminal in c.proxies:
        sync_until_quiet(c, terminal, now)
    for terminal in c.proxies:
        sync_until_quiet(c, terminal, now)


def _trader(c: Chain, terminal: str, sales: int, seed: int) -> Process:
    home = c.base / terminal
    args = ["trade", str(c.terminal_path(terminal)), str(home), terminal, "--sales", str(sales)]
    return Process([*args, "--sync-every", "3", "--seed", f"{seed}-{terminal}"], home / "trader.log")


def test_terminals_redeeming_offline_stay_within_the_bound_and_every_overdraft_is_reported(
    tmp_path: Path, settings: Settings, now: datetime
) -> None:
    from faults_support import OFFLINE_GIFT, OFFLINE_POINTS, add_sums, open_holds
    from sync_support import bound

    from pos_tui.core import sync
    from pos_tui.core.sync import connection

    seed = _seed()
    rnd = random.Random(seed)
    log: list[str] = []
    terminals = ("T1", "T2", "T3")
    limits = {"points": OFFLINE_POINTS, "gift_card": OFFLINE_GIFT}
    with chain(tmp_path, settings, now) as c:
        paths = {t: c.join(t, now) for t in terminals}
        _open_the_day(c, now)
        traders = {t: _trader(c, t, 80, seed) for t in terminals}
        for trader in traders.values():
            trader.start()
        deadline = time.monotonic() + 180
        while any(t.running for t in traders.values()) and time.monotonic() < deadline:
            time.sleep(rnd.uniform(0.1, 0.4))
            terminal = rnd.choice(terminals)
            proxy = c.proxy(terminal)
            roll = rnd.random()
            if roll < 0.45:
                proxy.heal()
                log.append(f"{terminal} online")
            elif roll < 0.85:
                proxy.drop()
                log.append(f"{terminal} offline")
            elif roll < 0.9:
                proxy.blackhole()
                log.append(f"{terminal} blackhole")
            else:
                proxy.delay(0.05)
                log.append(f"{terminal} slow")
        context = f"seed {seed}; {', '.join(log)}"
        for t, trader in traders.items():
            assert not trader.running, f"{t} did not finish; {context}\n{trader.tail()}"
            assert trader.returncode == 0, f"{t}: {context}\n{trader.tail()}"

        # Every offline redemption stayed within what the bound allowed just before it, and within
        # the daily limit per terminal, key and day.
        offline: dict[tuple[str, str, str, str], int] = {}
        online = offline_count = 0
        for t, trader in traders.items():
            for e in trader.events():
                if e["event"] != "sold" or not e.get("ledger") or not e.get("taken"):
                    continue
                if e["online"]:
                    online += 1
                    continue
                offline_count += 1
                assert e["taken"] <= e["allowed"], f"{t} {e}; {context}"
                group = (t, e["ledger"], e["key"], e["day"])
                offline[group] = offline.get(group, 0) + e["taken"]
        for (t, ledger, key, day), taken in offline.items():
            assert taken <= limits[ledger], f"{t} took {taken} of {ledger} {key} offline on {day}; {context}"
        assert online and offline_count, f"{online=} {offline_count=}; {context}"

        c.heal()
        # A hold whose sale never posted (its answer lost, then the sale refused offline and the
        # release finding the line down) is an orphan: every process has ended, so give them back.
        for t in terminals:
            with bound(paths[t]):
                sync.release_orphans(datetime.now(UTC), grace=timedelta(0))
            connection.forget()
        for _ in range(2):
            for t in terminals:
                sync_until_quiet(c, t, now)

        # Every document once; each terminal's own sums at the centre; stock per location = the sum
        # of all terminals' movements; the balances = the ledger (no hold left open).
        own = {t: own_sums(paths[t]) for t in terminals}
        for t in terminals:
            assert centre_documents(c, t) == outbox(paths[t]), f"{t}; {context}"
            assert centre_ledger(c, t) == own[t], f"{t}; {context}"
        total = add_sums(*own.values())
        assert open_holds(c) == {}, context
        assert centre_balances(c) == total, context
        stock = {k: v for k, v in total.items() if k[0] == "stock"}
        assert stock and {k: v for k, v in centre_balances(c).items() if k[0] == "stock"} == stock, context

        # A balance goes below zero only by offline redemptions, and never by more than they took;
        # every such balance is in the reconciliation report.
        db = sync.open_central(c.url)
        try:
            report = sync.reconciliation(db)
        finally:
            db.close()
        reported = {(r.ledger, r.key) for r in report if r.kind in ("overdraft", "balance")}
        for (ledger, key, _place), amount in centre_balances(c).items():
            if ledger not in limits or amount >= 0:
                continue
            taken_offline = sum(v for (_t, lg, k, _d), v in offline.items() if (lg, k) == (ledger, key))
            assert -amount <= taken_offline, f"{ledger} {key} at {amount}; {context}"
            assert (ledger, key) in reported, f"{ledger} {key} at {amount} not reported; {context}"

        # After the last pull every terminal's copy of the chain's points agrees with the centre.
        points = {k: v for k, v in total.items() if k[0] == "points"}
        for t in terminals:
            mine = local(
                paths[t],
                "SELECT mb.card, SUM(p.points) FROM points_entry p JOIN member mb ON mb.id = p.member_id GROUP BY 1",
            )
            assert {("points", card, ""): int(s) for card, s in mine if s} == points, f"{t}; {context}"
