"""Each outbox record's body carries natural keys and origins, never a local id (docs/sync.md,
"The body"); built in batches fast enough for a push of 500 sales."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from push_support import make_shop, more_sales
from sync_support import set_identity

from pos_tui.core import sync
from pos_tui.core.sync import documents
from pos_tui.settings import Settings
from pos_tui.store import models as m


def _bodies() -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in sync.pending(10_000, 0)]


def test_bodies_carry_natural_keys_and_origins(db: object, settings: Settings, now: datetime) -> None:
    _books, (zeynep, _ali) = make_shop(settings, now)
    set_identity("T1", "S1", "postgresql://centre/shop")  # after: a joined terminal's redemptions ask the centre
    bodies = _bodies()
    assert [b["seq"] for b in bodies] == list(range(1, len(bodies) + 1))
    outbox = list(m.SyncOutbox.select().order_by(m.SyncOutbox.seq))
    for body, record in zip(bodies, outbox, strict=True):
        assert (body["v"], body["terminal"], body["store"], body["uid"], body["hash"]) == (
            1,
            "T1",
            "S1",
            record.uid,
            record.hash,
        )
    rows = [(b, row) for b in bodies for row in b["rows"]]
    by_table: dict[str, list[dict[str, Any]]] = {}
    for _b, row in rows:
        by_table.setdefault(row["table"], []).append(row)
        assert "id" not in row["data"]
        assert "revision" not in row["data"]
    card = m.Member.get_by_id(zeynep).card
    # a sale's points: the member's card, the sale's uid, the lot's origin
    points = by_table["points_entry"]
    earned = [r for r in points if r["data"]["kind"] == "earn"]
    spent = [r for r in points if r["data"]["kind"] == "redeem"]
    assert earned and spent
    sale_uids = {u for (u,) in m.Sale.select(m.Sale.uid).tuples()}
    for row in points:
        assert row["ledger"] == "points" and row["place"] == ""
        assert row["amount"] == row["data"]["points"]
        assert row["key"] == row["data"]["member"]
        assert row["data"]["sale"] in sale_uids
        assert row["origin"].startswith("T1:points_entry:")
    assert {r["data"]["member"] for r in spent} == {card}
    lot_origins = {r["origin"] for r in earned}
    assert all(r["data"]["lot"] in lot_origins for r in spent)
    # stock: product code and location code
    for row in by_table["stock_movement"]:
        assert row["ledger"] == "stock"
        assert row["key"] == row["data"]["product"] in {"1001", "1002", "1003", "1004"}
        assert row["place"] == row["data"]["location"] == "MAGAZA"
        assert row["amount"] == row["data"]["qty"]
        assert row["data"]["user"] in {"ayse", "admin", None}
    receipt_moves = [r for r in by_table["stock_movement"] if r["data"]["kind"] == "receipt"]
    assert receipt_moves and all(r["data"]["document"].startswith("T1:stock_document:") for r in receipt_moves)
    # accounts: party codes; the goods receipt's entry names its stock document by origin
    accounts = by_table["account_entry"]
    assert {r["key"] for r in accounts} == {"ACME", "BAKKAL"}
    assert all(r["data"]["user"] in {"ayse", "admin"} for r in accounts)
    acme = next(r for r in accounts if r["key"] == "ACME")
    assert acme["data"]["stock_document"] == receipt_moves[0]["data"]["document"]
    assert acme["amount"] < 0
    # a member enrolled here travels whole, by card
    members = by_table["member"]
    assert {r["key"] for r in members} == {r["data"]["card"] for r in members}
    assert {r["ledger"] for r in members} == {None}
    assert members[0]["data"]["created_at"].startswith("2026-11-01T")
    # the journal travels as hashed
    journal = [e for b in bodies for e in b["journal"]]
    assert [e["id"] for e in journal] == sorted(e["id"] for e in journal)
    for entry in journal:
        stored = m.JournalEntry.get_by_id(entry["id"])
        assert (entry["payload"], entry["prev_hash"], entry["hash"]) == (stored.payload, stored.prev_hash, stored.hash)
    assert bodies[-1]["kind"] == "z" and [e["kind"] for e in bodies[-1]["journal"]] == ["z"]


def test_a_row_from_elsewhere_keeps_its_name(db: object, settings: Settings, now: datetime) -> None:
    """A lot another terminal wrote (pulled, named in sync_origin) is referred to by that name."""
    _books, (zeynep, _ali) = make_shop(settings, now)
    set_identity("T1", "S1", "postgresql://centre/shop")  # after: a joined terminal's redemptions ask the centre
    lot = m.PointsEntry.select().where((m.PointsEntry.member == zeynep) & (m.PointsEntry.kind == "earn")).first()
    m.SyncOrigin.create(tbl="points_entry", origin="T9:points_entry:7", local_id=lot.id)
    spent = [
        row
        for b in _bodies()
        for row in b["rows"]
        if row["table"] == "points_entry" and row["data"]["lot"] == "T9:points_entry:7"
    ]
    assert spent
    assert documents.REFERENCE_KEYS["member"] == "card" and documents.REFERENCE_KEYS["sale"] == "uid"
    assert documents.LEDGER_OF["stamp_entry"].place == "card"


def test_body_of_one_record_and_the_first_pending(db: object, settings: Settings, now: datetime) -> None:
    make_shop(settings, now)
    set_identity("T1", "S1", "postgresql://centre/shop")
    records = sync.pending(3, 2)
    assert [r.seq for r in records] == [3, 4, 5]
    assert sync.body_of(4) == records[1].body
    assert sync.body_of(10_000) is None


def test_not_joined_is_refused(db: object) -> None:
    with pytest.raises(sync.NotJoined):
        sync.pending(10, 0)


def test_a_batch_of_five_hundred_five_line_sales_carries_every_row(
    db: object, settings: Settings, now: datetime
) -> None:
    """Its speed is measured in benchmarks/bench_sync_push.py (never asserted as a timing here)."""
    books, members = make_shop(settings, now)
    set_identity("T1", "S1", "postgresql://centre/shop")
    start = m.SyncOutbox.select().count()
    more_sales(books, members, now + timedelta(hours=1), 500, lines=5)
    records = sync.pending(500, start)
    assert len(records) == 500
    assert sum(len(json.loads(r.body)["rows"]) for r in records) >= 500 * 6  # five lines and the points
