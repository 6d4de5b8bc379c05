"""The till's e-invoices at 80×24, driven by the keyboard: an invoice asked for at payment (a TCKN typed,
an account filled in, a bad VKN refused in the dialog), the invoice-threshold hint, the receipt list with
invoice numbers and statuses (issue, slip, resend) and the status line's count of waiting invoices."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from textual.widgets import Input
from till_accounts_support import SIZE, assert_error_visible

from pos_tui.core import accounts, einvoice
from pos_tui.core.till import carts
from pos_tui.settings import DatedLimit, Settings
from pos_tui.store import models as m
from pos_tui.tui.dialogs.invoice import InvoiceDialog
from pos_tui.tui.dialogs.receipt_preview import ReceiptPreview
from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.screens.payment import PaymentScreen
from pos_tui.tui.screens.receipts import ReceiptsScreen
from pos_tui.tui.screens.sale import SaleScreen
from tests.tui import conftest as tui

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till
Shop = tui.Shop

CAY, EKMEK = "1003", "1001"
TCKN = "10000000146"  # valid check digits
BUYER_VKN = "4840000006"  # a company not in GİB's user list: e-Arşiv
REGISTERED_VKN = "1234567890"  # registered by register_buyer: e-Fatura


def register_buyer(identifier: str) -> None:
    m.EInvoiceUser.create(
        identifier=identifier,
        mailbox="urn:mail:defaultpk@bakkal.example",
        title="Köşe Bakkalı Ltd.",
        kind="PK",
        imported_at=datetime(2020, 1, 1),  # stored naive UTC
    )


@pytest.fixture(autouse=True)
def _integrator_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The background sender does nothing here (as when the integrator's client is off), so what the
    screens show of waiting invoices stays put; test_the_background_sender_hands_invoices_over sends."""
    from pos_tui.tui import invoicing

    monkeypatch.setattr(invoicing, "send_due", lambda settings, now: einvoice.SendReport())


@pytest.fixture(name="bakkal")
def bakkal_fixture(shop: tui.Shop, now) -> accounts.PartyInfo:  # type: ignore[no-untyped-def]
    return accounts.add_party(
        accounts.PartyInput(
            code="BAKKAL",
            name="Köşe Bakkalı Ltd.",
            kind="customer",
            vkn=BUYER_VKN,
            tax_office="Kadıköy",
            address="Moda Cad. 1, Kadıköy / İstanbul",
            email="muhasebe@bakkal.example",
            credit_limit=Decimal("1000.00"),
        ),
        now=now,
    )


async def to_payment(pilot, till, *codes: str) -> PaymentScreen:  # type: ignore[no-untyped-def]
    await till.login(pilot)
    for code in codes:
        await till.scan(pilot, code)
    await pilot.press("f10")
    await till.settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PaymentScreen)
    return screen


async def fill(pilot, till, **fields: str) -> None:  # type: ignore[no-untyped-def]
    """Type ``fields`` (identifier, name, tax_office, street, district, city, email) into the invoice dialog."""
    dialog = pilot.app.screen
    assert isinstance(dialog, InvoiceDialog)
    for field, value in fields.items():
        box = dialog.query_one(f"#inv-{field}", Input)
        box.focus()
        box.value = value
    await till.settle(pilot)


def invoices() -> list[m.EInvoice]:
    return list(m.EInvoice.select().order_by(m.EInvoice.id))


