"""Sans-IO frame parsers for shop scales: bytes in, :class:`WeightReading` events out.

Every parser here is pure (no ports, no clock, no threads) so it can be fuzzed: ``feed`` takes
whatever the serial port delivered, in any chunking, keeps at most one partial frame of
:data:`MAX_FRAME` bytes between calls and returns the readings completed by this chunk. A frame
it cannot read becomes a reading with status :data:`GARBLED` (never an exception), so the
cashier sees "the scale sent something unreadable" instead of a silently stale weight.

Weights are integer grams, parsed with :class:`~decimal.Decimal` (never ``float``); a finer
resolution than one gram is rounded half-even to the gram because quantities are stored as
integer milli-kilograms (= grams).

The wire formats (see docs/devices-scales.md for the sources):

* **Mettler Toledo 8217** — the till sends ``W``; the scale answers ``STX`` weight ``CR``
  (``01.500`` kg, an optional ``N`` for net) or ``STX ? status CR`` when it cannot give a
  weight. Status byte: bit 0 motion, 1 over capacity, 2 under zero, 3 outside the zero
  capture range, 4 centre of zero, 5 net, 6 always 1, 7 parity. ``Z`` zeroes, ``T`` tares.
* **CAS** — ``ST,GS,+  1.500kg`` CR LF (18 bytes) or the 22-byte form with a device id and a
  lamp byte (``ST,GS,1\\xc0,  1.500 kg``); ``ST``/``US``/``OL`` = stable/unstable/overload,
  ``GS``/``NT`` = gross/net. Streams continuously or answers a configured poll command.
* **generic** — a configured regex with a named group ``weight`` (see :class:`GenericFormat`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

#: The most bytes of one unfinished frame a parser keeps. A longer run without a terminator
#: is line noise (wrong baud rate, a scale in another mode): it becomes one GARBLED reading
#: and the parser skips to the next terminator.
MAX_FRAME = 128

# Reading statuses. ``stable`` is True only with OK; every other status is a reason to refuse.
OK = "ok"  #: a weight (``stable`` says whether the scale had settled)
MOTION = "motion"  #: the scale is moving (8217 status byte bit 0 / CAS ``US``)
OVERLOAD = "overload"  #: over capacity (8217 bit 1 / CAS ``OL``)
UNDER_ZERO = "under_zero"  #: below zero (8217 bit 2 / a negative weight)
ZERO_ERROR = "zero_error"  #: the scale needs zeroing (8217 bit 3, outside the zero capture range)
WRONG_UNIT = "wrong_unit"  #: the scale weighs in pounds or another unit the till does not sell by
GARBLED = "garbled"  #: a frame the parser could not read
STATUSES = (OK, MOTION, OVERLOAD, UNDER_ZERO, ZERO_ERROR, WRONG_UNIT, GARBLED)

STX = b"\x02"
CR = b"\r"
LF = b"\n"

#: Grams per unit. The till sells by the kilogram; a scale may report in g, kg or t.
UNIT_GRAMS: dict[str, int] = {"g": 1, "kg": 1000, "t": 1_000_000}
UNITS = tuple(UNIT_GRAMS)

_NUMBER = re.compile(rb"^([+-]?) *([0-9]{1,9})(?:[.,]([0-9]{0,6}))?$")


@dataclass(frozen=True, slots=True)
class WeightReading:
    """One answer from the scale.

    ``grams`` is the weight (negative under zero, 0 when the frame carried no weight);
    ``stable`` is True only for a settled, readable weight; ``status`` is one of
    :data:`STATUSES`; ``raw`` the frame as received (for the log and for support);
    ``at`` the ``now`` (``time.monotonic()``) of the ``feed`` call that completed the frame,
    so a reading can be refused as stale; ``net`` is True when the scale was tared.
    """

    grams: int
    stable: bool
    status: str
    raw: bytes
    at: float
    net: bool = False


def weight_to_grams(text: bytes, unit: str, decimals: int | None = None) -> int | None:
    """``b"+  1.500"`` in ``kg`` → ``1500``; ``None`` when ``text`` is not a number.

    A point or comma is the decimal separator. Without one and with ``decimals`` given, the
    digits are read as fixed point (``b"01500"`` with 3 decimals = 1.500). Spaces between
    the sign and the digits are allowed because CAS pads the weight field with them.
    """
    match = _NUMBER.match(text.strip())
    if match is None or unit not in UNIT_GRAMS:
        return None
    sign, whole, fraction = match.groups()
    if fraction is None and decimals:
        digits = whole.decode("ascii")
        value = Decimal(int(digits)).scaleb(-decimals)
    else:
        value = Decimal(f"{whole.decode('ascii')}.{(fraction or b'0').decode('ascii') or '0'}")
    try:
        grams = int((value * UNIT_GRAMS[unit]).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    except InvalidOperation:  # pragma: no cover - bounded digit counts keep this unreachable
        return None
    return -grams if sign == b"-" else grams


def garbled(raw: bytes, now: float) -> WeightReading:
    """The reading for a frame nobody can read."""
    return WeightReading(0, False, GARBLED, bytes(raw[:MAX_FRAME]), now)


def reading(grams: int, stable: bool, raw: bytes, now: float, *, net: bool = False) -> WeightReading:
    """A weight frame's reading: negative weights are UNDER_ZERO, moving ones MOTION."""
    if grams < 0:
        return WeightReading(grams, False, UNDER_ZERO, raw, now, net)
    if not stable:
        return WeightReading(grams, False, MOTION, raw, now, net)
    return WeightReading(grams, True, OK, raw, now, net)


