"""Returns from the sale screen (F4): by receipt number, and without a receipt."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos_tui.core import basket
from pos_tui.core.basket import Cart
from pos_tui.core.till import posting, results
from pos_tui.store import models as m
from pos_tui.tui.dialogs.manager import ManagerPinDialog
from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.screens.returns import ReturnScreen, refund_preview
from pos_tui.tui.screens.sale import SaleScreen


@pytest.fixture
def sold(shop, open_shift, now) -> results.SaleResult:
    """Receipt 1: 3 × Ekmek (30,00) and Çay (120,00), paid 50,00 cash and 100,00 card."""
    ekmek = m.Product.get(m.Product.code == "1001")
    cay = m.Product.get(m.Product.code == "1003")
    cart = Cart()
    for product, qty in ((ekmek, 3000), (cay, 1000)):
        cart = cart.add(
            product_id=product.id,
            code=product.code,
            name=product.name,
            unit=product.unit,
            kdv_rate=product.kdv_rate,
            price=Decimal(product.price) / 100,
            qty_milli=qty,
        )
    payments = [basket.PaymentInput("cash", Decimal("50.00")), basket.PaymentInput("card", Decimal("100.00"))]
    return posting.complete_sale("T1", shop.ayse, payments, now=now, shift_id=open_shift.id, cart=cart)


async def test_return_part_of_a_receipt_by_its_number(make_app, sold, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await pilot.press("f4")
        await till.settle(pilot)
        assert isinstance(app.screen, ReturnScreen)
        await till.type(pilot, "1", "enter")
        assert "receipt T1/1" in till.screen_text(pilot)
        await pilot.press("f7")  # quantity of line 1 (Ekmek × 3)
        await till.type(pilot, "2", "enter")
        await pilot.press("f8")  # refund in cash instead of the original payments
        await till.settle(pilot)
        assert "To refund: 20.00 · by cash" in till.screen_text(pilot)
        await pilot.press("f10")
        await till.type(pilot, "2", "enter")  # the second preset reason
        assert isinstance(app.screen, ReportDialog)
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
    ret = m.Sale.get(m.Sale.kind == "return")
    assert (ret.total, ret.return_of_id, ret.note) == (2000, sold.sale_id, "Customer changed their mind")
    assert [(p.method, p.amount) for p in ret.payments] == [("cash", 2000)]
    assert [line.qty for line in ret.lines] == [2000]


async def test_space_returns_a_whole_line_by_the_original_payment(make_app, sold, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await pilot.press("f4")
        await till.type(pilot, "T1/1", "enter")
        await pilot.press("down", "enter")
        await till.settle(pilot)
        assert "To refund: 120.00 · by the original payment" in till.screen_text(pilot)
        await pilot.press("f10")
        await till.type(pilot, "defective", "enter")
        await pilot.press("escape")
        await till.settle(pilot)
    ret = m.Sale.get(m.Sale.kind == "return")
    assert ret.total == 12000
    assert sum(p.amount for p in ret.payments) == 12000


async def test_unknown_receipt_is_an_error_on_the_return_screen(make_app, sold, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await pilot.press("f4")
        await till.type(pilot, "99", "enter")
        assert "No receipt 99 on terminal T1" in till.message(pilot)
        await pilot.press("f10")
        await till.settle(pilot)
        assert "Choose at least one line" in till.message(pilot)


async def test_return_without_receipt_needs_a_supervisor(make_app, shop, open_shift, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await pilot.press("f4", "f6")
        await till.type(pilot, "2*" + shop.SUT, "enter")
        await till.settle(pilot)
        assert "To refund: 65.00 · by cash (no receipt)" in till.screen_text(pilot)
        await pilot.press("f10")
        await till.type(pilot, "1", "enter")
        assert isinstance(app.screen, ManagerPinDialog)
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "known customer", "enter")
        assert isinstance(app.screen, ReportDialog)
    ret = m.Sale.get(m.Sale.kind == "return")
    assert (ret.total, ret.return_of_id) == (6500, None)
    override = m.JournalEntry.get(m.JournalEntry.kind == "override")
    assert "return_without_receipt" in override.payload and "mehmet" in override.payload


def test_refund_preview_follows_the_cumulative_rule() -> None:
    line = results.ReturnableLine(
        line_no=1,
        code="1",
        barcode=None,
        name="x",
        unit="piece",
        kdv_rate=20,
        unit_price=Decimal("3.33"),
        sold_milli=3000,
        returned_milli=1000,
        total=Decimal("10.00"),
        refunded=Decimal("3.33"),
    )
    assert refund_preview(line, 1000) == Decimal("3.34")  # round(10,00 × 2/3) − 3,33
    assert refund_preview(line, 2000) == Decimal("6.67")  # the rest, exactly
    assert refund_preview(line, 0) == Decimal("0")
