"""Fiscal mode in the sale flow (pos_tui.core.till.fiscal): the fiscal device registers the sale last,
inside its transaction; a device error leaves nothing written and the cart open; the
confirmation is stored on the sale and in its journalled document."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pos_tui.core import audit
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import Actor
from pos_tui.core.till import (
    FiscalError,
    FiscalRecord,
    FiscalTicket,
    complete_sale,
    load_open_cart,
    sale_document,
    save_cart,
)
from pos_tui.settings import Settings
from pos_tui.store import models as m

D = Decimal


@pytest.fixture
def basket(make_product: Callable[..., m.Product], add: Callable[..., Cart]) -> Cart:
    cheese = make_product("2001", "Ezine Peyniri", "240.00", 1, unit="kg")
    soap = make_product("2002", "Zeytinyağlı Sabun", "35.50", 20)
    return add(add(Cart(), cheese, 1250), soap, 2000)


class Device:
    """A fiscal device that answers like a real one: sequential numbers, or an error."""

    def __init__(self, fail: str | None = None) -> None:
        self.fail = fail
        self.tickets: list[FiscalTicket] = []
        self.number = 0

    def __call__(self, ticket: FiscalTicket) -> FiscalRecord:
        if self.fail:
            raise FiscalError(self.fail)
        self.tickets.append(ticket)
        self.number += 1
        return FiscalRecord("AB12345678", self.number, 7, datetime(2026, 11, 1, 7, 16, tzinfo=UTC))


def test_a_confirmed_sale_carries_its_fiscal_number(
    db: object, cashier: Actor, basket: Cart, now: datetime, settings: Settings
) -> None:
    device = Device()
    result = complete_sale("T1", cashier, [PaymentInput("cash", D("400.00"))], now=now, cart=basket, fiscal=device)
    (ticket,) = device.tickets
    assert ticket.uid == result.uid and ticket.receipt_no == result.receipt_no and ticket.cashier == cashier.name
    assert [(i.name, i.qty_milli, i.unit_price, i.kdv_rate, i.total) for i in ticket.items] == [
        ("Ezine Peyniri", 1250, D("240.00"), 1, D("300.00")),
        ("Zeytinyağlı Sabun", 2000, D("35.50"), 20, D("71.00")),
    ]
    assert ticket.total == D("371.00") and ticket.change == D("29.00")
    assert [(p.method, p.amount) for p in ticket.payments] == [("cash", D("371.00"))]
    row = m.SaleFiscal.get(m.SaleFiscal.sale == result.sale_id)
    assert (row.device, row.fiscal_no, row.z_no) == ("AB12345678", 1, 7)
    assert result.document["fiscal"] == {"device": "AB12345678", "no": 1, "z": 7}
    assert sale_document(result.sale_id) == result.document  # the stored and the journalled agree
    entry = m.JournalEntry.select().where(m.JournalEntry.kind == "sale").get()
    assert json.loads(entry.payload)["fiscal"]["no"] == 1
    assert audit.verify(settings=settings).ok


def test_a_device_error_leaves_the_sale_open_and_payable(
    db: object, cashier: Actor, basket: Cart, now: datetime
) -> None:
    save_cart("T1", cashier.user_id, basket, now=now)
    pay = [PaymentInput("card", D("371.00"))]
    with pytest.raises(FiscalError, match="paper"):
        complete_sale("T1", cashier, pay, now=now, fiscal=Device(fail="The fiscal printer is out of paper"))
    assert m.Sale.select().count() == 0 and m.SaleFiscal.select().count() == 0
    assert m.JournalEntry.select().where(m.JournalEntry.kind == "sale").count() == 0
    assert load_open_cart("T1", cashier.user_id) == basket  # still there, pay again
    stock = {p.code: p.stock for p in m.Product.select()}
    assert stock == {"2001": 0, "2002": 0}
    result = complete_sale("T1", cashier, pay, now=now, fiscal=Device())
    assert result.receipt_no == 1  # the failed attempt used no number
    assert m.SaleFiscal.select().count() == 1


def test_without_a_device_there_is_no_fiscal_record(db: object, cashier: Actor, basket: Cart, now: datetime) -> None:
    result = complete_sale("T1", cashier, [PaymentInput("cash", D("371.00"))], now=now, cart=basket)
    assert "fiscal" not in result.document and m.SaleFiscal.select().count() == 0
