"""Loyalty-card readers: magnetic stripe and RFID, typed like a keyboard or sent over a serial line.

A swipe must select the customer, never look up a product, so every text that reaches the sale screen as a burst
(or a serial reader's line) goes through :func:`recognise_card` first:

- magnetic-stripe track data, track 1 ``%B6012345678^YILMAZ/ZEYNEP^2512?`` or track 2 ``;6012345678=2512?``,
  is reduced to the card id by :func:`pos_tui.core.loyalty.members.magstripe_id` (the same reduction enrolment
  stores, so a swipe finds the member). A reader set to a US layout on a Turkish-Q keymap types ``ş``/``Ş`` for
  ``;``, ``-`` for ``=``, ``:`` for ``?`` and ``&`` for ``^``; members.py reads all of them. A partial swipe or a bank
  card raises ValidationError (shown to the cashier: "swipe again" / "that is a bank card");
- RFID readers type a fixed-length decimal (EM4100 readers: 10 digits) or hexadecimal (Mifare UID: 8 hex) string;
  which lengths count as a card is configured (``rfid_digits``, ``rfid_hex``), because a 8-digit EAN-8 or a
  13-digit EAN-13 must still be a product. A reader that adds a ``prefix``/``suffix`` makes every card unambiguous.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pos_tui.core.kernel import ValidationError
from pos_tui.core.loyalty import magstripe_id
from pos_tui.devices.config import DevicesConfig, Section
from pos_tui.devices.link import BACKOFF_KEYS, LineBuffer, LinkedDevice, SerialLink, SerialPort, parse_backoff
from pos_tui.devices.status import DeviceStatus, device_label
from pos_tui.i18n import _

NAME = "card_reader"
MAGSTRIPE_STARTS = "%;şŞ"
_HEX = re.compile(r"[0-9A-Fa-f]+")
_ANY_RFID = re.compile(r"[0-9A-F]{4,32}")


@dataclass(frozen=True, slots=True)
class CardSwiped:
    """A member card was read. ``card`` is what ``member.card`` holds; ``kind`` is magstripe or rfid."""

    card: str
    kind: str
    raw: str


@dataclass(frozen=True, slots=True)
class CardUnreadable:
    """A serial reader sent something that is not a usable card (partial swipe, bank card); ``message`` says why."""

    message: str
    raw: str


@dataclass(frozen=True, slots=True)
class RfidFormat:
    """Which strings an RFID reader types: decimal strings of ``digits`` lengths, hexadecimal of ``hex`` lengths."""

    digits: tuple[int, ...] = (10,)
    hex: tuple[int, ...] = ()

    def matches(self, text: str) -> bool:
        if text.isascii() and text.isdigit() and len(text) in self.digits:
            return True
        return len(text) in self.hex and _HEX.fullmatch(text) is not None


def recognise_card(
    text: str, rfid: RfidFormat | None = None, *, prefix: str = "", suffix: str = ""
) -> CardSwiped | None:
    """The member card in ``text`` (a burst or a line from a reader), or None when it is not one (a product).

    Magnetic-stripe data is always recognised; RFID strings only when ``rfid`` says which. With ``prefix``
    (and/or ``suffix``) configured, a text carrying them is a card whatever its shape. Raises ValidationError for
    magnetic-stripe data that cannot be used (a partial swipe, a bank card).
    """
    value = text.strip()
    if not value:
        return None
    tagged = False
    if (prefix or suffix) and value.startswith(prefix) and value.endswith(suffix) and len(value) > len(prefix + suffix):
        value = value[len(prefix) : len(value) - len(suffix)].strip()
        tagged = True
    if value[0] in MAGSTRIPE_STARTS:
        card = magstripe_id(value)
        if card is not None:
            return CardSwiped(card=card, kind="magstripe", raw=text)
    if tagged or (rfid is not None and rfid.matches(value)):
        return CardSwiped(card=value.upper(), kind="rfid", raw=text)
    return None


@dataclass(frozen=True, slots=True)
class CardReaderConfig:
    """``[card_reader]`` in devices.toml. ``driver``: ``keyboard`` (types like a keyboard) or ``serial``."""

    KEYS = (
        "driver",
        "rfid_digits",
        "rfid_hex",
        "prefix",
        "suffix",
        "burst_ms",
        "min_length",
        *SerialPort.KEYS,
        *BACKOFF_KEYS,
    )

    driver: str
    rfid: RfidFormat = field(default_factory=RfidFormat)
    prefix: str = ""
    suffix: str = ""
    port: SerialPort | None = None
    burst_ms: int | None = None
    min_length: int = 4
    backoff: tuple[float, float] = (0.5, 10.0)

    @classmethod
    def parse(cls, section: Mapping[str, Any], where: str) -> CardReaderConfig:
        s = Section(section, where)
        s.require_known(cls.KEYS)
        driver = s.text("driver", choices=("keyboard", "serial"))
        rfid = RfidFormat(
            digits=s.integers("rfid_digits", (10,), low=4, high=32),
            hex=s.integers("rfid_hex", (), low=4, high=32),
        )
        port = SerialPort.parse(section, where) if driver == "serial" else None
        if driver == "keyboard" and s.has("port"):
            raise s.error("port", _('a keyboard reader has no port; use driver = "serial" for a serial reader'))
        return cls(
            driver=driver,
            rfid=rfid,
            prefix=s.text("prefix", ""),
            suffix=s.text("suffix", ""),
            port=port,
            burst_ms=s.integer("burst_ms", 0, low=0, high=1000) or None,
            min_length=s.integer("min_length", 4, low=1, high=64),
            backoff=parse_backoff(section, where),
        )

    @classmethod
    def from_devices(cls, devices: DevicesConfig) -> CardReaderConfig | None:
        """The configured card reader, or None when this till has none."""
        section = devices.section(NAME)
        return None if section is None else cls.parse(section, devices.where(NAME))

    def recognise(self, text: str) -> CardSwiped | None:
        """:func:`recognise_card` with this reader's RFID format and prefix/suffix."""
        return recognise_card(text, self.rfid, prefix=self.prefix, suffix=self.suffix)


