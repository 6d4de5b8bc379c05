"""The stock adjustment dialog (F12 → Stock → adjustment): a product, a signed quantity, a reason, a note.

Scan or type the product and Enter: its name and the stock here show. The quantity is signed
(``-3`` writes three off, ``2`` books two found; weighed goods in kg, ``-0,250``). The reason is
picked from the list with the arrows (or its number) and Enter; the note is optional. Enter on
the note asks for confirmation, then the adjustment is written in a thread worker; a user
without ``stock_adjust`` gets the supervisor-PIN prompt there (the permission is core's). The
dialog dismisses with the posted :class:`~pos_tui.core.stock.moves.Adjustment`.
"""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, OptionList, Static

from pos_tui.core.kernel import Override, PosError, ValidationError, format_quantity, parse_quantity, reason_label
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.stock_moves_posting import PostingDialog

# The reasons offered, in the order a shop meets them.
REASON_CHOICES = ("waste", "damage", "loss", "internal", "correction", "opening")


def reason_choices() -> list[tuple[str, str]]:
    return [(code, reason_label(code)) for code in REASON_CHOICES]


class StockAdjustDialog(PostingDialog, ScanTarget):
    """One adjustment; dismisses with the posted adjustment (None when cancelled)."""

    def __init__(self, language: str = "en") -> None:
        super().__init__(_("Stock adjustment"))
        self.language = language
        self.found: Any = None  # moves.ProductStock of the product entered
        self.qty: int | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(_("Product (scan)"), classes="dialog-label")
            yield Input(id="adj-product")
        yield Static(_("Below 0 takes stock out (-3); weighed goods in kg (-0,250)"), id="adj-found")
        with Horizontal(classes="form-row"):
            yield Label(_("Quantity"), classes="dialog-label")
            yield Input(id="adj-qty")
        yield Label(_("Reason"), classes="dialog-label")
        yield OptionList(*[f"{i}  {label}" for i, (_code, label) in enumerate(reason_choices(), 1)], id="adj-reason")
        with Horizontal(classes="form-row"):
            yield Label(_("Note (optional)"), classes="dialog-label")
            yield Input(id="adj-note", max_length=500)

    def hint(self) -> str:
        return _("Enter: next · Enter on the note: write it · Esc: cancel")

    def on_mount(self) -> None:
        reasons = self.query_one("#adj-reason", OptionList)
        reasons.highlighted = 0
        reasons.styles.border = ("none", "black")  # six rows: the whole dialog fits 80×24
        self.query_one("#adj-product", Input).focus()

    # -- entering ---------------------------------------------------------------------------------

    @on(Input.Submitted, "#adj-product")
    def _product(self, event: Input.Submitted) -> None:
        from pos_tui.core.stock import moves

        session = pos_app(self).session
        try:
            found = moves.product_stock(event.value, terminal=session.terminal)
        except PosError as exc:
            self.found = None
            self.query_one("#adj-found", Static).update("")
            event.input.value = ""  # ready for the next scan
            self.show_error(exc.message)
            return
        self.clear_error()
        self.found = found
        p = found.product
        self.query_one("#adj-found", Static).update(
            _("{name} ({code}): {qty} on hand at {location}").format(
                name=p.name,
                code=p.code,
                qty=format_quantity(found.on_hand, p.unit, language=self.language),
                location=found.location,
            )
        )
        self.query_one("#adj-qty", Input).focus()

    @on(Input.Submitted, "#adj-qty")
    def _quantity(self, event: Input.Submitted) -> None:
        if self._check_quantity():
            self.query_one("#adj-reason", OptionList).focus()

    def _check_quantity(self) -> bool:
        field = self.query_one("#adj-qty", Input)
        if self.found is None:
            self.query_one("#adj-product", Input).focus()
            self.show_error(_("Scan or type the product first"))
            return False
        try:
            qty = parse_quantity(field.value, _("quantity"))
        except ValidationError as exc:
            field.focus()
            field.select_all()
            self.show_error(exc.message)
            return False
        p = self.found.product
        if qty == 0:
            field.focus()
            field.select_all()
            self.show_error(_("Type a quantity other than 0 (below 0 takes stock out)"))
            return False
        if p.unit == "piece" and qty % 1000:
            field.focus()
            field.select_all()
            self.show_error(_("{name} is counted in pieces: type a whole number").format(name=p.name))
            return False
        self.clear_error()
        self.qty = qty
        return True

    @on(OptionList.OptionSelected, "#adj-reason")
    def _reason(self) -> None:
        self.query_one("#adj-note", Input).focus()

    def on_key(self, event: events.Key) -> None:
        """A digit on the reason list picks that reason."""
        reasons = self.query_one("#adj-reason", OptionList)
        if self.focused is reasons and event.character and event.character.isdigit():
            index = int(event.character) - 1
            if 0 <= index < len(REASON_CHOICES):
                event.stop()
                reasons.highlighted = index
                self.query_one("#adj-note", Input).focus()

    @property
    def reason(self) -> str:
        index = self.query_one("#adj-reason", OptionList).highlighted
        return REASON_CHOICES[index or 0]

    @on(Input.Submitted, "#adj-note")
    def _note(self) -> None:
        from pos_tui.tui.dialogs.views import ConfirmDialog

        if self.busy or not self._check_quantity():
            return
        assert self.qty is not None
        p = self.found.product
        question = _("Adjust {name} by {qty} at {location} ({reason})?").format(
            reason=reason_label(self.reason),
            qty=format_quantity(self.qty, p.unit, language=self.language),
            name=p.name,
            location=self.found.location,
        )
        self.app.push_screen(ConfirmDialog(_("Stock adjustment"), question), self._confirmed)

    def _confirmed(self, yes: bool | None) -> None:
        if not yes:
            return
        from pos_tui.core.stock import moves

        app = pos_app(self)
        session = app.session
        actor = session.require_actor()
        code, qty, reason = self.found.product.code, self.qty, self.reason
        assert qty is not None
        note = self.query_one("#adj-note", Input).value

        def run(override: Override | None) -> Any:
            return moves.adjust(
                code,
                qty,
                reason,
                actor=actor,
                terminal=session.terminal,
                now=session.now(),
                note=note,
                override=override,
            )

        self.post(run, _("Stock adjustment"))


def done_message(adjustment: Any, language: str) -> str:
    """What the screen says once an adjustment is written: what moved and the stock now."""
    return _("Adjustment {number} written: {qty} {name}, {reason}. On hand at {location}: {on_hand}").format(
        number=adjustment.number,
        qty=format_quantity(adjustment.qty, adjustment.unit, language=language),
        name=adjustment.name,
        reason=reason_label(adjustment.reason),
        location=adjustment.location,
        on_hand=format_quantity(adjustment.on_hand, adjustment.unit, language=language),
    )
