"""Member cards: magnetic stripe (also as typed on a Turkish-Q keymap) and RFID select the customer, never a
product; a serial card reader over a real link; a swipe finds the enrolled member."""

from __future__ import annotations

import pytest
from dev_support import FAST_BACKOFF, NOW, Recorder
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core.kernel import ValidationError
from pos_tui.core.loyalty import members
from pos_tui.devices.cards import (
    CardLines,
    CardReaderConfig,
    CardSwiped,
    CardUnreadable,
    RfidFormat,
    SerialCardReader,
    describe_card,
    recognise_card,
)
from pos_tui.devices.config import parse_devices
from pos_tui.devices.fakes import PtyDevice, wait_until
from pos_tui.devices.link import SerialPort
from pos_tui.devices.wedge import type_on_turkish_q


@pytest.mark.parametrize(
    "swipe",
    [
        ";6012345678=2512?",  # track 2
        "%B6012345678^YILMAZ/ZEYNEP^2512?",  # track 1
        "%B6012345678^YILMAZ/ZEYNEP^2512?;6012345678=2512?",  # both tracks
        type_on_turkish_q(";6012345678=2512?"),  # ş6012345678-2512:
        type_on_turkish_q("%B6012345678^YILMAZ/ZEYNEP^2512?"),
        "Ş6012345678-2512:",  # caps lock on
    ],
)
def test_magnetic_stripe_is_a_card(swipe: str) -> None:
    assert recognise_card(swipe) == CardSwiped(card="6012345678", kind="magstripe", raw=swipe)


def test_unusable_swipes_are_said_clearly() -> None:
    with pytest.raises(ValidationError, match="swipe it again"):
        recognise_card(";60123")  # half a swipe
    with pytest.raises(ValidationError, match="bank card"):
        recognise_card(";4111111111111111=2512?")


def test_rfid_by_configured_lengths_and_products_stay_products() -> None:
    rfid = RfidFormat(digits=(10,), hex=(8,))
    assert recognise_card("0001234567", rfid) == CardSwiped("0001234567", "rfid", "0001234567")
    assert recognise_card("04a1b2c3", rfid) == CardSwiped("04A1B2C3", "rfid", "04a1b2c3")
    assert recognise_card("0001234567") is None  # no RFID format: a 10-digit code is a product
    assert recognise_card("8690000000011", rfid) is None  # EAN-13
    assert recognise_card("96385074", RfidFormat()) is None  # EAN-8 with the default format
    assert recognise_card("", rfid) is None and recognise_card("   ") is None


def test_a_reader_prefix_makes_any_text_a_card() -> None:
    assert recognise_card("#96385074$", prefix="#", suffix="$") == CardSwiped("96385074", "rfid", "#96385074$")
    assert recognise_card("#;6012345678=2512?", prefix="#").kind == "magstripe"  # type: ignore[union-attr]
    assert recognise_card("96385074", prefix="#") is None


@given(st.text(max_size=60))
def test_recognise_card_never_crashes(text: str) -> None:
    try:
        found = recognise_card(text, RfidFormat(digits=(10,), hex=(8,)), prefix="#")
    except ValidationError:
        return
    assert found is None or (found.card and found.kind in ("magstripe", "rfid"))


def test_serial_reader_lines() -> None:
    protocol = CardLines(CardReaderConfig(driver="serial", rfid=RfidFormat(digits=(10,))))
    events = protocol.feed(b";6012345678=2512?\r\n0001234567\r", 0.0)
    events = [*events, *protocol.feed(b"1A2B3C4D\r;601\r%%%\r", 0.0)]
    assert events[:3] == [
        CardSwiped("6012345678", "magstripe", ";6012345678=2512?"),
        CardSwiped("0001234567", "rfid", "0001234567"),
        CardSwiped("1A2B3C4D", "rfid", "1A2B3C4D"),  # a dedicated reader only sends cards
    ]
    assert isinstance(events[3], CardUnreadable) and "swipe it again" in events[3].message
    assert isinstance(events[4], CardUnreadable)
    assert describe_card(events[0]) == "magstripe …5678"


async def test_a_serial_card_reader_over_a_pty() -> None:
    rec = Recorder()
    async with PtyDevice() as dev:
        config = CardReaderConfig(driver="serial", port=SerialPort(dev.url), backoff=FAST_BACKOFF)
        reader = SerialCardReader(config, on_event=rec.on_event, on_status=rec.on_status)
        await reader.start()
        try:
            await rec.wait_state("connected")
            await dev.push(b"%B6012345678^YILMAZ/ZEYNEP^2512?\r\n")
            assert await rec.wait_events(1) == [
                CardSwiped("6012345678", "magstripe", "%B6012345678^YILMAZ/ZEYNEP^2512?")
            ]
            await wait_until(lambda: reader.status.last_value == "magstripe …5678")
            assert "YILMAZ" not in reader.status.last_value  # never the name from track 1
        finally:
            await reader.stop()


def test_card_reader_config() -> None:
    text = '[card_reader]\ndriver = "keyboard"\nrfid_digits = [10, 14]\nrfid_hex = [8]\nprefix = "#"\n'
    config = CardReaderConfig.from_devices(parse_devices(text))
    assert config is not None and config.rfid == RfidFormat((10, 14), (8,)) and config.prefix == "#"
    with pytest.raises(ValidationError, match=r"\[card_reader\]\.rfid_digits \(line 3\): must be between 4 and 32"):
        CardReaderConfig.from_devices(parse_devices('[card_reader]\ndriver = "keyboard"\nrfid_digits = [2]\n'))
    with pytest.raises(ValidationError, match=r"rfid_hex.*list of whole numbers"):
        CardReaderConfig.from_devices(parse_devices('[card_reader]\ndriver = "keyboard"\nrfid_hex = ["8"]\n'))
    assert CardReaderConfig.from_devices(parse_devices("")) is None


def test_a_swipe_finds_the_enrolled_member(db: object) -> None:
    zeynep = members.enroll(name="Zeynep Yılmaz", card=";6012345678=2512?", source="cli", actor=None, now=NOW)
    ali = members.enroll(name="Ali Kaya", card="0001234567", card_kind="rfid", source="cli", actor=None, now=NOW)
    for swipe in (";6012345678=2512?", "ş6012345678-2512:", "%B6012345678^YILMAZ/ZEYNEP^2512?"):
        card = recognise_card(swipe)
        assert card is not None
        found = members.find_member(card.card)
        assert found is not None and found.id == zeynep.id
    rfid = recognise_card("0001234567", RfidFormat())
    assert rfid is not None
    found = members.find_member(rfid.card)
    assert found is not None and found.id == ali.id
