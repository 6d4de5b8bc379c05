"""The receiving screen from F12 → Stock: supplier, scans (multiplier, weighed label), cost edit,
post, new prices; the supplier-return dialog; and the screen at 80×24."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from test_receiving_support import CAY, DOMATES_1500G, SUT, Goods, add_supplier, goods_fixture, quick_pins
from textual.widgets import DataTable

from pos_tui.core import cash
from pos_tui.core.stock import receiving
from pos_tui.store import models as m
from pos_tui.tui.app import PosApp

__all__ = ["goods_fixture", "quick_pins"]  # fixtures used by name


def _till():  # the Pilot helpers of tests/tui (type, settle, login, screen text)
    from tests.tui.conftest import Till

    return Till()


async def _open_receiving(pilot, till, *, pin: str = "1111") -> None:
    await till.login(pilot, pin)
    await pilot.press("f12", "s", "1")  # F12 menu → Stock → Goods receipt
    await till.settle(pilot)


async def test_receiving_screen_end_to_end(goods: Goods) -> None:
    cash.open_shift("T1", goods.ayse, Decimal("0"), now=goods.now)
    app = PosApp(goods.settings, clock=lambda: goods.now)
    till = _till()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_receiving(pilot, till)  # ayse is a cashier: a supervisor approves
        assert "ManagerDialog" in type(app.screen).__name__ or app.screen.query("#pin")
        await till.type(pilot, "2222", "enter")
        await till.type(pilot, "Mal kabul", "enter")
        # the head: supplier by part of its name, the document, the date (empty: today)
        await till.type(pilot, "acme", "enter")
        await till.type(pilot, "IRS-55", "enter")
        await till.type(pilot, "", "enter")
        await till.type(pilot, "", "enter")
        await till.type(pilot, "", "enter")  # the location: the terminal's
        screen = app.screen
        assert type(screen).__name__ == "ReceivingScreen", type(screen).__name__
        await till.type(pilot, "5*", "enter")
        await till.type(pilot, CAY, "enter")  # 5 tea
        await till.type(pilot, SUT, "enter")  # 1 milk
        await till.type(pilot, CAY, "enter")  # +1 tea on the same line
        await till.type(pilot, DOMATES_1500G, "enter")  # 1,5 kg tomatoes from the scale label
        await till.type(pilot, "99999", "enter")  # unknown: an error, nothing added
        assert "99999" in till.message(pilot)
        assert [(ln.code, ln.qty) for ln in screen.lines] == [("1003", 6000), ("1002", 1000), ("00123", 1500)]
        # cost of the tea line: select it and F5
        await pilot.press("up", "up")
        await pilot.press("f5")
        await till.type(pilot, "50", "enter")
        await pilot.press("down")
        await pilot.press("f5")
        await till.type(pilot, "20", "enter")
        await pilot.press("down", "f5")
        await till.type(pilot, "12,50", "enter")
        totals = till.screen_text(pilot)
        assert "KDV 20%" in totals and "360.00" in totals  # 6 × 50,00 net + 20 % KDV
        await pilot.press("f10")  # post: asks first
        await pilot.press("enter")
        await till.settle(pilot)
        # the cost of every product changed: the new-prices dialog; a margin for all, then save
        assert type(app.screen).__name__ == "NewPricesDialog"
        await till.type(pilot, "abc", "enter")  # an error, on screen at 80×24
        assert "abc" in till.screen_text(pilot)
        app.screen.query_one("#price").value = ""
        await till.type(pilot, "%25", "f5")
        await pilot.press("f10")
        await till.settle(pilot)
        assert type(app.screen).__name__ == "SaleScreen"
        assert "posted" in till.message(pilot)
    doc = receiving.get_receipt(1)
    assert (doc.supplier, doc.document, doc.total) == ("ACME", "IRS-55", Decimal("399.14"))
    assert [(ln.code, ln.qty, ln.unit_cost) for ln in doc.lines] == [
        ("1003", 6000, Decimal("50.00")),
        ("1002", 1000, Decimal("20.00")),
        ("00123", 1500, Decimal("12.50")),
    ]
    assert m.Product.get(m.Product.code == "1003").price == 7500  # 50 × 1,25 × 1,20
    assert m.Product.get(m.Product.code == "1003").stock == 6000
    data = json.loads(m.StockDocument.get_by_id(doc.id).data)
    assert data["override"]["supervisor"] == "mehmet"


async def test_leaving_with_lines_asks(goods: Goods) -> None:
    cash.open_shift("T1", goods.ayse, Decimal("0"), now=goods.now)
    app = PosApp(goods.settings, clock=lambda: goods.now)
    till = _till()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_receiving(pilot, till, pin="2222")
        await till.type(pilot, "BETA", "enter")
        for _i in range(4):
            await till.type(pilot, "", "enter")
        await till.type(pilot, CAY, "enter")
        await pilot.press("escape")
        await till.settle(pilot)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("escape")  # no: stay
        await till.settle(pilot)
        assert type(app.screen).__name__ == "ReceivingScreen"
        await pilot.press("escape", "enter")
        await till.settle(pilot)
        assert type(app.screen).__name__ == "SaleScreen"
    assert m.StockDocument.select().count() == 0


async def test_supplier_return_dialog(goods: Goods) -> None:
    cash.open_shift("T1", goods.ayse, Decimal("0"), now=goods.now)
    receiving.post_receipt(
        receiving.ReceiptInput(
            supplier="ACME", lines=[receiving.ReceiptLineInput("1003", 4000, Decimal("10.00"))], document="X1"
        ),
        actor=goods.admin,
        now=goods.now,
        terminal="T1",
        kdv_rates=goods.settings.kdv_rates,
    )
    app = PosApp(goods.settings, clock=lambda: goods.now)
    till = _till()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "2222")
        await pilot.press("f12", "s", "2")
        await till.settle(pilot)
        await till.type(pilot, "1", "enter")  # receipt 1
        await till.type(pilot, "5", "enter")  # more than received
        assert "4" in str(app.screen.query_one(".error-line").render())
        await till.type(pilot, "3", "enter")
        await pilot.press("f10")  # asks first, with the total
        await till.settle(pilot)
        assert type(app.screen).__name__ == "ConfirmDialog" and "36.00" in app.screen.question
        await pilot.press("enter")
        await till.settle(pilot)
        assert type(app.screen).__name__ == "SaleScreen"
    assert receiving.get_receipt(1).lines[0].returnable == 1000
    assert receiving.get_supplier_return(1).total == Decimal("36.00")


def _head_text(pilot) -> list[str]:
    """The receiving screen's head, line by line, as the terminal shows it."""
    from textual.widgets import Static

    region = pilot.app.screen.query_one("#receiving-head", Static).region
    strips = pilot.app.screen._compositor.render_strips()
    return [strips[y].text[region.x : region.right] for y in range(region.y, region.bottom)]


