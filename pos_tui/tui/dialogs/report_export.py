"""Export from the report screen (F9): the format (XLSX, PDF, CSV, JSON) and the file, written in a
worker by :func:`pos_tui.core.reports.write_report` (the same file ``pos-admin report NAME
--format … --output …`` writes).

The file is ``<POS_HOME>/reports/NAME_FROM_TO.xlsx`` unless another is typed (a name alone goes in
that folder, which is made when missing; another folder must exist). Choosing a format changes the
file's ending; typing a file that ends in ``.xlsx``, ``.pdf``, ``.csv`` or ``.json`` chooses that
format (as the CLI takes it from ``--output``); another ending (``kasim.ods``) is refused, naming
the four; a name without an ending gets the format's. A folder (one that exists, or anything
ending in ``/``) means the default file name in it. An existing file is written over only after a
second Enter. A folder that is not there, a file that may not be written, a full disk: said on the
dialog's error line (in ``write_report``'s words), nothing is half-written, and the dialog stays
open to try another path.

In a browser (``pos serve``: :attr:`textual.app.App.is_web`), the file written on the server is also
offered to the browser as a download (:meth:`textual.app.App.deliver_binary`, which textual-serve
passes on), so the owner at the browser gets it on the machine in front of them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static

from pos_tui.core import reports
from pos_tui.core.kernel import Override, ValidationError, os_error_text
from pos_tui.i18n import N_, _
from pos_tui.tui.base import pos_app
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import bind

if TYPE_CHECKING:
    from pos_tui.core.reports import Report
    from pos_tui.settings import Settings

FORMAT_ORDER = ("xlsx", "pdf", "csv", "json")
"""The dialog's order (a shop owner wants Excel first) of :data:`pos_tui.core.reports.EXPORT_FORMATS`."""

FORMAT_LABELS: dict[str, str] = {
    "xlsx": N_("XLSX: Excel, with numbers and a chart"),
    "pdf": N_("PDF: to print or send"),
    "csv": N_("CSV: for Excel and other programs"),
    "json": N_("JSON: for scripts"),
}


def reports_folder(settings: Settings) -> Path:
    """Where the till writes reports: ``<POS_HOME>/reports``."""
    return settings.home / "reports"


def default_path(report: Report, settings: Settings, fmt: str = "xlsx") -> Path:
    """``<POS_HOME>/reports/sales-by-day_2026-12-01_2026-12-06.xlsx``; with a terminal or store
    filter its code too (``…_2026-12-06_T2.xlsx``), so T1's and T2's files do not take each other's name."""
    period = report.period
    scope = "".join(
        "_" + re.sub(r"[^A-Za-z0-9-]", "-", str(report.filters[key]))
        for key in ("terminal", "store")
        if report.filters.get(key)
    )
    name = f"{report.name}_{period.first.isoformat()}_{period.last.isoformat()}{scope}.{fmt}"
    return reports_folder(settings) / name


def typed_target(text: str, fmt: str, settings: Settings, default_name: str) -> tuple[Path, str]:
    """The file a typed ``text`` names and the format to write it in: a name alone (or a relative
    path) in the reports folder, ``~`` expanded; a folder (existing, or ending in ``/``) with
    ``default_name`` in it; a known ending chooses its format; no ending: ``fmt``'s added; another
    ending is refused, naming the formats."""
    value = text.strip()
    if not value:
        raise ValidationError(_("Type the file to write"))
    folder_meant = value.endswith(("/", os.sep))
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = reports_folder(settings) / path
    if folder_meant or path.is_dir():
        return path / Path(default_name).with_suffix("." + fmt).name, fmt
    ending = path.suffix.lower().lstrip(".")
    if ending in FORMAT_ORDER:
        return path, ending
    if re.fullmatch(r"[a-z]{2,4}", ending):  # an ending of another program's files (.ods, .txt, .xls)
        raise ValidationError(
            _(
                "The till does not write .{ending} files: end the name in .xlsx, .pdf, .csv or .json, "
                "or leave the ending off for {format}"
            ).format(ending=ending, format=fmt.upper())
        )
    return path.with_name(path.name + "." + fmt), fmt


MIME_TYPES: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "json": "application/json",
}


def make_reports_folder(path: Path, settings: Settings) -> None:
    """The reports folder is made when a file goes there and it is missing (another folder must
    exist: :func:`~pos_tui.core.reports.write_report` refuses it by name)."""
    folder = path.parent
    if folder == reports_folder(settings) and not folder.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValidationError(
                _("The folder {folder} cannot be made: {error}").format(folder=folder, error=os_error_text(exc))
            ) from None


@dataclass
class ReportWritten(Message, bubble=False):
    """The export worker wrote the file."""

    path: Path


