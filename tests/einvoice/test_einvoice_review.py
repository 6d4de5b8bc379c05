"""Defects a review of the e-invoice core demonstrated, each held by a test: one sale on one standing invoice
when two terminals invoice it at once (SQLite and PostgreSQL), a supplier return's IADE checked under the
issuing transaction's lock, a cancel racing the sender's hand-over, a long-unanswered invoice that used to
overflow the backoff and stop the queue, and invoice numbers of an all-digit series."""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import peewee
import pytest
from accounts_support import make_books
from einvoice_support import TCKN, Shop, consumer_draft, issue
from money_support import cart_of, sell
from test_trade_supplier_return import _acme_return

from pos_tui.core import einvoice
from pos_tui.core.basket import PaymentInput
from pos_tui.core.einvoice import providers
from pos_tui.core.kernel import PosError, ValidationError
from pos_tui.settings import Settings
from pos_tui.store import models as m

BUYER = einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz", district="Kadıköy", city="İstanbul")


def _race_one_sale(settings: Settings, books: Any, sale_id: int, now: datetime) -> tuple[list[str], list[str]]:
    issued: list[str] = []
    refused: list[str] = []
    barrier = threading.Barrier(2)

    def invoice(terminal: str) -> None:
        barrier.wait()
        try:
            inv = einvoice.invoice_sales(
                [sale_id], actor=books.ayse, terminal=terminal, now=now, settings=settings, customer=BUYER
            )
            issued.append(inv.number)
        except ValidationError as exc:
            refused.append(exc.message)

    threads = [threading.Thread(target=invoice, args=(t,)) for t in ("T1", "T2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return issued, refused


def _one_invoice_per_sale(settings: Settings, now: datetime, books: Any = None) -> None:
    books = books or make_books(settings, now)
    for round_ in range(4):
        sale = sell(books, cart_of(("1001", 1 + round_)), [PaymentInput("cash", Decimal(10 * (1 + round_)))])
        issued, refused = _race_one_sale(settings, books, sale.sale_id, now)
        assert len(issued) == 1 and len(refused) == 1 and "already on invoice" in refused[0], (issued, refused)
        assert len(einvoice.list_invoices(sale_id=sale.sale_id)) == 1


def test_two_terminals_invoicing_one_sale_at_once_on_sqlite_make_one_invoice(shop: Shop) -> None:
    _one_invoice_per_sale(shop.settings, shop.now, shop.books)


@pytest.mark.postgres
def test_two_terminals_invoicing_one_sale_at_once_on_postgres_make_one_invoice(
    pg_db: peewee.Database, settings: Settings, now: datetime
) -> None:
    _one_invoice_per_sale(settings, now)


def test_a_stock_documents_invoice_is_checked_inside_the_issuing_transaction(shop: Shop) -> None:
    back = _acme_return(shop)
    doc = m.StockDocument.get(m.StockDocument.number == back.number, m.StockDocument.kind == "supplier_return")
    first = issue(shop, consumer_draft(shop.settings, stock_document_id=doc.id))
    with pytest.raises(ValidationError, match=f"already on invoice {first.number}"):
        issue(shop, consumer_draft(shop.settings, stock_document_id=doc.id))


def test_a_cancel_while_the_sender_hands_the_invoice_over_asks_the_integrator(shop: Shop, tmp_path: Path) -> None:
    """The sender claims the try before the invoice leaves: a cancel arriving meanwhile sees it as handed
    over and asks the integrator (never a local cancel of an invoice the integrator has)."""
    inv = issue(shop, consumer_draft(shop.settings))
    simulator = providers.SimulatorProvider(tmp_path / "sim")
    asked: list[str] = []

    class Racing:
        def send(self, outgoing: providers.Outgoing) -> providers.Receipt:
            receipt = simulator.send(outgoing)
            with pytest.raises(PosError):  # the integrator has it: not cancelled here behind its back
                einvoice.cancel_invoice(
                    inv.id,
                    "müşteri vazgeçti",
                    provider=Failing(),
                    actor=shop.books.admin,
                    now=shop.now,
                    terminal="T1",
                )
            return receipt

        def status(self, uuid: str) -> providers.Answer:
            return simulator.status(uuid)

        def cancel(self, uuid: str, reason: str) -> providers.Answer:
            return simulator.cancel(uuid, reason)

        def lookup_user(self, identifier: str) -> None:
            return None

    class Failing(Racing):
        def cancel(self, uuid: str, reason: str) -> providers.Answer:
            asked.append(uuid)
            raise providers.ProviderUnavailable("entegratöre ulaşılamadı")

    report = einvoice.send_due(Racing(), now=shop.now, terminal="T1", settings=shop.settings.einvoice)
    assert asked == [inv.uuid]
    assert [s.status for s in report.steps] == ["accepted"]
    assert einvoice.get_invoice(inv.id).status == "accepted"


def test_an_invoice_unanswered_for_weeks_never_stops_the_queue(shop: Shop, tmp_path: Path) -> None:
    assert einvoice.backoff(shop.settings.einvoice, 10_000) > timedelta(days=300)  # capped, no overflow
    stale = issue(shop, consumer_draft(shop.settings))
    m.EInvoiceQueue.update(status="sent", attempts=60, next_at=shop.now - timedelta(days=1)).where(
        m.EInvoiceQueue.invoice == stale.id
    ).execute()
    fresh = issue(shop, consumer_draft(shop.settings))
    simulator = providers.SimulatorProvider(tmp_path / "sim", later=1000)
    report = einvoice.send_due(simulator, now=shop.now, terminal="T1", settings=shop.settings.einvoice)
    assert {s.invoice_id for s in report.steps} == {stale.id, fresh.id}
    assert einvoice.get_invoice(fresh.id).status == "sent"


def test_an_all_digit_series_is_found_by_its_numbers(shop: Shop) -> None:
    digits = dataclasses.replace(shop.settings.einvoice, series={"T1": ("100", "200")})
    inv = einvoice.issue_invoice(
        consumer_draft(shop.settings),
        actor=shop.books.ayse,
        terminal="T1",
        now=shop.now,
        settings=digits,
        profile="EARSIVFATURA",
    )
    assert inv.number.isdigit() and len(inv.number) == 16
    assert einvoice.get_invoice(inv.number).id == inv.id == einvoice.get_invoice(str(inv.id)).id
