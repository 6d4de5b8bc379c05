"""Snapshots at 80×24 of the till's invoice dialog (filled from an account, and with a refused VKN) and of
the receipt list with its invoice columns and the status line's count of waiting invoices."""

from __future__ import annotations

from test_tui_einvoice_till import (
    CAY,
    SIZE,
    TCKN,
    _integrator_offline,  # noqa: F401
    bakkal_fixture,  # noqa: F401
    fill,
    post_cash_sale,
    to_payment,
    to_receipts,
)

from pos_tui.core import einvoice
from pos_tui.core.till import carts
from tests.tui import conftest as tui

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till


def test_invoice_dialog_filled_from_the_sales_account(
    snap_compare, make_app, open_shift, shop, bakkal, till, now
) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await till.login(pilot)
        await till.scan(pilot, CAY)
        pilot.app.screen.show_cart(carts.set_account("T1", shop.ayse, bakkal.id, now=now))
        await pilot.press("f10")
        await till.settle(pilot)
        await pilot.press("f4")
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run)


def test_invoice_dialog_with_a_refused_vkn(snap_compare, make_app, open_shift, shop, till) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await to_payment(pilot, till, CAY)
        await pilot.press("f4")
        await till.settle(pilot)
        await fill(pilot, till, identifier="1234567891", name="Köşe Bakkalı Ltd.")
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run)


def test_receipt_list_with_invoices(snap_compare, make_app, open_shift, shop, till, settings, now) -> None:
    first = post_cash_sale(shop, settings, now, open_shift)
    post_cash_sale(shop, settings, now, open_shift, code="1001")
    einvoice.invoice_sales(
        [first],
        actor=shop.ayse,
        terminal="T1",
        now=now,
        settings=settings,
        customer=einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz"),
    )

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await till.login(pilot)
        await to_receipts(pilot, till)
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run)
