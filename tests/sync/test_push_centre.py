"""A terminal pushes its outbox to a real central PostgreSQL: every record once, the centre's
ledger sums equal the terminal's, an old backup and a broken chain are refused with nothing
written, members enrolled at the till reach the centre's table, clashes become conflict rows,
online holds settle (docs/sync.md, "The centre")."""

from __future__ import annotations

import itertools
import json
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as h_settings
from hypothesis import strategies as st
from push_support import Centre, local_sums, make_shop, more_sales, sell_to
from sync_support import set_identity

from pos_tui.core import staff, sync
from pos_tui.core.basket import PaymentInput
from pos_tui.core.loyalty.giftcards import issue_card
from pos_tui.core.loyalty.members.enrolment import enroll
from pos_tui.core.sync import connection
from pos_tui.core.sync.model import OutboxRecord
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database, write_tx
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres
D = Decimal


@pytest.fixture
def centre(central_url: str) -> Iterator[Centre]:
    c = Centre(central_url)
    c.register("T1", "S1")
    yield c
    c.close()
    connection.forget()


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime, centre: Centre):  # type: ignore[no-untyped-def]
    made = make_shop(settings, now)  # before joining: its redemptions are the centre's first news of them
    set_identity("T1", "S1", centre.url)
    return made


def _outbox() -> list[tuple[int, str]]:
    return [
        (s, u) for s, u in m.SyncOutbox.select(m.SyncOutbox.seq, m.SyncOutbox.uid).order_by(m.SyncOutbox.seq).tuples()
    ]


def _meta(name: str) -> str | None:
    return sync.identity.get(name)


def test_a_push_puts_every_record_at_the_centre_once(shop, centre: Centre, now: datetime) -> None:  # type: ignore[no-untyped-def]
    assert sync.waiting() == len(_outbox()) > 10
    result = sync.push(now, batch=4)
    outbox = _outbox()
    assert centre.documents() == outbox
    assert (result.sent, result.inserted, result.duplicates) == (len(outbox), len(outbox), 0)
    assert result.high_water == centre.high_water() == len(outbox) == int(_meta("high_water") or 0)
    assert result.waiting == sync.waiting() == 0
    assert _meta("online") == "1" and _meta("last_push") is not None
    # the centre's sums are the terminal's own, per (ledger, key, place)
    sums = local_sums()
    assert centre.ledger_sums() == sums
    assert centre.balances() == sums
    assert {k[0] for k in sums} >= {"stock", "points", "account"}
    head = m.SyncOutbox.get_by_id(len(outbox)).hash
    assert centre.one("SELECT head_hash FROM sync_terminal WHERE terminal = 'T1'")[0] == head
    # again: nothing to send; more sales: only they go
    again = sync.push(now)
    assert (again.sent, again.inserted) == (0, 0)
    books, members = shop
    more_sales(books, members, now + timedelta(hours=2), 3)
    later = sync.push(now)
    assert (later.sent, later.inserted, later.high_water) == (3, 3, len(outbox) + 3)
    assert centre.ledger_sums() == local_sums()


def test_the_member_enrolled_at_the_till_is_in_the_centres_table(shop, centre: Centre, now: datetime) -> None:  # type: ignore[no-untyped-def]
    sync.push(now)
    local = sorted(m.Member.select(m.Member.card, m.Member.phone, m.Member.name).tuples())
    assert centre.all("SELECT card, phone, name FROM member ORDER BY card") == local
    revisions = centre.all("SELECT revision FROM member")
    assert all(r[0] is not None for r in revisions)  # the centre numbered them: they reach the others


