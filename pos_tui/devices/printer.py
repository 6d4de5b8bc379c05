"""The receipt printer and the cash drawer behind it: a :class:`Printer` protocol and an ESC/POS driver.

``core`` lays a job out as a :class:`~pos_tui.core.kernel.printable.Printable` (lines already fitted to the
paper's width); this driver only styles, encodes and sends it. A job is rendered into bytes first
(:meth:`EscposPrinter.render`, with python-escpos' ``Dummy``), then written to the device in one go,
so a job never reaches the paper half-styled and ``pos-admin receipt print --output`` writes exactly
what the printer would get.

Encoding: ``ESC @`` resets the printer, then ``charcode(codepage)`` (python-escpos' MagicEncode with a
forced encoding) sends ``ESC t n`` for the configured code page (default CP857, ``n`` = 13 in the
default Epson profile) and encodes every later text with it. CP857 has every Turkish letter
(ŞşİıĞğÜüÖöÇç) but no ₺, no em dash and no ellipsis: :func:`fold_text` turns those into "TL", "-",
"..." (and strips accents the page lacks) before encoding, so nothing prints as "?".

Printers are blocking I/O (a network printer that is switched off holds a connect for ``timeout``
seconds): call :meth:`EscposPrinter.print` from a worker thread, which is what
:class:`pos_tui.devices.print_queue.PrintQueue` does. Every failure becomes a
:class:`~pos_tui.devices.errors.DeviceError` whose message the cashier can act on.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from pos_tui.core.kernel import Printable, PrintLine
from pos_tui.devices.config import DevicesConfig, Section
from pos_tui.devices.errors import DeviceError
from pos_tui.devices.link import SerialPort
from pos_tui.devices.status import DeviceStatus, device_label
from pos_tui.i18n import _

NAME = "printer"
STATUS_TIMEOUT = 0.5  # seconds to wait for a DLE EOT answer before taking the printer as silent
DRIVERS = ("serial", "network", "usb", "file", "dummy")
CUTS = ("full", "partial", "none")
KNOWN_KEYS = (
    "driver",
    "url",
    *SerialPort.KEYS,
    "host",
    "port",
    "vendor_id",
    "product_id",
    "path",
    "width",
    "codepage",
    "profile",
    "cut",
    "drawer_pin",
    "pulse_ms",
    "timeout",
    "status_query",
    "kick_window",
    "reconnect_min",
    "reconnect_max",
)

# Characters receipt code pages lack, written the way a Turkish till writes them.
_FOLDS = {
    "₺": "TL",
    "—": "-",
    "–": "-",
    "−": "-",
    "…": "...",
    "“": '"',
    "”": '"',
    "„": '"',
    "‘": "'",
    "’": "'",
    "•": "*",
    "€": "EUR",
    "\u00a0": " ",
}


@runtime_checkable
class Printer(Protocol):
    """What the app needs of a receipt printer. ``print`` and ``kick`` block (run them in a thread)
    and raise :class:`DeviceError`; ``status`` is the last known state, for the status line."""

    @property
    def width(self) -> int: ...

    @property
    def status(self) -> DeviceStatus: ...

    def print(self, job: Printable) -> None: ...

    def kick(self) -> None: ...


@dataclass(frozen=True, slots=True)
class PrinterConfig:
    """The ``[printer]`` section of devices.toml (see docs/devices-printing.md)."""

    driver: str = "dummy"
    serial: SerialPort | None = None  # serial: ``port`` (or ``url``) /dev/ttyUSB0, a pty, socket://HOST:PORT
    host: str = ""
    port: int = 9100
    vendor_id: int = 0
    product_id: int = 0
    path: str = ""
    width: int = 42
    codepage: str = "CP857"
    profile: str = "default"
    cut: str = "partial"
    drawer_pin: int = 2
    pulse_ms: int = 100
    timeout: float = 5.0
    status_query: bool = True
    kick_window: float = 30.0  # a queued job older than this prints without opening the drawer
    reconnect_min: float = 1.0  # the print queue's retry backoff: first wait …
    reconnect_max: float = 30.0  # … doubling up to this

    @classmethod
    def parse(cls, section: Mapping[str, Any], where: str | None = None) -> PrinterConfig:
        """Read and check a ``[printer]`` section; a bad value raises ``ValidationError`` naming it."""
        s = Section(section, where)
        s.require_known(KNOWN_KEYS)
        driver = s.text("driver", choices=DRIVERS)
        serial_port = None
        if driver == "serial":
            # ``port`` is the line's URL, as for every serial device; ``url`` is accepted as its alias.
            line = dict(section)
            if "url" in line and "port" not in line:
                line["port"] = line.pop("url")
            serial_port = SerialPort.parse(line, s.where)
        config = cls(
            driver=driver,
            serial=serial_port,
            host=s.text("host", "" if driver != "network" else None, allow_empty=driver != "network"),
            port=s.integer("port", 9100, low=1, high=65535) if driver != "serial" else 9100,
            vendor_id=s.integer("vendor_id", 0 if driver != "usb" else None, low=0, high=0xFFFF),
            product_id=s.integer("product_id", 0 if driver != "usb" else None, low=0, high=0xFFFF),
            path=s.text("path", "" if driver != "file" else None, allow_empty=driver != "file"),
            width=s.integer("width", 42, low=24, high=80),
            codepage=s.text("codepage", "CP857", allow_empty=False).upper(),
            profile=s.text("profile", "default", allow_empty=False),
            cut=s.text("cut", "partial", choices=CUTS),
            drawer_pin=s.integer("drawer_pin", 2, choices=(2, 5)),
            pulse_ms=s.integer("pulse_ms", 100, low=2, high=510),
            timeout=s.seconds("timeout", 5.0, low=0.1, high=120),
            status_query=s.flag("status_query", driver in ("serial", "network", "usb")),
            kick_window=s.seconds("kick_window", 30.0, low=0, high=3600),
            reconnect_min=s.seconds("reconnect_min", 1.0, low=0.05, high=600),
            reconnect_max=s.seconds("reconnect_max", 30.0, low=0.05, high=3600),
        )
        if config.reconnect_max < config.reconnect_min:
            raise s.error("reconnect_max", _("must be at least reconnect_min ({low})").format(low=config.reconnect_min))
        try:
            _encoder(config.profile).get_encoding_name(config.codepage)
        except Exception as exc:  # an unknown profile or a code page the profile lacks
            raise s.error("codepage", str(exc)) from exc
        return config


def printer_config(devices: DevicesConfig) -> PrinterConfig | None:
    """The till's printer settings, or None when devices.toml has no (or a ``driver = "none"``) ``[printer]``."""
    section = devices.section(NAME)
    return None if section is None else PrinterConfig.parse(section, devices.where(NAME))


