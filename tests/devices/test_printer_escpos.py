"""The ESC/POS driver: the bytes a receipt becomes (decoded back with cp857), the drawer kick, the
cut, barcodes, the [printer] section, and failures (offline, out of paper) as DeviceError.

Real transports are driven against fakes: a TCP server for ``network`` and a ``socket://`` serial
line (D1's SocketDevice), a file for ``file``."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from printing_support import member_doc, settings_in

from pos_tui.core.kernel import Printable, PrintLine, ValidationError
from pos_tui.core.till import receipt_for
from pos_tui.devices.config import parse_devices
from pos_tui.devices.errors import DeviceError
from pos_tui.devices.fakes import SocketDevice
from pos_tui.devices.printer import EscposPrinter, Printer, PrinterConfig, fold_text, open_printer, printer_config
from pos_tui.i18n import set_language

ESC, GS, DLE = b"\x1b", b"\x1d", b"\x10"


def dummy(**changes: object) -> EscposPrinter:
    return EscposPrinter(PrinterConfig(**{"driver": "dummy", **changes}))  # type: ignore[arg-type]


def job_of(*texts: str, kick: bool = False, cut: bool = True) -> Printable:
    return Printable("test", tuple(PrintLine(t) for t in texts), cut=cut, kick=kick)


def test_turkish_letters_survive_the_code_page(tmp_path: Path) -> None:
    printer = dummy()
    printer.print(job_of("ŞEKER", "ığdır", "Gül", "ŞşİıĞğÜüÖöÇç"))
    sent = printer.sent
    assert sent.startswith(ESC + b"@" + ESC + b"t\x0d")  # reset, then ESC t 13: PC857 in the Epson table
    text = sent.decode("cp857")
    for word in ("ŞEKER", "ığdır", "Gül", "ŞşİıĞğÜüÖöÇç"):
        assert word in text
    assert b"?" not in sent


def test_a_whole_receipt_decodes_with_tl_and_the_notice(tmp_path: Path) -> None:
    set_language("tr")
    try:
        job = receipt_for(member_doc(), settings_in("tr", tmp_path), width=42, fiscal=False)
    finally:
        set_language("en")
    printer = dummy()
    printer.print(job)
    text = printer.sent.decode("cp857")
    assert "Gül Şampuanı ığdır" in text and "TOZ ŞEKER 1 KG" in text
    assert "145,00 TL" in text and "₺" not in text
    assert "BİLGİ FİŞİDİR -" in text and "MALİ DEĞERİ YOKTUR" in text  # the em dash folds to "-"
    assert "Kadıköy V.D. · VKN 1234567890" in text  # CP857 has the middle dot


def test_styles_are_sent_as_escpos_commands() -> None:
    printer = dummy()
    job = Printable("t", (PrintLine("BIG", align="center", bold=True, double=True), PrintLine("small")), cut=False)
    data = printer.render(job)
    big = data.index(b"BIG")
    assert ESC + b"a\x01" in data[:big]  # centred
    assert ESC + b"E\x01" in data[:big]  # bold on
    assert ESC + b"!\x30" in data[:big]  # double width and height
    small = data.index(b"small")
    assert ESC + b"E\x00" in data[big:small] and ESC + b"a\x00" in data[big:small]


def test_kick_sends_esc_p_on_the_configured_pin() -> None:
    printer = dummy(drawer_pin=2, pulse_ms=100)
    printer.kick()
    assert printer.sent == ESC + b"p\x00\x32\x64"  # pin 2, on 50 × 2 ms, off 100 × 2 ms
    pin5 = dummy(drawer_pin=5, pulse_ms=200)
    assert pin5.kick_bytes() == ESC + b"p\x01\x64\xc8"


def test_the_drawer_opens_after_the_cut() -> None:
    data = dummy(cut="full").render(job_of("x", kick=True))
    cut = data.index(GS + b"V\x00")
    assert data.index(ESC + b"p\x00") > cut
    assert data.endswith(ESC + b"p\x00\x32\x64")


def test_a_kick_only_job_sends_only_the_kick() -> None:
    assert dummy().render(Printable("drawer", (), cut=False, kick=True)) == ESC + b"p\x00\x32\x64"


@pytest.mark.parametrize(("cut", "command"), [("partial", GS + b"V\x01"), ("full", GS + b"V\x00")])
def test_cut(cut: str, command: bytes) -> None:
    data = dummy(cut=cut).render(job_of("x"))
    assert data.endswith(command)
    assert ESC + b"d\x06" in data  # fed past the cutter first


def test_no_cut_when_configured_or_asked() -> None:
    assert GS + b"V" not in dummy(cut="none").render(job_of("x"))
    assert GS + b"V" not in dummy(cut="full").render(job_of("x", cut=False))


def test_barcodes_use_the_printers_own_command() -> None:
    job = Printable(
        "b",
        (
            PrintLine("T1/42", barcode="T1/42", symbology="CODE128"),
            PrintLine("", barcode="8690000000011", symbology="EAN13"),
        ),
    )
    data = dummy().render(job)
    assert GS + b"kI\x07{BT1/42" in data  # GS k 73 (CODE128, function B), length, code set B
    assert GS + b"k\x028690000000011\x00" in data  # GS k 2 (EAN13, function A), NUL-terminated
    assert GS + b"H\x02" in data  # human-readable text below


def test_a_value_the_symbology_cannot_carry_prints_as_text() -> None:
    data = dummy().render(Printable("b", (PrintLine("", barcode="ABC", symbology="EAN13"),)))
    assert GS + b"k" not in data and b"ABC" in data


def test_fold_text_for_missing_characters() -> None:
    def cp857(char: str) -> bool:
        try:
            char.encode("cp857")
        except UnicodeEncodeError:
            return False
        return True

    assert fold_text("10 ₺ — indirim… “x”", cp857) == '10 TL - indirim... "x"'
    assert fold_text("Ğ ñ ř 漢", cp857) == "Ğ ñ r ?"


def test_the_dummy_satisfies_the_protocol() -> None:
    assert isinstance(dummy(), Printer)
    assert dummy(width=32).width == 32


def test_printer_section_is_parsed_and_checked(tmp_path: Path) -> None:
    devices = parse_devices(
        '[printer]\ndriver = "network"\nhost = "192.168.1.50"\nwidth = 48\ncut = "full"\ndrawer_pin = 5\n',
        tmp_path / "devices.toml",
    )
    config = printer_config(devices)
    assert config is not None
    assert (config.host, config.port, config.width, config.cut, config.drawer_pin) == (
        "192.168.1.50",
        9100,
        48,
        "full",
        5,
    )
    assert config.codepage == "CP857" and config.status_query
    printer = open_printer(devices)
    assert printer is not None and printer.where == "192.168.1.50:9100"
    assert printer_config(parse_devices("")) is None
    assert printer_config(parse_devices('[printer]\ndriver = "none"\n')) is None
    serial = printer_config(parse_devices('[printer]\ndriver = "serial"\nurl = "/dev/ttyUSB0"\nbaudrate = 19200\n'))
    assert serial is not None and serial.serial is not None and serial.serial.url == "/dev/ttyUSB0"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('driver = "lpt"', "driver"),
        ('driver = "network"', "host"),
        ('driver = "dummy"\nwidth = 12', "width"),
        ('driver = "dummy"\ncodepage = "KLINGON"', "codepage"),
        ('driver = "dummy"\ndrawer_pin = 3', "drawer_pin"),
        ('driver = "dummy"\ncutt = "full"', "cutt"),
        ('driver = "usb"\nvendor_id = 1208', "product_id"),
        ('driver = "dummy"\nreconnect_min = 5\nreconnect_max = 1', "reconnect_max"),
    ],
)
def test_bad_printer_settings_are_named(text: str, complaint: str) -> None:
    with pytest.raises(ValidationError, match=rf"\[printer\]\.{complaint}"):
        printer_config(parse_devices("[printer]\n" + text + "\n"))


def test_file_driver_writes_the_bytes(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    target.write_bytes(b"")
    printer = EscposPrinter(PrinterConfig(driver="file", path=str(target)))
    printer.print(job_of("Gül"))
    printer.close()
    assert "Gül" in target.read_bytes().decode("cp857")
    assert printer.status.state == "connected"


def test_unreachable_network_printer_is_offline() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    printer = EscposPrinter(PrinterConfig(driver="network", host="127.0.0.1", port=port, timeout=1))
    with pytest.raises(DeviceError, match="Printer offline") as caught:
        printer.print(job_of("x"))
    assert f"127.0.0.1:{port}" in caught.value.message
    assert printer.status.state == "offline" and "Printer offline" in printer.status.message


def paper(reply_to_paper: bytes) -> SocketDevice:
    """A network printer that answers DLE EOT 1 (online) and DLE EOT 4 (paper sensor)."""

    def respond(chunk: bytes) -> bytes | None:
        if chunk == DLE + b"\x04\x01":
            return b"\x12"  # online, no error
        if chunk == DLE + b"\x04\x04":
            return reply_to_paper
        return None

    return SocketDevice(respond)


def host_port(device: SocketDevice) -> tuple[str, int]:
    host, port = device.url.removeprefix("socket://").rsplit(":", 1)
    return host, int(port)


async def test_network_printer_receives_the_job() -> None:
    async with paper(b"\x12") as device:
        host, port = host_port(device)
        printer = EscposPrinter(PrinterConfig(driver="network", host=host, port=port, timeout=2))
        await asyncio.to_thread(printer.print, job_of("ŞEKER", kick=True))
        await device.wait_received(ESC + b"p\x00\x32\x64")
        printer.close()
    assert "ŞEKER" in device.received.decode("cp857")
    assert printer.status.state == "connected"


async def test_out_of_paper_is_reported_and_nothing_is_sent() -> None:
    async with paper(b"\x72") as device:  # paper-end sensor: no paper
        host, port = host_port(device)
        printer = EscposPrinter(PrinterConfig(driver="network", host=host, port=port, timeout=2))
        with pytest.raises(DeviceError, match="out of paper"):
            await asyncio.to_thread(printer.print, job_of("ŞEKER"))
        printer.close()
    assert "ŞEKER".encode("cp857") not in device.received
    assert printer.status.state == "error" and printer.status.message == "Printer out of paper"


async def test_serial_printer_over_a_socket_url() -> None:
    async with SocketDevice() as device:
        section = {"driver": "serial", "port": device.url, "status_query": False}
        printer = EscposPrinter(PrinterConfig.parse(section, "devices.toml [printer]"))
        await asyncio.to_thread(printer.print, job_of("ığdır"))
        await device.wait_received(GS + b"V\x01")
        printer.close()
    assert "ığdır" in device.received.decode("cp857")