async def test_receiving_shows_and_chooses_the_location(goods: Goods) -> None:
    """The head step offers the terminal's location (ARKA here) and may change it; the screen's
    head shows where the goods go and, at 80 columns, always "costs excl./incl. KDV"."""
    from pos_tui.core.stock.locations import add_location, assign_terminal

    add_location("ARKA", "Arka depo", terminal="T1", now=goods.now)
    assign_terminal("T1", "ARKA", terminal="T1", now=goods.now)
    add_supplier("UZUN", "Uzun İsimli Gıda Toptan Pazarlama Sanayi ve Ticaret A.Ş.", goods.now)
    cash.open_shift("T1", goods.ayse, Decimal("0"), now=goods.now)
    app = PosApp(goods.settings, clock=lambda: goods.now)
    till = _till()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_receiving(pilot, till, pin="2222")
        await till.type(pilot, "UZUN", "enter")
        await till.type(pilot, "IRS-2026/000123456", "enter")
        await till.type(pilot, "", "enter")
        await till.type(pilot, "", "enter")
        assert app.screen.query_one("#location").value == "ARKA"  # the terminal's, offered
        app.screen.query_one("#location").value = ""
        await till.type(pilot, "YOLDA", "enter")  # in transit is no place to receive into
        assert "YOLDA" in str(app.screen.query_one(".error-line").render())
        app.screen.query_one("#location").value = ""
        await till.type(pilot, "magaza", "enter")
        assert type(app.screen).__name__ == "ReceivingScreen"
        head = _head_text(pilot)
        assert len(head) == 2 and all(len(line) <= 80 for line in head)
        assert "IRS-2026/000123456" in head[0]
        assert "MAGAZA" in head[1] and "costs excl. KDV" in head[1]
        await pilot.press("f9")  # costs typed including KDV: the head says so
        await till.settle(pilot)
        assert "costs incl. KDV" in _head_text(pilot)[1]
        await till.type(pilot, CAY, "enter")
        await pilot.press("f10")
        await till.settle(pilot)
        assert "MAGAZA" in app.screen.question
        await pilot.press("enter")
        await till.settle(pilot)
    assert receiving.get_receipt(1).location == "MAGAZA"


