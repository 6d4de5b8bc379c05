"""GİB's schematron is compiled while the cashier types the buyer, not when the sale's invoice is issued."""

from __future__ import annotations

from till_accounts_support import SIZE

from pos_tui.core import einvoice
from pos_tui.core.einvoice import validation
from tests.einvoice.test_tui_einvoice_fixes import open_dialog
from tests.einvoice.test_tui_einvoice_till import _integrator_offline  # noqa: F401
from tests.tui import conftest as tui

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till


def test_warm_up_compiles_the_schematron_once() -> None:
    validation._schematron.cache_clear()
    einvoice.warm_up()
    assert validation._schematron.cache_info().currsize == 1
    einvoice.warm_up()
    assert validation._schematron.cache_info().misses == 1


async def test_opening_the_invoice_dialog_compiles_the_schematron(make_app, open_shift, shop, till) -> None:  # type: ignore[no-untyped-def]
    validation._schematron.cache_clear()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await open_dialog(pilot, till)
        await app.workers.wait_for_complete()
        assert validation._schematron.cache_info().currsize == 1
