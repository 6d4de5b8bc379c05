"""The ``[scale]`` section of devices.toml → :class:`ScaleConfig` (nothing is opened here).

Weights in the file may be whole grams (``capacity = 15000``) or text with a unit
(``capacity = "15 kg"``, ``minimum = "40 g"``), read with Decimal. Byte strings (poll and
zero/tare commands, the frame terminator, stability markers) accept escapes so control
characters can be written in either TOML string kind: ``poll = '\\x05'`` or ``"\\u0005"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from pos_tui.devices.config import Section
from pos_tui.devices.link import BACKOFF_KEYS, FrameProtocol, SerialPort, parse_backoff
from pos_tui.devices.scales_frames import (
    UNIT_GRAMS,
    UNITS,
    CasProtocol,
    GenericFormat,
    GenericProtocol,
    Mettler8217Protocol,
)
from pos_tui.i18n import _

DRIVERS = ("mettler8217", "cas", "generic")
GENERIC_GROUPS = ("weight", "sign", "unit", "status")

DEFAULT_POLL_INTERVAL = 0.2  # seconds between polls of a polled scale (8217: W)
DEFAULT_MAX_AGE_MS = 1000  # a reading older than this is stale: the scale has stopped talking
DEFAULT_CAPACITY_G = 15_000  # the usual counter scale: 15 kg
DEFAULT_MINIMUM_G = 40  # Min of a 6/15 kg class III scale (20 e with e = 2 g)
DEFAULT_TIMEOUT = 3.0  # seconds read_stable waits for a steady weight

KEYS = (
    "driver",
    *SerialPort.KEYS,
    *BACKOFF_KEYS,
    "poll_interval",
    "max_age_ms",
    "capacity",
    "minimum",
    "timeout",
    "unit",
    "poll",
    "zero",
    "tare",
    "device_id",
    "frame",
    "decimals",
    "terminator",
    "stable",
    "unstable",
    "overload",
)

_WEIGHT_TEXT = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*(g|kg|t)?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ScaleConfig:
    """How to reach and read the till's scale, and which weights the till accepts.

    ``capacity_g`` (Max) and ``minimum_g`` (Min) bound what :func:`~pos_tui.devices.scales.accept`
    takes; ``max_age_ms`` is how old the latest reading may be; ``timeout`` how long
    ``read_stable`` waits for the scale to settle. ``generic`` is set only for the generic driver.
    """

    driver: str
    port: SerialPort
    poll_interval: float = DEFAULT_POLL_INTERVAL
    max_age_ms: int = DEFAULT_MAX_AGE_MS
    capacity_g: int = DEFAULT_CAPACITY_G
    minimum_g: int = DEFAULT_MINIMUM_G
    timeout: float = DEFAULT_TIMEOUT
    unit: str = "kg"
    poll: bytes | None = None
    zero: bytes | None = None
    tare: bytes | None = None
    device_id: str | None = None
    generic: GenericFormat | None = None
    backoff: tuple[float, float] = (0.5, 10.0)

    @classmethod
    def parse(cls, section: Mapping[str, Any], where: str) -> ScaleConfig:
        """Read a ``[scale]`` section; ValidationError naming the key and why for any bad value."""
        s = Section(section, where)
        s.require_known(KEYS)
        driver = s.text("driver", choices=DRIVERS)
        port = SerialPort.parse(section, where)
        if driver == "mettler8217":
            # The 8217 protocol runs at 7 data bits, even parity unless the scale was set otherwise.
            port = replace(
                port,
                bytesize=port.bytesize if s.has("bytesize") else 7,
                parity=port.parity if s.has("parity") else "E",
            )
        capacity = _grams(s, "capacity", DEFAULT_CAPACITY_G)
        minimum = _grams(s, "minimum", DEFAULT_MINIMUM_G)
        if capacity <= 0:
            raise s.error("capacity", _("must be more than zero"))
        if minimum >= capacity:
            raise s.error("minimum", _("must be below the capacity ({capacity} g)").format(capacity=capacity))
        defaults = {"mettler8217": (Mettler8217Protocol.WEIGH, b"Z", b"T")}.get(driver, (None, None, None))
        poll = _bytes(s, "poll", defaults[0])
        zero = _bytes(s, "zero", defaults[1])
        tare = _bytes(s, "tare", defaults[2])
        unit = s.text("unit", "kg", choices=UNITS)
        generic = _generic(s, unit, poll, zero, tare) if driver == "generic" else None
        if driver != "generic":
            for key in ("frame", "decimals", "terminator", "stable", "unstable", "overload"):
                if s.has(key):
                    raise s.error(key, _("is only read by the generic driver"))
        if driver != "cas" and s.has("device_id"):
            raise s.error("device_id", _("is only read by the cas driver"))
        device_id = s.text("device_id", "", allow_empty=True) or None
        if device_id is not None and len(device_id) != 1:
            raise s.error(
                "device_id",
                _("must be one character (the indicator's device number), not {value!r}").format(value=device_id),
            )
        return cls(
            driver=driver,
            port=port,
            poll_interval=s.seconds("poll_interval", DEFAULT_POLL_INTERVAL, low=0.05, high=10),
            max_age_ms=s.integer("max_age_ms", DEFAULT_MAX_AGE_MS, low=100, high=60_000),
            capacity_g=capacity,
            minimum_g=minimum,
            timeout=s.seconds("timeout", DEFAULT_TIMEOUT, low=0.1, high=60),
            unit=unit,
            poll=poll,
            zero=zero,
            tare=tare,
            device_id=device_id,
            generic=generic,
            backoff=parse_backoff(section, where),
        )

    def make_protocol(self) -> FrameProtocol:
        """A fresh parser for this scale (one per link: parsers keep partial frames)."""
        if self.driver == "mettler8217":
            return Mettler8217Protocol()
        if self.driver == "cas":
            return CasProtocol(poll=self.poll, unit=self.unit, device_id=self.device_id)
        assert self.generic is not None
        return GenericProtocol(self.generic)


def parse_escapes(text: str) -> bytes:
    """``'\\x05'`` → ``b"\\x05"``; ``"W\\r"`` → ``b"W\\r"``. ValueError for non-Latin-1 text or a bad escape."""
    raw = text.encode("latin-1")  # UnicodeEncodeError is a ValueError
    return raw.decode("unicode_escape").encode("latin-1")


def _bytes(s: Section, key: str, default: bytes | None) -> bytes | None:
    if not s.has(key):
        return default
    text = s.text(key)
    if text == "":
        return None
    try:
        return parse_escapes(text)
    except ValueError as exc:
        raise s.error(
            key, _("must be plain ASCII with escapes like \\x05, \\r, \\n ({reason})").format(reason=exc)
        ) from exc


def _grams(s: Section, key: str, default: int) -> int:
    """A weight: whole grams, or text with a unit ("15 kg", "40 g", "1,5 kg")."""
    value = s.data.get(key, default)
    if isinstance(value, int) and not isinstance(value, bool):
        grams = value
    elif isinstance(value, str) and (match := _WEIGHT_TEXT.match(value)) is not None:
        number, unit = match.groups()
        try:
            amount = Decimal(number.replace(",", ".")) * UNIT_GRAMS[(unit or "g").lower()]
        except InvalidOperation as exc:  # pragma: no cover - the pattern only lets numbers through
            raise s.error(key, _("is not a weight: {value!r}").format(value=value)) from exc
        if amount != amount.to_integral_value():
            raise s.error(key, _("must be whole grams, not {value!r}").format(value=value))
        grams = int(amount)
    else:
        raise s.error(key, _('must be a weight like 15000 (grams) or "15 kg", not {value!r}').format(value=value))
    if grams < 0:
        raise s.error(key, _("must not be negative"))
    return grams


def _generic(s: Section, unit: str, poll: bytes | None, zero: bytes | None, tare: bytes | None) -> GenericFormat:
    pattern_text = s.text("frame", allow_empty=False)
    try:
        pattern = re.compile(pattern_text.encode("utf-8"))
    except re.error as exc:
        raise s.error("frame", _("is not a valid regular expression: {reason}").format(reason=exc)) from exc
    if "weight" not in pattern.groupindex:
        raise s.error("frame", _("needs a named group for the weight: (?P<weight>...)"))
    unknown = sorted(set(pattern.groupindex) - set(GENERIC_GROUPS))
    if unknown:
        raise s.error(
            "frame",
            _("unknown group {groups}; the groups read are {known}").format(
                groups=", ".join(unknown), known=", ".join(GENERIC_GROUPS)
            ),
        )
    terminator = _bytes(s, "terminator", b"\r\n")
    if not terminator:
        raise s.error("terminator", _("must not be empty"))
    return GenericFormat(
        pattern=pattern,
        unit=unit,
        decimals=s.integer("decimals", 0, low=0, high=4),
        terminator=terminator,
        poll=poll,
        stable=_bytes(s, "stable", None),
        unstable=_bytes(s, "unstable", None),
        overload=_bytes(s, "overload", None),
        zero=zero,
        tare=tare,
    )
