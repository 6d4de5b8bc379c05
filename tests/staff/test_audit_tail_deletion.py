"""Issue 10 §1: deleting the last sale with its journal entries and moving the journal head back
left a chain that looked whole. The receipt and Z counters and the receipt series give it away;
journal ids are never handed out twice (schema 6: AUTOINCREMENT on SQLite)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pos_tui.core import audit, cash
from pos_tui.core.kernel import Actor
from pos_tui.core.till import SaleResult
from pos_tui.settings import Settings
from pos_tui.store import models as m

Sell = Callable[..., SaleResult]
Tamper = Callable[..., None]


def delete_sale(sale: SaleResult, tamper: Tamper) -> None:
    """What someone holding the file does to make a sale vanish: the document, its rows, its
    journal entry (the last one), the stock it moved, and the journal head moved back."""
    entry = m.JournalEntry.get(m.JournalEntry.ref == sale.uid)
    assert entry.id == m.JournalEntry.select().count(), "the sale is the last entry"
    prev = m.JournalEntry.get_by_id(entry.id - 1)
    sid = sale.sale_id
    drops = [
        f"DROP TRIGGER {t}_no_delete"
        for t in ("sale", "sale_line", "payment", "sale_kdv", "stock_movement", "journal_entry")
    ]
    tamper(
        *drops,
        "UPDATE product SET stock = stock + 1000 WHERE code = '1001'",
        "UPDATE stock_level SET qty = qty + 1000 WHERE product_id = (SELECT id FROM product WHERE code = '1001')",
        f"DELETE FROM stock_movement WHERE sale_id = {sid}",
        f"DELETE FROM sale_kdv WHERE sale_id = {sid}",
        f"DELETE FROM payment WHERE sale_id = {sid}",
        f"DELETE FROM sale_line WHERE sale_id = {sid}",
        f"DELETE FROM sale_fiscal WHERE sale_id = {sid}",
        f"DELETE FROM sale WHERE id = {sid}",
        f"DELETE FROM journal_entry WHERE id = {entry.id}",
        f"UPDATE meta_entry SET value = '{prev.id}:{prev.hash}' WHERE key = 'journal_head'",
    )


def test_an_intact_day_has_its_counters_at_the_highest_numbers(
    three_sales: list[SaleResult], settings: Settings
) -> None:
    assert audit.verify(settings=settings).problems == []


def test_the_deleted_last_sale_is_named_by_the_receipt_counter(
    three_sales: list[SaleResult], settings: Settings, tamper: Tamper
) -> None:
    delete_sale(three_sales[2], tamper)
    report = audit.verify(settings=settings)
    assert not report.ok
    assert report.problems == [
        "terminal T1: the receipt counter is at 3 but the highest receipt number is 2: the last documents were deleted"
    ]


def test_after_the_next_sale_the_receipt_gap_is_named(
    three_sales: list[SaleResult],
    people: dict[str, Actor],
    now: datetime,
    sell: Sell,
    settings: Settings,
    tamper: Tamper,
) -> None:
    delete_sale(three_sales[2], tamper)
    fourth = sell(people["ayse"], [("1001", 1000)], [("cash", "10.00")], now=now + timedelta(hours=1))
    assert fourth.receipt_no == 4
    receipts = [r for (r,) in m.Sale.select(m.Sale.receipt_no).order_by(m.Sale.receipt_no).tuples()]
    assert receipts == [1, 2, 4]
    report = audit.verify(settings=settings)
    assert not report.ok
    fourth_entry = m.JournalEntry.get(m.JournalEntry.ref == fourth.uid)
    assert "terminal T1: receipts 3 to 3 are missing before receipt 4: documents were deleted" in report.problems
    assert report.first_broken is not None and report.first_broken <= fourth_entry.id


def test_the_journal_id_of_a_deleted_entry_is_not_handed_out_again(
    three_sales: list[SaleResult],
    people: dict[str, Actor],
    now: datetime,
    sell: Sell,
    settings: Settings,
    tamper: Tamper,
) -> None:
    deleted = m.JournalEntry.get(m.JournalEntry.ref == three_sales[2].uid).id
    delete_sale(three_sales[2], tamper)
    fourth = sell(people["ayse"], [("1001", 1000)], [("cash", "10.00")], now=now + timedelta(hours=1))
    assert m.JournalEntry.get(m.JournalEntry.ref == fourth.uid).id == deleted + 1
    report = audit.verify(settings=settings)
    assert f"entries {deleted} to {deleted} are missing before entry {deleted + 1}" in report.problems[0]


def test_a_rewound_receipt_counter_is_found(three_sales: list[SaleResult], settings: Settings, tamper: Tamper) -> None:
    tamper("UPDATE counter SET value = 1 WHERE scope = 'T1' AND name = 'receipt'")
    assert audit.verify(settings=settings).problems == [
        "terminal T1: the receipt counter is at 1 but the highest receipt number is 3: the counter was moved back"
    ]


def test_a_deleted_last_z_is_named_by_the_z_counter(
    people: dict[str, Actor], now: datetime, sell: Sell, settings: Settings, tamper: Tamper
) -> None:
    sell(people["ayse"], [("1001", 1000)], [("cash", "10.00")], now=now)
    cash.z_report("T1", people["mehmet"], now=now + timedelta(hours=1), settings=settings)
    cash.z_report("T1", people["mehmet"], now=now + timedelta(hours=2), settings=settings)
    last = m.JournalEntry.select().order_by(m.JournalEntry.id.desc()).first()
    prev = m.JournalEntry.get_by_id(last.id - 1)
    assert last.kind == "z"
    tamper(
        "DROP TRIGGER z_closure_no_delete",
        "DROP TRIGGER journal_entry_no_delete",
        "DELETE FROM z_closure WHERE z_no = 2",
        f"DELETE FROM journal_entry WHERE id = {last.id}",
        f"UPDATE meta_entry SET value = '{prev.id}:{prev.hash}' WHERE key = 'journal_head'",
    )
    assert audit.verify(settings=settings).problems == [
        "terminal T1: the Z counter is at 2 but the highest Z number is 1: the last documents were deleted"
    ]


def test_a_counter_of_a_terminal_without_documents_is_found(
    three_sales: list[SaleResult], settings: Settings, tamper: Tamper
) -> None:
    tamper("INSERT INTO counter (scope, name, value) VALUES ('T2', 'receipt', 5)")
    assert audit.verify(settings=settings).problems == [
        "terminal T2: the receipt counter is at 5 but the highest receipt number is 0: the last documents were deleted"
    ]
