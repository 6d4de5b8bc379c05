"""The receipt list's return-document key at 80×24: a return of an invoiced sale shows its document in the
invoice column; the key records a consumer's gider pusulası (a dialog filled from the invoice) and saves its
PDF under $POS_HOME/documents (again once recorded), and names the IADE invoice for a business's sale."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable, Input
from till_accounts_support import SIZE, assert_error_visible

from pos_tui.core import einvoice
from pos_tui.core import till as core_till
from pos_tui.core.till import ReturnLineInput
from pos_tui.store import models as m
from pos_tui.tui.dialogs.gider_pusulasi import GiderPusulasiDialog
from tests.einvoice.test_tui_einvoice_till import (  # noqa: F401 - fixtures
    TCKN,
    _integrator_offline,
    post_cash_sale,
    to_receipts,
)
from tests.tui import conftest as tui

_quick_pins, make_app, open_shift, shop, till = tui._quick_pins, tui.make_app, tui.open_shift, tui.shop, tui.till

BUYER_VKN = "4840000006"


def invoiced_return(shop, settings, now, shift, identifier: str, name: str) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """A cash sale invoiced to ``identifier``, then a return of it; (the invoice number, the return's id)."""
    sale_id = post_cash_sale(shop, settings, now, shift)
    inv = einvoice.invoice_sales(
        [sale_id],
        actor=shop.ayse,
        terminal="T1",
        now=now,
        settings=settings,
        customer=einvoice.InvoiceParty(identifier, name),
    )
    ret = core_till.create_return(
        "T1",
        shop.ayse,
        m.Sale.get_by_id(sale_id).uid,
        [ReturnLineInput(1, 1000)],
        now=now + timedelta(minutes=5),
        reason="bozuk",
        shift_id=shift.id,
    )
    return inv.number, ret.sale_id


def table_text(pilot) -> str:  # type: ignore[no-untyped-def]
    table = pilot.app.screen.query_one("#rows", DataTable)
    return "\n".join(" ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count))


async def test_a_consumers_return_gets_its_gider_pusulasi_recorded_and_saved(
    make_app, open_shift, shop, till, settings, now
) -> None:
    invoice, return_id = invoiced_return(shop, settings, now, open_shift, TCKN, "Ayşe Yılmaz")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        screen = await to_receipts(pilot, till)
        assert "F8 Gider p." in till.screen_text(pilot)
        assert "GP" not in table_text(pilot)  # the return (newest, first row) has no document yet
        await pilot.press("f8")
        await till.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, GiderPusulasiDialog), till.message(pilot)
        assert dialog.query_one("#gp-name", Input).value == "Ayşe Yılmaz"
        assert dialog.query_one("#gp-tckn", Input).value == TCKN
        text = till.screen_text(pilot)
        assert invoice in text and "Address (optional)" in text
        dialog.query_one("#gp-address", Input).value = "Moda Cad. 1, Kadıköy"
        await pilot.press("enter")
        await till.settle(pilot)
        assert app.screen is screen
        doc = m.ReturnDocument.get()
        assert (doc.kind, doc.sale_id) == ("gider_pusulasi", return_id)
        assert (doc.person_name, doc.person_id, doc.person_address) == ("Ayşe Yılmaz", TCKN, "Moda Cad. 1, Kadıköy")
        assert doc.number.startswith("GP2026")
        path = settings.home / "documents" / f"{doc.number}.pdf"
        assert path.read_bytes().startswith(b"%PDF")
        assert str(path) in till.message(pilot)
        assert doc.number in table_text(pilot)  # the return's row shows its document
        # recorded: the same key saves the PDF again, and records nothing more
        path.unlink()
        await pilot.press("f8")
        await till.settle(pilot)
        assert app.screen is screen
        assert path.read_bytes().startswith(b"%PDF")
        assert m.ReturnDocument.select().count() == 1
        assert doc.number in till.message(pilot)


async def test_an_anonymous_consumer_must_be_named(make_app, open_shift, shop, till, settings, now) -> None:
    invoiced_return(shop, settings, now, open_shift, einvoice.ANONYMOUS_TCKN, "Nihai Tüketici")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await to_receipts(pilot, till)
        await pilot.press("f8")
        await till.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, GiderPusulasiDialog)
        assert dialog.query_one("#gp-name", Input).value == ""
        assert dialog.query_one("#gp-tckn", Input).value == ""
        await pilot.press("enter")
        await till.settle(pilot)
        assert_error_visible(pilot, till, "Type the customer's name")
        dialog.query_one("#gp-name", Input).value = "Ali Veli"
        dialog.query_one("#gp-tckn", Input).value = "123"
        await pilot.press("enter")
        await till.settle(pilot)
        assert_error_visible(pilot, till, "A TCKN has 11 digits")
        dialog.query_one("#gp-tckn", Input).value = ""
        await pilot.press("enter")
        await till.settle(pilot)
        assert not isinstance(app.screen, GiderPusulasiDialog)
        doc = m.ReturnDocument.get()
        assert (doc.person_name, doc.person_id) == ("Ali Veli", None)


async def test_a_business_sale_names_the_iade_invoice(make_app, open_shift, shop, till, settings, now) -> None:
    invoice, _return_id = invoiced_return(shop, settings, now, open_shift, BUYER_VKN, "Köşe Bakkalı Ltd.")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        screen = await to_receipts(pilot, till)
        await pilot.press("f8")
        await till.settle(pilot)
        assert app.screen is screen
        note = till.message(pilot)
        assert f"invoice {invoice} to VKN {BUYER_VKN}" in note and "IADE invoice" in note
        assert "pos-admin einvoice return-document T1/2 --kind received_iade" in note
        assert not m.ReturnDocument.select().exists()


async def test_the_key_refuses_a_sale_and_an_uninvoiced_return(make_app, open_shift, shop, till, settings, now) -> None:
    sale_id = post_cash_sale(shop, settings, now, open_shift)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await to_receipts(pilot, till)
        await pilot.press("f8")
        await till.settle(pilot)
        assert "is not a return of a sale" in till.message(pilot)
    core_till.create_return(
        "T1", shop.ayse, m.Sale.get_by_id(sale_id).uid, [ReturnLineInput(1, 1000)], now=now, reason="r",
        shift_id=open_shift.id,
    )  # fmt: skip
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await till.login(pilot)
        await to_receipts(pilot, till)
        await pilot.press("f8")
        await till.settle(pilot)
        assert "was not invoiced" in till.message(pilot)
        assert not m.ReturnDocument.select().exists()


def test_the_list_reads_documents_of_a_page_at_once(shop, settings, now, open_shift) -> None:  # type: ignore[no-untyped-def]
    _invoice, return_id = invoiced_return(shop, settings, now, open_shift, TCKN, "Ayşe Yılmaz")
    assert einvoice.return_documents_of_sales([return_id]) == {}
    doc = einvoice.record_return_document(
        return_id, kind="gider_pusulasi", actor=shop.ayse, terminal="T1", now=now + timedelta(minutes=6)
    )
    assert einvoice.return_documents_of_sales([return_id, 999]) == {return_id: doc.number}
