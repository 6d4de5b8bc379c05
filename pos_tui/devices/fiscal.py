"""The fiscal device (ÖKC): the protocol the sale flow needs, a simulator, and the glue to the sale.

A Turkish shop registers every sale on a certified fiscal device. Real devices speak GMP3
through their vendors' SDKs (proprietary libraries with their own pairing), so pos_tui ships
the protocol and a **simulator** that behaves like a device: a journal file (its "electronic
journal"), sequential receipt numbers within a Z period, Z counters and totals per KDV rate,
and injectable errors (paper out, not paired, no answer). A vendor driver is a class with the
methods of :class:`FiscalDevice`, named in ``devices.toml``::

    [fiscal]
    driver = "python:acme_okc.driver:AcmeFiscal"   # module:Class, built with FiscalDevice's section

:func:`fiscal_hook` turns a device into the :data:`~pos_tui.core.till.fiscal.FiscalHook` that
:func:`pos_tui.core.till.posting.complete_sale` calls last in the sale's transaction: the ticket is
registered item by item; any device error cancels the device's open receipt and becomes a
:class:`~pos_tui.core.till.fiscal.FiscalError`, which rolls the sale back and leaves the cart open.

Devices are blocking (SDK calls, serial lines): the TUI calls them from a worker thread.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from pos_tui.core.kernel import ZERO, ValidationError, format_money
from pos_tui.core.till import FiscalError, FiscalHook, FiscalItem, FiscalPayment, FiscalRecord, FiscalTicket
from pos_tui.devices.config import Section
from pos_tui.devices.errors import DeviceError
from pos_tui.i18n import N_, _

ERRORS = ("paper_out", "not_paired", "timeout")


@dataclass(frozen=True, slots=True)
class FiscalStatus:
    device: str  # the serial number (sicil no)
    z_no: int  # the Z period now open
    next_receipt: int  # the number the next receipt gets
    receipts: int  # receipts in the open Z period
    total: Decimal  # sales in the open Z period
    receipt_open: bool


@dataclass(frozen=True, slots=True)
class FiscalReport:
    """An X (read, nothing reset) or Z (day closed, counters reset) report."""

    kind: str  # x | z
    device: str
    z_no: int
    receipts: int
    total: Decimal
    by_kdv: Mapping[int, Decimal]
    by_payment: Mapping[str, Decimal]
    at: datetime


class FiscalDevice(Protocol):
    """What the sale flow needs from an ÖKC. Every method raises DeviceError on failure."""

    def status(self) -> FiscalStatus: ...
    def open_receipt(self, reference: str, now: datetime) -> None: ...
    def add_item(self, item: FiscalItem) -> None: ...
    def add_payment(self, payment: FiscalPayment) -> None: ...
    def close_receipt(self, now: datetime) -> FiscalRecord: ...
    def cancel_receipt(self) -> None: ...
    def x_report(self, now: datetime) -> FiscalReport: ...
    def z_report(self, now: datetime) -> FiscalReport: ...
    def info_slip(self, lines: Sequence[str], now: datetime) -> int: ...


@dataclass(frozen=True, slots=True)
class FiscalConfig:
    driver: str  # simulator | python:module:Class
    serial: str
    directory: Path
    kdv_rates: tuple[int, ...]
    fail: str  # "" or one of ERRORS: every call fails so (a device left unpaired, out of paper)
    section: Mapping[str, Any]

    @classmethod
    def parse(cls, section: Mapping[str, Any], where: str | None = None, *, home: Path | None = None) -> FiscalConfig:
        s = Section(section, where)
        driver = s.text("driver", allow_empty=False)
        if driver != "simulator" and not driver.startswith("python:"):
            raise s.error(
                "driver", _("must be 'simulator' or 'python:module:Class', not {value!r}").format(value=driver)
            )
        if driver == "simulator":
            s.require_known(("driver", "serial", "directory", "kdv_rates", "fail"))
        fail = s.text("fail", "")
        if fail and fail not in ERRORS:
            raise s.error(
                "fail", _("must be one of {choices}, not {value!r}").format(choices=", ".join(ERRORS), value=fail)
            )
        base = home if home is not None else Path(os.environ.get("POS_HOME", "."))
        directory = Path(s.text("directory", str(base / "fiscal-simulator"))).expanduser()
        return cls(
            driver=driver,
            serial=s.text("serial", "SIM0000001", allow_empty=False),
            directory=directory,
            kdv_rates=s.integers("kdv_rates", (0, 1, 10, 20), low=0, high=100),
            fail=fail,
            section=section,
        )


def open_fiscal(config: FiscalConfig) -> FiscalDevice:
    """The configured device: the simulator, or a vendor class named ``python:module:Class``."""
    if config.driver == "simulator":
        return FiscalSimulator(config.directory, serial=config.serial, kdv_rates=config.kdv_rates, fail=config.fail)
    target = config.driver.removeprefix("python:")
    module_name, _sep, class_name = target.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise ValidationError(
            _("devices.toml [fiscal].driver: cannot load {target}: {error}").format(target=target, error=exc)
        ) from exc
    return factory(config.section)


_MESSAGES = {
    "paper_out": N_("The fiscal printer is out of paper: load paper and pay again"),
    "not_paired": N_("The fiscal device is not paired with this till: call support"),
    "timeout": N_("The fiscal device did not answer: check its cable and power, then pay again"),
}


def _error(code: str) -> DeviceError:
    return DeviceError(_(_MESSAGES[code]), "fiscal")


@dataclass
class _Receipt:
    reference: str
    opened: datetime
    items: list[FiscalItem] = field(default_factory=list)
    payments: list[FiscalPayment] = field(default_factory=list)


class FiscalSimulator:
    """A fiscal device in a directory: ``state.json`` (counters) and ``journal.jsonl`` (one JSON
    line per receipt, info slip and report, never rewritten). Numbers survive restarts; a
    receipt is in the journal only once closed. ``inject(error, times)`` makes the next calls
    fail as a real device would; ``fail`` makes every call fail (a device left unpaired)."""

    def __init__(
        self, directory: Path, *, serial: str = "SIM0000001", kdv_rates: Sequence[int] = (0, 1, 10, 20), fail: str = ""
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.serial = serial
        self.kdv_rates = tuple(kdv_rates)
        self.fail = fail
        self._lock = threading.Lock()
        self._injected: list[str] = []
        self._open: _Receipt | None = None
        self._state = self._load()

    # -- the simulator's own controls ----------------------------------------------------------

    def inject(self, error: str, times: int = 1) -> None:
        """Make the next ``times`` device calls fail with ``error`` (paper_out, not_paired, timeout)."""
        if error not in ERRORS:
            raise ValueError(f"unknown fiscal error {error!r}; known: {', '.join(ERRORS)}")
        self._injected.extend([error] * times)

    @property
    def journal_path(self) -> Path:
        return self.directory / "journal.jsonl"

    def journal(self) -> list[dict[str, Any]]:
        """Every journal record so far, oldest first."""
        if not self.journal_path.exists():
            return []
        return [json.loads(line) for line in self.journal_path.read_text(encoding="utf-8").splitlines() if line]

    # -- FiscalDevice ----------------------------------------------------------------------------

    def status(self) -> FiscalStatus:
        with self._lock:
            self._check()
            st = self._state
            return FiscalStatus(
                self.serial,
                st["z_no"],
                st["receipt_no"] + 1,
                st["receipts"],
                Decimal(st["total"]),
                self._open is not None,
            )

    def open_receipt(self, reference: str, now: datetime) -> None:
        with self._lock:
            self._check()
            if self._open is not None:
                raise DeviceError(_("A fiscal receipt is already open on the device"), "fiscal")
            self._open = _Receipt(reference, now)

    def add_item(self, item: FiscalItem) -> None:
        with self._lock:
            receipt = self._receipt()
            self._check()
            if item.kdv_rate not in self.kdv_rates:
                raise DeviceError(
                    _("The fiscal device has no department for KDV {rate} %").format(rate=item.kdv_rate), "fiscal"
                )
            if item.qty_milli <= 0 or item.total < ZERO:
                raise DeviceError(_("The fiscal device refused a line: {name}").format(name=item.name), "fiscal")
            receipt.items.append(item)

    def add_payment(self, payment: FiscalPayment) -> None:
        with self._lock:
            receipt = self._receipt()
            self._check()
            receipt.payments.append(payment)

    def close_receipt(self, now: datetime) -> FiscalRecord:
        with self._lock:
            receipt = self._receipt()
            self._check()
            total = sum((i.total for i in receipt.items), ZERO)
            paid = sum((p.amount for p in receipt.payments), ZERO)
            if not receipt.items or paid != total:
                raise DeviceError(
                    _("The fiscal receipt does not balance: items {total}, payments {paid}").format(
                        total=format_money(total), paid=format_money(paid)
                    ),
                    "fiscal",
                )
            st = self._state
            number = st["receipt_no"] + 1
            record = {
                "type": "receipt",
                "device": self.serial,
                "z": st["z_no"],
                "no": number,
                "at": now.astimezone(UTC).isoformat(),
                "reference": receipt.reference,
                "items": [
                    {
                        "name": i.name,
                        "qty": i.qty_milli,
                        "unit": i.unit,
                        "price": str(i.unit_price),
                        "kdv": i.kdv_rate,
                        "discount": str(i.discount),
                        "total": str(i.total),
                    }
                    for i in receipt.items
                ],
                "payments": [{"method": p.method, "amount": str(p.amount)} for p in receipt.payments],
                "total": str(total),
            }
            self._append(record)
            st["receipt_no"] = number
            st["receipts"] += 1
            st["total"] = str(Decimal(st["total"]) + total)
            for i in receipt.items:
                key = str(i.kdv_rate)
                st["by_kdv"][key] = str(Decimal(st["by_kdv"].get(key, "0")) + i.total)
            for p in receipt.payments:
                st["by_payment"][p.method] = str(Decimal(st["by_payment"].get(p.method, "0")) + p.amount)
            self._save()
            self._open = None
            return FiscalRecord(self.serial, number, st["z_no"], now)

    def cancel_receipt(self) -> None:
        """Void the open receipt (nothing is counted). Never fails: used after another failure."""
        with self._lock:
            if self._open is not None:
                self._append({"type": "cancelled", "device": self.serial, "reference": self._open.reference})
            self._open = None

    def x_report(self, now: datetime) -> FiscalReport:
        with self._lock:
            self._check()
            report = self._report("x", now)
            self._append(self._report_json(report))
            return report

    def z_report(self, now: datetime) -> FiscalReport:
        with self._lock:
            self._check()
            if self._open is not None:
                raise DeviceError(_("Close or cancel the open fiscal receipt before the Z report"), "fiscal")
            report = self._report("z", now)
            self._append(self._report_json(report))
            st = self._state
            st.update(z_no=st["z_no"] + 1, receipt_no=0, receipts=0, total="0.00", by_kdv={}, by_payment={})
            st["grand_total"] = str(Decimal(st["grand_total"]) + report.total)
            self._save()
            return report

    def info_slip(self, lines: Sequence[str], now: datetime) -> int:
        with self._lock:
            self._check()
            self._state["info_no"] += 1
            number = int(self._state["info_no"])
            self._append({"type": "info_slip", "device": self.serial, "no": number, "at": now.isoformat(),
                          "lines": list(lines)})  # fmt: skip
            self._save()
            return number

    # -- internals -------------------------------------------------------------------------------

    def _check(self) -> None:
        if self._injected:
            raise _error(self._injected.pop(0))
        if self.fail:
            raise _error(self.fail)

    def _receipt(self) -> _Receipt:
        if self._open is None:
            raise DeviceError(_("No fiscal receipt is open on the device"), "fiscal")
        return self._open

    def _report(self, kind: str, now: datetime) -> FiscalReport:
        st = self._state
        return FiscalReport(
            kind,
            self.serial,
            st["z_no"],
            st["receipts"],
            Decimal(st["total"]),
            {int(k): Decimal(v) for k, v in st["by_kdv"].items()},
            {k: Decimal(v) for k, v in st["by_payment"].items()},
            now,
        )

    @staticmethod
    def _report_json(r: FiscalReport) -> dict[str, Any]:
        return {
            "type": r.kind,
            "device": r.device,
            "z": r.z_no,
            "receipts": r.receipts,
            "total": str(r.total),
            "by_kdv": {str(k): str(v) for k, v in sorted(r.by_kdv.items())},
            "by_payment": {k: str(v) for k, v in sorted(r.by_payment.items())},
            "at": r.at.astimezone(UTC).isoformat(),
        }

    def _load(self) -> dict[str, Any]:
        path = self.directory / "state.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
        return {"z_no": 1, "receipt_no": 0, "receipts": 0, "total": "0.00", "grand_total": "0.00", "info_no": 0,
                "by_kdv": {}, "by_payment": {}}  # fmt: skip

    def _save(self) -> None:
        path = self.directory / "state.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._state, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)

    def _append(self, record: dict[str, Any]) -> None:
        with self.journal_path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            out.flush()
            os.fsync(out.fileno())


def register(device: FiscalDevice, ticket: FiscalTicket, now: datetime) -> FiscalRecord:
    """Register ``ticket`` on ``device``: open, items, payments (cash net of change), close.
    Any device error cancels the open receipt and is raised as FiscalError (the sale is not
    recorded and stays payable)."""
    try:
        device.open_receipt(ticket.uid, now)
        for item in ticket.items:
            device.add_item(item)
        for payment in ticket.payments:
            device.add_payment(payment)
        return device.close_receipt(now)
    except DeviceError as exc:
        device.cancel_receipt()
        raise FiscalError(exc.message) from exc


def record_anchor(device: FiscalDevice, head: object, now: datetime) -> int:
    """Write the shop journal's head (``ENTRY:HASH``, printed on the Z as "Journal head") on the
    device as a non-fiscal info slip, so the device's own electronic journal keeps an anchor
    outside the database (docs/audit.md). Every device of :class:`FiscalDevice` has info slips;
    returns the slip's number. Raises DeviceError."""
    return device.info_slip([_("Journal head"), str(head)], now)


def fiscal_hook(device: FiscalDevice, clock: Callable[[], datetime]) -> FiscalHook:
    """The hook :func:`~pos_tui.core.till.posting.complete_sale` takes in fiscal mode."""

    def hook(ticket: FiscalTicket) -> FiscalRecord:
        return register(device, ticket, clock())

    return hook


__all__ = [
    "ERRORS",
    "FiscalConfig",
    "FiscalDevice",
    "FiscalReport",
    "FiscalSimulator",
    "FiscalStatus",
    "fiscal_hook",
    "open_fiscal",
    "record_anchor",
    "register",
]
