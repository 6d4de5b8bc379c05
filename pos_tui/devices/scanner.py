"""Barcode scanners: serial (or virtual-COM / TCP) scanners through a SerialLink, and keyboard-wedge scanners.

A serial scanner sends one code per line, ending in CR, LF or CRLF; :class:`ScanLines` turns those bytes into
:class:`Scanned` events, stripping a configured ``prefix``/``suffix`` (an AIM id such as ``]E0``, a STX) and,
with ``turkish_q``, undoing a Turkish-Q keymap's confusions (:func:`~pos_tui.devices.wedge.normalize_code`).

A keyboard-wedge scanner has no port: the TUI feeds every key to a :class:`~pos_tui.devices.wedge.BurstDetector`
(built by :meth:`KeyboardInput.detector`) and turns each burst into an event with :meth:`KeyboardInput.classify`,
which also recognises member cards typed by a keyboard card reader.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pos_tui.devices.cards import CardReaderConfig, CardSwiped, SerialCardReader, keyboard_status, recognise_card
from pos_tui.devices.config import DevicesConfig, Section
from pos_tui.devices.link import BACKOFF_KEYS, LineBuffer, LinkedDevice, SerialLink, SerialPort, parse_backoff
from pos_tui.devices.status import DeviceStatus
from pos_tui.devices.wedge import TERMINATOR_NAMES, BurstDetector, normalize_code
from pos_tui.i18n import _

NAME = "scanner"
DEFAULT_BURST_MS = 50


@dataclass(frozen=True, slots=True)
class Scanned:
    """A barcode was scanned. ``source``: ``serial`` or ``keyboard``."""

    code: str
    source: str


class Scanner(Protocol):
    """What the app holds for a scanner or card reader with a port: start it, watch its status, stop it."""

    name: str

    @property
    def status(self) -> DeviceStatus: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ScannerConfig:
    """``[scanner]`` in devices.toml. ``driver``: ``serial`` (a port) or ``keyboard`` (a USB wedge)."""

    KEYS = (
        "driver",
        "prefix",
        "suffix",
        "turkish_q",
        "burst_ms",
        "min_length",
        "terminators",
        *SerialPort.KEYS,
        *BACKOFF_KEYS,
    )

    driver: str
    port: SerialPort | None = None
    prefix: str = ""
    suffix: str = ""
    turkish_q: bool = False
    burst_ms: int | None = None  # None: pos.toml's security.scan_burst_ms
    min_length: int = 4
    terminators: tuple[str, ...] = TERMINATOR_NAMES
    backoff: tuple[float, float] = (0.5, 10.0)

    @classmethod
    def parse(cls, section: Mapping[str, Any], where: str) -> ScannerConfig:
        s = Section(section, where)
        s.require_known(cls.KEYS)
        driver = s.text("driver", choices=("serial", "keyboard"))
        if driver == "keyboard" and s.has("port"):
            raise s.error("port", _('a keyboard scanner has no port; use driver = "serial" for a serial scanner'))
        terminators = s.texts("terminators", TERMINATOR_NAMES)
        for name in terminators:
            if name not in TERMINATOR_NAMES:
                raise s.error(
                    "terminators",
                    _("must list {choices}, not {value!r}").format(
                        choices=" and/or ".join(TERMINATOR_NAMES), value=name
                    ),
                )
        if not terminators:
            raise s.error("terminators", _("must name at least one key that ends a scan"))
        return cls(
            driver=driver,
            port=SerialPort.parse(section, where) if driver == "serial" else None,
            prefix=s.text("prefix", ""),
            suffix=s.text("suffix", ""),
            turkish_q=s.flag("turkish_q", False),
            burst_ms=s.integer("burst_ms", 0, low=0, high=1000) or None,
            min_length=s.integer("min_length", 4, low=1, high=64),
            terminators=terminators,
            backoff=parse_backoff(section, where),
        )

    @classmethod
    def from_devices(cls, devices: DevicesConfig) -> ScannerConfig | None:
        """The configured scanner, or None when this till has none (codes are typed)."""
        section = devices.section(NAME)
        return None if section is None else cls.parse(section, devices.where(NAME))

    def clean(self, text: str) -> str:
        """The code in what the scanner sent: control characters, prefix and suffix dropped, keymap undone."""
        return clean_code(text, prefix=self.prefix, suffix=self.suffix, turkish_q=self.turkish_q)


def clean_code(text: str, *, prefix: str = "", suffix: str = "", turkish_q: bool = False) -> str:
    """``text`` without control characters, surrounding spaces, ``prefix`` and ``suffix``; then normalised."""
    code = "".join(ch for ch in text if ch.isprintable()).strip()
    if prefix and code.startswith(prefix):
        code = code[len(prefix) :]
    if suffix and code.endswith(suffix):
        code = code[: len(code) - len(suffix)]
    return normalize_code(code, turkish_q)


def _decode(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1254", errors="replace")


class ScanLines:
    """FrameProtocol of a serial scanner: one code per line; CR, LF and CRLF all end a line (CRLF once)."""

    def __init__(self, config: ScannerConfig | None = None) -> None:
        self.config = config or ScannerConfig(driver="serial")
        self._lines = LineBuffer()

    def poll(self) -> bytes | None:
        return None

    def feed(self, data: bytes, now: float) -> Sequence[object]:
        events: list[object] = []
        for line in self._lines.feed(data):
            code = self.config.clean(_decode(line))
            if code:
                events.append(Scanned(code=code, source="serial"))
        return events

    def reset(self) -> None:
        self._lines.reset()


def describe_scan(event: object) -> str | None:
    """The status line's last value for a scan."""
    return event.code if isinstance(event, Scanned) else None


