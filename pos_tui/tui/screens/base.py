"""What the till's full screens share: translated bindings, a message line with a bell."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.screen import Screen
from textual.widgets import Static

from pos_tui.core.kernel import PosError
from pos_tui.tui.base import pos_app
from pos_tui.tui.keymap import localize_bindings
from pos_tui.tui.messages import CoreFailed
from pos_tui.tui.session import Session


class PosScreen(Screen[Any]):
    """A screen with a ``#message`` line: errors in red with a bell, notes in the normal colour."""

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    @property
    def session(self) -> Session:
        return pos_app(self).session

    @property
    def language(self) -> str:
        return self.session.language

    def show_error(self, message: str) -> None:
        line = self.query_one("#message", Static)
        line.set_class(True, "error").set_class(False, "note")
        line.update(message)
        self.app.bell()

    def show_note(self, message: str) -> None:
        line = self.query_one("#message", Static)
        line.set_class(False, "error").set_class(True, "note")
        line.update(message)

    def clear_message(self) -> None:
        line = self.query_one("#message", Static)
        if line.content:
            line.update("")

    def failed(self, error: PosError) -> None:
        """Where a core error lands: the message line (subclasses may also reset state)."""
        self.show_error(error.message)

    @on(CoreFailed)
    def _core_failed(self, event: CoreFailed) -> None:
        self.failed(event.error)