def test_a_phone_clash_becomes_a_conflict_and_the_push_goes_on(shop, centre: Centre, now: datetime) -> None:  # type: ignore[no-untyped-def]
    _books, (zeynep_id, _ali) = shop
    zeynep = m.Member.get_by_id(zeynep_id)
    centre.db.execute_sql(
        "INSERT INTO member (card, phone, name, created_at, name_key, card_kind) "
        "VALUES ('2999999999999', %s, 'Başka Biri', %s, 'baska biri', 'barcode')",
        (zeynep.phone, datetime(2026, 10, 1)),
    )
    result = sync.push(now)
    assert result.waiting == 0
    assert centre.documents() == _outbox()
    conflicts = centre.all("SELECT kind, ledger, key, note FROM sync_overdraft WHERE kind = 'conflict'")
    assert [(k, t, key) for k, t, key, _note in conflicts] == [("conflict", "member", zeynep.card)]
    assert zeynep.phone in conflicts[0][3] and "phone" in conflicts[0][3]
    # the other member went in; the points of the clashing one are still counted by card
    assert centre.one("SELECT COUNT(*) FROM member")[0] == 2
    assert centre.ledger_sums() == local_sums()


def test_the_same_batches_replayed_and_out_of_order_write_each_document_once(
    shop,  # type: ignore[no-untyped-def]
    centre: Centre,
    now: datetime,
) -> None:
    records = sync.pending(1000, 0)
    n = len(records)
    later, earlier = records[n // 2 :], records[: n // 2]
    r1 = sync.receive(centre.db, "T1", later, now)
    assert (r1.high_water, r1.inserted) == (0, len(later))  # stored, the mark waits for the gap
    r2 = sync.receive(centre.db, "T1", earlier + later[:2], now)
    assert (r2.high_water, r2.inserted, r2.duplicates) == (n, len(earlier), 2)
    r3 = sync.receive(centre.db, "T1", records, now)
    assert (r3.high_water, r3.inserted, r3.duplicates) == (n, 0, n)
    assert centre.documents() == _outbox()
    assert centre.ledger_sums() == centre.balances() == local_sums()


def test_a_restored_backup_is_refused_and_the_centre_keeps_its_copy(
    shop,  # type: ignore[no-untyped-def]
    centre: Centre,
    db_path: Path,
    now: datetime,
    tmp_path: Path,
) -> None:
    books, members = shop
    sync.push(now)
    backup = tmp_path / "backup.sqlite3"
    close_database()
    shutil.copy(db_path, backup)
    open_database(db_path)
    more_sales(books, members, now + timedelta(hours=1), 4)
    sync.push(now)
    before = centre.snapshot()
    # the old file comes back: one new sale (its sequence is below the centre's)
    close_database()
    shutil.copy(backup, db_path)
    open_database(db_path)
    more_sales(books, members, now + timedelta(hours=3), 1)
    with pytest.raises(sync.SequenceConflict, match="backwards"):
        sync.push(now)
    assert centre.snapshot() == before
    assert "backwards" in (_meta("last_error") or "")
    # more sales than the centre had: the sequence is not below, but the numbers are taken
    more_sales(books, members, now + timedelta(hours=4), 5)
    with pytest.raises(sync.SequenceConflict, match="backwards"):
        sync.push(now)
    assert centre.snapshot() == before
    assert sync.waiting() > 0  # nothing local was dropped


def test_a_broken_chain_is_refused(shop, centre: Centre, now: datetime) -> None:  # type: ignore[no-untyped-def]
    records = sync.pending(1000, 0)
    sync.receive(centre.db, "T1", records[:5], now)
    sixth = records[5]
    body = json.loads(sixth.body)
    body["journal"][0]["prev_hash"] = "f" * 64
    forged = OutboxRecord(sixth.seq, sixth.uid, sixth.at, sixth.kind, sixth.hash, json.dumps(body))
    before = centre.snapshot()
    with pytest.raises(sync.SequenceConflict, match="chain"):
        sync.receive(centre.db, "T1", [forged, *records[6:]], now)
    assert centre.snapshot() == before
    # the true document goes in
    assert sync.receive(centre.db, "T1", records[5:], now).high_water == len(records)


def test_a_terminal_the_centre_does_not_know_is_refused(
    db: object, central_url: str, now: datetime, settings: Settings
) -> None:
    set_identity("T7", "S1", central_url)
    staff.add_user("ayse", "cashier", "1111", now=now, settings=settings)
    with pytest.raises(sync.NotJoined, match="T7"):
        sync.push(now)
    assert "T7" in (_meta("last_error") or "")
    assert sync.waiting() == 1
    connection.forget()


def test_an_unreachable_centre_keeps_everything_queued(shop, centre: Centre, now: datetime) -> None:  # type: ignore[no-untyped-def]
    waiting = sync.waiting()
    with pytest.raises(sync.CentralUnreachable):
        sync.push(now, url="postgresql://pos@127.0.0.1:1/nowhere")
    assert _meta("online") == "0" and _meta("last_error")
    assert sync.waiting() == waiting
    assert sync.push(now).waiting == 0
    assert _meta("online") == "1" and _meta("last_error") is None


def test_a_hold_settles_when_its_sale_arrives(shop, centre: Centre, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """The guard holds 10 points of Zeynep's sale online (the centre's balance lowered at once); the
    sale's document then applies only what differs from the hold."""
    books, (zeynep, _ali) = shop
    sync.push(now)
    card = m.Member.get_by_id(zeynep).card
    points_before = centre.one("SELECT amount FROM sync_balance WHERE ledger = 'points' AND key = %s", (card,))[0]
    at = now + timedelta(hours=1)
    sale_id = sell_to(
        books, zeynep, [("1001", 2)], PaymentInput("points", D("10.00")), PaymentInput("cash", D("10.00")), at=at
    )
    uid_of_next = m.Sale.get_by_id(sale_id).uid
    held = centre.one("SELECT amount, settled_at FROM sync_hold WHERE document = %s", (uid_of_next,))
    assert held == (-10, None)
    sync.push(now)
    settled = centre.one("SELECT settled_at FROM sync_hold WHERE document = %s", (uid_of_next,))[0]
    assert settled is not None
    # the sale redeemed 10 and earned 1: the balance is the terminal's sum, the hold not counted twice
    assert centre.one("SELECT amount FROM sync_balance WHERE ledger = 'points' AND key = %s", (card,))[0] == (
        points_before - 10 + 1
    )
    assert centre.balances() == local_sums()
    assert centre.all("SELECT * FROM sync_overdraft") == []


@given(data=st.data())
@h_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_split_replay_and_order_of_batches_leaves_each_document_once(
    shop,  # type: ignore[no-untyped-def]
    centre: Centre,
    now: datetime,
    data: st.DataObject,
) -> None:
    """The outbox cut into random batches, each sent 1–5 times, all in a random order: each
    document once, the mark at the contiguous prefix received, the sums the terminal's own."""
    records = sync.pending(1000, 0)
    n = len(records)
    cuts = sorted(data.draw(st.sets(st.integers(1, n - 1), max_size=6), label="cuts"))
    bounds = [0, *cuts, n]
    batches = [records[a:b] for a, b in itertools.pairwise(bounds)]
    sends = [batch for batch in batches for _ in range(data.draw(st.integers(1, 5), label="times"))]
    order = data.draw(st.permutations(sends), label="order")
    with centre.db.atomic() as txn:  # each example on the same centre: rolled back at the end
        got: set[int] = set()
        inserted = 0
        for batch in order:
            receipt = sync.receive(centre.db, "T1", batch, now)
            fresh = {r.seq for r in batch} - got
            got |= fresh
            inserted += receipt.inserted
            assert (receipt.inserted, receipt.duplicates) == (len(fresh), len(batch) - len(fresh))
            prefix = 0
            while prefix + 1 in got:
                prefix += 1
            assert receipt.high_water == prefix == centre.high_water()
        assert inserted == n
        assert centre.documents() == _outbox()
        assert centre.one("SELECT COUNT(*) FROM sync_ledger")[0] == sum(
            1 for r in records for row in json.loads(r.body)["rows"] if row["ledger"] is not None
        )
        assert centre.ledger_sums() == centre.balances() == local_sums()
        txn.rollback()


def test_a_batch_of_five_hundred_sales_goes_in_one_transaction(shop, centre: Centre, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """Its speed is measured in benchmarks/bench_sync_push.py (never asserted as a timing here)."""
    books, members = shop
    sync.push(now)
    more_sales(books, members, now + timedelta(hours=1), 500, lines=5)
    result = sync.push(now, batch=500)
    assert (result.sent, result.inserted, result.waiting) == (500, 500, 0)
    assert centre.ledger_sums() == local_sums()


def test_a_gift_card_sold_to_a_member_enrolled_in_the_same_batch_points_at_the_centres_member(
    shop,  # type: ignore[no-untyped-def]
    centre: Centre,
    now: datetime,
) -> None:
    books, _members = shop
    new = enroll(name="Can Kaya", phone="05551112233", source="cli", actor=None, now=now)
    card = issue_card(D("250.00"), actor=books.admin, now=now, terminal="T1", member_id=new.id, method="card")
    sync.push(now)
    member_id, code = centre.one(
        "SELECT g.member_id, g.code FROM gift_card g JOIN member mb ON mb.id = g.member_id WHERE mb.card = %s",
        (m.Member.get_by_id(new.id).card,),
    )
    assert code == card.code and member_id is not None
    assert centre.all("SELECT * FROM sync_overdraft") == []
    assert centre.balances()[("gift_card", card.code, "")] == 25000 == local_sums()[("gift_card", card.code, "")]


def test_a_member_erased_at_the_centre_is_not_brought_back(shop, centre: Centre, now: datetime) -> None:  # type: ignore[no-untyped-def]
    _books, (zeynep, _ali) = shop
    sync.push(now)
    card = m.Member.get_by_id(zeynep).card
    centre.db.execute_sql(
        "UPDATE member SET name = '-', phone = NULL, anonymized_at = %s WHERE card = %s",
        (datetime(2026, 11, 1, 9), card),
    )
    with write_tx():  # the terminal's stale copy changes (a new e-mail typed at the till)
        m.Member.update(email="zeynep@example.com").where(m.Member.id == zeynep).execute()
    sync.push(now)
    assert centre.one("SELECT name, phone, email FROM member WHERE card = %s", (card,)) == ("-", None, None)
    notes = centre.all("SELECT kind, key, note FROM sync_overdraft")
    assert [(k, key) for k, key, _n in notes] == [("conflict", card)] and "erased" in notes[0][2]


def test_a_lost_answer_means_the_batch_goes_again_and_counts_once(shop, centre: Centre, now: datetime) -> None:  # type: ignore[no-untyped-def]
    records = sync.pending(1000, 0)
    sync.receive(centre.db, "T1", records[:6], now)  # committed at the centre, the answer never came
    assert _meta("high_water") is None
    result = sync.push(now, batch=4)
    assert (result.sent, result.inserted, result.duplicates) == (len(records), len(records) - 6, 6)
    assert centre.documents() == _outbox()
    assert centre.ledger_sums() == centre.balances() == local_sums()


def test_a_centre_behind_the_acknowledgement_gets_the_documents_again(shop, centre: Centre, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """The terminal believes everything acknowledged (the centre was restored from its backup):
    the push starts from the centre's mark, nothing here was deleted."""
    sync.identity.put({"high_water": str(len(_outbox()))})
    assert sync.waiting() == 0
    result = sync.push(now)
    assert result.inserted == len(_outbox()) == result.high_water
    assert centre.documents() == _outbox()


def test_two_pushes_of_one_terminal_at_once_write_each_document_once(shop, centre: Centre, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """The till's worker and 'pos-admin sync push' send the same records at the same moment: the
    terminal's row lock makes them take turns, the second finds them all there."""
    records = sync.pending(1000, 0)
    links = [sync.open_central(centre.url) for _ in range(2)]
    start = threading.Barrier(2)

    def send(db: object) -> sync.Receipt:
        start.wait()
        return sync.receive(db, "T1", records, now)  # type: ignore[arg-type]

    try:
        with ThreadPoolExecutor(2) as pool:
            receipts = list(pool.map(send, links))
    finally:
        for db in links:
            db.close()
    assert sorted(r.inserted for r in receipts) == [0, len(records)]
    assert all(r.high_water == len(records) for r in receipts)
    assert centre.documents() == _outbox()
    assert centre.ledger_sums() == centre.balances() == local_sums()
