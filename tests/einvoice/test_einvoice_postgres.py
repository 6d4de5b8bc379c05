"""e-Invoices on PostgreSQL: the registered-user import (its ``ON CONFLICT`` chunks), routing, issuing from a
posted sale and a wholesale invoice, the sender, the insert-only guard and ``audit verify``; and two
terminals issuing at once on one series' counter, on SQLite and PostgreSQL: gapless, never the same number.

Needs ``POS_TEST_PG_URL`` for the PostgreSQL cases (``source .ci/postgres.sh``)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import peewee
import pytest
from accounts_support import make_books
from einvoice_support import TCKN, Shop, assert_valid, consumer_draft, quick_pins  # noqa: F401
from money_support import cart_of, sell

from pos_tui.core import audit, einvoice
from pos_tui.core.basket import PaymentInput
from pos_tui.settings import Settings
from pos_tui.store import models as m

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _exercise(settings: Settings, now: datetime, tmp: Path) -> None:
    books = make_books(settings, now)
    report = einvoice.import_users(FIXTURES / "demo_einvoice_users.csv", now=now)
    assert (report.users, report.aliases) == (3, 4)
    sale = sell(books, cart_of(("1001", 2), ("1003", 1)), [PaymentInput("cash", Decimal("140.00"))])
    inv = einvoice.invoice_sales(
        [sale.sale_id],
        actor=books.ayse,
        terminal="T1",
        now=now,
        settings=settings,
        customer=einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz", district="Kadıköy", city="İstanbul"),
    )
    assert (inv.profile, inv.payable) == ("EARSIVFATURA", Decimal("140.00"))
    assert_valid(einvoice.invoice_xml(inv.id))
    registered = einvoice.route("3760124554", now=now, settings=settings.einvoice)
    assert registered.profile == "TEMELFATURA"
    shop = dataclasses.replace(settings, einvoice=dataclasses.replace(settings.einvoice, outbox=str(tmp / "out")))
    provider = einvoice.providers.load_provider(shop.einvoice, tmp)
    sent = einvoice.send_due(provider, now=now, terminal="T1", settings=shop.einvoice)
    assert [s.status for s in sent.steps] == ["sent"]
    with pytest.raises(peewee.DatabaseError), m.database.atomic():
        m.EInvoice.update(payable=1).where(m.EInvoice.id == inv.id).execute()
    wholesale = einvoice.issue_wholesale(
        "BAKKAL", [einvoice.WholesaleLine("1003", 2000)], actor=books.admin, terminal="T1", now=now, settings=settings
    )
    assert wholesale.invoice.payable == Decimal("240.00") and wholesale.entry_number
    report = audit.verify(settings=settings)
    assert report.ok, report


@pytest.mark.postgres
def test_einvoices_on_postgres(pg_db: peewee.Database, settings: Settings, now: datetime, tmp_path: Path) -> None:
    _exercise(settings, now, tmp_path)


def _race(shop: Shop) -> list[str]:
    numbers: list[str] = []
    errors: list[BaseException] = []

    def issue_some() -> None:
        try:
            for _ in range(5):
                inv = einvoice.issue_invoice(
                    consumer_draft(shop.settings),
                    actor=shop.books.ayse,
                    terminal="T1",
                    now=shop.now,
                    settings=shop.settings.einvoice,
                    profile="EARSIVFATURA",
                )
                numbers.append(inv.number)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=issue_some) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return numbers


def test_two_terminals_issuing_at_once_on_sqlite_share_one_gapless_series(shop: Shop) -> None:
    numbers = _race(shop)
    assert sorted(int(n[-9:]) for n in numbers) == list(range(1, 11))


@pytest.mark.postgres
def test_two_terminals_issuing_at_once_on_postgres_share_one_gapless_series(
    pg_db: peewee.Database, settings: Settings, now: datetime
) -> None:
    books = make_books(settings, now)
    sale = sell(
        books,
        cart_of(
            ("1001", 1),
        ),
        [PaymentInput("cash", Decimal("10.00"))],
    )
    numbers = _race(Shop(books=books, sale=sale))
    assert sorted(int(n[-9:]) for n in numbers) == list(range(1, 11))
    assert len(set(numbers)) == 10
