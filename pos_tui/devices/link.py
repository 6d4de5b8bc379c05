"""Serial links: one worker thread per serial device, reconnecting by itself, reporting its state.

Why a thread: pyserial is blocking, and ``serial.serial_for_url`` gives one API for a real port
(``/dev/ttyUSB0``, ``COM3``), a TCP bridge (``socket://10.0.0.5:4001``) and a pty (tests). The thread does only
blocking I/O; everything it learns (events from the device's :class:`FrameProtocol`, status changes) is handed to
the event loop that called :meth:`SerialLink.start` with ``loop.call_soon_threadsafe``, so callbacks run on the
loop, in order, and never block it.

The protocol is sans-IO: bytes in, events out. It knows the device's framing (a scanner's CR/LF lines, a scale's
STX…CR frames) but nothing about ports, threads or time except the ``now`` it is given, so parsers can be tested
and fuzzed alone and the same parser runs over any port.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Protocol

import serial

from pos_tui.devices.config import Section
from pos_tui.devices.errors import DeviceError
from pos_tui.devices.status import DeviceStatus, device_label
from pos_tui.i18n import _

log = logging.getLogger(__name__)

READ_TIMEOUT = 0.05  # seconds a read waits: how fast the worker notices stop() and poll deadlines
WRITE_TIMEOUT = 2.0  # a device that stops accepting bytes (flow control) fails a send after this long
STOP_TIMEOUT = 2.0  # stop() waits this long for the worker; a worker stuck in a TCP connect is left (daemon)
MAX_READ = 65536  # bytes read in one go before they are handed to the protocol
URL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "hwgrep", "alt", "cp2110")
PARITIES = ("N", "E", "O", "M", "S")
_PARITY_WORDS = {**{p: p for p in PARITIES}, "NONE": "N", "EVEN": "E", "ODD": "O", "MARK": "M", "SPACE": "S"}


@dataclass(frozen=True, slots=True)
class SerialPort:
    """Where a serial device is and how its line is set up.

    ``url`` is anything ``serial.serial_for_url`` opens: a device path (``/dev/ttyUSB0``, ``COM3``, a pty),
    ``socket://HOST:PORT`` (a serial-to-Ethernet bridge, or a fake in tests) or ``rfc2217://HOST:PORT``.
    In devices.toml the URL is the ``port`` key.
    """

    KEYS: ClassVar[tuple[str, ...]] = ("port", "baudrate", "bytesize", "parity", "stopbits")

    url: str
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1

    @classmethod
    def parse(cls, section: Mapping[str, Any], where: str) -> SerialPort:
        """Read ``port``, ``baudrate``, ``bytesize``, ``parity`` and ``stopbits`` from a device section.

        Other keys are left to the caller (which should check them with ``Section.require_known``).
        Raises ValidationError naming the key and why.
        """
        s = Section(section, where)
        url = s.text("port", allow_empty=False).strip()
        if "://" in url:
            scheme, _sep, rest = url.partition("://")
            if scheme not in URL_SCHEMES:
                raise s.error(
                    "port",
                    _("unknown URL type {scheme!r}; use a device path or one of {schemes}").format(
                        scheme=scheme, schemes=", ".join(f"{x}://" for x in URL_SCHEMES)
                    ),
                )
            if scheme in ("socket", "rfc2217"):
                host, _colon, port = rest.partition("?")[0].rpartition(":")
                if not host or not port.isdigit() or not 0 < int(port) < 65536:
                    raise s.error(
                        "port", _("must look like {scheme}://HOST:PORT, not {url!r}").format(scheme=scheme, url=url)
                    )
        baudrate = s.integer("baudrate", 9600, choices=[b for b in serial.Serial.BAUDRATES if b >= 300])
        bytesize = s.integer("bytesize", 8, choices=(5, 6, 7, 8))
        parity = _PARITY_WORDS.get(s.text("parity", "N").strip().upper(), "")
        if parity not in PARITIES:
            raise s.error(
                "parity",
                _("must be one of {choices} (none, even, odd, mark, space), not {value!r}").format(
                    choices=", ".join(PARITIES), value=s.data.get("parity")
                ),
            )
        raw_stop = s.data.get("stopbits", 1)
        if isinstance(raw_stop, bool) or raw_stop not in (1, 1.5, 2):
            raise s.error("stopbits", _("must be 1, 1.5 or 2, not {value!r}").format(value=raw_stop))
        return cls(url=url, baudrate=baudrate, bytesize=bytesize, parity=parity, stopbits=raw_stop)

    def open(self, timeout: float = READ_TIMEOUT, write_timeout: float = WRITE_TIMEOUT) -> serial.SerialBase:
        """Open the port (blocking; call from a worker thread). Raises SerialException/OSError/ValueError."""
        return serial.serial_for_url(
            self.url,
            baudrate=self.baudrate,
            bytesize=self.bytesize,
            parity=self.parity,
            stopbits=self.stopbits,
            timeout=timeout,
            write_timeout=write_timeout,
        )


def parse_backoff(section: Mapping[str, Any], where: str) -> tuple[float, float]:
    """``reconnect_min``/``reconnect_max`` (seconds, default 0.5 and 10): the bounds of the reconnect backoff."""
    s = Section(section, where)
    low = s.seconds("reconnect_min", 0.5, low=0.01, high=60)
    high = s.seconds("reconnect_max", 10.0, low=0.01, high=600)
    if high < low:
        raise s.error("reconnect_max", _("must not be below reconnect_min ({low})").format(low=low))
    return low, high


BACKOFF_KEYS = ("reconnect_min", "reconnect_max")


class FrameProtocol(Protocol):
    """A device's framing, sans-IO: the link feeds it bytes and delivers the events it returns."""

    def poll(self) -> bytes | None:
        """Bytes to send every ``poll_interval`` (a scale's ``W``); None: the device sends by itself."""
        ...

    def feed(self, data: bytes, now: float) -> Sequence[object]:
        """Take bytes as they came (any chunking) and return the complete events; keep partial frames."""
        ...

    def reset(self) -> None:
        """Forget partial frames: called after every (re)connect, so half a frame never joins a new one."""
        ...


