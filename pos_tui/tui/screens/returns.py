"""Returns: by receipt number (pick lines and quantities) or, with a manager, without one."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from rich.console import Group, JustifyMethod
from rich.rule import Rule
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from pos_tui.core import catalog, till
from pos_tui.core.kernel import (
    MILLI,
    ZERO,
    Override,
    PosError,
    ValidationError,
    format_money,
    format_quantity,
    from_kurus,
    method_label,
    to_kurus,
)
from pos_tui.i18n import _
from pos_tui.text import turkish_lower
from pos_tui.tui.base import pos_app
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.keymap import N_, bind
from pos_tui.tui.messages import ReturnCompleted, SaleFound
from pos_tui.tui.screens.base import PosScreen
from pos_tui.tui.widgets.keybar import KeyBar
from pos_tui.tui.widgets.status import StatusLine

RETURN_REASONS = (N_("Defective"), N_("Customer changed their mind"), N_("Wrong item sold"), N_("Expired"))
REFUND_ORDER = ("original", "cash", "store_credit", "gift_card_new")
"""The refund methods F8 steps through (the core's ``REFUND_METHODS``)."""


def refund_method_label(method: str) -> str:
    """How the summary line names a refund method ("To refund: 20,00 · by cash")."""
    labels = {
        "original": _("the original payment"),
        "cash": _("cash"),
        "store_credit": _("the member's store credit"),
        "gift_card_new": _("a new gift card"),
    }
    return labels.get(method, method)


@dataclass(frozen=True, slots=True)
class FoundSale:
    """A receipt to return against: its document and what is left to return of each line."""

    document: dict[str, Any]
    lines: list[Any]
    invoice: Any = None  # pos_tui.tui.invoicing.InvoicedSale: the sale's standing e-invoice, if any


@dataclass(frozen=True, slots=True)
class BlindLine:
    """A product taken back without a receipt (at today's price)."""

    code: str
    name: str
    unit: str
    price: Decimal
    qty_milli: int


def on_account_of(document: dict[str, Any]) -> str | None:
    """The account a sale was (partly) put on, by its code; None when nothing was paid on account."""
    for payment in document.get("payments", ()):
        if payment.get("method") == "on_account":
            return str(payment.get("reference") or "") or None
    return None


def refund_parts(refunds: Any, account: str | None, language: str, *, posted: bool = False) -> str:
    """Where a refund goes, a part each: ``399,90 back on account M0003 · 10,00 to pay out in cash``
    (``posted``: what was done, ``399,90 credited to account M0003``). ``refunds``: (method, amount)
    pairs; ``account``: the code the on-account part goes back on."""
    parts = []
    for method, amount in refunds:
        money = format_money(Decimal(amount), language)
        if method == "on_account":
            text = _("{amount} credited to account {code}") if posted else _("{amount} back on account {code}")
            parts.append(text.format(amount=money, code=account or ""))
        elif method == "cash":
            text = _("{amount} paid out in cash") if posted else _("{amount} to pay out in cash")
            parts.append(text.format(amount=money))
        elif method == "card":
            text = _("{amount} refunded to the card") if posted else _("{amount} back to the card")
            parts.append(text.format(amount=money))
        elif method == "store_credit":
            text = _("{amount} put on the member's store credit") if posted else _("{amount} into store credit")
            parts.append(text.format(amount=money))
        elif method == "gift_card_new":
            text = _("{amount} loaded onto a new gift card") if posted else _("{amount} onto a new gift card")
            parts.append(text.format(amount=money))
        else:
            text = _("{amount} refunded as {method}") if posted else _("{amount} back as {method}")
            parts.append(text.format(amount=money, method=mid_sentence(method_label(method), language)))
    return " · ".join(parts)


def mid_sentence(label: str, language: str) -> str:
    """A method's label (``Puan``, ``Hediye kartı``: capitalised to stand alone) as it reads inside
    a sentence, ``puan``; lower-cased the Turkish way (I → ı, İ → i) in Turkish."""
    return turkish_lower(label) if language.startswith("tr") else label.lower()


def refund_preview(line: Any, qty_milli: int) -> Decimal:
    """What returning ``qty_milli`` more of a sold line refunds: the core's cumulative rule
    (after ``c`` of ``n`` units, ``round(net × c / n)`` has been refunded)."""
    if qty_milli <= 0:
        return ZERO
    total, refunded = to_kurus(line.total), to_kurus(line.refunded)
    after = line.returned_milli + qty_milli
    if after >= line.sold_milli:
        return from_kurus(total - refunded)
    share = (2 * total * after + line.sold_milli) // (2 * line.sold_milli)
    return from_kurus(max(share - refunded, 0))


class ReturnScreen(PosScreen, ScanTarget):
    """Type the receipt number and Enter; ↑↓ pick a line, F5 (or Enter on an empty field)
    returns all that is left of it (or nothing), F7 types a quantity, F8 steps the refund through
    the original payment, cash, the member's store credit and a new gift card (the summary says
    where each part goes, or why a way is refused), F10 posts. A refund onto a new gift card
    shows the card's full code once, for the customer; the slip prints it masked. F6 switches
    to a return without a receipt: scan the items (``2*`` works); posting it asks a supervisor.
    Esc goes back."""

    AUTO_FOCUS = "#return-input"

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("return.toggle", "toggle_line", N_("All/none"), N_("Return everything left of this line, or nothing")),
        bind("return.quantity", "quantity", N_("Qty"), N_("Type the quantity to return of this line")),
        bind(
            "return.method",
            "method",
            N_("Refund"),
            N_("Refund by the original payment, in cash, into store credit or onto a new gift card"),
        ),
        bind("return.no_receipt", "blind", N_("No receipt"), N_("Return without a receipt (supervisor)")),
        bind("return.complete", "complete", N_("Post"), N_("Post the return and refund")),
        bind("sale.line_up", "line(-1)", N_("Line up"), N_("Select the line above"), show=False),
        bind("sale.line_down", "line(1)", N_("Line down"), N_("Select the line below"), show=False),
        bind("app.back", "back", N_("Back"), N_("Back to the sale; nothing is posted")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: FoundSale | None = None
        self.chosen: dict[int, int] = {}
        self.refund_method = "original"
        self.blind = False
        self.blind_lines: list[BlindLine] = []
        self.posting = False
        self.new_cards: dict[int, list[Any]] = {}  # return id → the gift cards it issued (read by the worker)

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Label(_("Return"), id="return-title", classes="section-title")
        table: DataTable[Text] = DataTable(id="return-lines", cursor_type="row", zebra_stripes=True)
        table.can_focus = False
        yield table
        yield Static("", id="return-summary")
        with Horizontal(id="scan-row"):
            yield Label(_("Receipt no"), id="return-label")
            yield Input(id="return-input", placeholder=_("Receipt number, then Enter"))
        yield Static("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        self._columns()
        self.refresh_summary()

    # -- receipt mode --------------------------------------------------------------------------

    def _columns(self) -> None:
        table = self.query_one("#return-lines", DataTable)
        table.clear(columns=True)
        heads: list[tuple[str, str, JustifyMethod]]
        if self.blind:
            heads = [
                ("code", _("Code"), "left"),
                ("name", _("Item"), "left"),
                ("qty", _("Qty"), "right"),
                ("price", _("Price"), "right"),
                ("amount", _("Refund"), "right"),
            ]
        else:
            heads = [
                ("no", "#", "right"),
                ("name", _("Item"), "left"),
                ("sold", _("Sold"), "right"),
                ("left", _("Left"), "right"),
                ("back", _("Return"), "right"),
                ("amount", _("Refund"), "right"),
            ]
        for key, label, justify in heads:
            table.add_column(Text(label, justify=justify), key=key)

    @on(Input.Submitted, "#return-input")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        event.input.value = ""
        if not text:
            self.action_toggle_line()
            return
        if self.blind:
            self.add_blind(text)
        else:
            self.find(text)

    def find(self, text: str) -> None:

        terminal = self.session.terminal
        number = text
        if "/" in text:
            terminal, number = text.split("/", 1)
        if not number.strip().isdigit():
            self.show_error(_("A receipt number is digits (or TERMINAL/NUMBER), not {text}").format(text=text))
            return
        receipt_no, tz = int(number), self.session.settings.shop.timezone

        def run(_override: Override | None) -> FoundSale:
            from pos_tui.tui.invoicing import invoice_of_sale

            document = till.find_sale(receipt_no, terminal.strip(), tz)
            lines = till.returnable_lines((terminal.strip(), receipt_no))
            invoice = invoice_of_sale(str(document["id"]), terminal.strip()) if document["type"] == "sale" else None
            return FoundSale(document, lines, invoice)

        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=SaleFound,
                target=self,
                description=_("Finding the receipt"),
                group="return",
                overridable=False,
            )
        )

    @on(SaleFound)
    def _found(self, event: SaleFound) -> None:
        found: FoundSale = event.sale
        doc = found.document
        if doc["type"] != "sale":
            self.show_error(_("Receipt {no} is itself a return").format(no=doc["receipt_no"]))
            return
        self.found = found
        self.chosen = {}
        self.refund_method = "original"
        title = _("Return against receipt {terminal}/{no} ({total})").format(
            terminal=doc["terminal"], no=doc["receipt_no"], total=format_money(Decimal(doc["total"]), self.language)
        )
        if found.invoice is not None:  # the cashier learns it before taking the goods back
            title += " · " + _("invoice {number}").format(number=found.invoice.number)
        self.query_one("#return-title", Label).update(title)
        self.refresh_lines()
        if all(ln.remaining_milli <= 0 for ln in found.lines):
            self.show_error(_("Everything on this receipt has already been returned"))
        else:
            app = pos_app(self)
            self.show_note(
                _("↑↓ pick a line, Enter or {toggle} returns it all, {qty} types a quantity, {post} posts").format(
                    toggle=app.key_label("return.toggle"),
                    qty=app.key_label("return.quantity"),
                    post=app.key_label("return.complete"),
                )
            )

    def refresh_lines(self) -> None:
        table = self.query_one("#return-lines", DataTable)
        row = table.cursor_row
        table.clear()
        lang = self.language
        if self.blind:
            for i, bl in enumerate(self.blind_lines):
                amount = (bl.price * bl.qty_milli / MILLI).quantize(Decimal("0.01"))
                table.add_row(
                    Text(bl.code),
                    Text(bl.name),
                    Text(format_quantity(bl.qty_milli, bl.unit, places=3, language=lang), justify="right"),
                    Text(format_money(bl.price, lang), justify="right"),
                    Text(format_money(amount, lang), justify="right"),
                    key=str(i),
                )
        elif self.found is not None:
            for ln in self.found.lines:
                qty = self.chosen.get(ln.line_no, 0)
                style = "dim" if ln.remaining_milli <= 0 else ""
                table.add_row(
                    Text(str(ln.line_no), justify="right", style=style),
                    Text(ln.name, style=style),
                    Text(
                        format_quantity(ln.sold_milli, ln.unit, places=3, language=lang), justify="right", style=style
                    ),
                    Text(
                        format_quantity(ln.remaining_milli, ln.unit, places=3, language=lang),
                        justify="right",
                        style=style,
                    ),
                    Text(
                        format_quantity(qty, ln.unit, places=3, language=lang) if qty else "",
                        justify="right",
                        style="bold yellow",
                    ),
                    Text(format_money(refund_preview(ln, qty), lang) if qty else "", justify="right"),
                    key=str(ln.line_no),
                )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)
        self.refresh_summary()

    def refund_total(self) -> Decimal:
        if self.blind:
            return sum(((bl.price * bl.qty_milli / MILLI).quantize(Decimal("0.01")) for bl in self.blind_lines), ZERO)
        if self.found is None:
            return ZERO
        return sum((refund_preview(ln, self.chosen.get(ln.line_no, 0)) for ln in self.found.lines), ZERO)

    def refresh_summary(self) -> None:
        method = _("cash (no receipt)") if self.blind else refund_method_label(self.refund_method)
        total = self.refund_total()
        text = _("To refund: {amount} · by {method}").format(amount=format_money(total, self.language), method=method)
        account = None if self.blind or self.found is None else on_account_of(self.found.document)
        if self.found is not None and not self.blind and total > 0:
            # Where the money goes: the part paid on account goes back on the account either way (it
            # was never paid in money), so the cashier sees what, if anything, to hand out.
            try:
                split = till.refund_split(str(self.found.document["id"]), total, self.refund_method)
            except PosError as exc:
                text += "\n" + exc.message
            else:
                text += "\n" + refund_parts([(p.method, p.amount) for p in split], account, self.language)
        elif account is not None:
            text += "\n" + _("The part paid on account {code} goes back on the account").format(code=account)
        self.query_one("#return-summary", Static).update(text)

    def _selected(self) -> Any | None:
        if self.found is None or self.blind:
            return None
        table = self.query_one("#return-lines", DataTable)
        if not table.row_count:
            return None
        return self.found.lines[table.cursor_row]

    def action_line(self, delta: int) -> None:
        table = self.query_one("#return-lines", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)), animate=False)

    def action_toggle_line(self) -> None:
        line = self._selected()
        if line is None:
            return
        if line.remaining_milli <= 0:
            self.show_error(_("Line {n} has been returned already").format(n=line.line_no))
            return
        if self.chosen.get(line.line_no):
            del self.chosen[line.line_no]
        else:
            self.chosen[line.line_no] = line.remaining_milli
        self.clear_message()
        self.refresh_lines()

    def action_quantity(self) -> None:
        from pos_tui.tui.dialogs.prompts import QuantityDialog

        line = self._selected()
        if line is None:
            return
        if line.remaining_milli <= 0:
            self.show_error(_("Line {n} has been returned already").format(n=line.line_no))
            return

        def entered(qty: int | None) -> None:
            if qty is None:
                return
            if qty > line.remaining_milli:
                self.show_error(
                    _("At most {qty} can be returned of line {n}").format(
                        qty=format_quantity(line.remaining_milli, line.unit, language=self.language), n=line.line_no
                    )
                )
                return
            self.chosen[line.line_no] = qty
            self.clear_message()
            self.refresh_lines()

        self.app.push_screen(QuantityDialog(_("Return quantity"), line.name), entered)

    def action_method(self) -> None:
        """The next way to refund: original → cash → store credit → new gift card → original."""
        if not self.blind:
            at = REFUND_ORDER.index(self.refund_method) if self.refund_method in REFUND_ORDER else -1
            self.refund_method = REFUND_ORDER[(at + 1) % len(REFUND_ORDER)]
            self.refresh_summary()

    # -- without a receipt -----------------------------------------------------------------------

    def action_blind(self) -> None:
        self.blind = not self.blind
        self.found, self.chosen, self.blind_lines = None, {}, []
        self.query_one("#return-title", Label).update(
            _("Return without a receipt: cash at today's prices, a supervisor must approve")
            if self.blind
            else _("Return")
        )
        self.query_one("#return-label", Label).update(_("Code") if self.blind else _("Receipt no"))
        self.query_one("#return-input", Input).placeholder = (
            _("Scan or type each item (2* for two)") if self.blind else _("Receipt number, then Enter")
        )
        self._columns()
        self.refresh_lines()
        self.clear_message()

    def add_blind(self, text: str) -> None:
        from pos_tui.tui.widgets.scan_input import split_multiplier

        try:
            code, qty = split_multiplier(text)
            product = till.store_priced(catalog.get_product(code), self.session.now(), self.session.tz)
            qty_milli = qty if qty is not None else MILLI
            if product.unit == "piece" and qty_milli % MILLI:
                raise ValidationError(_("Items sold by the piece need a whole quantity"))
        except PosError as exc:
            self.show_error(exc.message)
            return
        self.blind_lines.append(BlindLine(code, product.name, product.unit, product.price, qty_milli))
        self.clear_message()
        self.refresh_lines()

    # -- posting ---------------------------------------------------------------------------------

    def action_complete(self) -> None:
        from pos_tui.tui.dialogs.prompts import ReasonDialog

        if self.posting:
            return
        if self.blind and not self.blind_lines:
            self.show_error(_("Scan the items that come back first"))
            return
        if not self.blind and not self.chosen:
            self.show_error(_("Choose at least one line to return"))
            return

        def with_reason(reason: str | None) -> None:
            if reason is not None:
                self.post(reason)

        self.app.push_screen(
            ReasonDialog(_("Return"), _("Why is it returned?"), [_(r) for r in RETURN_REASONS]), with_reason
        )

    def post(self, reason: str) -> None:

        session = self.session
        actor = session.require_actor()
        shift_id = None if session.shift is None else session.shift.id
        tz = session.settings.shop.timezone
        if self.blind:
            blind = [till.BlindReturnLineInput(bl.code, bl.qty_milli) for bl in self.blind_lines]

            def run(override: Override | None) -> Any:
                return till.create_blind_return(
                    session.terminal,
                    actor,
                    blind,
                    now=session.now(),
                    reason=reason,
                    override=override,
                    shift_id=shift_id,
                    tz=tz,
                )
        else:
            assert self.found is not None
            doc = self.found.document
            ref = (doc["terminal"], int(doc["receipt_no"]))
            lines = [till.ReturnLineInput(no, qty) for no, qty in sorted(self.chosen.items())]
            method = self.refund_method
            new_cards = self.new_cards

            def run(override: Override | None) -> Any:
                from pos_tui.core.loyalty import giftcards

                result = till.create_return(
                    session.terminal,
                    actor,
                    ref,
                    lines,
                    now=session.now(),
                    reason=reason,
                    refund_method=method,
                    override=override,
                    shift_id=shift_id,
                    tz=tz,
                )
                if any(p.get("method") == "gift_card_new" for p in result.document.get("payments", ())):
                    new_cards[result.sale_id] = giftcards.cards_issued_on(result.sale_id)
                return result

        self.posting = True
        self.show_note(_("Posting the return…"))
        pos_app(self).call_core(
            CoreCall(run=run, reply=ReturnCompleted, target=self, description=_("Posting the return"), group="return")
        )

    def failed(self, error: PosError) -> None:
        self.posting = False
        super().failed(error)

    @on(ReturnCompleted)
    def _completed(self, event: ReturnCompleted) -> None:
        from pos_tui.tui.dialogs.views import ReportDialog
        from pos_tui.tui.printing import print_document
        from pos_tui.tui.render import render_receipt

        self.posting = False
        result = event.result
        print_document(self, result)  # the return slip, with its drawer kick when cash went out
        body = render_receipt(result.document, self.session.settings)
        paid = [(p["method"], p["amount"]) for p in result.document.get("payments", ())]
        account = on_account_of(result.document)
        parts = [refund_parts([p], account, self.language, posted=True) for p in paid]
        if len(parts) == 1:  # "Return 5: 399,90 credited to account M0003"
            title = _("Return {no}: {parts}").format(no=result.receipt_no, parts=parts[0])
        else:  # a line each above the slip: what went back on the account, what was paid out
            title = _("Return {no}").format(no=result.receipt_no)
        if parts:
            body = Group(Text("\n".join(parts), style="bold"), Rule(), body)
        cards = self.new_cards.pop(result.sale_id, [])
        if cards:  # shown once, here: the slip and the journal of the return carry the code masked
            lines = [
                _("New gift card {code} holds {balance}. Give the customer this code.").format(
                    code=card.code, balance=format_money(card.balance, self.language)
                )
                for card in cards
            ]
            body = Group(Text("\n".join(lines), style="bold green"), Rule(), body)
        invoiced = None if self.blind or self.found is None else self.found.invoice
        if invoiced is not None:  # the return of an invoiced sale needs its own document
            from pos_tui.tui.invoicing import return_document_note

            receipt = f"{result.document.get('terminal', self.session.terminal)}/{result.receipt_no}"
            note = return_document_note(invoiced, receipt)
            body = Group(Text(note, style="bold yellow"), Rule(), body)
            self.app.notify(note, timeout=15)

        def closed(_none: None) -> None:
            self.dismiss(result)

        self.app.push_screen(ReportDialog(title, body), closed)

    def action_back(self) -> None:
        if not self.posting:
            self.dismiss(None)
