"""Each loyalty check of ``audit.verify`` names what was changed behind pos_tui's back: the
shop is built through the services (clean), then one raw SQL change, then the exact problem."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from audit_loyalty_support import Shop, build_shop, problems, tamper, unguard

from pos_tui.core.kernel import to_db
from pos_tui.settings import Settings
from pos_tui.store import models as m

Change = Callable[[Shop, datetime], list[str]]


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime) -> Shop:
    built = build_shop(settings, now)
    assert problems(settings) == []
    return built


def earn_lot(sale_id: int) -> m.PointsEntry:
    return m.PointsEntry.get((m.PointsEntry.sale == sale_id) & (m.PointsEntry.kind == "earn"))


def covering(sale_id: int) -> list[int]:
    """The journal entries of a sale: its document (ref = uid) and its ``loyalty`` entry."""
    s = m.Sale.get_by_id(sale_id)
    J = m.JournalEntry
    document = J.get((J.kind == s.kind) & (J.ref == s.uid)).id
    loyalty = [e.id for e in J.select().where((J.kind == "loyalty") & (J.ref == str(sale_id)))]
    return sorted([document, *loyalty])


def entries_text(ids: list[int]) -> str:
    if not ids:
        return "no journal entry"
    return f"journal entry {ids[0]}" if len(ids) == 1 else "journal entries " + ", ".join(map(str, ids))


def sale_name(sale_id: int) -> str:
    """The name a problem gives a sale: its receipt and the journal entries covering it (issue 10)."""
    s = m.Sale.get_by_id(sale_id)
    kind = "sale" if s.kind == "sale" else "return"
    return f"{kind} {s.uid} (terminal {s.terminal}, receipt {s.receipt_no}; {entries_text(covering(sale_id))})"


def found(settings: Settings, db_path: Path, statements: list[str]) -> str:
    tamper(db_path, *statements)
    return "\n".join(problems(settings))


# --------------------------------------------------------------------------- points ledger


def test_an_earning_changed_in_the_ledger_disagrees_with_the_sale(
    shop: Shop, settings: Settings, db_path: Path
) -> None:
    lot = earn_lot(shop.coffee_sale)
    recorded = m.SaleLoyalty.get_by_id(shop.coffee_sale).points
    text = found(
        settings, db_path, [*unguard("points_entry"), f"UPDATE points_entry SET points = 999 WHERE id = {lot.id}"]
    )
    assert (
        f"{sale_name(shop.coffee_sale)}: its loyalty record says it earned {recorded} points but its earn entries "
        "add up to 999"
    ) in text


def test_a_consumption_of_another_members_lot_is_found(
    shop: Shop, settings: Settings, db_path: Path, now: datetime
) -> None:
    lot = earn_lot(shop.coffee_sale)
    at = to_db(now)
    text = found(
        settings,
        db_path,
        [
            "INSERT INTO points_entry (member_id, at, kind, points, lot_id) "
            f"VALUES ({shop.other}, '{at}', 'redeem', -1, {lot.id})"
        ],
    )
    new_id = m.PointsEntry.select().order_by(m.PointsEntry.id.desc()).first().id
    assert (
        f"points entry {new_id} (redeem) of member {shop.other} takes from lot {lot.id}, which belongs to member "
        f"{shop.member}; no journal entry covers it"
    ) in text


def test_a_lot_overdrawn_is_found(shop: Shop, settings: Settings, db_path: Path, now: datetime) -> None:
    lot = earn_lot(shop.coffee_sale)
    at = to_db(now)
    text = found(
        settings,
        db_path,
        [
            "INSERT INTO points_entry (member_id, at, kind, points, lot_id) "
            f"VALUES ({shop.member}, '{at}', 'clawback', -5000, {lot.id})"
        ],
    )
    taken = -sum(e.points for e in m.PointsEntry.select().where(m.PointsEntry.lot == lot.id))
    assert taken > lot.points
    assert (
        f"points lot {lot.id} of member {shop.member} holds {lot.points} points but {taken} were taken from it; "
        f"covered by {entries_text(covering(shop.coffee_sale))}"
    ) in text


def test_a_settle_without_its_pair_is_found(shop: Shop, settings: Settings, db_path: Path, now: datetime) -> None:
    at = to_db(now)
    text = found(
        settings,
        db_path,
        [f"INSERT INTO points_entry (member_id, at, kind, points) VALUES ({shop.member}, '{at}', 'settle', 5)"],
    )
    settle = m.PointsEntry.select().order_by(m.PointsEntry.id.desc()).first().id
    assert (
        f"member {shop.member}: the settle entries add up to 5 points instead of 0 (one side of a debt repayment "
        f"is missing); points entries {settle} (no journal entry)"
    ) in text
    assert f"member {shop.member}: debt repayments exceed the debt by 5 points; points entries {settle} (" in text


def test_more_clawed_back_than_earned_is_found(shop: Shop, settings: Settings, db_path: Path, now: datetime) -> None:
    earned = earn_lot(shop.coffee_sale).points
    at = to_db(now)
    text = found(
        settings,
        db_path,
        [
            "INSERT INTO points_entry (member_id, at, kind, points, sale_id) "
            f"VALUES ({shop.member}, '{at}', 'clawback', -{earned}, {shop.coffee_sale})"
        ],
    )
    clawed = -sum(
        e.points
        for e in m.PointsEntry.select().where(
            (m.PointsEntry.sale == shop.coffee_sale) & (m.PointsEntry.kind == "clawback")
        )
    )
    assert (
        f"{sale_name(shop.coffee_sale)}: returns clawed back {clawed} points from member {shop.member} but it earned "
        f"them only {earned}"
    ) in text


def test_redeemed_points_must_match_the_points_payment(shop: Shop, settings: Settings, db_path: Path) -> None:
    text = found(
        settings,
        db_path,
        [
            *unguard("points_entry"),
            f"UPDATE points_entry SET points = -200 WHERE kind = 'redeem' AND sale_id = {shop.mixed_sale}",
        ],
    )
    assert (
        f"{sale_name(shop.mixed_sale)}: its points payments of 300.00 TL at 1 TL a point and its rewards of 0 "
        "points come to 300 points, but 200 points were redeemed for it"
    ) in text


def test_spending_pending_points_is_found(shop: Shop, settings: Settings, db_path: Path, now: datetime) -> None:
    lot = earn_lot(shop.mixed_sale)  # earned today, pending for 15 days
    at = to_db(now)
    text = found(
        settings,
        db_path,
        [
            "INSERT INTO points_entry (member_id, at, kind, points, lot_id) "
            f"VALUES ({shop.member}, '{at}', 'redeem', -1, {lot.id})"
        ],
    )
    new_id = m.PointsEntry.select().order_by(m.PointsEntry.id.desc()).first().id
    assert (
        f"points entry {new_id} (redeem) of member {shop.member} spent points of lot {lot.id} on 2026-11-01, before "
        f"they became available on {lot.available_from}; no journal entry covers it"
    ) in text


# --------------------------------------------------------------------------- stamps, supplier points


def test_stamps_spent_below_zero_are_found(shop: Shop, settings: Settings, db_path: Path, now: datetime) -> None:
    at = to_db(now)
    text = found(
        settings,
        db_path,
        [
            "INSERT INTO stamp_entry (member_id, card, at, stamps, kind) "
            f"VALUES ({shop.member}, 'kahve', '{at}', -6, 'reward')"
        ],
    )
    left = sum(s.stamps for s in m.StampEntry.select().where(m.StampEntry.member == shop.member))
    new_id = m.StampEntry.select().order_by(m.StampEntry.id.desc()).first().id
    assert (
        f"stamp entry {new_id}: member {shop.member} spent 6 stamps of card kahve on a free item and was left "
        f"with {left}"
    ) in text


def test_more_stamps_taken_back_than_earned_is_found(
    shop: Shop, settings: Settings, db_path: Path, now: datetime
) -> None:
    at = to_db(now)
    text = found(
        settings,
        db_path,
        [
            "INSERT INTO stamp_entry (member_id, card, at, stamps, kind, sale_id) "
            f"VALUES ({shop.member}, 'kahve', '{at}', -10, 'clawback', {shop.return_id})"
        ],
    )
    assert (
        f"{sale_name(shop.coffee_sale)}: returns took back 11 stamps of card kahve from member {shop.member} "
        "but it earned only 4" in text
    )


def test_more_supplier_points_taken_back_than_earned_is_found(shop: Shop, settings: Settings, db_path: Path) -> None:
    row = m.SupplierPoints.get(m.SupplierPoints.sale == shop.coffee_sale)
    text = found(
        settings,
        db_path,
        [
            "INSERT INTO supplier_points (sale_id, supplier_id, product_id, points, supplier_points) "
            f"VALUES ({shop.return_id}, {row.supplier_id}, {row.product_id}, -100, -50)"
        ],
    )
    assert (
        f"{sale_name(shop.coffee_sale)}: returns took back 110 supplier-funded points of product {row.product_id} "
        f"(supplier {row.supplier_id}) but it earned only {row.points}"
    ) in text


# --------------------------------------------------------------------------- wallet, gift cards, coupons


def test_store_credit_paid_must_match_the_wallet(shop: Shop, settings: Settings, db_path: Path) -> None:
    text = found(
        settings,
        db_path,
        [
            *unguard("wallet_entry"),
            f"UPDATE wallet_entry SET amount = -1000 WHERE kind = 'spend' AND sale_id = {shop.mixed_sale}",
        ],
    )
    assert (
        f"{sale_name(shop.mixed_sale)}: store credit paid 60.00 but the wallet entries spent on it add up to 10.00"
    ) in text


def test_a_wallet_spent_below_zero_is_found(shop: Shop, settings: Settings, db_path: Path, now: datetime) -> None:
    at = to_db(now)
    text = found(
        settings,
        db_path,
        [f"INSERT INTO wallet_entry (member_id, at, amount, kind) VALUES ({shop.member}, '{at}', -100000, 'spend')"],
    )
    new_id = m.WalletEntry.select().order_by(m.WalletEntry.id.desc()).first().id
    left = sum(w.amount for w in m.WalletEntry.select().where(m.WalletEntry.member == shop.member))
    assert (
        f"wallet entry {new_id}: member {shop.member} spent 1,000.00 of store credit and was left with {left / 100:.2f}"
        in text
    )


def test_a_wallet_adjustment_must_match_its_journal_entry(shop: Shop, settings: Settings, db_path: Path) -> None:
    adj = m.WalletEntry.get(m.WalletEntry.kind == "adjust")
    entry = m.JournalEntry.get(m.JournalEntry.kind == "wallet_adjust")
    text = found(
        settings, db_path, [*unguard("wallet_entry"), f"UPDATE wallet_entry SET amount = 50000 WHERE id = {adj.id}"]
    )
    assert (
        f"entry {entry.id}: wallet adjustment {adj.id} is 500.00 for member {shop.member} in the tables but 5.00 for "
        f"member {shop.member} in the journal"
    ) in text


def test_gift_card_payments_must_match_the_card(shop: Shop, settings: Settings, db_path: Path) -> None:
    text = found(
        settings,
        db_path,
        [
            *unguard("gift_card_entry"),
            f"UPDATE gift_card_entry SET amount = -5000 WHERE kind = 'spend' AND sale_id = {shop.mixed_sale}",
        ],
    )
    assert (
        f"{sale_name(shop.mixed_sale)}: gift cards paid 150.00 but the gift card entries spent on it add up to 50.00"
    ) in text


def test_a_gift_card_issue_must_match_its_journal_entry(shop: Shop, settings: Settings, db_path: Path) -> None:
    card = m.GiftCard.get(m.GiftCard.code == shop.card_code)
    text = found(
        settings,
        db_path,
        [
            *unguard("gift_card_entry"),
            f"UPDATE gift_card_entry SET amount = 900000 WHERE kind = 'issue' AND card_id = {card.id}",
        ],
    )
    assert (
        f"gift card {shop.card_code}: its issue and top-up entries add up to 9,000.00 but its journal entries to 200.00"
        in text
    )


def test_a_card_taken_below_zero_is_found(shop: Shop, settings: Settings, db_path: Path, now: datetime) -> None:
    card = m.GiftCard.get(m.GiftCard.code == shop.card_code)
    at = to_db(now)
    text = found(
        settings,
        db_path,
        [f"INSERT INTO gift_card_entry (card_id, at, amount, kind) VALUES ({card.id}, '{at}', -10000, 'spend')"],
    )
    new_id = m.GiftCardEntry.select().order_by(m.GiftCardEntry.id.desc()).first().id
    assert f"gift card entry {new_id} took 100.00 from card {shop.card_code} and left it at -50.00" in text


def test_a_reactivated_card_is_found(shop: Shop, settings: Settings, db_path: Path) -> None:
    spare = m.GiftCard.get(m.GiftCard.active == False)  # noqa: E712 (peewee expression)
    entry = m.JournalEntry.get(m.JournalEntry.kind == "gift_card_deactivate")
    text = found(settings, db_path, [f"UPDATE gift_card SET active = 1 WHERE id = {spare.id}"])
    assert f"entry {entry.id}: gift card {spare.code} was deactivated but is active in the tables" in text


def test_a_coupon_used_more_than_it_allows_is_found(shop: Shop, settings: Settings, db_path: Path) -> None:
    entry = m.JournalEntry.get(m.JournalEntry.kind == "coupon")
    text = found(settings, db_path, [f"UPDATE coupon SET max_uses = 0 WHERE code = '{shop.coupon_code}'"])
    assert f"coupon {shop.coupon_code} was used 1 times but allows 0" in text
    assert (
        f"entry {entry.id}: coupon {shop.coupon_code} in the tables differs from its journal entry: max_uses is 0 in "
        "the tables but 1 in the journal"
    ) in text


def test_a_coupon_line_without_its_use_is_found(shop: Shop, settings: Settings, db_path: Path) -> None:
    text = found(settings, db_path, [*unguard("coupon_use"), "DELETE FROM coupon_use"])
    assert (
        f"{sale_name(shop.mixed_sale)}: its coupon {shop.coupon_code} lines take off 50.00 but its uses of the "
        "coupon record 0.00"
    ) in text


# --------------------------------------------------------------------------- journal


def test_a_changed_loyalty_record_differs_from_its_journal_entry(shop: Shop, settings: Settings, db_path: Path) -> None:
    row = m.SaleLoyalty.get_by_id(shop.coffee_sale)
    entry = m.JournalEntry.get((m.JournalEntry.kind == "loyalty") & (m.JournalEntry.ref == str(shop.coffee_sale)))
    text = found(
        settings,
        db_path,
        [
            *unguard("sale_loyalty"),
            f"UPDATE sale_loyalty SET points = points + 1000 WHERE sale_id = {shop.coffee_sale}",
        ],
    )
    assert (
        f"entry {entry.id} (loyalty {shop.coffee_sale}): the loyalty of {sale_name(shop.coffee_sale)} in the tables "
        f"differs from its journal entry: points is {row.points + 1000} in the tables but {row.points} in the journal"
    ) in text
    assert (
        f"{sale_name(shop.coffee_sale)}: its loyalty record says {row.points + 1000} points but its breakdown adds up "
        f"to {row.points}"
    ) in text


def test_a_deleted_loyalty_record_is_found(shop: Shop, settings: Settings, db_path: Path) -> None:
    entry = m.JournalEntry.get((m.JournalEntry.kind == "loyalty") & (m.JournalEntry.ref == str(shop.mixed_sale)))
    text = found(
        settings, db_path, [*unguard("sale_loyalty"), f"DELETE FROM sale_loyalty WHERE sale_id = {shop.mixed_sale}"]
    )
    assert (
        f"entry {entry.id}: the loyalty of {sale_name(shop.mixed_sale)} is in the journal but missing from the tables"
    ) in text
    assert "which has no loyalty record" in text


def test_cashback_must_match_the_breakdown(shop: Shop, settings: Settings, db_path: Path) -> None:
    row = m.WalletEntry.get((m.WalletEntry.kind == "cashback") & (m.WalletEntry.sale == shop.mixed_sale))
    listed = f"{row.amount / 100:.2f}"
    text = found(
        settings, db_path, [*unguard("wallet_entry"), f"UPDATE wallet_entry SET amount = 99999 WHERE id = {row.id}"]
    )
    assert (
        f"{sale_name(shop.mixed_sale)}: its loyalty breakdown gives {listed} of cashback but its wallet entries "
        "credit 999.99"
    ) in text


def test_a_points_adjustment_must_match_its_journal_entry(shop: Shop, settings: Settings, db_path: Path) -> None:
    adj = m.PointsEntry.get(m.PointsEntry.kind == "adjust")
    text = found(
        settings, db_path, [*unguard("points_entry"), f"UPDATE points_entry SET points = 2500 WHERE id = {adj.id}"]
    )
    assert (
        f"member {shop.member}: the points adjustments in the ledger add up to 2500 but the journalled points_adjust "
        "entries to 25"
    ) in text


def test_a_changed_rule_version_is_found(shop: Shop, settings: Settings, db_path: Path) -> None:
    rules = m.LoyaltyRules.get()
    text = found(
        settings,
        db_path,
        [
            *unguard("loyalty_rules"),
            f"UPDATE loyalty_rules SET data = replace(data, '\"10\"', '\"50\"') WHERE id = {rules.id}",
        ],
    )
    assert f"loyalty rules version {rules.id}: its digest is {rules.digest} but its program hashes to" in text