def _decode(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1254", errors="replace")  # Turkish Windows code page: what old readers send


class CardLines:
    """FrameProtocol of a serial card reader: one card per line (CR, LF or CRLF)."""

    def __init__(self, config: CardReaderConfig) -> None:
        self.config = config
        self._lines = LineBuffer()

    def poll(self) -> bytes | None:
        return None

    def feed(self, data: bytes, now: float) -> Sequence[object]:
        events: list[object] = []
        for line in self._lines.feed(data):
            text = "".join(ch for ch in _decode(line) if ch.isprintable()).strip()
            if not text:
                continue
            try:
                swiped = self.config.recognise(text)
            except ValidationError as exc:
                events.append(CardUnreadable(message=exc.message, raw=text))
                continue
            if swiped is None and _ANY_RFID.fullmatch(text.upper()):
                swiped = CardSwiped(card=text.upper(), kind="rfid", raw=text)  # a dedicated reader only sends cards
            events.append(swiped or CardUnreadable(message=_("The card could not be read; try again"), raw=text))
        return events

    def reset(self) -> None:
        self._lines.reset()


def describe_card(event: object) -> str | None:
    """The status line's last value for a card event (never the whole track data)."""
    if isinstance(event, CardSwiped):
        return f"{event.kind} …{event.card[-4:]}"
    if isinstance(event, CardUnreadable):
        return event.message
    return None


class SerialCardReader(LinkedDevice):
    """A card reader on a serial port (or TCP bridge): events are CardSwiped / CardUnreadable."""

    name = NAME

    def __init__(
        self,
        config: CardReaderConfig,
        *,
        on_event: Callable[[object], None],
        on_status: Callable[[DeviceStatus], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if config.port is None:
            raise ValueError("a serial card reader needs a port")
        self.config = config
        self.link = SerialLink(
            NAME,
            config.port,
            CardLines(config),
            on_event=on_event,
            on_status=on_status,
            backoff=config.backoff,
            clock=clock,
            describe=describe_card,
        )


def keyboard_status(name: str) -> DeviceStatus:
    """The status of a device that types like a keyboard: as connected as the keyboard is."""
    return DeviceStatus(
        name,
        "connected",
        _("{device}: keyboard").format(device=device_label(name)),
        since=time.monotonic(),
    )
