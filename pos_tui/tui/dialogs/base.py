"""What every dialog shares: a titled frame, an error line with a bell, Esc to cancel."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from pos_tui.i18n import _
from pos_tui.tui.keymap import N_, bind, localize_bindings
from pos_tui.tui.messages import CoreFailed

T = TypeVar("T")


class Dialog(ModalScreen[T]):
    """A centred frame with a title, the dialog's own body and a red error line.

    Subclasses implement :meth:`compose_body`. Esc dismisses with None; errors from core
    calls started for the dialog (``CoreFailed``) appear on its error line.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("app.back", "cancel", N_("Back"), N_("Close this dialog without changes"))
    ]

    TITLE_TEXT = ""

    def __init__(self, title: str | None = None) -> None:
        super().__init__()
        # (never _(""): gettext answers the empty msgid with the catalog's header)
        self.title_text = title if title is not None else _(self.TITLE_TEXT) if self.TITLE_TEXT else ""
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield from self.compose_body()
            yield Static("", classes="error-line")
            yield Static(self.hint(), classes="dialog-hint")

    def compose_body(self) -> ComposeResult:
        yield from ()

    def hint(self) -> str:
        return _("Enter: OK · Esc: cancel")

    def show_error(self, message: str) -> None:
        """Show ``message`` in red under the fields and ring the bell."""
        self.query_one(".error-line", Static).update(message)
        self.app.bell()

    def clear_error(self) -> None:
        self.query_one(".error-line", Static).update("")

    @on(CoreFailed)
    def _core_failed(self, event: CoreFailed) -> None:
        self.core_error(event.error.message)

    def core_error(self, message: str) -> None:
        """A core call made for this dialog failed; subclasses may reset fields first."""
        self.show_error(message)

    def action_cancel(self) -> None:
        self.dismiss(None)
