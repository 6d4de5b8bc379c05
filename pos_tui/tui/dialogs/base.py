"""What every dialog shares: a titled frame, an error line with a bell, Esc to cancel.

Every dialog fits the smallest till screen (80×24): the body scrolls when it is taller than
the room left, while the title, the error line and the key hint stay outside the scrolling part,
so an error is always on screen where the cashier looks.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
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
    SCROLLS: ClassVar[bool] = False
    """True for a read-only body (a report, a receipt): the body can take the focus and scroll."""

    def __init__(self, title: str | None = None) -> None:
        super().__init__()
        # (never _(""): gettext answers the empty msgid with the catalog's header)
        self.title_text = title if title is not None else _(self.TITLE_TEXT) if self.TITLE_TEXT else ""
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            body = VerticalScroll(classes="dialog-body")
            body.can_focus = self.SCROLLS  # else Tab goes from field to field, not to the frame
            with body:
                yield from self.compose_body()
            yield from self.compose_pinned()
            yield Static("", classes="error-line")
            yield Static(self.hint(), classes="dialog-hint")

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_body)

    def fit_body(self) -> None:
        """Give the body what the screen has left after the frame, title, error line and hint
        (it scrolls beyond that), so those never fall off a small screen."""
        if not self.is_attached:
            return
        frame = self.query_one(".dialog", Vertical)
        body = self.query_one(".dialog-body", VerticalScroll)
        outside = sum(
            w.outer_size.height + w.styles.margin.top + w.styles.margin.bottom
            for w in frame.children
            if w is not body and w.display
        )
        room = self.size.height - frame.styles.gutter.height - outside
        if body.styles.max_height is None or body.styles.max_height.value != max(room, 3):
            body.styles.max_height = max(room, 3)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def compose_pinned(self) -> ComposeResult:
        """Widgets under the body that must stay on screen (they do not scroll with it)."""
        yield from ()

    def hint(self) -> str:
        return _("Enter: OK · Esc: cancel")

    def show_error(self, message: str) -> None:
        """Show ``message`` in red under the fields and ring the bell; plain text (a ``[sync]`` in
        it is shown, not taken as markup)."""
        self.query_one(".error-line", Static).update(escape(message))
        self.call_after_refresh(self.fit_body)  # a message of two lines takes a line from the body
        self.app.bell()

    def clear_error(self) -> None:
        self.query_one(".error-line", Static).update("")
        self.call_after_refresh(self.fit_body)

    @on(CoreFailed)
    def _core_failed(self, event: CoreFailed) -> None:
        self.core_error(event.error.for_till)

    def core_error(self, message: str) -> None:
        """A core call made for this dialog failed; subclasses may reset fields first."""
        self.show_error(message)

    def action_cancel(self) -> None:
        self.dismiss(None)
