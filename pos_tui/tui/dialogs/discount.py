"""A line or cart discount, as a percentage (``10%``) or an amount (``5,00``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, Label, RadioButton, RadioSet

from pos_tui.core.kernel import ValidationError, parse_decimal
from pos_tui.i18n import _
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import N_, bind


@dataclass(frozen=True, slots=True)
class DiscountRequest:
    """``scope`` is ``line`` or ``cart``; ``kind`` ``percent`` or ``amount``; a ``value`` of 0
    removes the discount."""

    scope: str
    kind: str
    value: Decimal


class DiscountDialog(Dialog[DiscountRequest]):
    """Up/Down switch between the selected line and the whole cart; the value ends in ``%``
    for a percentage, otherwise it is an amount; 0 removes the discount."""

    TITLE_TEXT = N_("Discount")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("dialog.line", "scope('line')", N_("Line"), N_("Discount the selected line"), show=False),
        bind("dialog.cart", "scope('cart')", N_("Cart"), N_("Discount the whole cart"), show=False),
    ]

    def __init__(self, line_label: str | None, cart_label: str) -> None:
        super().__init__()
        self.line_label = line_label
        self.cart_label = cart_label

    def compose_body(self) -> ComposeResult:
        with RadioSet(id="scope"):
            yield RadioButton(
                self.line_label or _("No line selected"),
                value=self.line_label is not None,
                disabled=self.line_label is None,
                id="scope-line",
            )
            yield RadioButton(self.cart_label, value=self.line_label is None, id="scope-cart")
        yield Label(_("Discount: a percentage (10%), an amount (5,00), or 0 to remove"), classes="dialog-prompt")
        yield Input(id="value")

    def on_mount(self) -> None:
        self.query_one(RadioSet).can_focus = False
        self.query_one("#value", Input).focus()

    def hint(self) -> str:
        return _("↑↓: line or cart · Enter: OK · Esc: cancel")

    @property
    def scope(self) -> str:
        return "line" if self.query_one("#scope-line", RadioButton).value else "cart"

    def action_scope(self, scope: str) -> None:
        if scope == "line" and self.line_label is None:
            return
        self.query_one(f"#scope-{scope}", RadioButton).value = True

    @on(Input.Submitted, "#value")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        kind = "percent" if text.endswith("%") or text.startswith("%") else "amount"
        try:
            value = parse_decimal(text.strip("% "), 2, _("discount"))
        except ValidationError as exc:
            self.show_error(exc.message)
            return
        if value < 0 or (kind == "percent" and value > 100):
            self.show_error(_("A percentage is between 0 and 100"))
            return
        self.dismiss(DiscountRequest(self.scope, kind, value))
