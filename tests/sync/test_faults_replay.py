"""Replays (issue 15, section 4; docs/sync-faults.md): a terminal's real documents sent to the
centre as a bad line and an impatient retry would send them — every batch one to five times, in
any order — are kept once; a terminal restored from an old backup is refused with
SequenceConflict and the centre is left exactly as it was."""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from faults_support import local, meta, outbox, own_sums
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pull_support import seed_centre
from push_support import Centre
from sync_support import bound, drop_central, new_central

from pos_tui.core import catalog, staff, sync
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.loyalty import rules
from pos_tui.core.sync import connection
from pos_tui.core.till import complete_sale
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres

RULES = "[points]\nhold_days = 0\n[earning]\npercent = 10\n"


def _sell(settings: Settings, at: datetime, n: int, seed: int = 0) -> None:
    """``n`` cash sales on the bound terminal, members earning points, one minute apart."""
    rnd = random.Random(seed)
    actor = staff.actor_by_name("ayse", settings=settings)
    members = [mid for (mid,) in m.Member.select(m.Member.id).tuples()]
    for i in range(n):
        cart = Cart()
        for code in rnd.sample(("1001", "1002", "1003", "1004"), rnd.randint(1, 3)):
            cart = cart.add_product(catalog.get_product(code), rnd.randint(1, 4) * 1000)
        if members and rnd.random() < 0.7:
            cart = cart.with_member(rnd.choice(members))
        when = at + timedelta(minutes=i)
        complete_sale("T1", actor, [PaymentInput("cash", cart.totals().total)], now=when, cart=cart)


def _copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _terminal(central_url: str, settings: Settings, now: datetime) -> Centre:
    """The bound database joined as T1 to a seeded centre (members, points rules)."""
    seed_centre(central_url, settings, now)
    with bound(central_url):
        rules.apply_rules(RULES, now=now)
    sync.join(central_url, "T1", "S1", now, settings)
    return Centre(central_url)


def _record_batches(size: int) -> list[list[sync.OutboxRecord]]:
    records = sync.pending(10_000, 0)
    return [records[i : i + size] for i in range(0, len(records), size)]


@hsettings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(1, 9), seed=st.integers(0, 10**6))
def test_each_batch_sent_one_to_five_times_in_any_order_is_kept_once(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings, now: datetime, size: int, seed: int
) -> None:
    path = tmp_path_factory.mktemp("replay") / "terminal.sqlite3"
    open_database(path)  # the store is bound to the terminal; new_central binds it back to it
    url = new_central()
    try:
        centre = _terminal(url, settings, now)
        _sell(settings, now + timedelta(hours=1), 25, seed)
        rnd = random.Random(seed)
        batches = _record_batches(size)
        sends = [batch for batch in batches for _ in range(rnd.randint(1, 5))]
        rnd.shuffle(sends)
        db = sync.open_central(url)
        try:
            marks = []
            for batch in sends:
                receipt = sync.receive(db, "T1", batch, now + timedelta(hours=2))
                marks.append(receipt.high_water)
                # the mark covers only a contiguous run of documents the centre holds
                held = {seq for seq, _ in centre.documents()}
                assert set(range(1, receipt.high_water + 1)) <= held
        finally:
            db.close()
        assert marks == sorted(marks)  # it never goes back
        docs = outbox(path)
        assert centre.documents() == docs
        assert centre.high_water() == docs[-1][0]
        assert centre.ledger_sums() == own_sums(path) == centre.balances()
        # the terminal's own push, which knows nothing of the above, sends it all again: duplicates
        result = sync.push(now + timedelta(hours=3))
        assert (result.inserted, result.duplicates, result.waiting) == (0, len(docs), 0)
        assert centre.documents() == docs
        centre.close()
    finally:
        connection.forget()
        close_database()
        drop_central(url)


def test_a_terminal_restored_from_an_old_backup_is_refused_and_the_centre_keeps_its_copy(
    central_url: str, db: object, db_path: Path, tmp_path: Path, settings: Settings, now: datetime
) -> None:
    centre = _terminal(central_url, settings, now)
    _sell(settings, now + timedelta(hours=1), 10, seed=1)
    sync.push(now + timedelta(hours=1, minutes=30))
    backup = tmp_path / "backup.sqlite3"
    _copy(db_path, backup)  # last night's backup (SQLite's online backup, as pos-admin backup takes it)
    _sell(settings, now + timedelta(hours=2), 10, seed=2)
    sync.push(now + timedelta(hours=2, minutes=30))
    pushed = outbox(db_path)
    assert centre.high_water() == pushed[-1][0]
    before = centre.snapshot()

    # The disk dies; the backup is restored. Pushing at once: its last document is behind the centre.
    close_database()
    _copy(backup, db_path)  # put back as pos-admin restore does: page by page, through SQLite
    open_database(db_path)
    assert outbox(db_path) == pushed[:10]
    with pytest.raises(sync.SequenceConflict, match="backup"):
        sync.push(now + timedelta(hours=3))
    assert centre.snapshot() == before

    # The shop sells on the restored file: its new documents reuse numbers the centre holds under
    # other ids (and go beyond them). Refused again, by the centre this time; nothing overwritten.
    _sell(settings, now + timedelta(hours=4), 15, seed=3)
    restored = outbox(db_path)
    assert restored[-1][0] > pushed[-1][0]
    with pytest.raises(sync.SequenceConflict, match=r"backup|backwards"):
        sync.push(now + timedelta(hours=5))
    assert centre.snapshot() == before
    # sent straight to the centre, batch by batch: each batch that reuses a number is refused whole
    db = sync.open_central(central_url)
    try:
        with pytest.raises(sync.SequenceConflict):
            sync.receive(db, "T1", sync.pending(100, len(pushed) - 3), now + timedelta(hours=5))
    finally:
        db.close()
    assert centre.snapshot() == before
    # the refusal is on record for the status line; the documents stay queued here
    assert "backup" in (meta(db_path, "last_error") or "")
    assert local(db_path, "SELECT COUNT(*) FROM sync_outbox")[0][0] == restored[-1][0]
    centre.close()