class ReportExportDialog(Dialog[Path]):
    """F9 on the report screen (module docstring): ↑↓ the format, the file, Enter writes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("reports.decimal_comma", "decimal_comma", N_("Decimal comma"), N_("CSV: 1234,50 or 1234.50")),
        Binding("up", "format(-1)", show=False),  # from the file field too: the format list need not have the focus
        Binding("down", "format(1)", show=False),
    ]

    def __init__(self, report: Report, settings: Settings) -> None:
        super().__init__(_("Export {title}").format(title=report.title))
        self.add_class("wide")  # room for a whole path at 80 columns
        self.report, self.settings = report, settings
        self.fmt = "xlsx"
        self.decimal_comma = settings.language == "tr"  # Turkish Excel reads 1234,50 as a number
        self.confirmed: Path | None = None  # an existing file Enter was pressed on once
        self.writing = False
        self.delivered = False  # offered to the browser as a download (pos serve)

    def compose_body(self) -> ComposeResult:
        yield Label(_("Format"), classes="dialog-label")
        yield OptionList(*[_(FORMAT_LABELS[f]) for f in FORMAT_ORDER], id="export-format")
        yield Label(_("File"), classes="dialog-label")
        yield Input(value=str(default_path(self.report, self.settings)), id="export-path")
        yield Static(self.comma_text(), id="export-comma")

    def on_mount(self) -> None:
        formats = self.query_one("#export-format", OptionList)
        formats.styles.height = len(FORMAT_ORDER) + 2  # and its frame
        formats.highlighted = 0
        self.query_one("#export-path", Input).focus()

    def hint(self) -> str:
        return _("↑↓ format · Enter: write · F6 decimal comma (CSV) · Esc: cancel")

    def comma_text(self) -> str:
        if self.fmt != "csv":
            return ""
        return _("Decimal comma: yes (1234,50)") if self.decimal_comma else _("Decimal comma: no (1234.50)")

    def action_format(self, step: int) -> None:
        formats = self.query_one("#export-format", OptionList)
        formats.highlighted = ((formats.highlighted or 0) + step) % len(FORMAT_ORDER)

    def action_decimal_comma(self) -> None:
        self.decimal_comma = not self.decimal_comma
        self.query_one("#export-comma", Static).update(self.comma_text())

    @on(OptionList.OptionHighlighted, "#export-format")
    def _format(self, event: OptionList.OptionHighlighted) -> None:
        fmt = FORMAT_ORDER[event.option_index]
        if fmt == self.fmt:
            return
        field = self.query_one("#export-path", Input)
        text = field.value.strip()
        path = Path(text)
        if path.suffix.lower().lstrip(".") == self.fmt:
            field.value = str(path.with_suffix("." + fmt))
        self.fmt = fmt
        self.confirmed = None
        self.clear_error()
        self.query_one("#export-comma", Static).update(self.comma_text())

    @on(OptionList.OptionSelected, "#export-format")
    def _format_chosen(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Input.Changed, "#export-path")
    def _path_changed(self) -> None:
        self.confirmed = None
        self.clear_error()

    @on(Input.Submitted, "#export-path")
    def _write(self, event: Input.Submitted) -> None:
        if self.writing:
            return
        try:
            default_name = default_path(self.report, self.settings, self.fmt).name
            path, fmt = typed_target(event.value, self.fmt, self.settings, default_name)
            make_reports_folder(path, self.settings)
        except ValidationError as exc:
            self.show_error(exc.for_till)
            return
        if fmt != self.fmt:  # the file's ending chose the format: the list says so
            self.choose_format(fmt)
        if path.is_file() and self.confirmed != path:
            self.confirmed = path
            self.show_error(_("{path} is already there; Enter again writes over it").format(path=path))
            return
        report, settings, comma = self.report, self.settings, self.decimal_comma
        self.writing = True
        self.clear_error()

        def run(_override: Override | None) -> ReportWritten:
            # whole or not at all; a missing folder, no permission, a full disk: a ValidationError
            return ReportWritten(reports.write_report(report, path, fmt, settings=settings, decimal_comma=comma))

        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=lambda written: written,
                target=self,
                description=_("Writing the report"),
                group="report-export",
                overridable=False,
            )
        )

    def choose_format(self, fmt: str) -> None:
        """Highlight ``fmt`` in the list without touching the typed file."""
        formats = self.query_one("#export-format", OptionList)
        with formats.prevent(OptionList.OptionHighlighted):
            formats.highlighted = FORMAT_ORDER.index(fmt)
        self.fmt = fmt
        self.query_one("#export-comma", Static).update(self.comma_text())

    @on(ReportWritten)
    def _written(self, event: ReportWritten) -> None:
        self.writing = False
        if self.app.is_web:  # pos serve: the browser's machine gets the file too
            self.app.deliver_binary(event.path, save_filename=event.path.name, mime_type=MIME_TYPES.get(self.fmt))
            self.delivered = True
        self.dismiss(event.path)

    def core_error(self, message: str) -> None:
        self.writing = False
        self.confirmed = None
        self.show_error(message)
