"""Small prompts: an amount, a reason, a quantity, an amount with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.widgets import Input, Label, OptionList

from pos_tui.core.kernel import ValidationError, format_decimal, format_money, parse_quantity, parse_typed_money
from pos_tui.i18n import _
from pos_tui.tui.dialogs.base import Dialog

T = TypeVar("T")

# Nobody hands over or counts a million lira at a till by hand: a larger typed amount is a
# slip (or a barcode scanned into the wrong field) and is refused instead of posted.
MAX_TYPED_AMOUNT = Decimal("1000000.00")
# A scanner types 8 or more digits with no separator; no cashier types an amount like that.
BARCODE_LIKE_DIGITS = 8


def check_amount(text: str, language: str, *, most: Decimal | None = None, most_reason: str = "") -> Decimal:
    """A typed amount above zero and below what a till handles (and ``most``), or ValidationError."""
    if not text.strip():
        raise ValidationError(_("Type an amount"))
    amount = parse_typed_money(text, _("amount"))
    if amount <= 0:
        raise ValidationError(_("Type an amount above zero"))
    if amount > MAX_TYPED_AMOUNT:
        raise ValidationError(
            _("{amount} is more than a till handles (at most {limit})").format(
                amount=format_money(amount, language), limit=format_money(MAX_TYPED_AMOUNT, language)
            )
        )
    if most is not None and amount > most:
        raise ValidationError(most_reason)
    return amount


def typed_amount(
    dialog: Dialog[Any], field: Input, language: str, *, most: Decimal | None = None, most_reason: str = ""
) -> Decimal | None:
    """:func:`check_amount` of what ``field`` holds; a refusal goes back to the field and shows on
    ``dialog``'s error line (None)."""
    try:
        return check_amount(field.value, language, most=most, most_reason=most_reason)
    except ValidationError as exc:
        field.focus()
        dialog.show_error(exc.message)
        return None


class AmountPrompt(Dialog[T]):
    """Ask for an amount of money; ``initial`` is pre-filled and selected, Enter accepts.

    ``minimum`` rejects smaller amounts with a message (e.g. cash below what is due);
    ``allow_zero`` lets an opening float of 0 through. What a valid amount does is the
    subclass's :meth:`accept`.
    """

    def __init__(
        self,
        title: str,
        prompt: str,
        initial: Decimal | None = None,
        *,
        minimum: Decimal | None = None,
        allow_zero: bool = False,
        language: str = "en",
    ) -> None:
        super().__init__(title)
        self.prompt = prompt
        self.initial = initial
        self.minimum = minimum
        self.allow_zero = allow_zero
        self.language = language

    def compose_body(self) -> ComposeResult:
        yield Label(self.prompt, classes="dialog-prompt")
        value = "" if self.initial is None else plain_amount(self.initial, self.language)
        yield Input(value=value, id="amount", select_on_focus=True)

    @on(Input.Submitted, "#amount")
    def _submitted(self, event: Input.Submitted) -> None:
        typed = event.value.strip()
        if not typed:
            self.show_error(_("Type an amount"))
            return
        if typed.isdigit() and len(typed) >= BARCODE_LIKE_DIGITS:
            self.show_error(_("{text} looks like a barcode, not an amount").format(text=typed))
            event.input.value = ""
            return
        try:
            amount = parse_typed_money(event.value, _("amount"))
        except ValidationError as exc:
            self.show_error(exc.message)
            return
        if amount < 0 or (amount == 0 and not self.allow_zero):
            self.show_error(_("Type an amount above zero"))
            return
        if self.minimum is not None and amount < self.minimum:
            self.show_error(_("At least {amount} is needed").format(amount=format_money(self.minimum, self.language)))
            return
        if amount > MAX_TYPED_AMOUNT:
            limit = format_money(MAX_TYPED_AMOUNT, self.language)
            self.show_error(
                _("{amount} is more than a till handles (at most {limit})").format(
                    amount=format_money(amount, self.language), limit=limit
                )
            )
            event.input.value = ""
            return
        self.accept(amount)

    def accept(self, amount: Decimal) -> None:
        """A valid amount was typed."""
        raise NotImplementedError


class AmountDialog(AmountPrompt[Decimal]):
    """An amount prompt that dismisses with the amount."""

    def accept(self, amount: Decimal) -> None:
        self.dismiss(amount)


def plain_amount(amount: Decimal, language: str) -> str:
    """An amount as the cashier would type it (no thousands separator): ``125,50``."""
    return format_decimal(amount, places=2, grouping=False, language=language)


