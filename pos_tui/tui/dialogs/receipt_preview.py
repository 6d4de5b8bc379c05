"""The receipt on screen after payment: the same lines the printer gets.

The preview is made from the job's :class:`~pos_tui.core.kernel.printable.Printable` (not a second layout),
so what the cashier sees is what went to the paper, including "COPY", the fiscal number and the
no-fiscal-value notice. It is shown after every payment, with or without a receipt printer (without
one it is the customer's only receipt). ↑↓, PgUp/PgDn, Home and End scroll a long receipt (End
shows its footer). Enter or Esc closes it; the next item scanned or typed
(Enter-terminated, as a scanner sends it) closes it too and lands on the sale screen as the first
line of the next sale, so the next customer needs no extra key. The reprint key queues a copy, for
a customer who wants a second slip or a jammed printer, and says so when there is no printer.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from pos_tui.core.kernel import Printable, PrintLine
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import N_, bind


def line_text(line: PrintLine, width: int) -> Text:
    """One printed line as on paper: double-size text spaced out, barcodes as bars with their value."""
    if line.barcode is not None:
        text = Text(f"▌▌▐ {line.barcode} ▌▐▐", style="dim")
        raw = text.plain
    else:
        raw = " ".join(line.text) if line.double else line.text
        text = Text(raw, style="bold" if line.bold or line.double else "")
    pad = max(width - len(raw), 0)
    if line.align == "center" or line.barcode is not None:
        text.pad_left(pad // 2)
    elif line.align == "right":
        text.pad_left(pad)
    return text


def preview_text(job: Printable) -> Text:
    """The whole job as one Rich text, as wide as its widest line."""
    width = max((len(ln.text) * (2 if ln.double else 1) for ln in job.lines), default=0)
    return Text("\n").join(line_text(line, width) for line in job.lines)


class ReceiptPreview(ScanTarget, Dialog[None]):
    """The receipt just posted (printed, waiting for the printer, or on screen only); Enter/Esc
    close, a scan closes and starts the next sale, the reprint key prints a copy."""

    SCROLLS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("dialog.ok", "cancel", N_("Close"), N_("Close the receipt"), show=False),
        bind("receipt.reprint", "reprint", N_("Reprint"), N_("Print a copy of this receipt")),
        bind("list.up", "scroll_receipt(-1)", N_("Up"), N_("Scroll the receipt up"), show=False),
        bind("list.down", "scroll_receipt(1)", N_("Down"), N_("Scroll the receipt down"), show=False),
        bind("list.page_up", "scroll_receipt(-10)", N_("Page up"), N_("Scroll the receipt up"), show=False),
        bind("list.page_down", "scroll_receipt(10)", N_("Page down"), N_("Scroll the receipt down"), show=False),
        # Home/End: the receipt's top and its end (the footer), not the scan field's cursor (priority:
        # the focused field would take them first; a code typed there never needs them).
        Binding("home", "receipt_edge(False)", N_("Top"), show=False, priority=True),
        Binding("end", "receipt_edge(True)", N_("End"), show=False, priority=True),
    ]

    def __init__(self, job: Printable, document: dict[str, Any] | None = None, printer_note: str = "") -> None:
        super().__init__(job.title)
        self.job = job
        self.document = document
        self.printer_note = printer_note
        self.add_class("receipt-preview")

    def compose_body(self) -> ComposeResult:
        yield Static(preview_text(self.job), id="receipt-lines")

    def compose_pinned(self) -> ComposeResult:
        yield Static(self.printer_note, id="receipt-printer")
        yield Input(id="next-scan", placeholder=_("Scan the next item to start the next sale"), compact=True)

    def on_mount(self) -> None:
        self.query_one("#next-scan", Input).focus()

    def hint(self) -> str:
        key = pos_app(self).key_label("receipt.reprint")
        return _("Enter or Esc: close · {key}: print a copy").format(key=key)

    def action_scroll_receipt(self, lines: int) -> None:
        self.query_one(".dialog-body", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_receipt_edge(self, end: bool) -> None:
        """Home: the receipt's first line; End: its last."""
        body = self.query_one(".dialog-body", VerticalScroll)
        if end:
            body.scroll_end(animate=False, immediate=True)
        else:
            body.scroll_home(animate=False, immediate=True)

    @on(Input.Submitted, "#next-scan")
    async def _next(self, event: Input.Submitted) -> None:
        """Enter alone closes; a code closes and goes to the sale screen's scan field as typed there."""
        event.stop()
        text = event.value.strip()
        app = self.app
        self.dismiss(None)
        if text:
            app.call_later(_type_into_focused, app, text)

    @property
    def text(self) -> str:
        """The receipt as plain text (tests)."""
        return preview_text(self.job).plain

    def action_reprint(self) -> None:
        from pos_tui.tui.printing import station_of

        station = station_of(self.app)
        if self.document is None or station.queue is None:
            self.show_error(_("No receipt printer is configured: nothing to reprint on"))
            return
        document = self.document
        note = self.query_one("#receipt-printer", Static)

        def work() -> None:
            from pos_tui.core.kernel import PosError
            from pos_tui.tui.printing import reprint_note

            try:
                job = station.reprint(document)
            except PosError as exc:
                self.app.call_from_thread(self.show_error, exc.message)
                return
            self.app.call_from_thread(note.update, reprint_note(station, job))

        self.app.run_worker(work, thread=True, group="receipt", description=_("Reprinting"), exit_on_error=False)


async def _type_into_focused(app: App[Any], text: str) -> None:
    """Type ``text`` into the focused field of the screen now on top (the sale screen's scan
    field once the preview is gone) and submit it, exactly as if it had been typed there."""
    field = app.screen.focused
    if isinstance(field, Input):
        field.value = text
        field.cursor_position = len(text)
        await field.action_submit()
