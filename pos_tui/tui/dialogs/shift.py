"""Opening and closing the drawer: the float at the start, the counted cash at the end."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from textual import on
from textual.message import Message

from pos_tui.core import cash
from pos_tui.core.cash import ShiftInfo
from pos_tui.core.kernel import Actor
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.dialogs.prompts import AmountPrompt
from pos_tui.tui.messages import ShiftClosed, ShiftOpened


class _DrawerCashDialog(AmountPrompt[ShiftInfo]):
    """Ask for the cash in the drawer and hand it to one shift service on a worker thread;
    the subclass says which service, which reply message and what the status line shows."""

    reply: type[Message]

    def description(self) -> str:
        """What the status line says while the service runs."""
        raise NotImplementedError

    def shift_service(self, terminal: str, actor: Actor, amount: Decimal, now: datetime) -> ShiftInfo:
        """The core call, run on a worker thread."""
        raise NotImplementedError

    def accept(self, amount: Decimal) -> None:
        from pos_tui.tui.calls import CoreCall

        app = pos_app(self)
        session = app.session
        actor = session.require_actor()
        app.call_core(
            CoreCall(
                run=lambda _override: self.shift_service(session.terminal, actor, amount, session.now()),
                reply=self.reply,
                target=self,
                description=self.description(),
                group="shift",
                overridable=False,
            )
        )


class OpenShiftDialog(_DrawerCashDialog):
    """No shift is open on this terminal: ask for the float in the drawer and open one.

    Dismisses with the new shift; Esc dismisses with None (the app logs out again).
    """

    reply = ShiftOpened

    def description(self) -> str:
        return _("Opening the shift")

    def __init__(self, language: str = "en") -> None:
        super().__init__(
            _("Open a shift"),
            _("No shift is open on this terminal. Count the cash in the drawer (the float) and type it:"),
            Decimal("0"),
            allow_zero=True,
            language=language,
        )

    def hint(self) -> str:
        return _("Enter: open the shift · Esc: log out")

    def shift_service(self, terminal: str, actor: Actor, amount: Decimal, now: datetime) -> ShiftInfo:

        return cash.open_shift(terminal, actor, amount, now=now)

    @on(ShiftOpened)
    def _shift_opened(self, event: ShiftOpened) -> None:
        self.dismiss(event.shift)


class CloseShiftDialog(_DrawerCashDialog):
    """Close the shift with the cash counted in the drawer (a blind count: the expected amount
    is shown only afterwards, with the variance). Dismisses with the closed shift."""

    reply = ShiftClosed

    def description(self) -> str:
        return _("Closing the shift")

    def __init__(self, language: str = "en") -> None:
        super().__init__(
            _("Close the shift"),
            _("Count the cash in the drawer and type the total:"),
            allow_zero=True,
            language=language,
        )

    def hint(self) -> str:
        return _("Enter: close the shift · Esc: cancel")

    def shift_service(self, terminal: str, actor: Actor, amount: Decimal, now: datetime) -> ShiftInfo:
        # the settings: on a till of a centre, [sync] waiting_on_close = "block" is enforced by the core too
        return cash.close_shift(terminal, actor, amount, now=now, settings=pos_app(self).settings)

    @on(ShiftClosed)
    def _shift_closed(self, event: ShiftClosed) -> None:
        self.dismiss(event.result)