async def test_an_invoice_asked_at_payment_with_a_tckn_is_issued_when_the_sale_posts(
    make_app, open_shift, shop, till
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        payment = await to_payment(pilot, till, CAY, EKMEK)  # 130,00
        assert "F4 Invoice" in till.screen_text(pilot)
        await pilot.press("f4")
        await till.settle(pilot)
        await fill(pilot, till, identifier=TCKN, name="Ayşe Yılmaz", district="Kadıköy", city="İstanbul")
        assert "TCKN: a person" in till.screen_text(pilot)
        await pilot.press("enter")
        await till.settle(pilot)
        assert app.screen is payment
        assert f"Invoice for {TCKN} · Ayşe Yılmaz: issued when the sale is posted" in till.screen_text(pilot)
        assert not invoices()  # nothing is issued before the sale
        await till.type(pilot, "", "f8")  # cash covers it
        await pilot.press("f10")
        await till.settle(pilot)
        assert isinstance(app.screen, ReceiptPreview)
        await till.type(pilot, "", "escape")
        assert isinstance(app.screen, SaleScreen), till.screen_text(pilot)
        assert invoices(), till.message(pilot)
        (inv,) = invoices()
        assert (inv.customer_id, inv.customer_name, inv.profile, inv.type) == (
            TCKN,
            "Ayşe Yılmaz",
            "EARSIVFATURA",
            "SATIS",
        )
        assert inv.tax_inclusive == 13000 and inv.sale_id == m.Sale.get().id
        assert till.message(pilot) == f"e-Arşiv {inv.number} issued (queued)"
        assert inv.number.startswith("AT12026")
        assert app.session.invoice_request is None
        assert not einvoice.validate(inv.xml.encode())
        # the status line counted the queue again after the invoice (a worker)
        assert "Invoices: 1 queued, 0 min" in till.screen_text(pilot).splitlines()[0]
    # the next sale asks for nothing
    assert m.EInvoiceQueue.get().status == "queued"


async def test_the_sales_account_fills_the_invoice_in(make_app, open_shift, shop, bakkal, till, now) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.scan(pilot, CAY)
        app.screen.show_cart(carts.set_account("T1", shop.ayse, bakkal.id, now=now))  # Ctrl+A's work
        await pilot.press("f10")
        await till.settle(pilot)
        await pilot.press("f4")
        await till.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, InvoiceDialog)
        assert dialog.query_one("#inv-identifier", Input).value == BUYER_VKN
        assert dialog.query_one("#inv-name", Input).value == "Köşe Bakkalı Ltd."
        assert dialog.query_one("#inv-tax_office", Input).value == "Kadıköy"
        assert dialog.query_one("#inv-city", Input).value == "İstanbul"
        await pilot.press("enter")
        await till.settle(pilot)
        assert "Invoice for Account BAKKAL" in till.screen_text(pilot)
        await till.type(pilot, "", "f8")
        await pilot.press("f10")
        await till.settle(pilot)
    (inv,) = invoices()
    assert (inv.customer_id, inv.party_id, inv.profile) == (BUYER_VKN, bakkal.id, "EARSIVFATURA")


