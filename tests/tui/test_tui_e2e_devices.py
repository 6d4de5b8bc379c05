"""The sale screen end to end with the counter's devices on fakes: a product scanned on a serial
scanner, a kg product weighed on a CAS scale, a member card swiped on a serial reader, cash paid,
and the drawer kick and the receipt checked in the bytes a ``file`` printer received."""

from __future__ import annotations

from decimal import Decimal

from tui_devices_support import wait_for
from tui_printing_support import app_with, drain

from pos_tui.core.loyalty import members
from pos_tui.devices.config import parse_devices
from pos_tui.devices.fakes import SocketDevice
from pos_tui.devices.printer import EscposPrinter
from pos_tui.store import models as m
from pos_tui.tui.devices import DeviceHub
from pos_tui.tui.dialogs.prompts import AmountDialog
from pos_tui.tui.dialogs.receipt_preview import ReceiptPreview
from pos_tui.tui.dialogs.weigh import WeighDialog
from pos_tui.tui.printing import PrintStation
from pos_tui.tui.screens.sale import SaleScreen

DOMATES = "00123"  # 40,00 a kg
CARD = "0004512345"  # an RFID member card (10 digits)


def counter_toml(scanner: str, scale: str, reader: str, printer: str) -> str:
    quick = "reconnect_min = 0.05\nreconnect_max = 0.2\n"
    return (
        f'[scanner]\ndriver = "serial"\nport = "{scanner}"\n{quick}'
        f'[scale]\ndriver = "cas"\nport = "{scale}"\ntimeout = 2\n'
        f'[card_reader]\ndriver = "serial"\nport = "{reader}"\nrfid_digits = [10]\n{quick}'
        f'[printer]\ndriver = "file"\npath = "{printer}"\nwidth = 42\n'
    )


def sale_screen(app) -> SaleScreen | None:
    screen = app.screen
    return screen if isinstance(screen, SaleScreen) else None


async def test_scan_weigh_swipe_pay_cash_prints_the_receipt_and_kicks_the_drawer(
    settings, now, open_shift, shop, till, tmp_path
) -> None:
    member = members.enroll(name="Gül Yıldız", card=CARD, card_kind="rfid", source="cli", actor=None, now=now)
    paper = tmp_path / "printer.bin"
    async with SocketDevice() as scanner, SocketDevice() as cas, SocketDevice() as reader:
        config = parse_devices(counter_toml(scanner.url, cas.url, reader.url, str(paper)))
        station = PrintStation(config)
        app = app_with(settings, now, station, DeviceHub(config))
        async with app.run_test(size=(110, 36)) as pilot:
            await till.login(pilot)
            await scanner.wait_connected()
            await cas.wait_connected()
            await reader.wait_connected()

            await scanner.push(f"{shop.EKMEK}\r\n".encode())  # a product from the serial scanner
            await wait_for(pilot, lambda: (s := sale_screen(app)) is not None and len(s.cart.lines) == 1, "the scan")

            await scanner.push(f"{DOMATES}\r\n".encode())  # a kg product: the weighing dialog opens
            await wait_for(pilot, lambda: isinstance(app.screen, WeighDialog), "the weighing dialog")
            await cas.push(b"ST,GS,+  1.250kg\r\n")
            await wait_for(pilot, lambda: (s := sale_screen(app)) is not None and len(s.cart.lines) == 2, "weighed")

            await reader.push(f"{CARD}\r\n".encode())  # the member card selects the customer
            await wait_for(pilot, lambda: (s := sale_screen(app)) is not None and s.cart.member_id == member.id, "card")

            screen = sale_screen(app)
            assert screen is not None
            assert [(ln.name, ln.qty_milli) for ln in screen.cart.lines] == [("Ekmek", 1000), ("Domates", 1250)]
            assert screen.cart.total == Decimal("60.00")
            await pilot.press("f8")
            await till.settle(pilot)
            assert isinstance(app.screen, AmountDialog)
            await till.type(pilot, "100", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ReceiptPreview), "the receipt preview")
            await drain(pilot, station)
            printer = station.printer
            assert isinstance(printer, EscposPrinter)
            kick = printer.kick_bytes()
            await pilot.press("enter")
            await till.settle(pilot)
            assert isinstance(app.screen, SaleScreen) and app.screen.cart.is_empty
        station_printer_closed = paper.read_bytes()

    sale = m.Sale.get()
    assert (sale.total, sale.member_id) == (6000, member.id)
    data = station_printer_closed
    assert data.count(kick) == 1 and data.endswith(kick)  # the drawer opens once, after the cut
    assert data.startswith(b"\x1b@\x1bt\x0d")  # reset, then code page PC857 (ESC t 13)
    text = data.decode("cp857", errors="replace")
    for expected in (
        "Ekmek",
        "Domates",
        "1.25 kg x 40.00",
        "60.00 TL",  # the total
        "40.00 TL",  # the change from 100
        "******2345",  # the member card, masked
        "BİLGİ FİŞİDİR",
        "Receipt no: T1/1",
    ):
        assert expected in text, f"{expected!r} not on the receipt:\n{text}"
    assert CARD not in text
