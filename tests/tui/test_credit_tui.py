"""Issue 16 at the till, at 80×24: a return refunded into the member's store credit or onto a new
gift card (F8 steps through the ways to refund), and store credit sold from the F12 menu."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from textual.widgets import Static

from pos_tui.core import basket, catalog
from pos_tui.core import till as till_core
from pos_tui.core.cash import shifts
from pos_tui.core.loyalty import giftcards, members, register_loyalty_tenders, rules, wallet
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.tui.dialogs.prompts import ChoiceDialog
from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.dialogs.wallet_topup import WalletTopUpDialog
from pos_tui.tui.screens.returns import ReturnScreen
from pos_tui.tui.screens.sale import SaleScreen

D = Decimal
SMALL = (80, 24)
PHONE = "05321234567"


@pytest.fixture
def member(shop, now: datetime) -> int:
    return members.enroll(name="Zeynep Yılmaz", phone=PHONE, source="cli", actor=None, now=now).id


@pytest.fixture
def card_receipt(shop, open_shift, member: int, settings: Settings, now: datetime) -> till_core.SaleResult:
    """Receipt 1: three vases of 100,00 for the member, paid 300,00 by card."""
    register_loyalty_tenders()
    catalog.upsert_products(
        [catalog.ProductInput(code="2001", name="Vazo", price=D("100.00"), kdv_rate=20)],
        now=now,
        kdv_rates=settings.kdv_rates,
    )
    vase = m.Product.get(m.Product.code == "2001")
    cart = basket.Cart(member_id=member).add(
        product_id=vase.id, code="2001", name="Vazo", unit="piece", kdv_rate=20, price=D("100.00"), qty_milli=3000
    )
    return till_core.post_cart(
        cart,
        [basket.PaymentInput("card", D("300.00"))],
        terminal="T1",
        cashier_id=shop.ayse.user_id,
        now=now,
        shift_id=open_shift.id,
    )


async def return_one_vase(pilot, till, presses: int) -> str:
    """F4, receipt 1, one vase (F7 1), F8 ``presses`` times; the screen's text."""
    await pilot.press("f4")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, ReturnScreen)
    await till.type(pilot, "1", "enter")
    await pilot.press("f7")
    await till.type(pilot, "1", "enter")
    for _ in range(presses):
        await pilot.press("f8")
    await till.settle(pilot)
    return till.screen_text(pilot)


async def post_with_reason(pilot, till) -> None:
    await pilot.press("f10")
    await till.settle(pilot)
    await till.type(pilot, "2", "enter")  # the second preset reason


async def test_a_return_into_store_credit_at_80x24(make_app, card_receipt, member: int, till, now) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await till.login(pilot)
        text = await return_one_vase(pilot, till, 2)
        assert "To refund: 100.00 · by the member's store credit" in text
        assert "100.00 into store credit" in text
        await post_with_reason(pilot, till)
        assert isinstance(app.screen, ReportDialog)
        assert "100.00 put on the member's store credit" in till.screen_text(pilot)
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
    ret = m.Sale.get(m.Sale.kind == "return")
    assert [(p.method, p.amount) for p in ret.payments] == [("store_credit", 10000)]
    assert wallet.wallet_balance(member) == D("100.00")
    x = shifts.x_report("T1", now=now)
    assert (x.cash_refunds, x.expected_cash) == (D("0.00"), D("100.00"))  # the float only


async def test_store_credit_refused_when_the_shop_does_not_allow_it(
    make_app, card_receipt, member: int, till, now
) -> None:
    rules.apply_rules("[store_credit]\nrefunds = false\n", now=now)
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await till.login(pilot)
        text = await return_one_vase(pilot, till, 2)
        assert "does not refund returns into store credit" in text
        await post_with_reason(pilot, till)
        assert isinstance(app.screen, ReturnScreen)
        assert "does not refund returns into store credit" in till.message(pilot)
    assert m.Sale.select().where(m.Sale.kind == "return").count() == 0
    assert wallet.wallet_balance(member) == D("0.00")


