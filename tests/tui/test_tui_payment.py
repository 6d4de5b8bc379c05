"""Taking the money: cash with change, card, split tender; each leaves a posted sale."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Digits, Input

from pos_tui.core.till import carts, documents
from pos_tui.store import models as m
from pos_tui.tui.dialogs.prompts import AmountDialog
from pos_tui.tui.dialogs.receipt_preview import ReceiptPreview
from pos_tui.tui.dialogs.views import CardDialog
from pos_tui.tui.screens.payment import PaymentScreen
from pos_tui.tui.screens.sale import SaleScreen


async def ring_up(pilot, till, shop) -> None:
    await till.login(pilot)
    await till.scan(pilot, shop.EKMEK)
    await till.scan(pilot, shop.SUT)  # 10,00 + 32,50 = 42,50


async def test_cash_prefills_the_total_and_shows_the_change(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ring_up(pilot, till, shop)
        await pilot.press("f8")
        await till.settle(pilot)
        assert isinstance(app.screen, AmountDialog)
        assert app.screen.query_one("#amount", Input).value == "42.50"
        await till.type(pilot, "40", "enter")
        assert isinstance(app.screen, AmountDialog)  # less than the total is refused
        assert "At least 42.50" in str(app.screen.query_one(".error-line").render())
        app.screen.query_one("#amount", Input).value = ""
        await till.type(pilot, "100", "enter")
        assert isinstance(app.screen, ReceiptPreview)
        await till.type(pilot, "", "enter")  # close the receipt preview
        assert isinstance(app.screen, SaleScreen)
        assert str(app.screen.query_one("#change", Digits).value) == "57.50"
        assert app.screen.cart.is_empty
        assert "Sale 1 done" in till.message(pilot)
        await till.scan(pilot, shop.CAY)  # the next sale starts at once
        assert [ln.name for ln in app.screen.cart.lines] == ["Çay 500 g"]
    sale = m.Sale.get()
    assert (sale.kind, sale.receipt_no, sale.total, sale.shift_id) == ("sale", 1, 4250, open_shift.id)
    payment = m.Payment.get()
    assert (payment.method, payment.amount, payment.tendered, payment.change) == ("cash", 4250, 10000, 5750)


async def test_enter_accepts_the_prefilled_total(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ring_up(pilot, till, shop)
        await pilot.press("f8", "enter")
        await till.settle(pilot)
        await till.type(pilot, "", "enter")  # close the receipt preview
        assert str(app.screen.query_one("#change", Digits).value) == "0.00"
    assert m.Sale.get().total == 4250


async def test_card_takes_the_total_with_an_optional_reference(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ring_up(pilot, till, shop)
        await pilot.press("f9")
        await till.settle(pilot)
        assert isinstance(app.screen, CardDialog)
        await till.type(pilot, "AUTH-123456", "enter")
        await till.type(pilot, "", "enter")  # close the receipt preview
        assert isinstance(app.screen, SaleScreen) and app.screen.cart.is_empty
    doc = documents.sale_document(m.Sale.get().id)
    assert doc["payments"] == [
        {"method": "card", "amount": "42.50", "tendered": None, "change": None, "reference": "AUTH-123456"}
    ]


async def test_a_card_number_as_reference_is_refused_and_the_cart_kept(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ring_up(pilot, till, shop)
        await pilot.press("f9")
        await till.type(pilot, "4111111111111111", "enter")
        assert "card number" in till.message(pilot)
        assert len(app.screen.cart.lines) == 2
    assert m.Sale.select().count() == 0
    assert len(carts.load_open_cart("T1", shop.ayse.user_id).lines) == 2


async def test_split_payment_cash_then_card(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ring_up(pilot, till, shop)
        await pilot.press("f10")
        await till.settle(pilot)
        screen = app.screen
        assert isinstance(screen, PaymentScreen)
        tender = screen.query_one("#tender", Input)
        assert tender.value == "42.50"
        await till.type(pilot, "20", "f8")
        assert screen.remaining == Decimal("22.50") and tender.value == "22.50"
        await pilot.press("f9")
        await till.type(pilot, "", "enter")  # no terminal reference
        assert screen.remaining == 0
        await pilot.press("enter")
        await till.settle(pilot)
        await till.type(pilot, "", "enter")  # close the receipt preview
        assert isinstance(app.screen, SaleScreen) and app.screen.cart.is_empty
    doc = documents.sale_document(m.Sale.get().id)
    assert [(p["method"], p["amount"]) for p in doc["payments"]] == [("cash", "20.00"), ("card", "22.50")]


async def test_split_payment_refuses_to_post_until_covered_and_del_removes(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ring_up(pilot, till, shop)
        await pilot.press("f10")
        await till.type(pilot, "10", "f8")
        await pilot.press("f10")
        await till.settle(pilot)
        assert "32.50 is still to pay" in till.message(pilot)
        await pilot.press("delete")
        await till.settle(pilot)
        assert app.screen.parts == []
        await till.type(pilot, "50", "f8")
        assert app.screen.remaining == 0 and app.screen.parts[0].change == Decimal("7.50")
        await pilot.press("f10")
        await till.settle(pilot)
        await till.type(pilot, "", "enter")  # close the receipt preview
        assert isinstance(app.screen, SaleScreen)
        assert str(app.screen.query_one("#change", Digits).value) == "7.50"
    assert m.Payment.get().change == 750


async def test_escape_leaves_the_payment_screen_without_posting(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ring_up(pilot, till, shop)
        await pilot.press("f10")
        await till.type(pilot, "10", "f8")
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen) and len(app.screen.cart.lines) == 2
    assert m.Sale.select().count() == 0
