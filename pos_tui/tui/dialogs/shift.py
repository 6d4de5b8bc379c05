"""Opening and closing the drawer: the float at the start, the counted cash at the end."""

from __future__ import annotations

from decimal import Decimal

from textual import on

from pos_tui.core.actors import Override
from pos_tui.core.shifts import ShiftInfo
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.dialogs.prompts import AmountPrompt
from pos_tui.tui.messages import ShiftClosed, ShiftOpened


class OpenShiftDialog(AmountPrompt[ShiftInfo]):
    """No shift is open on this terminal: ask for the float in the drawer and open one.

    Dismisses with the new shift; Esc dismisses with None (the app logs out again).
    """

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

    def accept(self, amount: Decimal) -> None:
        from pos_tui.core import shifts
        from pos_tui.tui.app import CoreCall

        app = pos_app(self)
        session = app.session
        actor = session.require_actor()

        def run(_override: Override | None) -> ShiftInfo:
            return shifts.open_shift(session.terminal, actor, amount, now=session.now())

        app.call_core(
            CoreCall(
                run=run,
                reply=ShiftOpened,
                target=self,
                description=_("Opening the shift"),
                group="shift",
                overridable=False,
            )
        )

    @on(ShiftOpened)
    def _shift_opened(self, event: ShiftOpened) -> None:
        self.dismiss(event.shift)


class CloseShiftDialog(AmountPrompt[ShiftInfo]):
    """Close the shift with the cash counted in the drawer (a blind count: the expected amount
    is shown only afterwards, with the variance). Dismisses with the closed shift."""

    def __init__(self, language: str = "en") -> None:
        super().__init__(
            _("Close the shift"),
            _("Count the cash in the drawer and type the total:"),
            allow_zero=True,
            language=language,
        )

    def hint(self) -> str:
        return _("Enter: close the shift · Esc: cancel")

    def accept(self, amount: Decimal) -> None:
        from pos_tui.core import shifts
        from pos_tui.tui.app import CoreCall

        app = pos_app(self)
        session = app.session
        actor = session.require_actor()

        def run(_override: Override | None) -> ShiftInfo:
            return shifts.close_shift(session.terminal, actor, amount, now=session.now())

        app.call_core(
            CoreCall(
                run=run,
                reply=ShiftClosed,
                target=self,
                description=_("Closing the shift"),
                group="shift",
                overridable=False,
            )
        )

    @on(ShiftClosed)
    def _shift_closed(self, event: ShiftClosed) -> None:
        self.dismiss(event.result)
