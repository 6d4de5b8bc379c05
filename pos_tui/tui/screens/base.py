"""What the till's full screens share: translated bindings, a message line with a bell."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual import on
from textual.screen import Screen
from textual.widgets import Label, Static

from pos_tui.core.kernel import MILLI, PosError, format_quantity
from pos_tui.tui.base import pos_app
from pos_tui.tui.keymap import localize_bindings
from pos_tui.tui.messages import CoreFailed, ItemScanned
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
        """``message`` in red with a bell; plain text (a ``[sync]`` in it is shown, not taken as markup)."""
        line = self.query_one("#message", Static)
        line.set_class(True, "error").set_class(False, "note")
        line.update(escape(message))
        self.app.bell()

    def show_note(self, message: str) -> None:
        line = self.query_one("#message", Static)
        line.set_class(False, "error").set_class(True, "note")
        line.update(escape(message))

    def clear_message(self) -> None:
        line = self.query_one("#message", Static)
        if line.content:
            line.update("")

    def scan_entry(self, event: ItemScanned) -> bool:
        """The part of a scan every scanning screen (sale, receiving, counting) shares, on its
        ``#multiplier`` label: an error is shown, a bare ``5*`` is kept and shown as ``5 ×``.
        True when ``event`` carries a code for the screen to act on (the label is cleared)."""
        multiplier = self.query_one("#multiplier", Label)
        if event.error:
            multiplier.update("")
            self.show_error(event.error)
            return False
        if not event.code:
            qty = event.qty_milli or 0
            unit = "kg" if qty % MILLI else "piece"
            multiplier.update(f"{format_quantity(qty, unit, language=self.language)} ×")
            self.clear_message()
            return False
        if multiplier.content:
            multiplier.update("")
        return True

    def failed(self, error: PosError) -> None:
        """Where a core error lands: the message line (subclasses may also reset state), in the
        cashier's words (:attr:`~pos_tui.core.kernel.PosError.for_till`)."""
        self.show_error(error.for_till)

    @on(CoreFailed)
    def _core_failed(self, event: CoreFailed) -> None:
        self.failed(event.error)