class Framer:
    """Split a byte stream on ``terminator``, keeping at most ``limit`` bytes of a partial frame.

    Chunking never changes the frames: a frame that grows past ``limit`` is reported once as
    overlong (``None``) and everything up to its terminator is skipped, however the bytes arrive.
    """

    __slots__ = ("_buffer", "_skipping", "limit", "terminator")

    def __init__(self, terminator: bytes, limit: int = MAX_FRAME) -> None:
        if not terminator:
            raise ValueError("a frame terminator cannot be empty")
        self.terminator = terminator
        self.limit = limit
        self._buffer = bytearray()
        self._skipping = False

    def reset(self) -> None:
        self._buffer.clear()
        self._skipping = False

    @property
    def pending(self) -> int:
        """Bytes of the unfinished frame held (never more than ``limit + len(terminator) - 1``)."""
        return len(self._buffer)

    def push(self, data: bytes) -> list[bytes | None]:
        """Frames completed by ``data`` (without the terminator); ``None`` marks an overlong frame."""
        out: list[bytes | None] = []
        term = self.terminator
        buffer = self._buffer
        buffer += data
        while True:
            index = buffer.find(term)
            if index < 0:
                if self._skipping:
                    keep = len(term) - 1  # a terminator may straddle two chunks
                    del buffer[: max(0, len(buffer) - keep)]
                elif len(buffer) > self.limit + len(term) - 1:
                    out.append(None)
                    self._skipping = True
                    continue
                return out
            if self._skipping:
                self._skipping = False
            elif index > self.limit:
                out.append(None)
            else:
                out.append(bytes(buffer[:index]))
            del buffer[: index + len(term)]


class FramedProtocol:
    """What every scale protocol shares: bytes are cut into frames by its :class:`Framer`, each
    frame is read by the subclass's ``parse`` (``None``: nothing to report), and an overlong
    frame is a garbled reading."""

    _framer: Framer

    def reset(self) -> None:
        self._framer.reset()

    def feed(self, data: bytes, now: float) -> Sequence[WeightReading]:
        out: list[WeightReading] = []
        for frame in self._framer.push(data):
            if frame is None:
                out.append(garbled(b"", now))
                continue
            parsed = self.parse(frame, now)
            if parsed is not None:
                out.append(parsed)
        return out

    def parse(self, frame: bytes, now: float) -> WeightReading | None:
        raise NotImplementedError


