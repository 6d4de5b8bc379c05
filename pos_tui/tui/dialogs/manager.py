"""The manager override: a supervisor types their PIN and a reason on the cashier's screen."""

from __future__ import annotations

from decimal import Decimal

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label

from pos_tui.core import staff
from pos_tui.core.kernel import Actor, Override, PermissionDenied
from pos_tui.i18n import _
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import N_
from pos_tui.tui.messages import OverrideGranted


class ManagerPinDialog(Dialog[Override]):
    """Shows why a supervisor is needed, takes their PIN (masked) and a reason.

    The PIN is checked in a thread worker (argon2id is deliberately slow); a wrong PIN or a
    supervisor without the permission shows on the error line and the dialog stays open.
    Dismisses with the :class:`Override` to repeat the action with.
    """

    TITLE_TEXT = N_("Supervisor approval")

    def __init__(self, error: PermissionDenied, discount_pct: Decimal | None = None) -> None:
        super().__init__()
        self.error = error
        self.discount_pct = discount_pct

    def compose_body(self) -> ComposeResult:
        yield Label(self.error.message, classes="dialog-prompt")
        yield Label(_("Supervisor PIN"), classes="dialog-label")
        yield Input(id="pin", password=True, restrict=r"\d*", max_length=12)
        yield Label(_("Reason"), classes="dialog-label")
        yield Input(id="reason")

    @on(Input.Submitted, "#pin")
    def _pin(self, event: Input.Submitted) -> None:
        if event.value:
            self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _submitted(self) -> None:
        pin = self.query_one("#pin", Input).value
        reason = self.query_one("#reason", Input).value.strip()
        if not pin:
            self.query_one("#pin", Input).focus()
            self.show_error(_("Type the supervisor's PIN"))
            return
        if not reason:
            self.show_error(_("A reason is needed"))
            return
        self.clear_error()
        from pos_tui.tui.base import pos_app
        from pos_tui.tui.calls import CoreCall

        app = pos_app(self)
        session = app.session
        permission, pct = self.error.permission, self.discount_pct
        actor = session.require_actor()

        def check(_override: Override | None) -> Actor:
            return staff.authorize_override(
                pin,
                permission,
                actor=actor,
                terminal=session.terminal,
                now=session.now(),
                settings=session.settings,
                discount_pct=pct,
            )

        app.call_core(
            CoreCall(
                run=check,
                reply=lambda supervisor: OverrideGranted(Override(supervisor, reason)),
                target=self,
                description=_("Checking the supervisor's PIN"),
                group="override",
                overridable=False,
            )
        )

    @on(OverrideGranted)
    def _granted(self, event: OverrideGranted) -> None:
        self.dismiss(event.override)

    def core_error(self, message: str) -> None:
        pin = self.query_one("#pin", Input)
        pin.value = ""
        pin.focus()
        super().core_error(message)
