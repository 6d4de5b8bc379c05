"""Read-only dialogs: a message, a report or receipt, and the card payment confirmation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, Label, Static

from pos_tui.core.kernel import format_money
from pos_tui.i18n import _
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import N_, bind


class ReportDialog(Dialog[None]):
    """A report, receipt or message (any Rich renderable), scrollable; Enter or Esc closes."""

    SCROLLS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("dialog.ok", "cancel", N_("Close"), N_("Close this view"), show=False),
    ]

    def __init__(self, title: str, body: Any, *, wide: bool = False) -> None:
        super().__init__(title)
        self.body = body
        if wide:
            self.add_class("wide")

    def compose_body(self) -> ComposeResult:
        yield Static(self.body, id="report")

    def on_mount(self) -> None:
        self.query_one(".dialog-body").focus()

    def hint(self) -> str:
        return _("↑↓ scroll · Enter or Esc: close")


class ConfirmDialog(Dialog[bool]):
    """A yes/no question: Enter confirms, Esc says no. With ``default_no`` (a question whose
    "yes" cannot be undone, e.g. zeroing stock) Enter says no too and only F10 confirms, so an
    Enter pressed out of habit changes nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("dialog.ok", "enter", N_("Yes"), N_("Confirm"), show=False),
        bind("dialog.yes", "confirm", N_("Yes"), N_("Confirm"), show=False),
    ]

    def __init__(self, title: str, question: str, *, default_no: bool = False) -> None:
        super().__init__(title)
        self.question = question
        self.default_no = default_no

    def compose_body(self) -> ComposeResult:
        yield Label(self.question, classes="dialog-prompt", id="question")

    def hint(self) -> str:
        if self.default_no:
            return _("F10: yes · Enter or Esc: no")
        return _("Enter: yes · Esc: no")

    def action_enter(self) -> None:
        self.dismiss(not self.default_no)

    def action_confirm(self) -> None:
        self.dismiss(True)


class CardDialog(Dialog[str]):
    """Card payment of ``amount``: the card terminal's approval reference is optional (never a
    card number). Dismisses with the reference ("" when none was typed)."""

    def __init__(self, amount: Decimal, language: str = "en") -> None:
        super().__init__(_("Card payment"))
        self.amount = amount
        self.language = language

    def compose_body(self) -> ComposeResult:
        yield Label(
            _("Charge {amount} on the card terminal, then press Enter.").format(
                amount=format_money(self.amount, self.language)
            ),
            classes="dialog-prompt",
        )
        yield Label(_("Terminal reference (optional)"), classes="dialog-label")
        yield Input(id="reference", max_length=64, restrict=r"[0-9A-Za-z\-/]*")

    @on(Input.Submitted, "#reference")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())