class Mettler8217Protocol(FramedProtocol):
    """Mettler Toledo 8217 (weight-only ECR protocol): polled with ``W``, frames ``STX … CR``."""

    ZERO = b"Z"
    TARE = b"T"
    CLEAR_TARE = b"C"
    WEIGH = b"W"

    _WEIGHT = re.compile(rb"^ *([0-9]{1,6}(?:\.[0-9]{1,4})?) *(N)? *([A-Za-z]{1,2})? *$")

    def __init__(self) -> None:
        self._framer = Framer(CR)

    def poll(self) -> bytes | None:
        return self.WEIGH

    def parse(self, frame: bytes, now: float) -> WeightReading | None:
        """One frame without its CR; ``None`` for an empty frame (an echo or a stray LF)."""
        start = frame.rfind(STX)
        if start < 0:
            return None if not frame.strip() else garbled(frame, now)
        body = frame[start + 1 :].strip(b" \n")
        raw = frame[start:] + CR
        if not body:
            return None
        if body[:1] == b"?":
            return self._status(body, raw, now)
        match = self._WEIGHT.match(body)
        if match is None:
            return garbled(raw, now)
        number, net, unit = match.groups()
        if unit is not None and unit.lower() not in (b"kg", b"g"):
            return WeightReading(0, False, WRONG_UNIT, raw, now, net is not None)
        grams = weight_to_grams(number, (unit or b"kg").lower().decode("ascii"))
        if grams is None:  # pragma: no cover - the regex only lets numbers through
            return garbled(raw, now)
        return reading(grams, True, raw, now, net=net is not None)

    @staticmethod
    def _status(body: bytes, raw: bytes, now: float) -> WeightReading:
        """``?`` + status byte: the scale cannot give a weight right now (or acknowledges Z/T)."""
        if len(body) != 2:
            return garbled(raw, now)
        bits = body[1] & 0x7F  # bit 7 is even parity when the port runs 8N1 against a 7E1 scale
        if not bits & 0x40:
            return garbled(raw, now)
        net = bool(bits & 0x20)
        if bits & 0x02:
            return WeightReading(0, False, OVERLOAD, raw, now, net)
        if bits & 0x04:
            return WeightReading(0, False, UNDER_ZERO, raw, now, net)
        if bits & 0x01:
            return WeightReading(0, False, MOTION, raw, now, net)
        if bits & 0x08:
            return WeightReading(0, False, ZERO_ERROR, raw, now, net)
        # No problem bit: the answer to Z or T, i.e. a settled zero (gross or net).
        return WeightReading(0, True, OK, raw, now, net)


class CasProtocol(FramedProtocol):
    """CAS indicators and scales (PD-II, PDS, ER, CI, NT series): ``ST,GS,+  1.500kg`` CR LF.

    Both the 18-byte frame (``ST,GS,`` + 8-byte weight + 2-byte unit) and the 22-byte frame
    (``ST,GS,`` + device id + lamp byte + ``,`` + weight + blank + unit) are read; a configured
    ``device_id`` drops frames from other indicators on a shared line. ``poll`` is ``None`` for
    a scale in continuous mode, or the command configured for command mode.
    """

    _FRAME = re.compile(
        rb"^(ST|US|OL),(GS|NT),(?:([\x00-\xff])[\x00-\xff],)?([ +\-0-9.]{1,10}?) *(kg|KG|g|G|t|T|lb|LB|oz|OZ)? *$"
    )

    def __init__(self, *, poll: bytes | None = None, unit: str = "kg", device_id: str | None = None) -> None:
        self._framer = Framer(LF)
        self._poll = poll
        self._unit = unit
        self._device_id = device_id.encode("latin-1") if device_id else None
        self.zero_command: bytes | None = None
        self.tare_command: bytes | None = None

    def poll(self) -> bytes | None:
        return self._poll

    def parse(self, frame: bytes, now: float) -> WeightReading | None:
        """One frame without its LF; ``None`` for a blank line or another indicator's frame."""
        body = frame.strip(b"\x00\x02\x03\r \t")
        raw = frame + LF
        if not body:
            return None
        match = self._FRAME.match(body)
        if match is None:
            return garbled(raw, now)
        state, mode, device, number, unit = match.groups()
        if self._device_id is not None and device is not None and device != self._device_id:
            return None
        net = mode == b"NT"
        if state == b"OL":
            return WeightReading(0, False, OVERLOAD, raw, now, net)
        unit_name = unit.lower().decode("ascii") if unit else self._unit
        if unit_name not in UNIT_GRAMS:
            return WeightReading(0, False, WRONG_UNIT, raw, now, net)
        grams = weight_to_grams(number, unit_name)
        if grams is None:
            return garbled(raw, now)
        return reading(grams, state == b"ST", raw, now, net=net)


