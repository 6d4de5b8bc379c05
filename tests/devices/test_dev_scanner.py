"""Scanners: the serial line protocol (CR/LF/CRLF, prefix/suffix, Turkish-Q), a real SerialScanner over both
fakes, and KeyboardInput (what the TUI uses for wedge scanners and keyboard card readers)."""

from __future__ import annotations

import pytest
from dev_support import DEVICE_KINDS, FAST_BACKOFF, Recorder
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core.kernel import ValidationError
from pos_tui.devices.cards import CardSwiped
from pos_tui.devices.config import parse_devices
from pos_tui.devices.fakes import SocketDevice, wait_until
from pos_tui.devices.link import SerialPort
from pos_tui.devices.scanner import (
    KeyboardInput,
    ScanLines,
    Scanned,
    ScannerConfig,
    SerialScanner,
    clean_code,
    make_serial_readers,
)


def codes(protocol: ScanLines, *chunks: bytes) -> list[str]:
    events = [e for chunk in chunks for e in protocol.feed(chunk, 0.0)]
    assert all(isinstance(e, Scanned) and e.source == "serial" for e in events)
    return [e.code for e in events if isinstance(e, Scanned)]


def test_lines_end_in_cr_lf_or_crlf_and_crlf_is_one_terminator() -> None:
    protocol = ScanLines()
    assert codes(protocol, b"111\r222\n333\r\n444\r") == ["111", "222", "333", "444"]
    assert codes(protocol, b"555\r", b"\n666\r\n") == ["555", "666"]  # CR ends one chunk, LF starts the next
    assert codes(protocol, b"77", b"7") == []  # no terminator yet
    assert codes(protocol, b"\n") == ["777"]


def test_reset_drops_a_partial_code() -> None:
    protocol = ScanLines()
    codes(protocol, b"12345")
    protocol.reset()
    assert codes(protocol, b"678\r") == ["678"]


def test_prefix_suffix_and_turkish_q_from_config() -> None:
    config = ScannerConfig(driver="serial", prefix="]E0", suffix="#", turkish_q=True)
    assert codes(ScanLines(config), b"]E08690000000011#\r\n") == ["8690000000011"]
    assert codes(ScanLines(config), "ıtem*7\r".encode()) == ["item-7"]
    assert codes(ScanLines(config), b"\x02ABC\x03\r") == ["ABC"]  # control characters never reach a code
    assert codes(ScanLines(config), "B\xfcy\xfck\r".encode("cp1254")) == ["Büyük"]  # not UTF-8: Turkish code page


@given(st.lists(st.text(alphabet="0123456789ABC-", min_size=1, max_size=14), max_size=6), st.integers(1, 5))
def test_any_chunking_gives_the_same_codes(lines: list[str], size: int) -> None:
    stream = b"".join(line.encode() + b"\r\n" for line in lines)
    protocol = ScanLines()
    assert codes(protocol, *(stream[i : i + size] for i in range(0, len(stream), size))) == lines


@given(st.binary(max_size=200))
def test_garbage_never_crashes(data: bytes) -> None:
    for event in ScanLines(ScannerConfig(driver="serial", turkish_q=True)).feed(data, 0.0):
        assert isinstance(event, Scanned) and event.code


def test_clean_code() -> None:
    assert clean_code(" PLU7 ", prefix="PLU") == "7"
    assert clean_code("\t\r") == ""


@DEVICE_KINDS
async def test_a_serial_scanner_delivers_scans_and_shows_the_last_one(device_kind: type[SocketDevice]) -> None:
    rec = Recorder()
    async with device_kind() as dev:
        config = ScannerConfig(driver="serial", port=SerialPort(dev.url), backoff=FAST_BACKOFF)
        scanner = SerialScanner(config, on_event=rec.on_event, on_status=rec.on_status)
        await scanner.start()
        try:
            await rec.wait_state("connected")
            await dev.push(b"8690000000011\r\n4006381333931\r\n")
            assert await rec.wait_events(2) == [
                Scanned("8690000000011", "serial"),
                Scanned("4006381333931", "serial"),
            ]
            await wait_until(lambda: scanner.status.last_value == "4006381333931")
            assert scanner.status.message.startswith("Scanner: ")
        finally:
            await scanner.stop()