class SerialScanner(LinkedDevice):
    """A scanner on a serial port, virtual COM port or TCP bridge; events are :class:`Scanned`."""

    name = NAME

    def __init__(
        self,
        config: ScannerConfig,
        *,
        on_event: Callable[[object], None],
        on_status: Callable[[DeviceStatus], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if config.port is None:
            raise ValueError("a serial scanner needs a port")
        self.config = config
        self.link = SerialLink(
            NAME,
            config.port,
            ScanLines(config),
            on_event=on_event,
            on_status=on_status,
            backoff=config.backoff,
            clock=clock,
            describe=describe_scan,
        )


@dataclass(frozen=True, slots=True)
class KeyboardInput:
    """Keyboard-wedge scanner and/or keyboard card reader: how the TUI turns key bursts into events.

    Build with :meth:`from_devices`; None there means no keyboard device is configured and keys are not
    intercepted at all (a wedge scanner then simply types into the barcode field).
    """

    scanner: ScannerConfig | None
    card_reader: CardReaderConfig | None
    burst_ms: int = DEFAULT_BURST_MS

    @classmethod
    def from_devices(cls, devices: DevicesConfig, default_burst_ms: int = DEFAULT_BURST_MS) -> KeyboardInput | None:
        """From devices.toml; ``default_burst_ms`` is pos.toml's ``security.scan_burst_ms``."""
        scanner = ScannerConfig.from_devices(devices)
        cards = CardReaderConfig.from_devices(devices)
        scanner = scanner if scanner is not None and scanner.driver == "keyboard" else None
        cards = cards if cards is not None and cards.driver == "keyboard" else None
        if scanner is None and cards is None:
            return None
        burst = (scanner.burst_ms if scanner else None) or (cards.burst_ms if cards else None) or default_burst_ms
        return cls(scanner=scanner, card_reader=cards, burst_ms=burst)

    def detector(self) -> BurstDetector:
        """A fresh detector with the configured speed, minimum length and terminators."""
        lengths = [c.min_length for c in (self.scanner, self.card_reader) if c is not None]
        terminators = self.scanner.terminators if self.scanner is not None else TERMINATOR_NAMES
        return BurstDetector(burst_ms=self.burst_ms, min_length=min(lengths), terminators=terminators)

    def classify(self, text: str) -> Scanned | CardSwiped | None:
        """What a burst was: a member card (magnetic stripe always, RFID as configured) or a product code.

        None for nothing usable (only control characters). Raises ValidationError for an unusable swipe
        (partial, bank card), like :func:`~pos_tui.devices.cards.recognise_card`.
        """
        card = self.card_reader.recognise(text) if self.card_reader is not None else recognise_card(text)
        if card is not None:
            return card
        code = self.scanner.clean(text) if self.scanner is not None else clean_code(text)
        return Scanned(code=code, source="keyboard") if code else None

    def statuses(self) -> list[DeviceStatus]:
        """Status-line entries for the keyboard devices (they cannot go offline as far as the app can tell)."""
        return [keyboard_status(c) for c, cfg in (("scanner", self.scanner), ("card_reader", self.card_reader)) if cfg]


def make_serial_readers(
    devices: DevicesConfig,
    *,
    on_event: Callable[[object], None],
    on_status: Callable[[DeviceStatus], None],
) -> list[Scanner]:
    """The serial scanner and serial card reader this till has (zero, one or two), not started yet."""
    readers: list[Scanner] = []
    scanner = ScannerConfig.from_devices(devices)
    if scanner is not None and scanner.driver == "serial":
        readers.append(SerialScanner(scanner, on_event=on_event, on_status=on_status))
    cards = CardReaderConfig.from_devices(devices)
    if cards is not None and cards.driver == "serial":
        readers.append(SerialCardReader(cards, on_event=on_event, on_status=on_status))
    return readers
