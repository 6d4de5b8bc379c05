"""Fixtures and helpers the e-invoice tests share (a uniquely named module; no tests in it).

``shop`` gives the accounts fixtures (users, products 1001–1004, BAKKAL and ACME) plus a cash sale
posted at the till; :func:`consumer_draft` a hand-made draft; :func:`assert_valid` runs GİB's XSD and
schematron on an XML and fails with every finding.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "accounts"))  # the accounts tests' helpers

from accounts_support import TCKN, VKN, Books, make_books, quick_pins
from money_support import cart_of, sell

from pos_tui.core import einvoice
from pos_tui.core.basket import PaymentInput
from pos_tui.core.till import SaleResult
from pos_tui.settings import Settings

__all__ = ["TCKN", "VKN", "Shop", "assert_valid", "consumer_draft", "issue", "quick_pins", "shop_fixture", "shop_party"]


@dataclass(frozen=True)
class Shop:
    books: Books
    sale: SaleResult  # a cash sale of 2 × Ekmek (1 %) and 1 × Çay (20 %): 140,00

    @property
    def settings(self) -> Settings:
        return self.books.settings

    @property
    def now(self) -> datetime:
        return self.books.now


@pytest.fixture(name="shop")
def shop_fixture(db: object, settings: Settings, now: datetime) -> Shop:
    books = make_books(settings, now)
    sale = sell(books, cart_of(("1001", 2), ("1003", 1)), [PaymentInput("cash", Decimal("140.00"))])
    return Shop(books=books, sale=sale)


def shop_party(settings: Settings) -> einvoice.InvoiceParty:
    s = settings.shop
    return einvoice.InvoiceParty(
        identifier=s.vkn,
        name=s.legal_name or s.name,
        tax_office=s.tax_office,
        street=s.street,
        district=s.district,
        city=s.city,
        postal_zone=s.postal_zone,
    )


def consumer_draft(
    settings: Settings, *, identifier: str = TCKN, name: str = "Ayşe Yılmaz", **kw: object
) -> einvoice.InvoiceDraft:
    """A two-line SATIS draft (not linked to a posted sale) to ``identifier``."""
    lines = (
        einvoice.InvoiceLineDraft(1, "1001", "Ekmek", "piece", 2000, 2000, 2000, 1),
        einvoice.InvoiceLineDraft(
            2, "1003", "Çay 500 g", "piece", 1000, 12000, 10800, 20, discounts=(einvoice.Discount("İndirim", 1200),)
        ),
    )
    customer = einvoice.InvoiceParty(
        identifier, name, tax_office="Kadıköy" if len(identifier) == 10 else "", district="Kadıköy", city="İstanbul"
    )
    values: dict[str, object] = {
        "source": einvoice.FROM_SALE,
        "type": einvoice.SATIS,
        "supplier": shop_party(settings),
        "customer": customer,
        "lines": lines,
    }
    values.update(kw)
    return einvoice.InvoiceDraft(**values)  # type: ignore[arg-type]


def issue(
    shop: Shop,
    draft: einvoice.InvoiceDraft,
    *,
    profile: str = einvoice.EARSIVFATURA,
    now: datetime | None = None,
    terminal: str = "T1",
) -> einvoice.IssuedInvoice:
    return einvoice.issue_invoice(
        draft,
        actor=shop.books.ayse,
        terminal=terminal,
        now=now or shop.now,
        settings=shop.settings.einvoice,
        profile=profile,
    )


def assert_valid(xml: bytes) -> None:
    findings = einvoice.validate(xml)
    assert not findings, "\n".join(f.text() for f in findings)
