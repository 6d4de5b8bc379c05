"""Export from the report screen (F9): the format (XLSX, PDF, CSV, JSON) and the file, written in a
worker by :func:`pos_tui.core.reports.write_report` (the same file ``pos-admin report NAME
--format … --output …`` writes).

The file is ``<POS_HOME>/reports/NAME_FROM_TO.xlsx`` unless another is typed (a name alone goes in
that folder, which is made when missing; another folder must exist). Choosing a format changes the
file's ending. An existing file is written over only after a second Enter. A folder that is not
there, a file that may not be written, a full disk: said on the dialog's error line (in
``write_report``'s words), nothing is half-written, and the dialog stays open to try another path.
"""

from __future__ import annotations

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


def target_path(text: str, fmt: str, settings: Settings) -> Path:
    """The file a typed ``text`` names: a name alone (or a relative path) in the reports folder,
    ``~`` expanded, the format's ending added when it has none; refused when it ends in another
    format's."""
    value = text.strip()
    if not value:
        raise ValidationError(_("Type the file to write"))
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = reports_folder(settings) / path
    ending = path.suffix.lower().lstrip(".")
    if ending in FORMAT_ORDER and ending != fmt:
        raise ValidationError(
            _("The file ends in .{ending} but the format is {format}; change one of them").format(
                ending=ending, format=fmt.upper()
            )
        )
    if ending != fmt:
        path = path.with_name(path.name + "." + fmt)
    return path


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
            path = target_path(event.value, self.fmt, self.settings)
            make_reports_folder(path, self.settings)
        except ValidationError as exc:
            self.show_error(exc.for_till)
            return
        if path.is_file() and self.confirmed != path:
            self.confirmed = path
            self.show_error(_("{path} is already there; Enter again writes over it").format(path=path))
            return
        report, fmt, settings, comma = self.report, self.fmt, self.settings, self.decimal_comma
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

    @on(ReportWritten)
    def _written(self, event: ReportWritten) -> None:
        self.writing = False
        self.dismiss(event.path)

    def core_error(self, message: str) -> None:
        self.writing = False
        self.confirmed = None
        self.show_error(message)
