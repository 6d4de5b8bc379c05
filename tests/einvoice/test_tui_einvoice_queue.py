"""The till's reads of e-invoices: invoices_of_sales (the receipt list's one query) and queue_summary (the
status line's count), and how the status line words them."""

from __future__ import annotations

from datetime import timedelta

from einvoice_support import TCKN, Shop

from pos_tui.core import einvoice
from pos_tui.store import models as m
from pos_tui.tui.invoicing import summary_text


def invoice(shop: Shop, *, minutes: int = 0) -> einvoice.IssuedInvoice:
    return einvoice.invoice_sales(
        [shop.sale.sale_id],
        actor=shop.books.ayse,
        terminal="T1",
        now=shop.now + timedelta(minutes=minutes),
        settings=shop.settings,
        customer=einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz"),
    )


def test_invoices_of_sales_names_each_invoiced_sale_with_its_status(shop: Shop) -> None:
    assert einvoice.invoices_of_sales([shop.sale.sale_id, 999]) == {}
    inv = invoice(shop)
    assert einvoice.invoices_of_sales([shop.sale.sale_id, 999, shop.sale.sale_id]) == {
        shop.sale.sale_id: (inv.number, "queued")
    }
    assert einvoice.invoices_of_sales([]) == {}


def test_queue_summary_counts_per_status_and_ages_the_oldest_waiting(shop: Shop) -> None:
    empty = einvoice.queue_summary(shop.now)
    assert (empty.counts, empty.waiting, empty.oldest_waiting) == ({}, 0, None)
    assert summary_text(empty) == "" and summary_text(None) == ""
    inv = invoice(shop)
    summary = einvoice.queue_summary(shop.now + timedelta(minutes=12, seconds=30))
    assert summary.counts == {"queued": 1} and summary.waiting == 1
    assert summary.oldest_waiting == timedelta(minutes=12, seconds=30)
    assert summary_text(summary) == "Invoices: 1 queued, 12 min"
    assert summary_text(summary, short=True) == "Invoices: 1 queued"
    assert summary_text(einvoice.queue_summary(shop.now + timedelta(hours=3, minutes=5))) == ("Invoices: 1 queued, 3 h")
    # the sender's work (not on main yet): a refused invoice no longer waits, and is counted as refused
    m.EInvoiceQueue.update(status="rejected").where(m.EInvoiceQueue.invoice == inv.id).execute()
    refused = einvoice.queue_summary(shop.now)
    assert (refused.waiting, refused.rejected, refused.oldest_waiting) == (0, 1, None)
    assert summary_text(refused) == "Invoices: 1 rejected"
    assert einvoice.invoices_of_sales([shop.sale.sale_id]) == {shop.sale.sale_id: (inv.number, "rejected")}
    # a rejected invoice releases the sale: a new invoice of it is the one the list shows
    again = invoice(shop, minutes=1)
    assert einvoice.invoices_of_sales([shop.sale.sale_id]) == {shop.sale.sale_id: (again.number, "queued")}
    assert summary_text(einvoice.queue_summary(shop.now + timedelta(minutes=1))) == (
        "Invoices: 1 queued, 0 min · 1 rejected"
    )
