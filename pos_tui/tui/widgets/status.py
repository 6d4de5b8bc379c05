"""The line at the top of the till: shop, terminal, cashier, shift, the e-invoices waiting and the time."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from pos_tui.core.kernel import local, role_label
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app


class StatusLine(Static):
    """Reads the session; refreshed every few seconds for the clock and on every change."""

    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.refresh_status()
        self.set_interval(5, self.refresh_status)

    def refresh_status(self) -> None:
        session = pos_app(self).session
        settings = session.settings
        left = Text()
        left.append(settings.shop.name, style="bold")
        left.append(f"  {_('Terminal')} {settings.terminal_id}")
        if session.actor is not None:
            left.append(f"  {session.actor.name}", style="bold")
            left.append(f" ({role_label(session.actor.role)})")
        shift_id = None if session.shift is None else session.shift.id
        if shift_id is not None:
            left.append(f"  {_('Shift')} #{shift_id}")
        now = local(session.now(), settings.shop.timezone)
        grid = Table.grid(expand=True)
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        right = Text()
        waiting = pos_app(self).einvoice_status()  # "e-Fatura: 3 bekliyor (en eskisi 12 dk)", or ""
        if waiting:
            right.append(waiting, style="bold yellow")
            right.append("  ")
        right.append(now.strftime("%d.%m.%Y %H:%M"))
        grid.add_row(left, right)
        self.update(grid)