async def test_new_prices_free_goods_and_a_failed_save_keep_the_dialog(goods: Goods) -> None:
    """A line received at no cost is not given a margin price (it keeps its price, the dialog
    says so); a save that fails keeps the dialog open with every typed price and its error; F7
    with a fractional quantity of a piece product keeps the quantity dialog open with the error."""
    cash.open_shift("T1", goods.ayse, Decimal("0"), now=goods.now)
    _receipt(goods, "BETA", "B-1", [("1003", 1000, "40.00")], days_ago=1)  # tea has a cost
    tea_price = m.Product.get(m.Product.code == "1003").price
    app = PosApp(goods.settings, clock=lambda: goods.now)
    till = _till()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_receiving(pilot, till, pin="2222")
        await till.type(pilot, "ACME", "enter")
        for _i in range(4):
            await till.type(pilot, "", "enter")
        await till.type(pilot, "2*" + CAY, "enter")
        await pilot.press("f7")
        await till.settle(pilot)
        await till.type(pilot, "1,5", "enter")  # tea is counted in pieces
        assert type(app.screen).__name__ == "QuantityDialog"
        assert "pieces" in str(app.screen.query_one(".error-line").render())
        app.screen.query_one("#quantity").value = ""
        await till.type(pilot, "3", "enter")
        assert type(app.screen).__name__ == "ReceivingScreen" and app.screen.lines[0].qty == 3000
        await pilot.press("f5")
        await till.settle(pilot)
        app.screen.query_one("Input").value = ""
        await till.type(pilot, "0", "enter")  # free goods
        await till.type(pilot, SUT, "enter")
        await pilot.press("f5")
        await till.settle(pilot)
        app.screen.query_one("Input").value = ""
        await till.type(pilot, "30", "enter")
        await pilot.press("f10", "enter")
        await till.settle(pilot)
        dialog = app.screen
        assert type(dialog).__name__ == "NewPricesDialog"
        codes = [r.change.code for r in dialog.rows]
        await till.type(pilot, "%25", "f5")
        prices = {r.change.code: r.new_price for r in dialog.rows}
        assert prices["1003"] is None and prices["1002"] == Decimal("37.88")  # 30 × 1,25 + 1 % KDV, rounded
        assert "keeps its current price" in str(dialog.query_one("#prices-note").render())
        await pilot.press(*(["down"] * codes.index("1003")))
        await till.type(pilot, "%25", "enter")  # a margin on nothing: refused, say so
        assert "no cost" in str(dialog.query_one(".error-line").render())
        dialog.query_one("#price").value = ""
        await till.type(pilot, "20000000", "enter")  # readable, but core refuses it on save
        await pilot.press("f10")
        await till.settle(pilot)
        assert app.screen is dialog and "1003" in str(dialog.query_one(".error-line").render())
        assert {r.change.code: r.new_price for r in dialog.rows}["1002"] == Decimal("37.88")  # nothing lost
        await pilot.press(*(["up"] * 5), *(["down"] * codes.index("1003")))
        await till.type(pilot, "55", "enter")
        await pilot.press("f10")
        await till.settle(pilot)
        assert type(app.screen).__name__ == "SaleScreen" and "2 sale prices changed" in till.message(pilot)
    assert m.Product.get(m.Product.code == "1003").price == 5500 != tea_price
    assert m.Product.get(m.Product.code == "1002").price == 3788


def _receipt(goods: Goods, supplier: str, document: str, lines: list[tuple[str, int, str]], days_ago: int = 0) -> None:
    receiving.post_receipt(
        receiving.ReceiptInput(
            supplier=supplier,
            lines=[receiving.ReceiptLineInput(c, q, Decimal(p)) for c, q, p in lines],
            document=document,
            date=(goods.now - timedelta(days=days_ago)).date(),
        ),
        actor=goods.admin,
        now=goods.now - timedelta(days=days_ago),
        terminal="T1",
        kdv_rates=goods.settings.kdv_rates,
    )


