"""Other terminals' ledger rows come down into this terminal's own tables (points lots and what
took from them, stock movements with the caches), and the chain's balances into sync_balance;
the loyalty services and ``audit verify`` work on them as on this terminal's own rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pull_support import MEMBER_CARD, central, iso, ledger_row, local, seed_centre, table_counts
from sync_support import bound

from pos_tui.core import audit, loyalty
from pos_tui.core.kernel.clock import shop_day, to_db
from pos_tui.core.loyalty import rules
from pos_tui.core.sync import join, open_central, pull, register_terminal
from pos_tui.settings import Settings

pytestmark = pytest.mark.postgres
LOYALTY_TOML = Path(__file__).resolve().parents[2] / "config" / "loyalty.toml"


def _points(url: str, now: datetime) -> None:
    """T1 earned 120 points for the member (a lot) and redeemed 20 of them."""
    lot = {
        "member": MEMBER_CARD,
        "at": iso(now),
        "kind": "earn",
        "points": 120,
        "lot": None,
        "sale": "sale-uid-at-t1",
        "available_from": "2026-10-01",
        "expires_on": None,
        "reason": None,
        "actor": None,
    }
    ledger_row(
        url,
        terminal="T1",
        table="points_entry",
        local_id=7,
        ledger="points",
        key=MEMBER_CARD,
        amount=120,
        at=now,
        data=lot,
    )
    redeem = {
        **lot,
        "kind": "redeem",
        "points": -20,
        "lot": "T1:points_entry:7",
        "available_from": None,
        "sale": "another-sale-at-t1",
        "actor": "ayse",
    }
    ledger_row(
        url,
        terminal="T1",
        table="points_entry",
        local_id=8,
        ledger="points",
        key=MEMBER_CARD,
        amount=-20,
        at=now,
        data=redeem,
        document="doc-2",
    )


def _stock(url: str, now: datetime) -> None:
    """T1 received 10 of product 1002 at MAGAZA, sold 3; T3 (store S2) counted 2 more at DEPO2."""
    base = {
        "product": "1002",
        "at": iso(now),
        "sale": None,
        "note": None,
        "reason": None,
        "document": None,
        "terminal": "T1",
        "user": "ayse",
    }
    moves = [
        (
            "T1",
            21,
            "MAGAZA",
            {"qty": 10000, "kind": "receipt", "unit_cost": 2000, "value": 20000, "document": "T1:stock_document:1"},
        ),
        ("T1", 22, "MAGAZA", {"qty": -3000, "kind": "sale", "unit_cost": 2000, "value": -6000, "sale": "s-9"}),
        ("T3", 5, "DEPO2", {"qty": 2000, "kind": "count", "unit_cost": 2000, "value": 4000, "terminal": "T3"}),
    ]
    for terminal, local_id, place, extra in moves:
        data = {**base, "location": place, **extra}
        ledger_row(
            url,
            terminal=terminal,
            table="stock_movement",
            local_id=local_id,
            ledger="stock",
            key="1002",
            place=place,
            amount=data["qty"],
            at=now,
            data=data,
            store="S2" if terminal == "T3" else "S1",
        )


def test_other_terminals_ledger_rows_arrive_and_work_here(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    db_c = open_central(central_url)
    register_terminal(db_c, "T1", "S1", {"efatura": "FT1", "earsiv": "AT1"}, now)
    db_c.close()
    join(central_url, "T2", "S1", now, settings)
    _points(central_url, now)
    _stock(central_url, now)
    # T2's own row at the centre never comes back down
    ledger_row(
        central_url,
        terminal="T2",
        table="wallet_entry",
        local_id=1,
        ledger="wallet",
        key=MEMBER_CARD,
        amount=500,
        at=now,
        data={"member": MEMBER_CARD, "at": iso(now), "amount": 500, "kind": "adjust"},
    )
    central(
        central_url,
        "INSERT INTO sync_balance (ledger, key, place, amount, revision) VALUES "
        "('points', %s, '', 100, nextval('sync_revision_seq')), "
        "('account', 'BAKKAL', '', 25000, nextval('sync_revision_seq'))",
        (MEMBER_CARD,),
    )
    later = now + timedelta(minutes=10)

    result = pull(later)

    assert (result.ledger_rows, result.balances) == (5, 2)
    assert local(db_path, "SELECT COUNT(*) FROM wallet_entry") == [(0,)]
    assert sorted(local(db_path, "SELECT ledger, key, amount FROM sync_balance")) == [
        ("account", "BAKKAL", 25000),
        ("points", MEMBER_CARD, 100),
    ]
    # the lot and its redemption, the sale (not here) left empty, the lot pointing at the pulled lot
    rows = local(
        db_path,
        "SELECT e.id, e.kind, e.points, e.lot_id, e.sale_id, u.name FROM points_entry e "
        "LEFT JOIN user u ON u.id = e.actor_id ORDER BY e.id",
    )
    lot_id = rows[0][0]
    assert [r[1:] for r in rows] == [("earn", 120, None, None, None), ("redeem", -20, lot_id, None, "ayse")]
    origins = dict(local(db_path, "SELECT origin, local_id FROM sync_origin WHERE tbl = 'points_entry'"))
    assert origins == {"T1:points_entry:7": lot_id, "T1:points_entry:8": rows[1][0]}
    # the loyalty services see the points: 100 available, and this terminal can spend from the lot
    member_id = local(db_path, "SELECT id FROM member WHERE card = ?", (MEMBER_CARD,))[0][0]
    today = shop_day(later, settings.shop.timezone)
    assert loyalty.balance(member_id, as_of=today).available == 100
    assert local(db_path, "SELECT COUNT(*) FROM sync_outbox") == [(0,)]  # nothing pulled goes back up
    taken = loyalty.redeem(member_id, 30, now=later)
    assert [(c.lot_id, c.points) for c in taken] == [(lot_id, 30)]
    assert loyalty.balance(member_id, as_of=today).available == 70
    # stock: movements with their caches, per product and per location
    assert local(db_path, "SELECT stock, stock_value FROM product WHERE code = '1002'") == [(9000, 18000)]
    levels = local(
        db_path,
        "SELECT l.code, s.qty FROM stock_level s JOIN stock_location l ON l.id = s.location_id "
        "JOIN product p ON p.id = s.product_id WHERE p.code = '1002' ORDER BY l.code",
    )
    assert levels == [("DEPO2", 2000), ("MAGAZA", 7000)]
    assert local(db_path, "SELECT document_id, sale_id, terminal FROM stock_movement ORDER BY id") == [
        (None, None, "T1"),
        (None, None, "T1"),
        (None, None, "T3"),
    ]
    report = audit.verify(settings=settings)
    assert report.ok, report.problems

    # a second pull brings nothing again
    before = table_counts(db_path)
    again = pull(later + timedelta(minutes=1))
    assert (again.ledger_rows, again.balances) == (0, 0)
    assert table_counts(db_path) == before


def test_a_ledger_row_whose_member_is_not_here_is_left_out_and_said(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    join(central_url, "T2", "S1", now, settings)
    data = {"member": "2999999999999", "at": iso(now), "amount": 500, "kind": "cashback", "sale": None}
    ledger_row(
        central_url,
        terminal="T1",
        table="wallet_entry",
        local_id=3,
        ledger="wallet",
        key="2999999999999",
        amount=500,
        at=now,
        data=data,
    )

    result = pull(now + timedelta(minutes=1))

    assert result.ledger_rows == 0
    assert any("2999999999999" in note for note in result.notes)
    assert local(db_path, "SELECT COUNT(*) FROM wallet_entry") == [(0,)]


def test_every_kind_of_row_from_elsewhere_passes_this_terminals_audit(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    """Rows journalled on another terminal or at the centre (a wallet or points adjustment, a gift
    card issued, a coupon, a rules version) have no journal entry here: the audit knows them by
    their origin (ledger rows) or revision (master rows) and checks only what this terminal wrote."""
    seed_centre(central_url, settings, now)
    with bound(central_url):
        rules.apply_rules(LOYALTY_TOML.read_text(encoding="utf-8"), now=now)
        loyalty.create_coupon("HOSGELDIN", kind="amount", amount=Decimal("25.00"), now=now)
    central(central_url, "INSERT INTO gift_card (code, issued_at, active) VALUES ('GC1', %s, true)", (to_db(now),))
    join(central_url, "T2", "S1", now, settings)
    at = iso(now)
    member = {"member": MEMBER_CARD, "at": at, "sale": None, "actor": "admin"}
    rows = [
        ("wallet_entry", "wallet", MEMBER_CARD, "", 500, {**member, "amount": 500, "kind": "adjust", "reason": "jest"}),
        ("gift_card_entry", "gift_card", "GC1", "", 10000,
         {"card": "GC1", "at": at, "amount": 10000, "kind": "issue", "sale": None, "actor": "admin"}),
        ("points_entry", "points", MEMBER_CARD, "", 50,
         {**member, "kind": "adjust", "points": 50, "lot": None, "available_from": "2026-10-01", "expires_on": None,
          "reason": "jest"}),
        ("stamp_entry", "stamps", MEMBER_CARD, "KAHVE", 2,
         {"member": MEMBER_CARD, "card": "KAHVE", "at": at, "stamps": 2, "kind": "earn", "sale": None}),
        ("tier_change", "tier", MEMBER_CARD, "", 0,
         {**member, "from_code": None, "to_code": "GOLD", "reason": "manual", "valid_until": None}),
        # a coupon use needs its sale (coupon_use.sale is NOT NULL): it cannot be kept without it
        ("coupon_use", "coupon", "HOSGELDIN", "", 1,
         {"coupon": "HOSGELDIN", "sale": "sale-at-t1", "member": MEMBER_CARD, "at": at, "amount": 2500}),
    ]  # fmt: skip
    for n, (table, ledger, key, place, amount, data) in enumerate(rows, start=1):
        ledger_row(
            central_url, terminal="T1", table=table, local_id=n, ledger=ledger, key=key, place=place, amount=amount,
            at=now, data=data,
        )  # fmt: skip

    result = pull(now + timedelta(minutes=1))

    assert result.ledger_rows == 5
    assert any("coupon_use" in note for note in result.notes)
    counts = {t: local(db_path, f"SELECT COUNT(*) FROM {t}")[0][0] for t, *_ in rows}
    assert counts == {
        "wallet_entry": 1, "gift_card_entry": 1, "points_entry": 1, "stamp_entry": 1, "tier_change": 1, "coupon_use": 0
    }  # fmt: skip
    assert local(db_path, "SELECT COUNT(*) FROM loyalty_rules WHERE revision IS NOT NULL") == [(1,)]
    assert local(db_path, "SELECT code FROM coupon") == [("HOSGELDIN",)]
    report = audit.verify(settings=settings)
    assert report.ok, report.problems
