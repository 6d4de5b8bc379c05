"""The line at the top of the till: shop, terminal, cashier, shift, the centre (on a till that joined
one), the e-invoices waiting and the time.

At 80 columns not everything fits: the cashier and the shift always show; what gives way, in this order,
is the date (the time stays), the cashier's role, the age of the waiting invoices, the shop's name (cut
short, then left out), the age of the documents waiting for the centre (``Offline: 12 docs, 8 min`` →
``Offline: 12``) and last the words around them (``⇅ 12``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import Static

from pos_tui.core.kernel import format_decimal, local, role_label
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app

SYNC_FRESH = timedelta(minutes=2)  # online, documents younger than this are "on their way", not news


def sync_text(state: Any, now: datetime, *, size: int = 0) -> tuple[str, str]:
    """What the status line says of the centre, and its style: ``("Centre: online", "")``, ``("Offline: 12
    docs, 8 min", "bold yellow")``; ("", "") on a till that joined no centre (``state`` None). ``size``
    0 is the full text, 1 without the age, 2 the shortest."""
    if state is None:
        return "", ""
    from pos_tui.core import sync

    waiting = state.waiting
    n = format_decimal(waiting)
    age = sync.age_text(now - state.oldest_at) if waiting and state.oldest_at is not None else ""
    if state.online is False:
        if not waiting:
            return (_("Offline") if size < 2 else "⇅ ✗"), "bold yellow"
        if size == 0:
            return _("Offline: {n} docs, {age}").format(n=n, age=age), "bold yellow"
        if size == 1:
            return _("Offline: {n}").format(n=n), "bold yellow"
        return f"⇅ {n}", "bold yellow"
    if state.last_error:
        return (_("Centre: error") if size < 2 else "⇅ !"), "bold red"
    stale = waiting and state.oldest_at is not None and now - state.oldest_at >= SYNC_FRESH
    if stale:  # online, yet documents wait: the pass has not caught up (or keeps failing quietly)
        if size == 0:
            return _("Centre: {n} waiting, {age}").format(n=n, age=age), "bold yellow"
        return (_("Centre: {n}").format(n=n) if size == 1 else f"⇅ {n}"), "bold yellow"
    if state.online is None:
        return (_("Centre: connecting") if size < 2 else "⇅ …"), ""
    return (_("Centre: online") if size < 2 else "⇅"), ""


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
        sync_state = app.sync_state()
        syncs = [sync_text(sync_state, session.now(), size=size) for size in (0, 1, 2)]
        # the variants, richest first: (centre, waiting, clock, role, shop)
        waiting_long, waiting_short = app.einvoice_status(), app.einvoice_status(short=True)
        day_time, time_only = now.strftime("%d.%m.%Y %H:%M"), now.strftime("%H:%M")
        variants = [
            (syncs[0], waiting_long, day_time, role, shop),
            (syncs[0], waiting_long, time_only, role, shop),
            (syncs[0], waiting_long, time_only, "", shop),
            (syncs[0], waiting_short, time_only, "", shop),
            (syncs[0], waiting_short, time_only, "", ""),  # the shop's name cut before what waits for the centre
            (syncs[1], waiting_short, time_only, "", ""),
            (syncs[2], waiting_short, time_only, "", ""),
        ]
        chosen = variants[-1]
        for variant in variants:
            if cell_len(self._plain(variant, terminal, who, shift)) <= width:
                chosen = variant
                break
        (centre, centre_style), waiting, clock, role_text, _shop = chosen
        shop_text = shop  # whatever room is left (below): cut with an ellipsis, or left out
        right = Text()
        if centre:
            right.append(centre, style=centre_style)
            right.append("  ")
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
    def _plain(variant: tuple[tuple[str, str], str, str, str, str], terminal: str, who: str, shift: str) -> str:
        (centre, _style), waiting, clock, role, shop = variant
        left = f"{shop}  {terminal}" + (f"  {who}{role}" if who else "") + (f"  {shift}" if shift else "")
        right = (f"{centre}  " if centre else "") + (f"{waiting}  " if waiting else "") + clock
        return f"{left} {right}"