def test_scanner_config_parse_and_errors() -> None:
    devices = parse_devices('[scanner]\ndriver = "serial"\nport = "/dev/ttyACM0"\nbaudrate = 115200\nprefix = "]E0"\n')
    config = ScannerConfig.from_devices(devices)
    assert config is not None and config.port == SerialPort("/dev/ttyACM0", 115200) and config.prefix == "]E0"
    with pytest.raises(ValidationError, match=r"\[scanner\]\.driver \(line 2\): must be one of serial, keyboard"):
        ScannerConfig.from_devices(parse_devices('[scanner]\ndriver = "usb"\n'))
    with pytest.raises(ValidationError, match=r"\[scanner\]\.port.*a keyboard scanner has no port"):
        ScannerConfig.from_devices(parse_devices('[scanner]\ndriver = "keyboard"\nport = "/dev/ttyS0"\n'))
    with pytest.raises(ValidationError, match=r"\[scanner\]\.terminators.*not 'space'"):
        ScannerConfig.from_devices(parse_devices('[scanner]\ndriver = "keyboard"\nterminators = ["space"]\n'))
    with pytest.raises(ValidationError, match=r"\[scanner\]\.port.*is required"):
        ScannerConfig.from_devices(parse_devices('[scanner]\ndriver = "serial"\n'))
    with pytest.raises(ValidationError, match=r"\[scanner\]\.baud \(line 3\): unknown setting"):
        ScannerConfig.from_devices(parse_devices('[scanner]\ndriver = "serial"\nbaud = 9600\n'))
    assert ScannerConfig.from_devices(parse_devices('[scanner]\ndriver = "none"\n')) is None
    assert ScannerConfig.from_devices(parse_devices("")) is None


def test_keyboard_input_only_when_a_keyboard_device_is_configured() -> None:
    assert KeyboardInput.from_devices(parse_devices("")) is None
    assert KeyboardInput.from_devices(parse_devices('[scanner]\ndriver = "serial"\nport = "/dev/x"\n')) is None
    wedge = KeyboardInput.from_devices(parse_devices('[scanner]\ndriver = "keyboard"\nmin_length = 6\n'), 80)
    assert wedge is not None and wedge.burst_ms == 80
    detector = wedge.detector()
    assert detector.burst == pytest.approx(0.08) and detector.min_length == 6
    own = KeyboardInput.from_devices(parse_devices('[card_reader]\ndriver = "keyboard"\nburst_ms = 30\n'), 80)
    assert own is not None and own.burst_ms == 30 and own.scanner is None


def test_keyboard_input_tells_cards_from_products() -> None:
    text = '[scanner]\ndriver = "keyboard"\nturkish_q = true\n[card_reader]\ndriver = "keyboard"\nrfid_digits = [10]\n'
    wedge = KeyboardInput.from_devices(parse_devices(text))
    assert wedge is not None
    assert wedge.classify("8690000000011") == Scanned("8690000000011", "keyboard")
    assert wedge.classify("ıtem*7") == Scanned("item-7", "keyboard")
    assert wedge.classify("ş6012345678-2512:") == CardSwiped("6012345678", "magstripe", "ş6012345678-2512:")
    assert wedge.classify("0001234567") == CardSwiped("0001234567", "rfid", "0001234567")
    assert wedge.classify("\x02") is None
    with pytest.raises(ValidationError, match="swipe it again"):
        wedge.classify(";12345")
    scanner_only = KeyboardInput.from_devices(parse_devices('[scanner]\ndriver = "keyboard"\n'))
    assert scanner_only is not None
    assert isinstance(scanner_only.classify(";6012345678=2512?"), CardSwiped)  # track data is never a product
    assert scanner_only.classify("0001234567") == Scanned("0001234567", "keyboard")  # no RFID without a reader
    assert [s.name for s in wedge.statuses()] == ["scanner", "card_reader"]
    assert all(s.state == "connected" for s in wedge.statuses())


def test_make_serial_readers_builds_only_serial_devices() -> None:
    text = '[scanner]\ndriver = "serial"\nport = "/dev/a"\n[card_reader]\ndriver = "serial"\nport = "/dev/b"\n'
    readers = make_serial_readers(parse_devices(text), on_event=print, on_status=print)
    assert [r.name for r in readers] == ["scanner", "card_reader"]
    assert make_serial_readers(parse_devices('[scanner]\ndriver = "keyboard"\n'), on_event=print, on_status=print) == []