@pytest.mark.parametrize("leave", ["anonymize", "withdraw"])
async def test_store_credit_refused_when_the_member_cannot_take_part(
    make_app, card_receipt, member: int, till, now, leave: str
) -> None:
    if leave == "anonymize":
        members.anonymize_member(member, actor=None, now=now)
        why = "was anonymized"
    else:
        members.set_consent(member, "membership", False, source="till", actor=None, now=now)
        why = "consent withdrawn"
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await till.login(pilot)
        text = await return_one_vase(pilot, till, 2)  # F8 twice: into store credit
        assert "by the member's store credit" in text and why in text  # the summary says why, before F10
        await post_with_reason(pilot, till)
        assert isinstance(app.screen, ReturnScreen)
        assert why in till.message(pilot) and "refund in cash or by card instead" in till.message(pilot)
        assert why in till.screen_text(pilot)  # the error line is on screen at 80×24
        await pilot.press("f8", "f8", "f8")  # round to cash
        await till.settle(pilot)
        await post_with_reason(pilot, till)
        assert isinstance(app.screen, ReportDialog)
    assert [(p.method, p.amount) for p in m.Sale.get(m.Sale.kind == "return").payments] == [("cash", 10000)]
    assert wallet.wallet_balance(member) == D("0.00")


async def test_a_refund_onto_a_new_gift_card_shows_its_code_once(make_app, card_receipt, till) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await till.login(pilot)
        text = await return_one_vase(pilot, till, 3)
        assert "by a new gift card" in text and "100.00 onto a new gift card" in text
        await post_with_reason(pilot, till)
        assert isinstance(app.screen, ReportDialog)
        card = m.GiftCard.get()
        shown = till.screen_text(pilot)
        assert f"New gift card {card.code} holds 100.00" in shown
        await pilot.press("enter")
        await till.settle(pilot)
    ret = m.Sale.get(m.Sale.kind == "return")
    assert [(p.method, p.amount, p.reference) for p in ret.payments] == [
        ("gift_card_new", 10000, giftcards.mask_code(card.code))
    ]
    assert giftcards.card_balance(card.code) == D("100.00")


async def test_f8_cycles_back_to_the_original_payment(make_app, card_receipt, till) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await till.login(pilot)
        text = await return_one_vase(pilot, till, 4)
        assert "To refund: 100.00 · by the original payment" in text and "100.00 back to the card" in text


# --------------------------------------------------------------------------- selling store credit


async def open_wallet_dialog(pilot, till) -> WalletTopUpDialog:
    """F12, the gift card entry (key 0 for a cashier), then the fourth choice."""
    await pilot.press("f12")
    await till.settle(pilot)
    await pilot.press("0")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, ChoiceDialog)
    await pilot.press("4")
    await till.settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, WalletTopUpDialog)
    return dialog


def result_text(app) -> str:
    return str(app.screen.query_one("#wt-result", Static).render())


def error_text(app) -> str:
    return str(app.screen.query_one(".error-line").render())


async def test_sell_store_credit_in_cash_at_80x24(make_app, open_shift, member: int, till, now) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await till.login(pilot)
        await open_wallet_dialog(pilot, till)
        await till.type(pilot, "", "f8")
        assert "Scan the member's card or type a phone number" in error_text(app)
        await till.type(pilot, "05559998877", "enter")  # nobody: said at once, the field keeps the focus
        assert "No member with card or phone 05559998877" in error_text(app)
        assert app.focused is app.screen.query_one("#wt-member")
        app.screen.query_one("#wt-amount").value = "250"
        await till.type(pilot, "", "f8")  # F8 anyway: refused in the worker the same way
        await till.settle(pilot)
        assert "No member with card or phone 05559998877" in error_text(app)
        assert "No member" in till.screen_text(pilot)  # the error line is on screen at 80×24
        assert wallet.wallet_entries(member) == []
        app.screen.query_one("#wt-member").value = PHONE
        await till.type(pilot, "", "f8")
        await till.settle(pilot)
        assert (
            "250.00 of store credit for Zeynep Yılmaz (paid in cash, into the drawer); the wallet now holds 250.00"
            in result_text(app)
        )
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert "Store credit of Zeynep Yılmaz: 250.00" in till.message(pilot)
    x = shifts.x_report("T1", now=now)
    assert (x.store_credit, x.expected_cash) == (D("250.00"), D("350.00"))  # 100,00 float + 250,00
    assert [(e.kind, e.amount) for e in wallet.wallet_entries(member)] == [("topup", D("250.00"))]


async def test_sell_store_credit_to_the_member_on_the_sale_by_card(
    make_app, shop, open_shift, member: int, till, now
) -> None:
    till_core.set_member("T1", shop.ayse, member, now=now)
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await till.login(pilot)
        await open_wallet_dialog(pilot, till)
        assert "Member on the sale: Zeynep Yılmaz" in till.screen_text(pilot)
        await till.type(pilot, "40", "f9")  # the amount field has the focus
        await till.settle(pilot)
        assert "40.00 of store credit for Zeynep Yılmaz (paid by card)" in result_text(app)
    assert shifts.x_report("T1", now=now).expected_cash == D("100.00")
    assert wallet.wallet_balance(member) == D("40.00")