class ReasonDialog(Dialog[str]):
    """Ask why (a void, a paid-out, a price change). Digits 1–9 pick a common reason."""

    def __init__(self, title: str, prompt: str, presets: Sequence[str] = ()) -> None:
        super().__init__(title)
        self.prompt = prompt
        self.presets = list(presets)

    def compose_body(self) -> ComposeResult:
        yield Label(self.prompt, classes="dialog-prompt")
        if self.presets:
            yield Label("  ".join(f"{i}) {p}" for i, p in enumerate(self.presets, 1)), classes="dialog-presets")
        yield Input(id="reason", placeholder=_("Reason"))

    def hint(self) -> str:
        if self.presets:
            return _("A number picks a reason · Enter: OK · Esc: cancel")
        return super().hint()

    @on(Input.Submitted, "#reason")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if self.presets and text.isdigit():
            if not 1 <= int(text) <= len(self.presets):
                # A number picks a listed reason; any other number is a slip, never the reason itself.
                self.show_error(
                    _("There is no reason {number}: pick 1 to {last}, or type the reason").format(
                        number=text, last=len(self.presets)
                    )
                )
                event.input.value = ""
                return
            text = self.presets[int(text) - 1]
        if not text:
            self.show_error(_("A reason is needed"))
            return
        self.dismiss(text)


class QuantityDialog(Dialog[int]):
    """Ask for a quantity (``3``, ``1,5``) and return it in milli-units. ``pieces``: the name of
    a product counted in pieces, so a fractional quantity is refused here, with the error."""

    def __init__(self, title: str, prompt: str, initial: str = "", *, pieces: str | None = None) -> None:
        super().__init__(title)
        self.prompt = prompt
        self.initial = initial
        self.pieces = pieces

    def compose_body(self) -> ComposeResult:
        yield Label(self.prompt, classes="dialog-prompt")
        yield Input(value=self.initial, id="quantity", select_on_focus=True)

    @on(Input.Submitted, "#quantity")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            qty = parse_quantity(event.value, _("quantity"))
        except ValidationError as exc:
            self.show_error(exc.message)
            return
        if qty <= 0:
            self.show_error(_("Type a quantity above zero"))
            return
        if self.pieces is not None and qty % 1000:
            self.show_error(_("{name} is counted in pieces: type a whole quantity").format(name=self.pieces))
            return
        self.dismiss(qty)


@dataclass(frozen=True, slots=True)
class CashMovementRequest:
    amount: Decimal
    reason: str


class CashMovementDialog(Dialog[CashMovementRequest]):
    """Paid-in or paid-out: an amount and the reason (both required)."""

    def __init__(self, title: str, language: str = "en") -> None:
        super().__init__(title)
        self.language = language

    def compose_body(self) -> ComposeResult:
        yield Label(_("Amount"), classes="dialog-prompt")
        yield Input(id="amount")
        yield Label(_("Reason"), classes="dialog-prompt")
        yield Input(id="reason")

    @on(Input.Submitted, "#amount")
    def _amount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _submitted(self) -> None:
        try:
            amount = parse_typed_money(self.query_one("#amount", Input).value, _("amount"))
        except ValidationError as exc:
            self.query_one("#amount", Input).focus()
            self.show_error(exc.message)
            return
        reason = self.query_one("#reason", Input).value.strip()
        if amount <= 0:
            self.query_one("#amount", Input).focus()
            self.show_error(_("Type an amount above zero"))
            return
        if not reason:
            self.show_error(_("A reason is needed"))
            return
        self.dismiss(CashMovementRequest(amount, reason))


class ChoiceDialog(Dialog[str]):
    """Pick one of a few labelled options with the arrows and Enter (or its number)."""

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], prompt: str = "") -> None:
        super().__init__(title)
        self.choices = list(choices)
        self.prompt = prompt

    def compose_body(self) -> ComposeResult:
        if self.prompt:
            yield Label(self.prompt, classes="dialog-prompt")
        yield OptionList(*[f"{i % 10}  {label}" for i, (_key, label) in enumerate(self.choices, 1)], id="choices")

    def hint(self) -> str:
        return _("↑↓ and Enter, or a number · Esc: cancel")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    @on(OptionList.OptionSelected, "#choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index][0])

    def on_key(self, event: events.Key) -> None:
        key = event.character
        if key and key.isdigit():
            index = (int(key) or 10) - 1  # 1…9, then 0 for the tenth
            if index < len(self.choices):
                event.stop()
                self.dismiss(self.choices[index][0])