async def test_an_account_found_in_the_dialog_fills_the_form(make_app, open_shift, shop, bakkal, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_payment(pilot, till, CAY)
        await pilot.press("f4")
        await till.settle(pilot)
        await till.type(pilot, "nobody", "enter")
        assert_error_visible(pilot, till, "No account found for nobody")
        dialog = app.screen
        dialog.query_one("#inv-lookup", Input).value = ""
        await till.type(pilot, BUYER_VKN, "enter")  # the account by its VKN
        assert dialog.query_one("#inv-name", Input).value == "Köşe Bakkalı Ltd."
        assert dialog.query_one("#inv-lookup", Input).value == "BAKKAL"
        await pilot.press("enter")
        await till.settle(pilot)
        assert app.session.invoice_request.account == "BAKKAL"


async def test_a_bad_vkn_is_refused_in_the_dialog_at_80x24(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        payment = await to_payment(pilot, till, CAY)
        await pilot.press("f4")
        await till.settle(pilot)
        dialog = app.screen
        await fill(pilot, till, identifier="1234567891")  # check digit wrong: 10 digits may be a TCKN half typed
        assert "not valid" not in till.screen_text(pilot)  # no false alarm while typing
        await pilot.press("tab")  # … said once the field is left
        await till.settle(pilot)
        assert_error_visible(pilot, till, "The VKN 1234567891 is not valid")
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, InvoiceDialog)
        assert dialog.focused is dialog.query_one("#inv-identifier", Input)  # Enter took the cashier there
        register_buyer(REGISTERED_VKN)  # on GİB's list: an e-Fatura, which needs the tax office
        await fill(pilot, till, identifier=REGISTERED_VKN, name="Köşe Bakkalı Ltd.")
        await pilot.press("enter")
        await till.settle(pilot)
        assert_error_visible(pilot, till, "A company on an e-Fatura needs its tax office")
        assert dialog.focused is dialog.query_one("#inv-tax_office", Input)
        await fill(pilot, till, identifier=TCKN, name="Ayşe")
        await pilot.press("enter")
        await till.settle(pilot)
        assert_error_visible(pilot, till, "A person on an invoice needs a first name and a family name")
        await pilot.press("escape")
        await till.settle(pilot)
        assert app.screen is payment and app.session.invoice_request is None


async def test_the_anonymous_consumer_and_dropping_the_request(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_payment(pilot, till, CAY)
        await pilot.press("f4")
        await till.settle(pilot)
        await fill(pilot, till, identifier=einvoice.ANONYMOUS_TCKN, name="Nihai Tüketici")
        await pilot.press("enter")
        await till.settle(pilot)
        assert app.session.invoice_request.customer.identifier == einvoice.ANONYMOUS_TCKN
        await pilot.press("f4")  # asked again: the form shows it, F4 drops it
        await till.settle(pilot)
        assert app.screen.query_one("#inv-identifier", Input).value == einvoice.ANONYMOUS_TCKN
        await pilot.press("f4")
        await till.settle(pilot)
        assert app.session.invoice_request is None
        assert till.message(pilot) == "No invoice for this sale"


async def test_a_request_kept_while_back_on_the_sale_and_dropped_with_the_cart(
    make_app, open_shift, shop, till
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_payment(pilot, till, CAY)
        await pilot.press("f4")
        await till.settle(pilot)
        await fill(pilot, till, identifier=TCKN, name="Ayşe Yılmaz")
        await pilot.press("enter", "escape")  # back to the sale: the request stays with the cart
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen) and app.session.invoice_request is not None
        await pilot.press("f10")
        await till.settle(pilot)
        assert "Invoice for 10000000146 · Ayşe Yılmaz" in till.screen_text(pilot)
        await pilot.press("escape")
        await till.settle(pilot)
        app.screen.show_cart(
            carts.void_line("T1", shop.ayse, 1, "test", now=app.session.now())
        )  # the cart is empty now
        assert app.session.invoice_request is None


async def test_a_request_made_at_payment_holds_for_cash_taken_on_the_sale_screen(
    make_app, open_shift, shop, till
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_payment(pilot, till, CAY)
        await pilot.press("f4")
        await till.settle(pilot)
        await fill(pilot, till, identifier=TCKN, name="Ayşe Yılmaz")
        await pilot.press("enter", "escape")  # back to the sale
        await till.settle(pilot)
        await pilot.press("f8")  # cash straight from the sale screen
        await till.settle(pilot)
        await till.type(pilot, "", "enter")
        await till.type(pilot, "", "escape")  # the receipt preview
        assert isinstance(app.screen, SaleScreen)
        (inv,) = invoices()
        assert till.message(pilot) == f"e-Arşiv {inv.number} issued (queued)"
        await till.scan(pilot, CAY)  # the next sale asks for nothing
        await pilot.press("f8")
        await till.settle(pilot)
        await till.type(pilot, "", "enter")
    assert m.Sale.select().count() == 2 and len(invoices()) == 1


async def test_an_invoice_the_core_refuses_leaves_the_sale_posted(make_app, open_shift, shop, till, settings) -> None:
    no_series = dataclasses.replace(settings, einvoice=dataclasses.replace(settings.einvoice, series={}))
    app = make_app(no_series)
    async with app.run_test(size=SIZE) as pilot:
        await to_payment(pilot, till, CAY)
        await pilot.press("f4")
        await till.settle(pilot)
        await fill(pilot, till, identifier=TCKN, name="Ayşe Yılmaz")
        await pilot.press("enter")
        await till.type(pilot, "", "f8")
        await pilot.press("f10")
        await till.settle(pilot)
        await till.type(pilot, "", "escape")
        assert "Receipt 1 is posted, but its invoice was not issued: No invoice series is set" in till.message(pilot)
    assert m.Sale.select().count() == 1 and not invoices()


def limited(settings: Settings, amount: str) -> Settings:
    limits = (DatedLimit(since=settings_day(), amount=Decimal(amount)),)
    return dataclasses.replace(settings, einvoice=dataclasses.replace(settings.einvoice, invoice_limits=limits))


def settings_day():  # type: ignore[no-untyped-def]
    from datetime import date

    return date(2026, 1, 1)


async def test_the_payment_screen_suggests_an_invoice_above_the_threshold(
    make_app, open_shift, shop, till, settings
) -> None:
    app = make_app(limited(settings, "100"))
    async with app.run_test(size=SIZE) as pilot:
        await to_payment(pilot, till, CAY)  # 120,00 > 100,00
        text = till.screen_text(pilot)
        assert "The total is above the invoice threshold (100.00 TL): F4 asks for an invoice" in text
        await till.type(pilot, "", "f8")
        await pilot.press("f10")  # a suggestion: the sale posts without one
        await till.settle(pilot)
        assert isinstance(app.screen, ReceiptPreview)
    assert m.Sale.select().count() == 1 and not invoices()
    app = make_app(limited(settings, "130"))
    async with app.run_test(size=SIZE) as pilot:
        await to_payment(pilot, till, CAY)  # 120,00 < 130,00: no hint
        assert "invoice threshold" not in till.screen_text(pilot)


def test_pos_toml_threshold_is_the_one_in_force(settings) -> None:
    assert settings.einvoice.limit_on(settings_day()) == Decimal("12000")


# -- the receipt list ---------------------------------------------------------------------------------


async def to_receipts(pilot, till) -> ReceiptsScreen:  # type: ignore[no-untyped-def]
    """The receipt list (F12 → Receipts and reprint)."""
    await pilot.app.push_screen(ReceiptsScreen())
    await till.settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReceiptsScreen), screen
    return screen


def post_cash_sale(shop: tui.Shop, settings: Settings, now, shift, code: str = "1003") -> int:  # type: ignore[no-untyped-def]
    from pos_tui.core import till as core_till
    from pos_tui.core.basket import PaymentInput

    cart = core_till.add_item("T1", shop.ayse, code, now=now, masks=settings.scale_labels)
    result = core_till.complete_sale("T1", shop.ayse, [PaymentInput("cash", cart.total)], now=now, shift_id=shift.id)
    return result.sale_id


async def test_the_receipt_list_shows_invoices_and_issues_prints_and_resends(
    make_app, open_shift, shop, till, settings, now
) -> None:
    first = post_cash_sale(shop, settings, now, open_shift)
    post_cash_sale(shop, settings, now + timedelta(minutes=1), open_shift)
    inv = einvoice.invoice_sales(
        [first],
        actor=shop.ayse,
        terminal="T1",
        now=now,
        settings=settings,
        customer=einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz"),
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        screen = await to_receipts(pilot, till)
        text = till.screen_text(pilot)
        assert inv.number in text and "queued" in text
        # the newest first: receipt 2 has no invoice; F6 says so
        await pilot.press("f6")
        await till.settle(pilot)
        assert "Receipt 2 has no invoice; F4 issues one" in till.message(pilot)
        await pilot.press("f4")
        await till.settle(pilot)
        await fill(pilot, till, identifier=TCKN, name="Ali Veli")
        await pilot.press("enter")
        await till.settle(pilot)
        assert app.screen is screen
        second = einvoice.list_invoices(sale_id=first + 1)[0]
        assert till.message(pilot) == f"e-Arşiv {second.number} issued (queued)"
        assert second.number in till.screen_text(pilot)
        await pilot.press("f4")  # already on an invoice
        await till.settle(pilot)
        assert f"Receipt 2 is already on invoice {second.number}" in till.message(pilot)
        await pilot.press("down", "f6")  # the slip of receipt 1's invoice: no printer, so on the screen
        await till.settle(pilot)
        assert isinstance(app.screen, ReportDialog)
        text = till.screen_text(pilot)
        assert inv.number in text and inv.uuid in text and TCKN in text
        await pilot.press("escape")
        await till.settle(pilot)
        await pilot.press("f7")  # resend: a cashier has no "einvoice": the supervisor's PIN is asked
        await till.settle(pilot)
        from pos_tui.tui.dialogs.manager import ManagerPinDialog

        assert isinstance(app.screen, ManagerPinDialog)
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "rejected by the integrator", "enter")
        assert app.screen is screen
        # sent now, whatever its backoff said: the folder driver hands it over (status sent), the same ETTN
        assert till.message(pilot) == f"Invoice {inv.number} was sent again: sent"
        assert (settings.home / "einvoice" / "out" / f"{inv.uuid}.xml").read_bytes() == einvoice.invoice_xml(inv.id)


async def test_the_status_line_counts_the_waiting_invoices(make_app, open_shift, shop, till, settings, now) -> None:
    for minutes in (0, 1, 2):
        sale = post_cash_sale(shop, settings, now + timedelta(minutes=minutes), open_shift)
        einvoice.invoice_sales(
            [sale],
            actor=shop.ayse,
            terminal="T1",
            now=now + timedelta(minutes=minutes),
            settings=settings,
            customer=einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz"),
        )
    app = make_app()
    app.session.clock = lambda: now + timedelta(minutes=12)
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await till.settle(pilot)
        assert "Invoices: 3 queued, 12 min" in till.screen_text(pilot), till.screen_text(pilot)


async def test_the_receipt_list_fills_the_invoice_from_the_sales_account(
    make_app, open_shift, shop, bakkal, till, settings, now
) -> None:
    from pos_tui.core import till as core_till
    from pos_tui.core.basket import PaymentInput

    core_till.add_item("T1", shop.ayse, CAY, now=now, masks=settings.scale_labels)
    cart = carts.set_account("T1", shop.ayse, bakkal.id, now=now)
    sale = core_till.complete_sale("T1", shop.ayse, [PaymentInput("cash", cart.total)], now=now, shift_id=open_shift.id)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await to_receipts(pilot, till)
        await pilot.press("f4")
        await till.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, InvoiceDialog)
        assert dialog.query_one("#inv-lookup", Input).value == "BAKKAL"
        assert dialog.query_one("#inv-identifier", Input).value == BUYER_VKN
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, ReceiptsScreen)
    (inv,) = invoices()
    assert (inv.sale_id, inv.party_id, inv.customer_name) == (sale.sale_id, bakkal.id, "Köşe Bakkalı Ltd.")


async def test_the_background_sender_hands_invoices_over(
    make_app, open_shift, shop, till, settings, now, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's e-invoice tick sends what is due (here to the folder driver's outbox) in a worker, and the
    status line stops counting it as waiting."""
    from pos_tui.tui import invoicing

    monkeypatch.undo()  # the real sender
    assert invoicing.send_due.__name__ == "send_due"
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
    app.session.clock = lambda: now + timedelta(minutes=1)
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        app.refresh_einvoice()
        await app.workers.wait_for_complete()
        await till.settle(pilot)
        assert einvoice.get_invoice(inv.id).status == einvoice.SENT
        assert (settings.home / "einvoice" / "out" / f"{inv.uuid}.json").is_file()
        assert "waiting" not in till.screen_text(pilot)
