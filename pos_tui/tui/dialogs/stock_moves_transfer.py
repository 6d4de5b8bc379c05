"""Transfers between locations at the till (F12 → Stock → transfer).

:class:`TransferSendDialog` collects the lines of a sending: scan or type a product and Enter,
type its quantity and Enter (the same product again adds to its line; a quantity of 0 removes
it); Enter on an empty product field asks to send, then posts in a thread worker.
:class:`TransferReceiveDialog` shows an open transfer's lines with the quantity sent pre-filled
as received; Enter goes from line to line, Enter on the last one asks to receive (and, when a
line came short, why). A user without ``stock_adjust`` gets the supervisor-PIN prompt when
posting (the permission is core's). Both dismiss with the posted
:class:`~pos_tui.core.stock.moves.Transfer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from pos_tui.core.kernel import (
    Override,
    PosError,
    ValidationError,
    format_quantity,
    parse_quantity,
    reason_label,
    unit_label,
)
from pos_tui.i18n import _, ngettext
from pos_tui.tui.base import pos_app
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.stock_moves_posting import PostingDialog

SHORT_CHOICES = ("loss", "damage", "waste", "correction")


@dataclass
class _Line:
    code: str
    name: str
    unit: str
    qty: int
    on_hand: int = 0  # at the source when last scanned

    @property
    def negative(self) -> bool:
        """Sending it takes the source below zero (allowed: negative stock is, by design)."""
        return self.qty > self.on_hand


class TransferSendDialog(PostingDialog, ScanTarget):
    """The lines of a sending from ``source`` to ``destination``."""

    def __init__(self, source: str, destination: str, language: str = "en") -> None:
        super().__init__(_("Send goods: {source} → {destination}").format(source=source, destination=destination))
        self.source = source
        self.destination = destination
        self.language = language
        self.lines: dict[str, _Line] = {}
        self.current: Any = None  # moves.ProductRef being entered
        self.current_on_hand = 0  # its stock at the source
        self.add_class("wide")

    def compose_body(self) -> ComposeResult:
        yield Static(_("No lines yet"), id="tr-lines")
        with Horizontal(classes="form-row"):
            yield Label(_("Product (scan)"), classes="dialog-label")
            yield Input(id="tr-code")
        yield Static("", id="tr-current")
        with Horizontal(classes="form-row"):
            yield Label(_("Quantity"), classes="dialog-label")
            yield Input(id="tr-qty", select_on_focus=True)
        with Horizontal(classes="form-row"):
            yield Label(_("Note (optional)"), classes="dialog-label")
            yield Input(id="tr-note", max_length=500)

    def hint(self) -> str:
        return _("Enter on an empty product: send · quantity 0 removes · Esc: cancel")

    def on_mount(self) -> None:
        self.query_one("#tr-code", Input).focus()

    def _show_lines(self) -> None:
        """Each line with the stock at the source; a line taking it below zero in red with what
        would be left there."""
        lang = self.language
        if not self.lines:
            self.query_one("#tr-lines", Static).update(_("No lines yet"))
            return
        text = Text()
        for ln in self.lines.values():
            if text:
                text.append("\n")
            text.append(f"{ln.code}  {ln.name}  {format_quantity(ln.qty, ln.unit, language=lang)}")
            text.append(
                "   "
                + _("{source}: {qty}").format(
                    source=self.source, qty=format_quantity(ln.on_hand, ln.unit, language=lang)
                ),
                style="dim",
            )
            if ln.negative:
                text.append(
                    "  "
                    + _("! below zero: {left}").format(
                        left=format_quantity(ln.on_hand - ln.qty, ln.unit, language=lang)
                    ),
                    style="bold red",
                )
        self.query_one("#tr-lines", Static).update(text)

    @on(Input.Submitted, "#tr-code")
    def _code(self, event: Input.Submitted) -> None:
        from pos_tui.core.stock import moves

        if not event.value.strip():
            self._ask_to_send()
            return
        try:
            stock = moves.product_stock(event.value, location=self.source)
        except PosError as exc:
            event.input.value = ""
            self.show_error(exc.message)
            return
        self.clear_error()
        found = stock.product
        self.current = found
        self.current_on_hand = stock.on_hand
        self.query_one("#tr-current", Static).update(
            _("Quantity of {name} ({unit}) · at {source} now: {qty}").format(
                name=found.name,
                unit=unit_label(found.unit),
                source=self.source,
                qty=format_quantity(stock.on_hand, found.unit, language=self.language),
            )
        )
        qty = self.query_one("#tr-qty", Input)
        qty.value = "1"
        qty.focus()

    @on(Input.Submitted, "#tr-qty")
    def _quantity(self, event: Input.Submitted) -> None:
        if self.current is None:
            self.query_one("#tr-code", Input).focus()
            return
        try:
            qty = parse_quantity(event.value, _("quantity"))
        except ValidationError as exc:
            event.input.select_all()
            self.show_error(exc.message)
            return
        p = self.current
        if qty < 0:
            event.input.select_all()
            self.show_error(_("Type a quantity of 0 or more (0 removes the line)"))
            return
        if p.unit == "piece" and qty % 1000:
            event.input.select_all()
            self.show_error(_("{name} is counted in pieces: type a whole number").format(name=p.name))
            return
        self.clear_error()
        if qty == 0:
            self.lines.pop(p.code, None)
        else:
            before = self.lines.get(p.code)
            line = _Line(p.code, p.name, p.unit, qty + (before.qty if before else 0), self.current_on_hand)
            self.lines[p.code] = line
            if line.negative:
                self.show_error(
                    _("{name}: {source} has {on_hand}; sending {qty} leaves {left} there").format(
                        name=p.name,
                        source=self.source,
                        on_hand=format_quantity(line.on_hand, p.unit, language=self.language),
                        qty=format_quantity(line.qty, p.unit, language=self.language),
                        left=format_quantity(line.on_hand - line.qty, p.unit, language=self.language),
                    )
                )
        self.current = None
        event.input.value = ""
        self.query_one("#tr-current", Static).update("")
        self._show_lines()
        code = self.query_one("#tr-code", Input)
        code.value = ""
        code.focus()

    @on(Input.Submitted, "#tr-note")
    def _note(self) -> None:
        self._ask_to_send()

    def _ask_to_send(self) -> None:
        from pos_tui.tui.dialogs.views import ConfirmDialog

        if self.busy:
            return
        if not self.lines:
            self.query_one("#tr-code", Input).focus()
            self.show_error(_("Scan the goods to send first"))
            return
        question = _("Send {n} line(s) from {source} to {destination}?").format(
            n=len(self.lines), source=self.source, destination=self.destination
        )
        below = sum(1 for ln in self.lines.values() if ln.negative)
        if below:
            question += "\n" + ngettext(
                "{n} line takes the stock at {source} below zero.",
                "{n} lines take the stock at {source} below zero.",
                below,
            ).format(n=below, source=self.source)
        self.app.push_screen(ConfirmDialog(_("Send goods"), question), self._confirmed)

    def _confirmed(self, yes: bool | None) -> None:
        if not yes:
            return
        from pos_tui.core.stock import moves

        app = pos_app(self)
        session = app.session
        actor = session.require_actor()
        lines = [(ln.code, ln.qty) for ln in self.lines.values()]
        note = self.query_one("#tr-note", Input).value
        source, destination = self.source, self.destination

        def run(override: Override | None) -> Any:
            return moves.send_transfer(
                source,
                destination,
                lines,
                actor=actor,
                terminal=session.terminal,
                now=session.now(),
                note=note,
                override=override,
            )

        self.post(run, _("Send goods"))


class TransferReceiveDialog(PostingDialog):
    """Receive ``transfer`` (a :class:`~pos_tui.core.stock.moves.Transfer` still open)."""

    def __init__(self, transfer: Any, language: str = "en") -> None:
        super().__init__(
            _("Receive transfer {number}: {source} → {destination}").format(
                number=transfer.number, source=transfer.source, destination=transfer.destination
            )
        )
        self.transfer = transfer
        self.language = language
        self.received: dict[str, int] = {}
        self.add_class("wide")

    def compose_body(self) -> ComposeResult:
        yield Label(_("What arrived? The quantity sent is filled in; type what came."), classes="dialog-prompt")
        for i, ln in enumerate(self.transfer.lines):
            sent = format_quantity(ln.sent, ln.unit, language=self.language)
            with Horizontal(classes="form-row"):
                yield Label(f"{ln.name} ({sent})", classes="dialog-label")
                yield Input(
                    value=format_quantity(ln.sent, None, language=self.language), id=f"rcv-{i}", select_on_focus=True
                )

    def hint(self) -> str:
        return _("Enter: next line · Enter on the last line: receive · Esc: cancel")

    def on_mount(self) -> None:
        self.query_one("#rcv-0", Input).focus()

    @on(Input.Submitted)
    def _line(self, event: Input.Submitted) -> None:
        index = int((event.input.id or "rcv-0").removeprefix("rcv-"))
        if self._check(index) is None:
            return
        if index + 1 < len(self.transfer.lines):
            self.query_one(f"#rcv-{index + 1}", Input).focus()
        else:
            self._ask()

    def _check(self, index: int) -> int | None:
        ln = self.transfer.lines[index]
        field = self.query_one(f"#rcv-{index}", Input)
        try:
            qty = parse_quantity(field.value, ln.name)
        except ValidationError as exc:
            field.focus()
            field.select_all()
            self.show_error(exc.message)
            return None
        if qty < 0 or (ln.unit == "piece" and qty % 1000):
            field.focus()
            field.select_all()
            self.show_error(_("{name}: type 0 or more (whole pieces)").format(name=ln.name))
            return None
        self.clear_error()
        self.received[ln.code] = qty
        return qty

    def _ask(self) -> None:
        from pos_tui.tui.dialogs.prompts import ChoiceDialog
        from pos_tui.tui.dialogs.views import ConfirmDialog

        if self.busy:
            return
        for i in range(len(self.transfer.lines)):
            if self._check(i) is None:
                return
        short = [ln for ln in self.transfer.lines if self.received[ln.code] < ln.sent]
        over = [ln for ln in self.transfer.lines if self.received[ln.code] > ln.sent]
        question = _("Receive transfer {number} at {destination}?").format(
            number=self.transfer.number, destination=self.transfer.destination
        )
        if short or over:
            question += " " + _("{short} line(s) short, {over} line(s) over: the difference is booked.").format(
                short=len(short), over=len(over)
            )

        def confirmed(reason: str | None) -> None:
            def go(yes: bool | None) -> None:
                if yes:
                    self._post(reason)

            self.app.push_screen(ConfirmDialog(_("Receive a transfer"), question), go)

        if short:
            choices = [(code, reason_label(code)) for code in SHORT_CHOICES]

            def reason_chosen(reason: str | None) -> None:
                if reason is not None:
                    confirmed(reason)

            self.app.push_screen(
                ChoiceDialog(_("Why did goods come short?"), choices, _("The missing goods are booked as:")),
                reason_chosen,
            )
        else:
            confirmed(None)

    def _post(self, reason: str | None) -> None:
        from pos_tui.core.stock import moves

        app = pos_app(self)
        session = app.session
        actor = session.require_actor()
        number, received = self.transfer.number, dict(self.received)

        def run(override: Override | None) -> Any:
            return moves.receive_transfer(
                number,
                received,
                actor=actor,
                terminal=session.terminal,
                now=session.now(),
                reason=reason,
                override=override,
            )

        self.post(run, _("Receive a transfer"))
