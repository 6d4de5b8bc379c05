"""PIN login: the first thing on the till and where a logout returns to."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from pos_tui.core import cash, staff
from pos_tui.core.kernel import Actor, Override, PosError
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.keymap import N_, bind
from pos_tui.tui.messages import LoggedIn
from pos_tui.tui.screens.base import PosScreen
from pos_tui.tui.widgets.keybar import KeyBar


class LoginScreen(PosScreen):
    """Asks for a PIN (masked). A wrong PIN says how many tries are left; a locked terminal
    says until when. On success the app opens the shift prompt or the sale screen."""

    AUTO_FOCUS = "#pin"

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("app.back", "clear", N_("Clear"), N_("Clear the PIN"), show=False),
        # Same id as the app's "Log out": with nobody logged in the key quits the program.
        bind("app.logout", "app.quit", N_("Quit"), N_("Close the program")),
    ]

    def compose(self) -> ComposeResult:
        app = pos_app(self)
        settings = app.session.settings
        with Vertical(id="login-box"):
            yield Label(settings.shop.name, id="login-shop")
            yield Label(_("Terminal {terminal}").format(terminal=settings.terminal_id), id="login-terminal")
            yield Label(_("Enter your PIN and press Enter"), id="login-prompt")
            yield Input(id="pin", password=True, restrict=r"\d*", max_length=8, placeholder=_("PIN"))
            yield Static("", id="message")
            if app.demo:
                yield Label(
                    _("Demo PINs: ayse (cashier) 1111 · mehmet (supervisor) 2222 · admin 9999"),
                    id="login-demo",
                )
        yield KeyBar()

    def reset(self) -> None:
        """Clear the PIN and any message (after a logout)."""
        self.query_one("#pin", Input).value = ""
        self.clear_message()

    def action_clear(self) -> None:
        self.reset()

    @on(Input.Submitted, "#pin")
    def _submitted(self, event: Input.Submitted) -> None:
        pin = event.value
        if not pin:
            return
        from pos_tui.tui.calls import CoreCall

        app = pos_app(self)
        session = app.session

        def login(_override: Override | None) -> tuple[Actor, Any]:
            from pos_tui.store.db import writes_before_check

            # The attempt rows do not wait for the start-up check of the file (1-2 s on a large
            # shop): the cashier logs in and scans while it runs; a shift or a sale waits for it.
            with writes_before_check():
                actor = staff.login(pin, terminal=session.terminal, now=session.now(), settings=session.settings)
            return actor, cash.current_shift(session.terminal)

        self.show_note(_("Checking…"))
        app.checking_pin(True)
        app.call_core(
            CoreCall(
                run=login,
                reply=lambda result: LoggedIn(*result),
                target=self,
                description=_("PIN login"),
                group="login",
                overridable=False,
            )
        )

    def failed(self, error: PosError) -> None:
        pos_app(self).checking_pin(False)
        pin = self.query_one("#pin", Input)
        pin.value = ""
        pin.focus()
        super().failed(error)

    @on(LoggedIn)
    def _logged_in(self, event: LoggedIn) -> None:
        self.reset()
        pos_app(self).start_session(event.actor, event.shift)
