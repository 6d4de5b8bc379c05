"""The checks of issue 16's operations on PostgreSQL: a clean shop passes (the instants that pair
ledger entries with their journal entries compare equal there too), then raw SQL changes are
named (the guard of ``points_entry`` dropped first, as someone holding the database would)."""

from __future__ import annotations

from datetime import datetime

import peewee
import pytest
from audit16_support import build_ops_shop, journal_id, points_ids

from pos_tui.core.kernel import to_db
from pos_tui.core.loyalty.audit import check_loyalty
from pos_tui.core.loyalty.rules import versions as rules_versions
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store.guards import drop_guards

pytestmark = pytest.mark.postgres


def loyalty_problems() -> list[str]:
    found: list[str] = []
    check_loyalty(lambda _entry, text: found.append(text))
    return found


def test_issue_16_operations_are_audited_on_postgres(pg_db: peewee.Database, settings: Settings, now: datetime) -> None:
    rules_versions._reset_cache()
    shop = build_ops_shop(settings, now)
    assert loyalty_problems() == []

    out, moved = points_ids("transfer_out"), points_ids("transfer_out", "transfer_in")
    second_uid = m.Sale.get_by_id(shop.second).uid
    with pg_db.atomic():
        drop_guards(pg_db, "points_entry")
        pg_db.execute_sql("UPDATE points_entry SET points = points + 50 WHERE id = %s", (out[0],))
        pg_db.execute_sql(
            "INSERT INTO wallet_entry (member_id, at, amount, kind) VALUES (%s, %s, 1000, 'topup')",
            (shop.receiver, to_db(now)),
        )
        pg_db.execute_sql("UPDATE coupon SET active = false WHERE code = %s", (shop.kept,))
    topup = m.WalletEntry.select().order_by(m.WalletEntry.id.desc()).first().id
    found = loyalty_problems()
    assert (
        f"entry {journal_id('points_transfer')}: a transfer of 200 points from member {shop.giver} to member "
        f"{shop.receiver} is in the journal, but the giver's transfer_out entries take 150 points and the receiver's "
        f"transfer_in entries give 200 (points entries {', '.join(map(str, moved))})"
    ) in found
    assert (
        f"wallet entry {topup}: a store credit top-up of 10.00 for member {shop.receiver} has no journal entry" in found
    )
    assert (
        f"next-order coupon {shop.kept} of sale {second_uid} is inactive but no coupon_withdraw entry withdrew it"
    ) in found
