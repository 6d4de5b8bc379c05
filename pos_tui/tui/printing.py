"""The app's paper and its fiscal device: one :class:`PrintStation` per app.

The station opens the ``[printer]`` and ``[fiscal]`` sections of devices.toml when the app starts
(the device hub's parsed file when there is one, else :func:`load_devices`) and owns the
:class:`~pos_tui.devices.print_queue.PrintQueue` and the fiscal device. A section that does not
parse is said once (a notification) and shown as ``error`` in the device line; the app then sells
without that device (no paper, receipts on screen only; no fiscal registration).

Why a station and not calls from the screens: a sale is posted before its receipt exists, and
nothing the printer does may block, undo or lose it. So every job goes to the queue and is never
awaited (:meth:`PrintStation.submit` is thread-safe and returns at once); an offline or out-of-paper
printer shows "Printer out of paper — 2 jobs waiting" in the device line, jobs wait in order, and
:meth:`PrintStation.retry` (the sale screen's key, the menu) tries again now.

The fiscal device is blocking (vendor SDKs, serial lines): :meth:`PrintStation.fiscal_hook` gives
the hook :func:`pos_tui.core.till.posting.complete_sale` calls inside the posting worker thread, and the
Z close calls the device's Z from the Z report's worker. The device's state is published to the
device line ("Fiscal device: Z 3 · next 12", or its error).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rich.console import Group, RenderableType
from rich.text import Text

from pos_tui.core import till
from pos_tui.core.kernel import Printable, ValidationError
from pos_tui.core.till import FiscalError, FiscalHook, FiscalRecord, FiscalTicket
from pos_tui.devices.config import DevicesConfig, load_devices
from pos_tui.devices.errors import DeviceError
from pos_tui.devices.fiscal import FiscalConfig, FiscalDevice, FiscalReport, open_fiscal, record_anchor, register
from pos_tui.devices.print_queue import PrintQueue, queue_for
from pos_tui.devices.printer import EscposPrinter, Printer, printer_config
from pos_tui.devices.status import DeviceStatus, device_label
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.messages import ReceiptReady

if TYPE_CHECKING:
    from textual.message import Message

    from pos_tui.core.till import SaleResult
    from pos_tui.tui.base import Till
    from pos_tui.tui.screens.base import PosScreen

log = logging.getLogger(__name__)

T = TypeVar("T")

PREVIEW_WIDTH = 42  # the preview's paper width when the till has no printer (80 mm paper)


class PrintStation:
    """The print queue and the fiscal device of the app (see the module docstring).

    ``config``: a parsed devices.toml (tests); None takes the device hub's, else reads the file.
    ``printer``/``fiscal``: ready devices (tests: ``FakePrinter``, ``FiscalSimulator``); they take
    the place of the configured ones. ``backoff``/``kick_window`` tune the queue of an injected printer.
    ``preview``: show the receipt on screen after each payment (what went to paper, with a reprint
    key; without a printer the only receipt there is). None (the default) and True show it, False
    leaves the sale screen up. The next scan closes the preview and starts the next sale.
    """

    def __init__(
        self,
        config: DevicesConfig | None = None,
        *,
        printer: Printer | None = None,
        fiscal: FiscalDevice | None = None,
        backoff: tuple[float, float] = (1.0, 30.0),
        kick_window: float = 30.0,
        preview: bool | None = None,
    ) -> None:
        self.config = config
        self.preview = preview
        self.printer: Printer | None = printer
        self.fiscal: FiscalDevice | None = fiscal
        self.queue: PrintQueue | None = None
        self.problems: list[str] = []
        self.app: Till | None = None
        self._backoff = backoff
        self._kick_window = kick_window
        self._statuses: dict[str, DeviceStatus] = {}
        self._started = False

    # -- life cycle ---------------------------------------------------------------------------------------------

    async def start(self, app: Till) -> None:
        """Open the printer queue and the fiscal device (idempotent). Never raises for a device."""
        if self._started:
            return
        self._started = True
        self.app = app
        config = self._devices(app)
        if self.printer is None:
            try:
                found = printer_config(config)
            except ValidationError as exc:
                self._problem("printer", exc.message)
            else:
                if found is not None:
                    self.printer = EscposPrinter(found)
        if self.printer is not None:
            if isinstance(self.printer, EscposPrinter):
                self.queue = queue_for(self.printer, self._publish)
            else:
                self.queue = PrintQueue(
                    self.printer, self._publish, backoff=self._backoff, kick_window=self._kick_window
                )
            await self.queue.start()
            self._publish(self.queue.status)
        if self.preview is None:
            self.preview = True
        if self.fiscal is None:
            section = config.section("fiscal")
            if section is not None:
                try:
                    where = config.where("fiscal")
                    self.fiscal = open_fiscal(FiscalConfig.parse(section, where, home=app.settings.home))
                except (ValidationError, OSError) as exc:
                    self._problem("fiscal", getattr(exc, "message", None) or str(exc))
        if self.fiscal is not None:
            await self._fiscal_status()
        hub = getattr(app, "devices", None)
        if hub is not None and hasattr(hub, "add_stopper"):
            hub.add_stopper(self.stop)
        for problem in self.problems:
            app.notify(problem, title=_("Device settings"), severity="error", timeout=30)

    async def stop(self) -> None:
        """Stop the queue (jobs still waiting are given up with the app; they were never the sale)."""
        queue = self.queue
        if queue is not None:
            await queue.stop()
        if isinstance(self.printer, EscposPrinter):
            self.printer.close()

    def _devices(self, app: Till) -> DevicesConfig:
        if self.config is not None:
            return self.config
        hub = getattr(app, "devices", None)
        found = getattr(hub, "config", None)
        if isinstance(found, DevicesConfig):
            self.config = found
            return found
        try:
            self.config = load_devices()
        except ValidationError as exc:
            self._problem("", exc.message)
            self.config = DevicesConfig(path=None, sections={})
        return self.config

    def _problem(self, name: str, message: str) -> None:
        """A device that cannot be used: said once, shown as ``error``; the app sells without it."""
        self.problems.append(message)
        if name:
            text = _("{device}: not used: {reason}").format(device=device_label(name), reason=message)
            self._publish(DeviceStatus(name, "error", text))

    # -- status ---------------------------------------------------------------------------------------------------

    def _publish(self, status: DeviceStatus) -> None:
        """Show ``status`` in the device line (the hub's, when the app has one). Any thread.

        While printer jobs wait, the line also names the retry key: "Printer out of paper — 2 jobs
        waiting · Ctrl+T: retry"."""
        if status.name == "printer" and status.state in ("error", "offline") and self.waiting and self.app is not None:
            key = self.app.key_label("sale.print_retry")
            status = replace(status, message=_("{status} · {key}: retry").format(status=status.message, key=key))
        self._statuses[status.name] = status
        hub = getattr(self.app, "devices", None)
        publish = getattr(hub, "publish", None)
        if publish is not None:
            publish(status)

    def status(self, name: str) -> DeviceStatus | None:
        """The last status this station published for ``name`` ("printer", "fiscal")."""
        return self._statuses.get(name)

    @property
    def width(self) -> int:
        """Characters per line of the receipts (the printer's paper, else 80 mm)."""
        return self.printer.width if self.printer is not None else PREVIEW_WIDTH

    @property
    def fiscal_mode(self) -> bool:
        """True when sales are registered on a fiscal device (so slips carry no "no fiscal value" notice)."""
        return self.fiscal is not None

    @property
    def waiting(self) -> int:
        """Jobs not printed yet."""
        return 0 if self.queue is None else len(self.queue.pending())

    def printer_state(self) -> str:
        """One line for the cashier about the printer now: printing, waiting jobs, or no printer."""
        if self.queue is None:
            return _("No receipt printer: the receipt is on the screen only")
        status = self.queue.status
        if status.state in ("error", "offline"):
            return status.message
        return ""

    # -- jobs -------------------------------------------------------------------------------------------------------

    def submit(self, job: Printable) -> int | None:
        """Queue ``job`` (never awaited, never raises); None when the till has no printer. Any thread."""
        if self.queue is None:
            return None
        return self.queue.submit(job)

    def retry(self) -> int:
        """Try the waiting jobs now (paper changed, cable back in); how many wait."""
        if self.queue is not None:
            self.queue.retry()
        return self.waiting

    def kick(self) -> int | None:
        """Open the cash drawer (a job with the kick and no paper; it waits its turn behind receipts)."""
        return self.submit(Printable(_("Open drawer"), (), cut=False, kick=True))

    def receipt(self, result: SaleResult | dict[str, Any], *, copy: bool = False) -> Printable:
        """The slip of a posted sale or return. Reads the points, the next-order coupons and the tier
        upgrade posting wrote (DB): call it from a worker. The first print carries the member's
        balance of that day; a copy does not (it does carry the coupons)."""
        from pos_tui.core.kernel import shop_day

        assert self.app is not None, "the print station is not started"
        settings = self.app.settings
        document = result if isinstance(result, dict) else result.document
        tz = settings.shop.timezone
        as_of = None if copy else shop_day(datetime.fromisoformat(document["at"]), tz)
        points = till.points_summary(document, as_of=as_of, tz=tz)
        original = None
        if document["type"] == "return" and document.get("return_of"):
            original = till.receipt_label(till.get_sale(document["return_of"], tz))
        return till.receipt_for(
            document,
            settings,
            width=self.width,
            fiscal=self.fiscal_mode,
            copy=copy,
            points=points,
            original=original,
            news=till.loyalty_news(document),
        )

    def submit_receipt(self, result: SaleResult | dict[str, Any]) -> Printable:
        """Lay out and queue the receipt of a sale just posted (the drawer opens with it when cash
        changed hands); returns the job, which the preview shows. Blocking DB reads: a worker."""
        job = self.receipt(result)
        self.submit(job)
        return job

    def reprint(self, sale: SaleResult | dict[str, Any] | str) -> Printable:
        """Queue a copy (marked COPY, the drawer stays shut) of a sale: a result, its document, or a
        receipt reference (``3``, ``T1/3``, a uid). Blocking DB reads: call it from a worker."""
        if isinstance(sale, str):
            assert self.app is not None, "the print station is not started"
            settings = self.app.settings
            sale = till.find_document(sale, terminal=settings.terminal_id, tz=settings.shop.timezone)
        job = self.receipt(sale, copy=True)
        self.submit(job)
        return job

    def print_x(self, report: Any) -> None:
        """Print an X report (from the X report's worker)."""
        if self.queue is not None and self.app is not None:
            self.submit(till.x_report_for(report, self.app.settings, width=self.width, fiscal=self.fiscal_mode))

    def print_no_sale(self, movement: Any) -> None:
        """The drawer opened without a sale (core recorded it and checked the permission): the slip and the kick."""
        if self.queue is not None and self.app is not None:
            self.submit(till.no_sale_for(movement, self.app.settings, width=self.width))

    def z_closed(self, report: Any, body: RenderableType, now: datetime) -> RenderableType:
        """The shop's Z is closed (committed): print it, then close the fiscal device's day too.

        The device's Z comes second and its failure does not undo or block the shop's Z (which
        is already written); the screen says what failed and the menu's "Fiscal device Z report"
        entry (or ``pos-admin fiscal z``) runs it again. Returns the report body with a line about
        the device. Blocking: call it from the Z report's worker."""
        if self.queue is not None and self.app is not None:
            self.submit(till.z_report_for(report, self.app.settings, width=self.width, fiscal=self.fiscal_mode))
        if self.fiscal is None:
            return body
        try:
            head = getattr(report, "journal_head", None)
            if head is not None:  # the Z's journal entry, kept on the device's own journal too
                record_anchor(self.fiscal, head, now)
            fiscal_report = self.fiscal_z(now)
        except Exception as exc:  # DeviceError, or a vendor driver's bug: the shop's Z stands either way
            if not isinstance(exc, DeviceError):
                log.exception("fiscal device: Z report failed")
            error = exc.message if isinstance(exc, DeviceError) else str(exc) or type(exc).__name__
            note = Text(
                _("Fiscal device Z failed: {error}. Fix the device, then run the menu's fiscal Z.").format(error=error),
                style="bold red",
            )
            return Group(body, Text(""), note)
        return Group(body, Text(""), Text(fiscal_z_text(fiscal_report), style="bold"))

    def fiscal_z(self, now: datetime) -> FiscalReport:
        """The fiscal device's Z report (closes its day). Raises DeviceError; blocking."""
        if self.fiscal is None:
            raise DeviceError(_("No fiscal device is configured"), "fiscal")
        try:
            report = self.fiscal.z_report(now)
        except DeviceError as exc:
            self._fiscal_failed(exc.message)
            raise
        self._fiscal_ok(_("Z {z} closed").format(z=report.z_no))
        return report

    # -- the fiscal device ------------------------------------------------------------------------------------------

    def fiscal_hook(self, clock: Callable[[], datetime]) -> FiscalHook | None:
        """The hook for :func:`~pos_tui.core.till.posting.complete_sale` in fiscal mode (None without a device).

        It runs in the posting worker (the device blocks) and publishes the device's state: the
        fiscal number after a sale, the device's message after a failure (which also stays on
        the payment screen, with the payments, for the cashier to pay again)."""
        device = self.fiscal
        if device is None:
            return None

        def hook(ticket: FiscalTicket) -> FiscalRecord:
            try:
                record = register(device, ticket, clock())
            except FiscalError as exc:
                self._fiscal_failed(exc.message)
                raise
            self._fiscal_ok(_("no {no} · Z {z}").format(no=record.fiscal_no, z=record.z_no))
            return record

        return hook

    async def _fiscal_status(self) -> None:
        device = self.fiscal
        assert device is not None
        try:
            state = await asyncio.to_thread(device.status)
        except DeviceError as exc:
            self._fiscal_failed(exc.message)
            return
        except Exception as exc:  # a vendor driver's bug must not stop the till
            log.exception("fiscal device: status failed")
            self._fiscal_failed(str(exc))
            return
        self._fiscal_ok(_("Z {z} · next no {no}").format(z=state.z_no, no=state.next_receipt))

    def _fiscal_ok(self, value: str) -> None:
        self._publish(DeviceStatus("fiscal", "connected", "", last_value=value))

    def _fiscal_failed(self, message: str) -> None:
        text = _("{device}: {error}").format(device=device_label("fiscal"), error=message)
        self._publish(DeviceStatus("fiscal", "error", text))


def fiscal_z_text(report: FiscalReport) -> str:
    """One line about a fiscal device's Z report, for the screen."""
    return _("Fiscal device {device}: Z {z} closed, {n} receipts").format(
        device=report.device, z=report.z_no, n=report.receipts
    )


def station_of(app: Any) -> PrintStation:
    """The app's print station (a stopped one with no devices when the app has none: nothing prints)."""
    station = getattr(app, "printing", None)
    if isinstance(station, PrintStation):
        return station
    return _NOWHERE


_NOWHERE = PrintStation(DevicesConfig(path=None, sections={}))


# -- what the screens call -------------------------------------------------------------------------------------------
#
# Print jobs run in thread workers started through the till's core calls (pos_tui.tui.calls), so a job that
# fails (a receipt that cannot be laid out, a database or disk error, a driver's bug) is shown on the screen
# that asked, through the one worker-failure path, and is never lost in a worker of its own.


def print_job(
    screen: PosScreen, run: Callable[[], T], description: str, reply: Callable[[T], Message] | None = None
) -> None:
    """Run the print job ``run`` in a thread worker for ``screen``: ``reply`` (if any) is posted to the screen
    when it is done, and any error lands on the screen's message line. Jobs are never exclusive: each runs."""
    pos_app(screen).call_core(
        CoreCall(
            run=lambda _override: run(),
            reply=reply,
            target=screen,
            description=description,
            group="receipt",
            overridable=False,
            exclusive=False,
        )
    )


def after_sale(screen: PosScreen, result: SaleResult) -> None:
    """A sale or return was posted: queue its receipt and have it shown on screen (:class:`ReceiptReady`
    to ``screen``, which opens the preview).

    The layout reads the points posting wrote, so it is made in a worker; the sale itself is
    already posted and nothing here can change it."""
    station = station_of(screen.app)
    if station.app is None or (station.queue is None and not station.preview):
        return

    def shown(job: Printable) -> Message:
        note = station.printer_state()
        account = on_account_note(result.document)
        if account:
            note = f"{account}\n{note}" if note else account
        return ReceiptReady(job, result.document, note)

    print_job(
        screen,
        lambda: station.submit_receipt(result),
        _("Printing the receipt"),
        shown if station.preview else None,
    )


def on_account_note(document: dict[str, Any]) -> str:
    """``On account: BAKKAL · Köşe Bakkalı Ltd. 100,00`` under the receipt preview of a sale put
    (partly) on a customer's account, so the cashier sees whose account it went on; "" otherwise.
    A database read: call it from a worker."""
    from pos_tui.core import accounts
    from pos_tui.core.kernel import PosError, format_money

    parts = [p for p in document.get("payments", ()) if p.get("method") == "on_account"]
    if not parts:
        return ""
    code = str(parts[0].get("reference") or "")
    try:
        name = accounts.get_party(code).name
    except PosError:
        name = ""
    label = f"{code} · {name}" if name else code
    amount = sum((Decimal(p["amount"]) for p in parts), Decimal(0))
    return _("On account: {account} {amount}").format(account=label, amount=format_money(amount))


def print_document(screen: PosScreen, result: SaleResult) -> None:
    """Queue the slip of a posted document without the preview (a return: its screen already
    shows the receipt). Never waits for the printer."""
    station = station_of(screen.app)
    if station.app is None or station.queue is None:
        return
    print_job(screen, lambda: station.submit_receipt(result), _("Printing the receipt"))


def reprint_in_worker(screen: PosScreen, sale: SaleResult | dict[str, Any] | str) -> None:
    """Queue a copy of ``sale`` from a worker; the screen's message line says where it went."""
    app = screen.app
    station = station_of(app)

    def work() -> None:
        job = station.reprint(sale)
        app.call_from_thread(screen.show_note, reprint_note(station, job))

    if station.queue is None:
        screen.show_error(_("No receipt printer is configured: nothing to reprint on"))
        return
    print_job(screen, work, _("Reprinting"))


def reprint_note(station: PrintStation, job: Printable) -> str:
    waiting = station.waiting
    if waiting > 1:
        return _("{title}: copy queued, {n} jobs waiting for the printer").format(title=job.title, n=waiting)
    return _("{title}: copy sent to the printer").format(title=job.title)


def retry(screen: PosScreen) -> None:
    """The cashier fixed the printer: try the waiting jobs now and say how many there are."""
    station = station_of(screen.app)
    if station.queue is None:
        screen.show_error(_("No receipt printer is configured"))
        return
    waiting = station.retry()
    if waiting:
        screen.show_note(_("Printing again: {n} jobs waiting").format(n=waiting))
    else:
        screen.show_note(_("Nothing is waiting for the printer"))


def write_labels_pdf(station: PrintStation, labels: list[Any], settings: Any, now: datetime) -> tuple[Path, int]:
    """The labels as A4 sheets in ``$POS_HOME/labels/labels-<time>.pdf`` (the layout from devices.toml ``[labels]``)."""
    from pos_tui.core.kernel import local
    from pos_tui.devices.labels_pdf import SheetLayout, write_pdf

    config = station.config or DevicesConfig(path=None, sections={})
    layout = SheetLayout.parse(config.sections.get("labels"), config.where("labels"))
    stamp = local(now, settings.shop.timezone).strftime("%Y%m%d-%H%M%S")
    target = settings.home / "labels" / f"labels-{stamp}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    pages = write_pdf(labels, target, layout, language=settings.language, title=_("Shelf labels"))
    return target, pages


__all__ = [
    "PREVIEW_WIDTH",
    "PrintStation",
    "after_sale",
    "fiscal_z_text",
    "on_account_note",
    "print_document",
    "print_job",
    "reprint_in_worker",
    "reprint_note",
    "retry",
    "station_of",
    "write_labels_pdf",
]