class LineBuffer:
    """Splits a byte stream into lines ending in CR, LF or CRLF (any chunking).

    Empty lines are dropped, which makes CRLF one terminator (never an empty line between CR and LF), even when
    CR ends one chunk and LF starts the next. A line longer than ``max_length`` without a terminator is noise
    (a wrong baud rate) and is dropped rather than kept growing.
    """

    def __init__(self, max_length: int = 4096) -> None:
        self.max_length = max_length
        self._buffer = bytearray()
        self._overflow = False

    def feed(self, data: bytes) -> list[bytes]:
        lines: list[bytes] = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._buffer and not self._overflow:
                    lines.append(bytes(self._buffer))
                self._buffer.clear()
                self._overflow = False
            elif len(self._buffer) < self.max_length:
                self._buffer.append(byte)
            else:  # noise: drop it all, up to the next terminator
                self._buffer.clear()
                self._overflow = True
        return lines

    def reset(self) -> None:
        self._buffer.clear()
        self._overflow = False

    @property
    def pending(self) -> bytes:
        return bytes(self._buffer)


def _seconds(value: float) -> str:
    """A wait for a message: "0.5", "4", "10" (two decimals at most, none from 10 s on)."""
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


class SerialLink:
    """Runs one serial device: a worker thread opens the port, reads, polls, reconnects with backoff.

    Status: ``connecting`` → ``connected``; a port that cannot be opened or a connection that breaks (cable pulled,
    EOF) → ``offline`` with "retrying in N s", then ``connecting`` again. The wait starts at ``backoff[0]``, doubles
    after each failure up to ``backoff[1]`` and starts over after a successful open. ``error`` is for a link whose
    device misbehaves (its protocol failed on the data, or a driver called :meth:`report`).

    ``on_event`` and ``on_status`` always run on the event loop that called :meth:`start`, never after
    :meth:`stop` returned. ``describe`` (optional) turns an event into the short ``last_value`` of the status; when
    given, every event also publishes a status (the TUI collapses them with ``can_replace``).
    """

    def __init__(
        self,
        name: str,
        port: SerialPort,
        protocol: FrameProtocol,
        *,
        on_event: Callable[[object], None],
        on_status: Callable[[DeviceStatus], None],
        poll_interval: float | None = None,
        backoff: tuple[float, float] = (0.5, 10.0),
        clock: Callable[[], float] = time.monotonic,
        describe: Callable[[object], str | None] | None = None,
        read_timeout: float = READ_TIMEOUT,
        write_timeout: float = WRITE_TIMEOUT,
    ) -> None:
        if not 0 < backoff[0] <= backoff[1]:
            raise ValueError(f"backoff must be 0 < min <= max, not {backoff}")
        if poll_interval is not None and poll_interval <= 0:
            raise ValueError(f"poll_interval must be positive, not {poll_interval}")
        self.name = name
        self.port = port
        self.protocol = protocol
        self.poll_interval = poll_interval
        self.backoff = backoff
        self._on_event = on_event
        self._on_status = on_status
        self._clock = clock
        self._describe = describe
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._status = DeviceStatus(name, "offline", _("{device}: not started").format(device=self.label), "", clock())
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._closed = True  # loop side: no callbacks while not started / after stop()
        self._serial: serial.SerialBase | None = None
        self._serial_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._faulted = False

    # -- public API (event loop side) -------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return device_label(self.name)

    @property
    def status(self) -> DeviceStatus:
        """The latest status (readable from any thread)."""
        return self._status

    @property
    def connected(self) -> bool:
        return self._status.state in ("connected", "error") and self._serial is not None

    async def start(self) -> None:
        """Start the worker (idempotent). Returns at once; watch ``on_status`` for ``connected``."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._loop = asyncio.get_running_loop()
        self._stopping = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=f"device-{self.name}", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        """Stop the worker and close the port; returns within about ``read_timeout`` (at most STOP_TIMEOUT)."""
        self._closed = True
        self._stopping.set()
        with self._serial_lock:
            ser = self._serial
        cancel = getattr(ser, "cancel_read", None)
        if cancel is not None:
            with contextlib.suppress(Exception):
                cancel()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            await asyncio.to_thread(thread.join, STOP_TIMEOUT)
            if thread.is_alive():
                log.warning("%s: worker still busy after stop(); it ends on its own", self.name)
        self._status = replace(
            self._status, state="offline", message=_("{device}: stopped").format(device=self.label), since=self._clock()
        )

    async def send(self, data: bytes) -> None:
        """Write ``data`` to the device. Raises DeviceError (translated) when not connected or the write fails."""
        with self._serial_lock:
            ser = self._serial
        if ser is None or self._closed:
            raise DeviceError(
                _("{device} is not connected ({reason})").format(device=self.label, reason=self._status.message),
                self.name,
            )
        try:
            await asyncio.to_thread(self._write, ser, data)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceError(
                _("{device}: sending failed on {port}: {reason}").format(
                    device=self.label, port=self.port.url, reason=exc
                ),
                self.name,
            ) from exc

    def report(self, state: str, message: str) -> None:
        """Let a driver set the state from what the device said ("error": out of paper; "connected": fine again).

        Callable from any thread; a no-op once stopped.
        """
        self._publish(state, message)

    # -- worker thread ------------------------------------------------------------------------------------------

    def _write(self, ser: serial.SerialBase, data: bytes) -> None:
        with self._write_lock:
            ser.write(data)

    def _run(self) -> None:
        low, high = self.backoff
        delay = low
        stopping = self._stopping
        port = self.port.url
        while not stopping.is_set():
            self._publish("connecting", _("{device}: connecting to {port}").format(device=self.label, port=port))
            try:
                ser = self.port.open(self._read_timeout, self._write_timeout)
            except Exception as exc:  # SerialException/OSError: no device; ValueError: a URL pyserial refuses
                log.info("%s: cannot open %s: %s", self.name, port, exc)
                self._publish(
                    "offline" if isinstance(exc, serial.SerialException | OSError) else "error",
                    _("{device}: no connection on {port}, retrying in {seconds} s").format(
                        device=self.label, port=port, seconds=_seconds(delay)
                    ),
                )
                if stopping.wait(delay):
                    break
                delay = min(delay * 2, high)
                continue
            delay = low
            with self._serial_lock:
                self._serial = ser
            self.protocol.reset()
            self._faulted = False
            self._publish("connected", _("{device}: connected on {port}").format(device=self.label, port=port))
            reason = ""
            try:
                self._pump(ser)
            except Exception as exc:  # a broken connection: EOF, EIO, a failed write
                reason = str(exc) or type(exc).__name__
                log.info("%s: connection on %s lost: %s", self.name, port, reason)
            finally:
                with self._serial_lock:
                    self._serial = None
                with contextlib.suppress(Exception):
                    ser.close()
            if stopping.is_set():
                break
            self._publish(
                "offline",
                _("{device}: connection lost on {port}, retrying in {seconds} s").format(
                    device=self.label, port=port, seconds=_seconds(delay)
                ),
            )
            if stopping.wait(delay):
                break
            delay = min(delay * 2, high)

    def _pump(self, ser: serial.SerialBase) -> None:
        """Read until stopped or the connection breaks (an exception); poll on schedule."""
        interval = self.poll_interval
        next_poll = time.monotonic()
        while not self._stopping.is_set():
            if interval is not None and time.monotonic() >= next_poll:
                command = self.protocol.poll()
                if command:
                    with self._write_lock:
                        ser.write(command)
                next_poll = max(next_poll + interval, time.monotonic())
            data = ser.read(1)
            if not data:
                continue
            buffer = bytearray(data)
            while len(buffer) < MAX_READ and (waiting := ser.in_waiting) > 0:
                buffer += ser.read(min(waiting, MAX_READ))
            self._feed(bytes(buffer))

    def _feed(self, data: bytes) -> None:
        try:
            events = list(self.protocol.feed(data, self._clock()))
        except Exception as exc:  # a parser bug must not kill the link; say so and start framing afresh
            log.exception("%s: protocol failed on %r", self.name, data[:64])
            self.protocol.reset()
            self._faulted = True
            self._publish("error", _("{device}: unreadable data ({reason})").format(device=self.label, reason=exc))
            return
        if self._faulted:
            self._faulted = False
            self._publish("connected", _("{device}: connected on {port}").format(device=self.label, port=self.port.url))
        if events:
            self._call(self._deliver_events, events)

    # -- hand-over to the loop ----------------------------------------------------------------------------------

    def _publish(self, state: str, message: str) -> None:
        old = self._status
        if old.state == state and old.message == message:
            return
        since = old.since if old.state == state else self._clock()
        status = DeviceStatus(self.name, state, message, old.last_value, since)
        self._status = status
        self._call(self._deliver_status, status)

    def _call(self, callback: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None or self._closed:
            return
        try:
            loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            self._stopping.set()

    def _deliver_status(self, status: DeviceStatus) -> None:
        if self._closed:
            return
        try:
            self._on_status(status)
        except Exception:
            log.exception("%s: on_status failed", self.name)

    def _deliver_events(self, events: list[object]) -> None:
        for event in events:
            if self._closed:
                return
            try:
                self._on_event(event)
            except Exception:
                log.exception("%s: on_event failed for %r", self.name, event)
            if self._describe is not None:
                value = self._describe(event)
                if value is not None:
                    self._status = self._status.with_value(value)
                    self._deliver_status(self._status)


class LinkedDevice:
    """A device that is one :class:`SerialLink` (a serial scanner, a serial card reader): its
    status, start and stop are the link's."""

    link: SerialLink

    @property
    def status(self) -> DeviceStatus:
        return self.link.status

    async def start(self) -> None:
        await self.link.start()

    async def stop(self) -> None:
        await self.link.stop()