async def test_supplier_return_picks_a_receipt_asks_and_needs_a_quantity(goods: Goods) -> None:
    """The receipts are listed to pick from (a supplier narrows the list: number, dd.mm.yyyy,
    the supplier's document, total); Enter alone on a line returns nothing (a quantity must be
    typed); F10 asks with the total, Esc there posts nothing; Esc with quantities typed asks."""
    cash.open_shift("T1", goods.ayse, Decimal("0"), now=goods.now)
    _receipt(goods, "ACME", "A-1", [("1003", 4000, "10.00")], days_ago=3)
    _receipt(goods, "BETA", "B-7", [("1002", 2000, "5.00")], days_ago=2)
    _receipt(goods, "ACME", "A-2", [("1003", 2000, "10.00"), ("1002", 5000, "4.00")], days_ago=1)
    app = PosApp(goods.settings, clock=lambda: goods.now)
    till = _till()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "2222")
        await pilot.press("f12", "s", "2")
        await till.settle(pilot)
        text = till.screen_text(pilot)
        assert "B-7" in text and "A-1" in text  # every recent receipt, newest first
        await till.type(pilot, "acme", "enter")  # only ACME's
        text = till.screen_text(pilot)
        assert "B-7" not in text and "A-2" in text and "A-1" in text
        day = (goods.now - timedelta(days=1)).strftime("%d.%m.%Y")
        assert day in text
        await pilot.press("down")  # A-1 (receipt 1)
        await till.type(pilot, "", "enter")
        dialog = app.screen
        assert dialog.receipt is not None and dialog.receipt.number == 1
        await till.type(pilot, "", "enter")  # Enter alone: nothing chosen, the error asks for a quantity
        assert dialog.chosen == {}
        assert "at most 4" in str(dialog.query_one(".error-line").render())
        await till.type(pilot, "2", "enter")
        assert dialog.chosen == {1: 2000}
        await pilot.press("f10")
        await till.settle(pilot)
        assert type(app.screen).__name__ == "ConfirmDialog" and "24.00" in app.screen.question  # 2 × 10 + 20 %
        await pilot.press("escape")  # no: back to the return, nothing posted
        await till.settle(pilot)
        assert app.screen is dialog and dialog.chosen == {1: 2000}
        await pilot.press("escape")  # quantities typed: asks before dropping them
        await till.settle(pilot)
        assert type(app.screen).__name__ == "ConfirmDialog" and "Drop" in app.screen.question
        await pilot.press("escape")
        await till.settle(pilot)
        assert app.screen is dialog
        await pilot.press("escape", "enter")
        await till.settle(pilot)
        assert type(app.screen).__name__ == "SaleScreen"
    assert m.StockDocument.select().where(m.StockDocument.kind == "supplier_return").count() == 0


def test_receiving_screen_at_80x24(snap_compare, goods: Goods) -> None:
    cash.open_shift("T1", goods.ayse, Decimal("0"), now=goods.now)
    add_supplier("GAMA", "Gama Sebze Meyve", goods.now)
    earlier = [("1003", 1000, "41.67"), ("1002", 1000, "18.90"), ("00123", 1000, "14.25"), ("1004", 1000, "52.10")]
    receiving.post_receipt(  # the screen starts each line at GAMA's last price
        receiving.ReceiptInput(
            supplier="GAMA", lines=[receiving.ReceiptLineInput(c, q, Decimal(p)) for c, q, p in earlier]
        ),
        actor=goods.admin,
        now=goods.now,
        terminal="T1",
        kdv_rates=goods.settings.kdv_rates,
    )
    till = _till()

    async def ring_in(pilot) -> None:
        await _open_receiving(pilot, till, pin="2222")
        await till.type(pilot, "GAMA", "enter")
        await till.type(pilot, "A-2026/118", "enter")
        await till.type(pilot, "", "enter")
        await till.type(pilot, "", "enter")
        await till.type(pilot, "", "enter")
        for code in ("12*" + CAY, SUT, DOMATES_1500G, "3*1004"):
            await till.type(pilot, code, "enter")
        await pilot.press("up")
        await pilot.press("f6")
        await till.type(pilot, "5", "enter")
        await till.steady(pilot)
        table = pilot.app.screen.query_one("#receiving-lines", DataTable)
        assert table.row_count == 4

    assert snap_compare(PosApp(goods.settings, clock=lambda: goods.now), terminal_size=(80, 24), run_before=ring_in)