def open_printer(devices: DevicesConfig) -> EscposPrinter | None:
    """The configured printer (nothing is opened until the first job), or None without one."""
    config = printer_config(devices)
    return None if config is None else EscposPrinter(config)


def _encoder(profile: str) -> Any:
    from escpos.magicencode import Encoder
    from escpos.printer import Dummy

    return Encoder(Dummy(profile=profile).profile.get_code_pages())


def fold_text(text: str, can_encode: Callable[[str], bool]) -> str:
    """``text`` with every character the code page cannot print replaced: ₺ → TL, dashes → "-",
    accented letters the page lacks → the bare letter, anything else → "?"."""
    out: list[str] = []
    for char in text:
        if can_encode(char):
            out.append(char)
        elif char in _FOLDS:
            out.append(_FOLDS[char])
        else:
            bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            out.append(bare if bare and all(can_encode(c) for c in bare) else "?")
    return "".join(out)


class EscposPrinter:
    """An ESC/POS receipt printer reached over serial, network, USB, a device file or nowhere
    (``dummy``: the bytes stay in memory, see :attr:`sent`). Opens lazily, reopens after a failure."""

    def __init__(self, config: PrinterConfig, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._clock = clock
        self._device: Any = None
        self._lock = threading.Lock()
        self._status = DeviceStatus(NAME, "connecting", since=clock())
        self._sent: list[bytes] = []

    @property
    def width(self) -> int:
        return self.config.width

    @property
    def status(self) -> DeviceStatus:
        return self._status

    @property
    def sent(self) -> bytes:
        """Everything written to a ``dummy`` printer so far (tests, dry runs)."""
        return b"".join(self._sent)

    # ----------------------------------------------------------------- rendering (pure)

    def render(self, job: Printable) -> bytes:
        """The ESC/POS bytes of ``job``: reset, code page, styled lines, barcodes, cut, drawer kick."""
        from escpos.printer import Dummy

        cfg = self.config
        out = Dummy(profile=cfg.profile)
        encoding = out.magic.encoder.get_encoding_name(cfg.codepage)

        def can_encode(char: str) -> bool:
            return bool(out.magic.encoder.can_encode(encoding, char))

        try:
            if job.lines:
                out.hw("INIT")
                out.charcode(encoding)
                for line in job.lines:
                    if line.barcode is not None:
                        self._barcode(out, line)
                        continue
                    out.set(
                        align=line.align,
                        bold=line.bold,
                        double_width=line.double,
                        double_height=line.double,
                        normal_textsize=not line.double,
                    )
                    out.textln(fold_text(line.text, can_encode))
                out.set(align="left", bold=False, normal_textsize=True)
                if job.cut and cfg.cut != "none":
                    out.cut(mode="FULL" if cfg.cut == "full" else "PART")
            if job.kick:
                out._raw(self.kick_bytes())
        except Exception as exc:  # python-escpos raises its own errors for values it cannot send
            raise DeviceError(
                _("The printer cannot print {job}: {error}").format(job=job.title, error=exc), NAME
            ) from exc
        return out.output

    def kick_bytes(self) -> bytes:
        """``ESC p m t1 t2``: pulse drawer pin 2 (m=0) or 5 (m=1) for ``pulse_ms`` (units of 2 ms)."""
        from escpos.constants import CD_KICK_DEC_SEQUENCE

        on = max(1, min(255, self.config.pulse_ms // 2))
        return bytes(CD_KICK_DEC_SEQUENCE(27, 112, 0 if self.config.drawer_pin == 2 else 1, on, min(255, on * 2)))

    @staticmethod
    def _barcode(out: Any, line: PrintLine) -> None:
        """The printer's own barcode command (GS k); a value the symbology cannot carry prints as text."""
        value = line.barcode or ""
        if line.symbology == "QR" and value.isascii():  # the e-Arşiv slip's karekod: the printer draws it (GS ( k)
            out.set(align="center", bold=False, normal_textsize=True)
            out.qr(value, native=True, size=4)
            out.ln()
            return
        if line.symbology == "CODE128":
            code, kind, function = "{B" + value, "CODE128", "B"
        else:
            code, kind, function = value, "EAN13", "A"
        if not value or not out.check_barcode(kind, code) or not value.isascii():
            out.set(align="center", bold=False, normal_textsize=True)
            out.textln(value)
            return
        # _hw_barcode, not barcode(): barcode() prints "Using hardware barcode renderer" on stdout,
        # which would land in the CLI's JSON and in the TUI's screen.
        out._hw_barcode(code, kind, height=64, width=2, pos="BELOW", font="A", align_ct=True, function_type=function)
        out.ln()

    # ----------------------------------------------------------------- device I/O (blocking)

    def print(self, job: Printable) -> None:
        """Send ``job``; raises DeviceError (offline, out of paper, write failed) and keeps nothing sent half."""
        self.send(self.render(job))

    def kick(self) -> None:
        """Open the cash drawer now."""
        self.send(self.kick_bytes())

    def send(self, data: bytes) -> None:
        """Write raw bytes to the printer (already rendered), checking its status first when it can tell."""
        with self._lock:
            try:
                device = self._open()
                self._check_status(device)
                if self.config.driver == "dummy":
                    self._sent.append(data)
                device._raw(data)
                flush = getattr(getattr(device, "device", None), "flush", None)
                if self.config.driver == "file" and flush is not None:
                    flush()
            except DeviceError as exc:
                self._fail(exc)
                raise
            except Exception as exc:  # OSError, serial/usb errors, escpos errors: the write failed
                error = DeviceError(
                    _("Printer offline: sending to it failed ({error})").format(error=_short(exc)), NAME
                )
                self._fail(error)
                raise error from exc
            self._set("connected", "")

    def close(self) -> None:
        with self._lock:
            self._close()

    def _fail(self, error: DeviceError) -> None:
        """Drop the connection (reopened on the next job) and publish the failure: ``error`` when
        the printer answered with a fault (paper, cover), ``offline`` when it could not be reached."""
        self._close()
        self._set(getattr(error, "state", "offline"), error.message)

    def _set(self, state: str, message: str) -> None:
        if state != self._status.state or message != self._status.message:
            self._status = DeviceStatus(NAME, state, message, since=self._clock())

    def _close(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            with contextlib.suppress(Exception):  # closing a dead connection may fail too; it is gone anyway
                device.close()

    def _open(self) -> Any:
        if self._device is not None:
            return self._device
        cfg = self.config
        try:
            device = self._make()
            if cfg.driver != "dummy":
                device.open()
        except DeviceError:
            raise
        except Exception as exc:
            raise DeviceError(
                _("Printer offline: cannot reach {where} ({error})").format(where=self.where, error=_short(exc)), NAME
            ) from exc
        self._device = device
        return device

    @property
    def where(self) -> str:
        """The printer's address as the cashier's technician would look for it."""
        cfg = self.config
        return {
            "serial": cfg.serial.url if cfg.serial is not None else "",
            "network": f"{cfg.host}:{cfg.port}",
            "usb": f"USB {cfg.vendor_id:04x}:{cfg.product_id:04x}",
            "file": cfg.path,
            "dummy": "dummy",
        }[cfg.driver]

    def _make(self) -> Any:
        from escpos import printer as p

        cfg = self.config
        if cfg.driver == "dummy":
            return p.Dummy(profile=cfg.profile)
        if cfg.driver == "network":
            return p.Network(cfg.host, port=cfg.port, timeout=cfg.timeout, profile=cfg.profile)
        if cfg.driver == "file":
            return p.File(cfg.path, profile=cfg.profile)
        if cfg.driver == "serial":
            return _url_serial()(cfg, profile=cfg.profile)
        try:
            return p.Usb(cfg.vendor_id, cfg.product_id, timeout=int(cfg.timeout * 1000), profile=cfg.profile)
        except RuntimeError as exc:  # python-escpos says pyusb is missing
            raise DeviceError(
                _("USB printers need the pyusb package (pip install pyusb): {error}").format(error=exc), NAME
            ) from exc

    def _check_status(self, device: Any) -> None:
        """Ask the printer (DLE EOT) whether it is online and has paper, when it can answer; a
        printer that stays silent is taken as fine (the write that follows will tell)."""
        if not self.config.status_query or self.config.driver in ("dummy", "file"):
            return
        from escpos.constants import RT_MASK_NOPAPER, RT_MASK_ONLINE, RT_STATUS_ONLINE, RT_STATUS_PAPER

        online = _query(device, RT_STATUS_ONLINE)
        if not online:
            return  # this printer does not answer status queries
        if online[0] & RT_MASK_ONLINE:
            raise _fault(_("Printer offline: its cover is open or it reports an error"))
        paper = _query(device, RT_STATUS_PAPER)
        if paper and paper[0] & RT_MASK_NOPAPER == RT_MASK_NOPAPER:
            raise _fault(_("Printer out of paper"))


def _fault(message: str) -> DeviceError:
    """A DeviceError for a printer that answered but cannot print (status ``error``, not ``offline``)."""
    error = DeviceError(message, NAME)
    error.state = "error"  # type: ignore[attr-defined]
    return error


def _query(device: Any, mode: bytes) -> bytes:
    """One DLE EOT status byte, or nothing when the printer does not answer within
    :data:`STATUS_TIMEOUT` (a network socket's own timeout is the much longer write timeout)."""
    sock = getattr(device, "_device", None)
    settimeout = getattr(sock, "settimeout", None)
    gettimeout = getattr(sock, "gettimeout", None)
    before = gettimeout() if settimeout is not None and gettimeout is not None else None
    try:
        if settimeout is not None:
            settimeout(STATUS_TIMEOUT)
        return bytes(device.query_status(mode) or b"")
    except (NotImplementedError, TimeoutError):
        return b""
    finally:
        if settimeout is not None:
            settimeout(before)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 80 else text[:77] + "..."


@functools.cache
def _url_serial() -> type:
    """python-escpos' ``Escpos`` over ``serial.serial_for_url``, so ``socket://`` URLs and pty paths
    work as for the other serial devices (its own ``Serial`` takes device paths only). Built on
    first use: importing python-escpos costs a second and more (PIL, qrcode)."""
    from escpos.escpos import Escpos

    class UrlSerial(Escpos):  # type: ignore[misc]
        def __init__(self, config: PrinterConfig, **kwargs: Any) -> None:
            Escpos.__init__(self, **kwargs)
            self.config = config
            self._device = False

        def open(self) -> None:
            cfg = self.config
            assert cfg.serial is not None
            self.device = cfg.serial.open(timeout=min(cfg.timeout, STATUS_TIMEOUT), write_timeout=cfg.timeout)

        def _raw(self, msg: bytes) -> None:
            self.device.write(msg)
            self.device.flush()

        def _read(self) -> bytes:
            return bytes(self.device.read(1))

        def close(self) -> None:
            device: Any = self._device  # escpos types it as "not open yet" (False) only
            if device:
                device.close()
            self._device = False

    return UrlSerial


def describe(status: DeviceStatus) -> str:
    """``Printer: <message>`` for logs and the CLI."""
    return f"{device_label(status.name)}: {status.message or status.state}"


__all__ = [
    "DRIVERS",
    "EscposPrinter",
    "Printer",
    "PrinterConfig",
    "describe",
    "fold_text",
    "open_printer",
    "printer_config",
]
