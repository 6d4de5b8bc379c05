"""``audit verify`` after normal use of a chain: a points lot that two terminals took from, each
within it (one of them offline), is an overdraft of the chain, not a changed row; the same lot
over-taken by this terminal's own rows still is. On the centre, a gift card a terminal sold
(applied there, its entries in the received documents) has no issue entry of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest
from accounts_support import make_books
from sync_support import bound

from pos_tui.core import audit, loyalty, staff, sync
from pos_tui.core.loyalty import members
from pos_tui.core.sync import connection
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx
from pos_tui.store.outbox import discard

CARD = "2000000000024"


@pytest.fixture(autouse=True)
def _fresh_link() -> Iterator[None]:
    connection.forget()
    connection.mark(True)
    yield
    connection.forget()
    connection.mark(True)


def _lot_findings(settings: Settings) -> list[str]:
    return [p for p in (str(x) for x in audit.verify(settings=settings).problems) if "lot" in p]


def _overdrawn_lot(settings: Settings, now: datetime, *, own: int, other: int) -> int:
    """A 500-point lot of this terminal, ``own`` points taken from it here (an adjustment) and
    ``other`` by terminal T2 (its row as the pull takes it in: with its origin)."""
    books = make_books(settings, now)
    member = members.enroll(name="İbrahim Kaya", phone="0532 111 22 55", card=CARD, source="cli", actor=None, now=now)
    loyalty.ledger.adjust(member.id, 500, "opening", actor=books.admin, now=now, terminal="T1")
    lot = int(m.PointsEntry.select(m.PointsEntry.id).where(m.PointsEntry.points > 0).scalar())
    loyalty.ledger.adjust(member.id, -own, "spent offline", actor=books.admin, now=now, terminal="T1")
    with write_tx():
        row_id = m.PointsEntry.insert(
            member=member.id, at=now.replace(tzinfo=None), kind="redeem", points=-other, lot=lot
        ).execute()
        m.SyncOrigin.insert(tbl="points_entry", origin="T2:points_entry:7", local_id=row_id).execute()
        discard()  # what sync.pull does: rows that came down are not this terminal's to send
    return lot


def test_a_lot_two_terminals_overdrew_is_no_finding(db: object, settings: Settings, now: datetime) -> None:
    _overdrawn_lot(settings, now, own=500, other=400)  # 900 taken from 500: each terminal within it
    assert _lot_findings(settings) == []


def test_a_lot_this_terminal_overdrew_is_still_a_finding(db: object, settings: Settings, now: datetime) -> None:
    lot = _overdrawn_lot(settings, now, own=300, other=100)
    member = int(m.PointsEntry.get_by_id(lot).member_id)
    with write_tx():  # a row added behind pos_tui's back: 300 more from the lot, on this terminal
        m.PointsEntry.insert(member=member, at=now.replace(tzinfo=None), kind="redeem", points=-300, lot=lot).execute()
    found = _lot_findings(settings)
    assert any(f"lot {lot}" in p and "700" in p for p in found), found


@pytest.mark.postgres
def test_the_centre_audits_a_gift_card_a_terminal_sold(
    db: object, settings: Settings, now: datetime, central_url: str
) -> None:
    with bound(central_url):
        make_books(settings, now)
    sync.join(central_url, "T1", "S1", now, settings)
    admin = staff.actor_by_name("admin", settings=settings)
    card = loyalty.giftcards.issue_card(
        Decimal("150"), actor=admin, now=now, terminal="T1", code="GCNC151", method="card"
    ).code
    sync.push(now)
    with bound(central_url):
        assert m.GiftCard.get(m.GiftCard.code == card).revision is not None  # applied at the centre
        problems = [str(p) for p in audit.verify(settings=settings).problems]
    assert not [p for p in problems if card in p], problems