@dataclass(frozen=True, slots=True)
class GenericFormat:
    """How a scale without a built-in driver talks, from ``devices.toml``.

    ``pattern`` is searched in each frame (the bytes before ``terminator``) and must have a
    named group ``weight``; optional groups: ``sign`` (``-`` means negative), ``unit`` (g/kg/t,
    overrides ``unit``), ``status`` (compared with the markers). Stability: with a ``status``
    group its text must equal ``stable`` (or ``unstable``/``overload``); without one, a frame
    containing ``stable`` is stable, else a frame containing ``unstable`` is moving, else —
    no markers at all — every frame counts as stable (scales that only send settled weights).
    Digits without a decimal point are fixed point with ``decimals`` places.
    """

    pattern: re.Pattern[bytes]
    unit: str = "kg"
    decimals: int = 0
    terminator: bytes = b"\r\n"
    poll: bytes | None = None
    stable: bytes | None = None
    unstable: bytes | None = None
    overload: bytes | None = None
    zero: bytes | None = None
    tare: bytes | None = None


class GenericProtocol(FramedProtocol):
    """A scale described entirely by a :class:`GenericFormat` (no code per model)."""

    def __init__(self, fmt: GenericFormat) -> None:
        self.format = fmt
        self._framer = Framer(fmt.terminator)
        self._groups = set(fmt.pattern.groupindex)

    def poll(self) -> bytes | None:
        return self.format.poll

    def parse(self, frame: bytes, now: float) -> WeightReading | None:
        fmt = self.format
        raw = frame + fmt.terminator
        if not frame.strip(b"\x00\x02\x03\r\n \t"):
            return None
        has_status = "status" in self._groups
        if not has_status and fmt.overload is not None and fmt.overload in frame:
            return WeightReading(0, False, OVERLOAD, raw, now)  # overload frames rarely carry a weight
        match = fmt.pattern.search(frame)
        if match is None or match.group("weight") is None:
            return garbled(raw, now)
        stable = True
        if has_status and match.group("status") is not None:
            status = match.group("status").strip()
            if fmt.overload is not None and status == fmt.overload:
                return WeightReading(0, False, OVERLOAD, raw, now)
            if fmt.stable is not None:
                stable = status == fmt.stable
            elif fmt.unstable is not None:
                stable = status != fmt.unstable
        else:
            if fmt.stable is not None:
                stable = fmt.stable in frame
            elif fmt.unstable is not None:
                stable = fmt.unstable not in frame
        unit = fmt.unit
        if "unit" in self._groups and match.group("unit"):
            unit = match.group("unit").strip().lower().decode("latin-1")
            if unit not in UNIT_GRAMS:
                return WeightReading(0, False, WRONG_UNIT, raw, now)
        grams = weight_to_grams(match.group("weight"), unit, fmt.decimals)
        if grams is None:
            return garbled(raw, now)
        if "sign" in self._groups and (match.group("sign") or b"").strip() == b"-":
            grams = -abs(grams)
        return reading(grams, stable, raw, now)
