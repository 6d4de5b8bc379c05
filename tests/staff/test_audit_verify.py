"""audit.verify(): an intact database passes; every kind of tampering is found and the first
broken entry is named."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from pos_tui.core import audit, cash, catalog
from pos_tui.core.kernel import Actor, chain_hash
from pos_tui.core.till import SaleResult
from pos_tui.settings import Settings
from pos_tui.store import models as m

Sell = Callable[..., SaleResult]
Refund = Callable[..., SaleResult]
Tamper = Callable[..., None]


@pytest.fixture
def shop_day(
    people: dict[str, Actor], settings: Settings, now: datetime, sell: Sell, refund: Refund
) -> dict[str, SaleResult]:
    """A day on T1: a shift, two sales, a return, a paid-out, a Z, then one more sale."""
    ayse = people["ayse"]
    shift = cash.open_shift("T1", ayse, Decimal("100.00"), now=now)
    first = sell(ayse, [("1001", 2000), ("2001", 1000)], [("cash", "100.00")], now=now, shift_id=shift.id)
    second = sell(ayse, [("3001", 1500)], [("card", "300.00")], now=now, shift_id=shift.id)
    refund(ayse, first.uid, [(2, 1000)], now=now + timedelta(minutes=5), shift_id=shift.id)
    cash.paid_out("T1", ayse, Decimal("20.00"), "window cleaner", now=now)
    cash.close_shift("T1", ayse, Decimal("130.00"), now=now + timedelta(hours=8))
    cash.z_report("T1", people["mehmet"], now=now + timedelta(hours=9), settings=settings)
    third = sell(ayse, [("1001", 1000)], [("cash", "10.00")], now=now + timedelta(days=1))
    return {"first": first, "second": second, "third": third}


def entry_of(uid: str) -> m.JournalEntry:
    return m.JournalEntry.get(m.JournalEntry.ref == uid)


def test_an_intact_database_passes(shop_day: dict[str, SaleResult], settings: Settings) -> None:
    report = audit.verify(settings=settings)
    assert report.problems == []
    assert report.ok and report.first_broken is None
    assert report.entries == m.JournalEntry.select().count()


def test_an_empty_database_passes(db: object, settings: Settings) -> None:
    assert audit.verify(settings=settings) == audit.AuditReport(ok=True, entries=0, problems=[], first_broken=None)


def test_progress_is_reported_per_entry_and_document(shop_day: dict[str, SaleResult], settings: Settings) -> None:
    seen: list[int] = []
    audit.verify(settings=settings, progress=seen.append)
    assert sum(seen) == audit.work_size() == m.JournalEntry.select().count() + m.Sale.select().count()


def test_a_changed_sale_total_is_found_and_named(
    shop_day: dict[str, SaleResult], settings: Settings, tamper: Tamper
) -> None:
    first = shop_day["first"]
    tamper(
        "DROP TRIGGER sale_no_update",
        f"UPDATE sale SET total = 100, subtotal = 102 WHERE id = {first.sale_id}",
    )
    report = audit.verify(settings=settings)
    entry = entry_of(first.uid)
    assert not report.ok
    assert report.first_broken == entry.id
    assert report.problems[0] == (
        f"entry {entry.id} (sale {first.uid}): the sale in the tables differs from its journal entry: "
        'subtotal is "1.02" in the tables but "70.00" in the journal; '
        'total is "1.00" in the tables but "70.00" in the journal'
    )
    text = "\n".join(report.problems)
    assert "its lines add up to 70.00, not its total 1.00" in text
    assert "its payments add up to 70.00, not its total 1.00" in text
    assert "Z1 T1): its totals do not match the documents it covers" in text


def test_a_changed_journal_entry_breaks_the_chain(
    shop_day: dict[str, SaleResult], settings: Settings, tamper: Tamper
) -> None:
    entry = entry_of(shop_day["second"].uid)
    forged = entry.payload.replace('"total":"300.00"', '"total":"3.00"')
    assert forged != entry.payload
    tamper(
        "DROP TRIGGER journal_entry_no_update",
        f"UPDATE journal_entry SET payload = '{forged}' WHERE id = {entry.id}",
    )
    report = audit.verify(settings=settings)
    assert report.first_broken == entry.id
    assert report.problems[0] == (
        f"entry {entry.id} (sale {shop_day['second'].uid}): its content was changed after it was written "
        "(hash mismatch)"
    )


def test_a_deleted_journal_entry_is_a_gap(shop_day: dict[str, SaleResult], settings: Settings, tamper: Tamper) -> None:
    shift_open = m.JournalEntry.get(m.JournalEntry.kind == "shift_open")
    tamper("DROP TRIGGER journal_entry_no_delete", f"DELETE FROM journal_entry WHERE id = {shift_open.id}")
    report = audit.verify(settings=settings)
    nxt = m.JournalEntry.get_by_id(shift_open.id + 1)
    assert report.first_broken == shift_open.id
    assert report.problems[0] == (
        f"entries {shift_open.id} to {shift_open.id} are missing before entry {nxt.id} ({nxt.kind} {nxt.ref}): "
        "deleted from the journal"
    )


def test_a_deleted_sale_entry_leaves_the_sale_without_one(
    shop_day: dict[str, SaleResult], settings: Settings, tamper: Tamper
) -> None:
    third = shop_day["third"]
    entry = entry_of(third.uid)
    # The last entry, with the head moved back too: the chain alone looks whole.
    prev = m.JournalEntry.get_by_id(entry.id - 1)
    tamper(
        "DROP TRIGGER journal_entry_no_delete",
        f"DELETE FROM journal_entry WHERE id = {entry.id}",
        f"UPDATE meta_entry SET value = '{prev.id}:{prev.hash}' WHERE key = 'journal_head'",
    )
    report = audit.verify(settings=settings)
    assert not report.ok
    assert report.problems == [f"sale {third.uid} (terminal T1, receipt {third.receipt_no}) has no journal entry"]


def test_a_truncated_tail_is_found(shop_day: dict[str, SaleResult], settings: Settings, tamper: Tamper) -> None:
    last = m.JournalEntry.select().order_by(m.JournalEntry.id.desc()).first().id
    tamper("DROP TRIGGER journal_entry_no_delete", f"DELETE FROM journal_entry WHERE id >= {last - 1}")
    report = audit.verify(settings=settings)
    assert report.first_broken == last - 1
    assert report.problems[0] == (
        f"the journal ends at entry {last - 2} but its head records entry {last}: "
        f"entries {last - 1} to {last} were cut off"
    )


def test_stock_that_does_not_match_its_movements(
    shop_day: dict[str, SaleResult], settings: Settings, tamper: Tamper
) -> None:
    tamper("UPDATE product SET stock = 5000 WHERE code = '2001'")
    report = audit.verify(settings=settings)
    assert report.problems == ["product 2001: stock is 5000 but its stock movements add up to 0 (milli-units)"]
    assert report.first_broken is None and not report.ok


def test_a_name_index_out_of_step_with_the_names(
    shop_day: dict[str, SaleResult], settings: Settings, tamper: Tamper
) -> None:
    assert audit.verify(settings=settings).ok
    tamper("DROP TRIGGER product_search_rename", "UPDATE product SET name_key = 'baska bir ad' WHERE code = '2001'")
    report = audit.verify(settings=settings)
    assert report.problems == [
        "product 2001: its search key is not its name's (run pos-admin db reindex)",
        "the name search index does not match the product names (run pos-admin db reindex)",
    ]
    assert catalog.reindex_names() == 1
    assert audit.verify(settings=settings).ok


def test_a_name_changed_outside_pos_tui_is_found_and_reindex_puts_it_right(
    shop_day: dict[str, SaleResult], settings: Settings, tamper: Tamper
) -> None:
    """Found by the newcomer run: the index agreed with the stale key, so audit passed while
    search found the product by its old name only."""
    tamper("UPDATE product SET name = 'Karpuz Dev' WHERE code = '2001'")
    report = audit.verify(settings=settings)
    assert report.problems == ["product 2001: its search key is not its name's (run pos-admin db reindex)"]
    assert catalog.search_products("karpuz") == []
    assert catalog.reindex_names() == 1
    assert [p.code for p in catalog.search_products("karpuz dev")] == ["2001"]
    assert audit.verify(settings=settings).ok


def test_a_changed_z_is_found(shop_day: dict[str, SaleResult], settings: Settings, tamper: Tamper) -> None:
    tamper("DROP TRIGGER z_closure_no_update", "UPDATE z_closure SET net = 0, grand_total = 0")
    report = audit.verify(settings=settings)
    z_entry = m.JournalEntry.get(m.JournalEntry.kind == "z")
    assert report.first_broken == z_entry.id
    assert report.problems[0].startswith(f"entry {z_entry.id} (z Z1 T1): its totals do not match the documents")
    assert 'net is "320.00" in the documents but "0.00" in the Z' in report.problems[0]
    assert any("the Z closure differs from its journal entry" in p for p in report.problems)


def test_a_changed_cash_movement_is_found(shop_day: dict[str, SaleResult], settings: Settings, tamper: Tamper) -> None:
    tamper("DROP TRIGGER cash_movement_no_update", "UPDATE cash_movement SET amount = 200000")
    report = audit.verify(settings=settings)
    entry = m.JournalEntry.get(m.JournalEntry.kind == "paid_out")
    assert report.first_broken == entry.id
    assert 'amount is "2000.00" in the tables but "20.00" in the journal' in report.problems[0]


def test_the_journal_payloads_are_the_documents(shop_day: dict[str, SaleResult]) -> None:
    payload = json.loads(entry_of(shop_day["first"].uid).payload)
    assert payload == shop_day["first"].document


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_link_to_the_next(
    shop_day: dict[str, SaleResult], settings: Settings, tamper: Tamper
) -> None:
    entry = entry_of(shop_day["second"].uid)
    forged = entry.payload.replace('"total":"300.00"', '"total":"3.00"')
    tamper(
        "DROP TRIGGER journal_entry_no_update",
        f"UPDATE journal_entry SET payload = '{forged}', hash = '{chain_hash(entry.prev_hash, forged)}' "
        f"WHERE id = {entry.id}",
    )
    report = audit.verify(settings=settings)
    assert report.first_broken == entry.id
    assert report.problems[0].startswith(f"entry {entry.id} (sale {shop_day['second'].uid}): the sale in the tables")
    assert f"entry {entry.id + 1} " in report.problems[1]
    assert report.problems[1].endswith(f"its previous hash does not match entry {entry.id}")
