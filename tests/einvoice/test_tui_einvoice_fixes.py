"""The till's e-invoice rough edges a newcomer found, each at 80×24 by the keyboard: the dialog's district
and city (labelled, or typed as "Kadıköy / İstanbul"), a visible focus, the anonymous consumer without a
name, the tax office only for an e-Fatura, no false VKN alarm while a TCKN is typed, the status line that
keeps the cashier, the threshold hint on the sale screen, the document a return of an invoiced sale needs,
and F7 that says "nothing to send" before it asks for a PIN."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input
from till_accounts_support import SIZE, assert_error_visible

from pos_tui.core import einvoice
from pos_tui.store import models as m
from pos_tui.tui.dialogs.invoice import InvoiceDialog
from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.screens.returns import ReturnScreen
from pos_tui.tui.screens.sale import SaleScreen
from tests.einvoice.test_tui_einvoice_till import (
    BUYER_VKN,
    CAY,
    TCKN,
    _integrator_offline,  # noqa: F401 (the autouse fixture: the sender does nothing here)
    fill,
    limited,
    post_cash_sale,
    to_payment,
    to_receipts,
)
from tests.tui import conftest as tui

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till


def contrast(focused: Input, other: Input) -> float:
    """How far apart the focused box's background is from an unfocused one's (0: the same grey)."""
    a, b = focused.background_colors[1], other.background_colors[1]
    return abs(a.brightness - b.brightness) + abs(a.hsl.h - b.hsl.h)


async def open_dialog(pilot, till) -> InvoiceDialog:  # type: ignore[no-untyped-def]
    await to_payment(pilot, till, CAY)
    await pilot.press("f4")
    await till.settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, InvoiceDialog)
    return dialog


async def test_district_and_city_are_labelled_and_a_slash_splits_them(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot, till)
        text = till.screen_text(pilot)
        assert "District" in text and "City" in text and "District / city" not in text
        await fill(pilot, till, identifier=TCKN, name="Ayşe Yılmaz", district="Kadıköy / İstanbul")
        await pilot.press("enter")
        await till.settle(pilot)
        party = app.session.invoice_request.customer
        assert (party.district, party.city) == ("Kadıköy", "İstanbul")


async def test_a_slash_in_the_district_box_is_split_when_the_box_is_left(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, till)
        await fill(pilot, till, district="Moda / İstanbul")
        await pilot.press("tab")
        await till.settle(pilot)
        assert dialog.query_one("#inv-district", Input).value == "Moda"
        assert dialog.query_one("#inv-city", Input).value == "İstanbul"


async def test_the_focused_field_stands_out_and_an_error_takes_the_focus_to_it(
    make_app, open_shift, shop, till
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, till)
        name, office = dialog.query_one("#inv-name", Input), dialog.query_one("#inv-tax_office", Input)
        name.focus()
        await till.settle(pilot)
        assert contrast(name, office) > 0.1  # not grey on grey
        await fill(pilot, till, identifier=TCKN, name="Ayşe")
        office.focus()
        await pilot.press("enter")
        await till.settle(pilot)
        assert_error_visible(pilot, till, "A person on an invoice needs a first name and a family name")
        assert dialog.focused is name
        assert contrast(name, office) > 0.1


async def test_the_anonymous_consumer_needs_no_name(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot, till)
        await fill(pilot, till, identifier=einvoice.ANONYMOUS_TCKN)
        await pilot.press("enter")
        await till.settle(pilot)
        assert not isinstance(app.screen, InvoiceDialog), till.screen_text(pilot)
        party = app.session.invoice_request.customer
        assert (party.identifier, party.name) == (einvoice.ANONYMOUS_TCKN, "Nihai Tüketici")


async def test_an_unregistered_vkn_needs_no_tax_office(make_app, open_shift, shop, till) -> None:
    """Not on GİB's list: an e-Arşiv invoice, for which the core asks no tax office (as the CLI)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot, till)
        await fill(pilot, till, identifier=BUYER_VKN, name="Köşe Bakkalı Ltd.")
        await pilot.press("enter")
        await till.settle(pilot)
        assert not isinstance(app.screen, InvoiceDialog), till.screen_text(pilot)
        assert app.session.invoice_request.customer.tax_office == ""


async def test_no_vkn_alarm_while_a_tckn_is_typed(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, till)
        box = dialog.query_one("#inv-identifier", Input)
        box.focus()
        for n in range(1, len(TCKN) + 1):  # digit by digit, as the cashier types
            box.value = TCKN[:n]
            await till.settle(pilot)
            assert "not valid" not in till.screen_text(pilot), n
        assert "TCKN: a person" in till.screen_text(pilot)


async def test_the_status_line_keeps_a_long_cashier_name_and_the_shift(
    make_app, open_shift, shop, till, settings, now
) -> None:
    m.User.update(name="Ayşegül Karamanoğlu").where(m.User.id == shop.ayse.user_id).execute()
    for minutes in (0, 1):
        sale = post_cash_sale(shop, settings, now + timedelta(minutes=minutes), open_shift)
        einvoice.invoice_sales(
            [sale],
            actor=shop.ayse,
            terminal="T1",
            now=now,
            settings=settings,
            customer=einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz"),
        )
    app = make_app()
    app.session.clock = lambda: now + timedelta(minutes=12)
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.settle(pilot)
        line = till.screen_text(pilot).splitlines()[0]
        assert "Ayşegül Karamanoğlu" in line and f"Shift #{open_shift.id}" in line, line
        assert "Invoices: 2 queued" in line and "e-Fatura" not in line, line
        assert len(line.rstrip()) <= SIZE[0]


