"""The F12 menu's stock adjustment and transfer entries (called by
:mod:`~pos_tui.tui.screens.menu_stock` with the screen they were chosen on).

- :func:`adjust`: the adjustment dialog (:mod:`~pos_tui.tui.dialogs.stock_moves_adjust`); once
  written, the screen's message line says what moved and the stock there now.
- :func:`transfer`: send goods (pick where from, where to, then scan the lines) or receive an
  open transfer (pick it from the list, confirm or correct what arrived), in
  :mod:`~pos_tui.tui.dialogs.stock_moves_transfer`.

Every entry is open to everyone; the permission (``stock_adjust``) is core's, checked when the
document is posted, where a user without it gets the supervisor-PIN prompt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pos_tui.core.kernel import PosError
from pos_tui.i18n import _
from pos_tui.tui.dialogs.prompts import ChoiceDialog

if TYPE_CHECKING:
    from pos_tui.tui.screens.base import PosScreen


def adjust(screen: PosScreen) -> None:
    """Open the adjustment dialog over ``screen``."""
    from pos_tui.tui.dialogs.stock_moves_adjust import StockAdjustDialog, done_message

    def closed(adjustment: Any) -> None:
        if adjustment is not None:
            screen.show_note(done_message(adjustment, screen.language))

    screen.app.push_screen(StockAdjustDialog(screen.language), closed)


def transfer(screen: PosScreen) -> None:
    """Send goods to another location, or receive a transfer."""

    def chosen(key: str | None) -> None:
        if key == "send":
            _send(screen)
        elif key == "receive":
            _receive(screen)

    screen.app.push_screen(
        ChoiceDialog(
            _("Transfer between locations"),
            [("send", _("Send goods to another location")), ("receive", _("Receive a transfer"))],
        ),
        chosen,
    )


def _locations(screen: PosScreen) -> list[tuple[str, str]] | None:
    """The locations goods can be sent between, the terminal's own first (a quick read)."""
    from pos_tui.core.stock import moves, terminal_location

    try:
        found = [loc for loc in moves.list_locations() if loc.active and not moves.is_transit(loc.code)]
        here = terminal_location(screen.session.terminal)
    except PosError as exc:
        screen.show_error(exc.message)
        return None
    found.sort(key=lambda loc: (loc.id != here, loc.code))
    return [(loc.code, f"{loc.code}  {loc.name}") for loc in found]


def _send(screen: PosScreen) -> None:
    from pos_tui.tui.dialogs.stock_moves_transfer import TransferSendDialog

    places = _locations(screen)
    if places is None:
        return
    if len(places) < 2:
        screen.show_error(_("There is only one stock location; add another with: pos-admin stock locations add"))
        return

    def sent(done: Any) -> None:
        if done is not None:
            screen.show_note(
                _("Transfer {number} sent from {source} to {destination}: {n} line(s) on the way").format(
                    number=done.number, source=done.source, destination=done.destination, n=len(done.lines)
                )
            )

    def source_chosen(source: str | None) -> None:
        if source is None:
            return

        def destination_chosen(destination: str | None) -> None:
            if destination is not None:
                screen.app.push_screen(TransferSendDialog(source, destination, screen.language), sent)

        others = [(code, label) for code, label in places if code != source]
        screen.app.push_screen(ChoiceDialog(_("Send goods to"), others), destination_chosen)

    screen.app.push_screen(ChoiceDialog(_("Send goods from"), places), source_chosen)


def _receive(screen: PosScreen) -> None:
    from pos_tui.core.kernel import local
    from pos_tui.core.stock import moves
    from pos_tui.tui.dialogs.stock_moves_transfer import TransferReceiveDialog

    try:
        waiting = moves.list_transfers(open_only=True)
    except PosError as exc:
        screen.show_error(exc.message)
        return
    if not waiting:
        screen.show_note(_("No transfer is on the way"))
        return
    tz, lang = screen.session.tz, screen.language
    by_number = {str(t.number): t for t in waiting}

    def received(done: Any) -> None:
        if done is None:
            return
        short = sum(1 for ln in done.lines if (ln.difference or 0) < 0)
        over = sum(1 for ln in done.lines if (ln.difference or 0) > 0)
        screen.show_note(
            _("Transfer {number} received at {destination}: {short} line(s) short, {over} over").format(
                number=done.number, destination=done.destination, short=short, over=over
            )
        )

    def chosen(number: str | None) -> None:
        if number is not None:
            screen.app.push_screen(TransferReceiveDialog(by_number[number], lang), received)

    choices = [
        (
            str(t.number),
            _("No. {number}  {source} → {destination}  {lines} line(s)  {at}").format(
                number=t.number,
                source=t.source,
                destination=t.destination,
                lines=len(t.lines),
                at=local(t.sent_at, tz).strftime("%d.%m.%Y %H:%M"),
            ),
        )
        for t in waiting
    ]
    screen.app.push_screen(ChoiceDialog(_("Receive a transfer"), choices), chosen)
