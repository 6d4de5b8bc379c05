"""Lists behind the menu: the terminal's receipts (with a reprint view) and, for admins, users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Label, Static

from pos_tui.core import staff, till
from pos_tui.core.kernel import Override, format_money, local, role_label
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.views import ReportDialog
from pos_tui.tui.keymap import N_, bind
from pos_tui.tui.messages import ReportReady, RowsLoaded
from pos_tui.tui.screens.base import PosScreen
from pos_tui.tui.widgets.keybar import KeyBar
from pos_tui.tui.widgets.status import StatusLine

RECEIPT_LIMIT = 200


class ListScreen(PosScreen):
    """A titled table that loads its rows in a worker; Esc goes back."""

    AUTO_FOCUS = "#rows"
    TITLE_TEXT = ""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("app.back", "back", N_("Back"), N_("Back to the sale")),
    ]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Label(_(self.TITLE_TEXT) if self.TITLE_TEXT else "", classes="section-title")
        yield DataTable(id="rows", cursor_type="row", zebra_stripes=True)
        yield Static("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        self.show_note(_("Loading…"))
        self.load()

    def load(self) -> None:
        raise NotImplementedError

    @on(RowsLoaded)
    def _loaded(self, event: RowsLoaded) -> None:
        self.clear_message()
        self.fill(self.query_one("#rows", DataTable), event.rows)

    def fill(self, table: DataTable[Any], rows: list[Any]) -> None:
        raise NotImplementedError

    def action_back(self) -> None:
        self.dismiss(None)


class ReceiptsScreen(ListScreen, ScanTarget):
    """The terminal's latest receipts, newest first; Enter shows one as printed (reprint view), the
    reprint key prints a copy of the selected one (:func:`pos_tui.tui.printing.reprint_in_worker`)."""

    TITLE_TEXT = N_("Receipts")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("receipt.reprint", "reprint", N_("Reprint"), N_("Print a copy of the selected receipt")),
    ]

    def action_reprint(self) -> None:
        from pos_tui.tui.printing import reprint_in_worker

        rows = getattr(self, "rows", [])
        row = self.query_one("#rows", DataTable).cursor_row
        if not 0 <= row < len(rows):
            self.show_error(_("Select a receipt with ↑↓ first"))
            return
        reprint_in_worker(self, rows[row].uid)

    def load(self) -> None:

        terminal = self.session.terminal

        def run(_override: Override | None) -> list[Any]:
            return till.list_sales(terminal, limit=RECEIPT_LIMIT)

        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=RowsLoaded,
                target=self,
                description=_("Loading receipts"),
                group="list",
                overridable=False,
            )
        )

    def fill(self, table: DataTable[Any], rows: list[Any]) -> None:
        self.rows = rows
        lang, tz = self.language, self.session.settings.shop.timezone
        table.add_column(Text(_("No"), justify="right"), key="no")
        table.add_column(_("Time"), key="at")
        table.add_column(_("Type"), key="kind")
        table.add_column(_("Cashier"), key="cashier")
        table.add_column(Text(_("Total"), justify="right"), key="total")
        for s in rows:
            kind = _("return") if s.kind == "return" else _("sale")
            table.add_row(
                Text(str(s.receipt_no), justify="right"),
                local(s.at, tz).strftime("%d.%m %H:%M"),
                Text(kind, style="yellow" if s.kind == "return" else ""),
                s.cashier,
                Text(format_money(s.total, lang), justify="right"),
                key=str(s.sale_id),
            )
        if not rows:
            self.show_note(_("No receipts on this terminal yet"))

    @on(DataTable.RowSelected, "#rows")
    def _selected(self, event: DataTable.RowSelected) -> None:
        from pos_tui.tui.render import render_receipt

        sale_id = int(event.row_key.value or 0)
        self.viewing = next((s.uid for s in getattr(self, "rows", []) if s.sale_id == sale_id), None)
        settings = self.session.settings

        def run(_override: Override | None) -> Any:
            return render_receipt(till.sale_document(sale_id, settings.shop.timezone), settings)

        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=lambda body: ReportReady(_("Receipt"), body),
                target=self,
                description=_("Loading the receipt"),
                group="list",
                overridable=False,
            )
        )

    @on(ReportReady)
    def _show(self, event: ReportReady) -> None:
        from pos_tui.tui.printing import reprint_in_worker

        uid = getattr(self, "viewing", None)
        self.app.push_screen(
            ReceiptView(event.title, event.body, None if uid is None else lambda: reprint_in_worker(self, uid))
        )


class ReceiptView(ReportDialog):
    """One receipt of the list as printed; the reprint key closes it and prints a copy (the
    list's message line says where it went), or says at once that there is no printer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("receipt.reprint", "reprint", N_("Reprint"), N_("Print a copy of this receipt")),
    ]

    def __init__(self, title: str, body: Any, reprint: Callable[[], None] | None) -> None:
        super().__init__(title, body)
        self.reprint = reprint

    def hint(self) -> str:
        key = pos_app(self).key_label("receipt.reprint")
        return _("↑↓ scroll · Enter or Esc: close · {key}: print a copy").format(key=key)

    def action_reprint(self) -> None:
        from pos_tui.tui.printing import station_of

        if station_of(self.app).queue is None or self.reprint is None:
            self.show_error(_("No receipt printer is configured: nothing to reprint on"))
            return
        self.dismiss(None)
        self.reprint()


class UsersScreen(ListScreen):
    """Every user with role and state (admins only; users are managed with ``pos-admin users``)."""

    TITLE_TEXT = N_("Users")

    def load(self) -> None:

        def run(_override: Override | None) -> list[Any]:
            return staff.list_users()

        pos_app(self).call_core(
            CoreCall(
                run=run, reply=RowsLoaded, target=self, description=_("Loading users"), group="list", overridable=False
            )
        )

    def fill(self, table: DataTable[Any], rows: list[Any]) -> None:
        tz = self.session.settings.shop.timezone
        table.add_column(_("Name"), key="name")
        table.add_column(_("Role"), key="role")
        table.add_column(_("Active"), key="active")
        table.add_column(_("Since"), key="created")
        for u in rows:
            table.add_row(
                u.name,
                role_label(u.role),
                _("yes") if u.active else Text(_("no"), style="red"),
                local(u.created_at, tz).strftime("%d.%m.%Y"),
            )
        self.show_note(_("Add, disable or change PINs with pos-admin users"))