async def test_the_sale_screen_tells_once_when_the_total_passes_the_threshold(
    make_app, open_shift, shop, till, settings
) -> None:
    app = make_app(limited(settings, "200"))  # Çay is 120,00
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.scan(pilot, CAY)
        hint = "The total is above the invoice threshold (200.00 TL): F10 → F4 asks for an invoice"
        assert not [n for n in app._notifications if "threshold" in n.message]
        await till.scan(pilot, CAY)  # 240,00: passes it
        assert [n.message for n in app._notifications if "threshold" in n.message] == [hint]
        await till.scan(pilot, CAY)  # still above: not said again
        assert len([n for n in app._notifications if "threshold" in n.message]) == 1
        await pilot.press("f8")  # cash straight from the sale: the hint on the message line, nothing blocks
        await till.settle(pilot)
        assert hint in str(app.screen_stack[-2].query_one("#message").render())
        await pilot.press("escape")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert hint in till.message(pilot)


async def return_receipt_one(pilot, till) -> ReportDialog:  # type: ignore[no-untyped-def]
    await till.login(pilot)
    await pilot.press("f4")
    await till.settle(pilot)
    assert isinstance(pilot.app.screen, ReturnScreen)
    await till.type(pilot, "1", "enter")
    assert "invoice AT12026" in till.screen_text(pilot)  # said before the goods are taken back
    await pilot.press("enter")  # the whole first line
    await pilot.press("f10")
    await till.type(pilot, "1", "enter")
    dialog = pilot.app.screen
    assert isinstance(dialog, ReportDialog), till.screen_text(pilot)
    return dialog


async def test_a_return_of_a_sale_invoiced_to_a_consumer_asks_for_a_gider_pusulasi(
    make_app, open_shift, shop, till, settings, now
) -> None:
    sale = post_cash_sale(shop, settings, now, open_shift)
    inv = einvoice.invoice_sales(
        [sale],
        actor=shop.ayse,
        terminal="T1",
        now=now,
        settings=settings,
        customer=einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz"),
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await return_receipt_one(pilot, till)
        text = till.screen_text(pilot)
        print(text)
        assert f"invoice {inv.number} to a consumer" in text, text
        (note,) = [n.message for n in app._notifications if "gider pusulası" in n.message]
        assert "return-document T1/2 --kind gider_pusulasi" in note


async def test_a_return_of_a_sale_invoiced_to_a_business_asks_for_its_iade_invoice(
    make_app, open_shift, shop, till, settings, now
) -> None:
    sale = post_cash_sale(shop, settings, now, open_shift)
    inv = einvoice.invoice_sales(
        [sale],
        actor=shop.ayse,
        terminal="T1",
        now=now,
        settings=settings,
        customer=einvoice.InvoiceParty(BUYER_VKN, "Köşe Bakkalı Ltd."),
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await return_receipt_one(pilot, till)
        text = till.screen_text(pilot)
        assert f"invoice {inv.number} to VKN" in text, text
        (note,) = [n.message for n in app._notifications if "IADE invoice" in n.message]
        assert f"to VKN {BUYER_VKN}" in note and "return-document T1/2 --kind received_iade" in note


async def test_the_receipt_list_says_what_a_return_row_gets(make_app, open_shift, shop, till, settings, now) -> None:
    from pos_tui.core import till as core_till

    post_cash_sale(shop, settings, now, open_shift)
    core_till.create_return(
        "T1",
        shop.ayse,
        ("T1", 1),
        [core_till.ReturnLineInput(1, 1000)],
        now=now + timedelta(minutes=1),
        reason="Defective",
        shift_id=open_shift.id,
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await to_receipts(pilot, till)  # the return (receipt 2) is the newest: selected
        await pilot.press("f6")
        await till.settle(pilot)
        message = till.message(pilot)
        assert "Receipt 2 is a return: a return gets no invoice" in message, message
        assert "F4" not in message


async def test_f7_on_an_accepted_invoice_says_so_before_any_pin(
    make_app, open_shift, shop, till, settings, now
) -> None:
    from pos_tui.tui.dialogs.manager import ManagerPinDialog

    sale = post_cash_sale(shop, settings, now, open_shift)
    inv = einvoice.invoice_sales(
        [sale],
        actor=shop.ayse,
        terminal="T1",
        now=now,
        settings=settings,
        customer=einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz"),
    )
    m.EInvoiceQueue.update(status=einvoice.ACCEPTED).where(m.EInvoiceQueue.invoice == inv.id).execute()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await to_receipts(pilot, till)
        await pilot.press("f7")
        await till.settle(pilot)
        assert not isinstance(app.screen, ManagerPinDialog)
        assert f"Invoice {inv.number} was accepted; there is nothing more to send" in till.message(pilot)


async def test_the_issued_note_names_the_kind_once(make_app, open_shift, shop, till, settings, now) -> None:
    from pos_tui.tui.invoicing import issued_note

    sale = post_cash_sale(shop, settings, now, open_shift)
    inv = einvoice.invoice_sales(
        [sale],
        actor=shop.ayse,
        terminal="T1",
        now=now,
        settings=settings,
        customer=einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz"),
    )
    assert issued_note(inv) == f"e-Arşiv {inv.number} issued (queued)"
    assert einvoice.status_label(einvoice.QUEUED) == "queued"  # the CLI's word, the till's word
