"""The receipt on screen after payment: the same lines the printer gets.

The preview is made from the job's :class:`~pos_tui.core.printable.Printable` (not a second layout),
so what the cashier sees is what went to the paper, including "COPY", the fiscal number and the
no-fiscal-value notice. Enter or Esc closes it (scans made meanwhile wait and land on the next
sale); the reprint key queues a copy, for a customer who wants a second slip or a jammed printer.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from pos_tui.core.printable import Printable, PrintLine
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
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


class ReceiptPreview(Dialog[None]):
    """The receipt just printed (or waiting for the printer); Enter/Esc close, the reprint key prints a copy."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("dialog.ok", "cancel", N_("Close"), N_("Close the receipt"), show=False),
        bind("receipt.reprint", "reprint", N_("Reprint"), N_("Print a copy of this receipt")),
    ]

    def __init__(self, job: Printable, document: dict[str, Any] | None = None, printer_note: str = "") -> None:
        super().__init__(job.title)
        self.job = job
        self.document = document
        self.printer_note = printer_note
        self.add_class("receipt-preview")

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="receipt-body"):
            yield Static(preview_text(self.job), id="receipt-lines")
        yield Static(self.printer_note, id="receipt-printer")

    def on_mount(self) -> None:
        self.query_one("#receipt-body").focus()

    def hint(self) -> str:
        key = pos_app(self).key_label("receipt.reprint")
        return _("Enter or Esc: close · {key}: print a copy").format(key=key)

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
            from pos_tui.core.errors import PosError
            from pos_tui.tui.printing import reprint_note

            try:
                job = station.reprint(document)
            except PosError as exc:
                self.app.call_from_thread(self.show_error, exc.message)
                return
            self.app.call_from_thread(note.update, reprint_note(station, job))

        self.app.run_worker(work, thread=True, group="receipt", description=_("Reprinting"), exit_on_error=False)
