"""Each check ``audit verify`` makes of issue 16's operations names what was changed behind
pos_tui's back: the shop is built through the services (clean), then one raw SQL change on the
SQLite file, then the exact problem."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from audit16_support import OpsShop, build_ops_shop, journal_id, points_ids, sale_name
from audit_loyalty_support import problems, tamper, unguard

from pos_tui.core.kernel import to_db
from pos_tui.settings import Settings
from pos_tui.store import models as m


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime) -> OpsShop:
    built = build_ops_shop(settings, now)
    assert problems(settings) == []
    return built


def found(settings: Settings, db_path: Path, *statements: str) -> str:
    tamper(db_path, *statements)
    return "\n".join(problems(settings))


def ids(values: list[int]) -> str:
    return ", ".join(map(str, values))


def topup_entry(wallet_entry: int) -> int:
    """The ``wallet_topup`` journal entry of a top-up."""
    J = m.JournalEntry
    [entry] = [
        e.id for e in J.select().where(J.kind == "wallet_topup") if json.loads(e.payload)["entry_id"] == wallet_entry
    ]
    return int(entry)


# --------------------------------------------------------------------------- transfers and donations


def test_a_transfer_without_its_journal_entry(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    moved = points_ids("transfer_out", "transfer_in")
    entry = journal_id("points_transfer")
    text = found(settings, db_path, *unguard("journal_entry"), f"DELETE FROM journal_entry WHERE id = {entry}")
    assert (
        f"points entries {ids(moved)}: a transfer of 200 points from member {shop.giver} to member {shop.receiver} "
        "has no points_transfer journal entry"
    ) in text


def test_a_transfers_points_changed_in_the_ledger(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    out = points_ids("transfer_out")
    moved = points_ids("transfer_out", "transfer_in")
    text = found(
        settings, db_path, *unguard("points_entry"), f"UPDATE points_entry SET points = points + 50 WHERE id = {out[0]}"
    )
    assert (
        f"entry {journal_id('points_transfer')}: a transfer of 200 points from member {shop.giver} to member "
        f"{shop.receiver} is in the journal, but the giver's transfer_out entries take 150 points and the receiver's "
        f"transfer_in entries give 200 (points entries {ids(moved)})"
    ) in text


def test_a_journalled_transfer_missing_from_the_ledger(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    text = found(
        settings,
        db_path,
        *unguard("points_entry"),
        "DELETE FROM points_entry WHERE kind IN ('transfer_out', 'transfer_in')",
    )
    assert (
        f"entry {journal_id('points_transfer')}: a transfer of 200 points from member {shop.giver} to member "
        f"{shop.receiver} is in the journal but missing from the points ledger"
    ) in text


def test_a_ledger_problem_on_a_transferred_lot_names_the_transfers_entry(
    shop: OpsShop, settings: Settings, db_path: Path, now: datetime
) -> None:
    [lot] = points_ids("transfer_in")
    text = found(
        settings,
        db_path,
        "INSERT INTO points_entry (member_id, at, kind, points, lot_id) "
        f"VALUES ({shop.receiver}, '{to_db(now)}', 'redeem', -5000, {lot})",
    )
    assert (
        f"points lot {lot} of member {shop.receiver} holds 200 points but 5000 were taken from it; covered by "
        f"journal entry {journal_id('points_transfer')}"
    ) in text


def test_a_donation_without_its_journal_entry(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    entry = journal_id("points_donate")
    text = found(settings, db_path, *unguard("journal_entry"), f"DELETE FROM journal_entry WHERE id = {entry}")
    assert (
        f"points entries {ids(points_ids('donate'))}: a donation of 50 points by member {shop.giver} to tema has no "
        "points_donate journal entry"
    ) in text


def test_a_donation_moved_to_another_charity(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    donated = points_ids("donate")
    entry = journal_id("points_donate")
    text = found(
        settings, db_path, *unguard("points_entry"), "UPDATE points_entry SET reason = 'losev' WHERE kind = 'donate'"
    )
    assert (
        f"points entries {ids(donated)}: a donation of 50 points by member {shop.giver} to losev has no "
        "points_donate journal entry"
    ) in text
    assert (
        f"entry {entry}: a donation of 50 points by member {shop.giver} to tema is in the journal but missing from "
        "the points ledger"
    ) in text


def test_a_donation_of_other_points(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    [donated] = points_ids("donate")  # one lot paid for it
    text = found(
        settings, db_path, *unguard("points_entry"), f"UPDATE points_entry SET points = -5 WHERE id = {donated}"
    )
    assert (
        f"entry {journal_id('points_donate')}: a donation of 50 points by member {shop.giver} to tema is in the "
        f"journal, but its donate entries take 5 points (points entries {donated})"
    ) in text


# --------------------------------------------------------------------------- store credit top-ups


def test_a_top_up_without_a_journal_entry(shop: OpsShop, settings: Settings, db_path: Path, now: datetime) -> None:
    at = to_db(now)
    text = found(
        settings,
        db_path,
        f"INSERT INTO wallet_entry (member_id, at, amount, kind) VALUES ({shop.receiver}, '{at}', 1000, 'topup')",
    )
    new_id = m.WalletEntry.select().order_by(m.WalletEntry.id.desc()).first().id
    assert (
        f"wallet entry {new_id}: a store credit top-up of 10.00 for member {shop.receiver} has no journal entry" in text
    )


def test_a_top_up_changed_in_the_wallet(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    text = found(
        settings,
        db_path,
        *unguard("wallet_entry"),
        f"UPDATE wallet_entry SET amount = 30000 WHERE id = {shop.cash_topup}",
    )
    assert (
        f"entry {topup_entry(shop.cash_topup)}: store credit top-up {shop.cash_topup} is 300.00 for member "
        f"{shop.giver} in the tables but 250.00 for member {shop.giver} in the journal"
    ) in text


def test_a_top_ups_cash_changed_in_the_drawer(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    text = found(
        settings,
        db_path,
        *unguard("cash_movement"),
        f"UPDATE cash_movement SET amount = 20000 WHERE id = {shop.movement}",
    )
    assert (
        f"entry {topup_entry(shop.cash_topup)}: store credit top-up {shop.cash_topup} of 250.00 was paid in cash, but "
        f"its cash movement {shop.movement} is a store_credit of 200.00"
    ) in text


def test_a_deleted_top_up_journal_entry_leaves_the_cash_unexplained(
    shop: OpsShop, settings: Settings, db_path: Path
) -> None:
    entry = topup_entry(shop.cash_topup)
    text = found(settings, db_path, *unguard("journal_entry"), f"DELETE FROM journal_entry WHERE id = {entry}")
    assert (
        f"wallet entry {shop.cash_topup}: a store credit top-up of 250.00 for member {shop.giver} has no journal entry"
    ) in text
    assert f"cash movement {shop.movement}: 250.00 of cash for store credit belongs to no store credit top-up" in text


def test_a_journalled_top_up_missing_from_the_wallet(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    text = found(settings, db_path, *unguard("wallet_entry"), f"DELETE FROM wallet_entry WHERE id = {shop.card_topup}")
    assert (
        f"entry {topup_entry(shop.card_topup)}: store credit top-up {shop.card_topup} is in the journal but missing "
        "from the tables"
    ) in text


# --------------------------------------------------------------------------- next-order coupons


def test_a_next_order_coupon_deactivated_by_sql(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    second_uid = m.Sale.get_by_id(shop.second).uid
    text = found(settings, db_path, f"UPDATE coupon SET active = 0 WHERE code = '{shop.kept}'")
    assert (
        f"next-order coupon {shop.kept} of sale {second_uid} is inactive but no coupon_withdraw entry withdrew it"
    ) in text


def test_a_withdrawn_coupon_made_active_again(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    text = found(settings, db_path, f"UPDATE coupon SET active = 1 WHERE code = '{shop.withdrawn}'")
    assert (
        f"entry {journal_id('coupon_withdraw')}: coupon {shop.withdrawn} was withdrawn but is active in the tables"
    ) in text


def test_a_coupon_withdrawal_deleted_from_the_journal(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    entry = journal_id("coupon_withdraw")
    text = found(settings, db_path, *unguard("journal_entry"), f"DELETE FROM journal_entry WHERE id = {entry}")
    assert (
        f"next-order coupon {shop.withdrawn} of sale {shop.first_uid} is inactive but no coupon_withdraw entry "
        "withdrew it"
    ) in text


def test_a_withdrawn_coupon_moved_to_another_sale(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    second_uid = m.Sale.get_by_id(shop.second).uid
    text = found(settings, db_path, f"UPDATE coupon SET origin_sale = '{second_uid}' WHERE code = '{shop.withdrawn}'")
    entry = journal_id("coupon_withdraw")
    assert (
        f"entry {entry}: coupon {shop.withdrawn} of sale {second_uid} was withdrawn, but the journal says coupon "
        f"{shop.withdrawn} of sale {shop.first_uid}"
    ) in text


# --------------------------------------------------------------------------- tier upgrades on a receipt


def receipt_change() -> m.TierChange:
    return m.TierChange.get(m.TierChange.reason == "receipt")


def tier_entry() -> int:
    J = m.JournalEntry
    [entry] = [e.id for e in J.select().where(J.kind == "tier_change") if '"reason":"receipt"' in e.payload]
    return int(entry)


def test_a_deleted_receipt_tier_change(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    change, entry = receipt_change(), tier_entry()
    text = found(settings, db_path, *unguard("tier_change"), f"DELETE FROM tier_change WHERE id = {change.id}")
    assert (
        f"{sale_name(shop.second)}: its loyalty record lists a tier upgrade of member {shop.giver} from - to altin "
        "but no tier change names the sale"
    ) in text
    assert (
        f"entry {entry}: a tier change of member {shop.giver} to altin on sale {shop.second} is in the journal but "
        "missing from the tables"
    ) in text


def test_a_receipt_tier_change_to_another_tier(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    change, entry = receipt_change(), tier_entry()
    text = found(
        settings, db_path, *unguard("tier_change"), f"UPDATE tier_change SET to_code = 'platin' WHERE id = {change.id}"
    )
    assert (
        f"tier change {change.id}: member {shop.giver} moved from - to platin on {sale_name(shop.second)}, but its "
        f"loyalty record says member {shop.giver} moved from - to altin"
    ) in text
    assert (
        f"entry {entry}: tier change {change.id} moved member {shop.giver} from - to platin but the journal says "
        f"member {shop.giver} from - to altin"
    ) in text


# --------------------------------------------------------------------------- refunds


def test_a_refund_card_loaded_with_less_than_the_refund(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    text = found(
        settings,
        db_path,
        *unguard("gift_card_entry"),
        f"UPDATE gift_card_entry SET amount = 5000 WHERE kind = 'issue' AND sale_id = {shop.card_return}",
    )
    assert (
        f"{sale_name(shop.card_return)}: it refunded 100.00 onto new gift cards but the cards it issued were loaded "
        "with 50.00"
    ) in text


def test_a_store_credit_refund_taken_off_the_wallet(shop: OpsShop, settings: Settings, db_path: Path) -> None:
    """The return's ``refund`` wallet entry (the existing tender check, with the refund that
    points at the return counted for the receipt it returns)."""
    vases = m.Sale.get_by_id(shop.credit_return).return_of_id
    text = found(
        settings,
        db_path,
        *unguard("wallet_entry"),
        f"DELETE FROM wallet_entry WHERE kind = 'refund' AND sale_id = {shop.credit_return}",
    )
    assert (
        f"{sale_name(vases)}: its returns refunded 100.00 to store credit but the wallet refund entries add up to 0.00"
    ) in text
