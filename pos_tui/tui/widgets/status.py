"""The line at the top of the till: shop, terminal, cashier, shift, the e-invoices waiting and the time.

At 80 columns not everything fits: the cashier and the shift always show; what gives way, in this order,
is the date (the time stays), the cashier's role, the age of the waiting invoices, and last the shop's
name."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import Static

from pos_tui.core.kernel import local, role_label
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app


class StatusLine(Static):
    """Reads the session; refreshed every few seconds for the clock, on every change and on a resize."""

    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.refresh_status()
        self.set_interval(5, self.refresh_status)

    def on_resize(self, _event: events.Resize) -> None:
        self.refresh_status()

    def _width(self) -> int:
        width = self.content_size.width or (self.app.size.width - 2)
        return max(width, 20)

    def refresh_status(self) -> None:
        app = pos_app(self)
        session = app.session
        settings = session.settings
        now = local(session.now(), settings.shop.timezone)
        shop = settings.shop.name
        terminal = f"{_('Terminal')} {settings.terminal_id}"
        who = "" if session.actor is None else session.actor.name
        role = "" if session.actor is None else f" ({role_label(session.actor.role)})"
        shift = "" if session.shift is None else f"{_('Shift')} #{session.shift.id}"
        width = self._width()
        # the variants, richest first: (waiting, clock, role, shop)
        waiting_long, waiting_short = app.einvoice_status(), app.einvoice_status(short=True)
        day_time, time_only = now.strftime("%d.%m.%Y %H:%M"), now.strftime("%H:%M")
        variants = [
            (waiting_long, day_time, role, shop),
            (waiting_long, time_only, role, shop),
            (waiting_long, time_only, "", shop),
            (waiting_short, time_only, "", shop),
        ]
        chosen = variants[-1]
        for variant in variants:
            if cell_len(self._plain(variant, terminal, who, shift)) <= width:
                chosen = variant
                break
        waiting, clock, role_text, shop_text = chosen
        right = Text()
        if waiting:
            right.append(waiting, style="bold yellow")
            right.append("  ")
        right.append(clock)
        rest = Text()
        rest.append(f"  {terminal}")
        if who:
            rest.append(f"  {who}", style="bold")
            rest.append(role_text)
        if shift:
            rest.append(f"  {shift}")
        # last resort: the shop's name gives way (it is on every receipt), then the rest is cut at the end
        room = width - rest.cell_len - right.cell_len - 1
        line = Text()
        if room >= 4:
            name = Text(shop_text, style="bold")
            name.truncate(room, overflow="ellipsis")
            line.append_text(name)
            line.append_text(rest)
        else:
            line.append_text(self._lstrip(rest))
        line.truncate(max(width - right.cell_len - 1, 1), overflow="ellipsis")
        gap = max(width - line.cell_len - right.cell_len, 1)
        line.append(" " * gap)
        line.append_text(right)
        self.update(line)

    @staticmethod
    def _lstrip(text: Text) -> Text:
        plain = text.plain
        cut = len(plain) - len(plain.lstrip())
        return text[cut:]

    @staticmethod
    def _plain(variant: tuple[str, str, str, str], terminal: str, who: str, shift: str) -> str:
        waiting, clock, role, shop = variant
        left = f"{shop}  {terminal}" + (f"  {who}{role}" if who else "") + (f"  {shift}" if shift else "")
        right = (f"{waiting}  " if waiting else "") + clock
        return f"{left} {right}"
