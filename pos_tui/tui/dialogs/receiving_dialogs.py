"""The receiving screen's dialogs: the receipt's head (supplier, document, dates), new sale prices
after a receipt, and a return to a supplier against a receipt.

Supplier look-ups are a handful of rows and run on the UI thread; posting a return runs in a
core-call worker (:class:`~pos_tui.tui.calls.CoreCall`), whose failures come back to the dialog's
error line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pos_tui.core.kernel import (
    Override,
    PosError,
    ValidationError,
    format_money,
    format_quantity,
    parse_money,
    parse_quantity,
)
from pos_tui.core.stock import receiving
from pos_tui.i18n import _, ngettext
from pos_tui.tui.base import pos_app
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import N_, bind


def key_name(binding_id: str) -> str:
    """The key of one of the receiving bindings as the key bar prints it (``F10``, ``Del``)."""
    from pos_tui.tui.keymap import DEFAULT_KEYS, key_display

    return key_display(DEFAULT_KEYS[binding_id])


def parse_day(text: str, default: date) -> date:
    """``01.11.2026``, ``1.11.2026`` or ``2026-11-01``; empty: ``default``."""
    value = text.strip()
    if not value:
        return default
    try:
        if "." in value or "/" in value:
            day, month, year = (int(p) for p in value.replace("/", ".").split("."))
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("{text!r} is not a date such as 01.11.2026").format(text=value[:20])) from None


@dataclass(frozen=True, slots=True)
class ReceiptHeader:
    """What the receiving screen asks first: who delivered, their document, its dates."""

    supplier: str
    supplier_name: str
    document: str | None
    date: dt.date
    due: dt.date | None
    location: str | None = None  # the stock location's code the goods go to (None: the terminal's)
    location_name: str = ""


def receiving_locations(terminal: str) -> tuple[list[Any], Any | None]:
    """The locations goods can be received into (active ones; never the in-transit ``YOLDA``)
    and the terminal's own (the one it is assigned to, else the shop's default)."""
    from pos_tui.core.stock import moves

    places = [loc for loc in moves.list_locations() if loc.active and loc.code != moves.TRANSIT_CODE]
    own = next((loc for loc in places if terminal in loc.terminals), None)
    if own is None:
        own = next((loc for loc in places if loc.is_default), places[0] if places else None)
    return places, own


@dataclass
class ReceiptPosted(Message, bubble=False):
    """A goods receipt was posted (``info``: :class:`pos_tui.core.stock.receiving.ReceiptInfo`)."""

    info: Any


@dataclass
class ReturnPosted(Message, bubble=False):
    """A return to a supplier was posted."""

    info: Any


@dataclass
class ReceiptFound(Message, bubble=False):
    """The receipt a supplier return is made against was read."""

    info: Any


class ReceivingHeaderDialog(Dialog[ReceiptHeader]):
    """Supplier (code or part of the name; ↑↓ pick from the list), the supplier's document number,
    the document's date, the due date and the stock location the goods go into (the terminal's
    by default). Enter moves on; Enter on the last field accepts."""

    TITLE_TEXT = N_("Goods receipt")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("list.up", "move(-1)", N_("Up"), N_("Previous supplier"), show=False),
        bind("list.down", "move(1)", N_("Down"), N_("Next supplier"), show=False),
    ]
    DEFAULT_CSS = """
    ReceivingHeaderDialog #suppliers { height: auto; max-height: 4; }
    """

    def __init__(self, today: date, current: ReceiptHeader | None = None, *, terminal: str = "") -> None:
        super().__init__()
        self.today = today
        self.current = current
        self.found: list[Any] = []
        try:
            self.places, own = receiving_locations(terminal)
        except PosError:
            self.places, own = [], None
        if current is not None and current.location:
            self.location = current.location
        else:
            self.location = "" if own is None else own.code

    def compose_body(self) -> ComposeResult:
        cur = self.current
        with Horizontal(classes="form-row"):
            yield Label(_("Supplier"), classes="dialog-label")
            yield Input(value="" if cur is None else cur.supplier, id="supplier", placeholder=_("Code or name"))
        suppliers = OptionList(id="suppliers")
        suppliers.can_focus = False
        yield suppliers
        with Horizontal(classes="form-row"):
            yield Label(_("Document no"), classes="dialog-label")
            yield Input(
                value="" if cur is None or cur.document is None else cur.document,
                id="document",
                placeholder=_("Waybill or invoice number"),
                max_length=64,
            )
        with Horizontal(classes="form-row"):
            yield Label(_("Date"), classes="dialog-label")
            yield Input(
                value="" if cur is None else cur.date.strftime("%d.%m.%Y"), id="date", placeholder=_("empty: today")
            )
        with Horizontal(classes="form-row"):
            yield Label(_("Due date"), classes="dialog-label")
            yield Input(
                value="" if cur is None or cur.due is None else cur.due.strftime("%d.%m.%Y"),
                id="due",
                placeholder=_("empty: the document's date"),
            )
        with Horizontal(classes="form-row"):
            yield Label(_("Into location"), classes="dialog-label")
            yield Input(
                value=self.location,
                id="location",
                placeholder=", ".join(loc.code for loc in self.places),
                max_length=32,
            )

    def hint(self) -> str:
        return _("↑↓ pick a supplier · Enter: next field · Esc: cancel")

    def on_mount(self) -> None:
        self.query_one("#supplier", Input).focus()
        self._search(self.query_one("#supplier", Input).value)

    @on(Input.Changed, "#supplier")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def _search(self, text: str) -> None:
        try:
            self.found = receiving.find_suppliers(text, limit=20) if text.strip() else []
        except PosError as exc:
            self.show_error(exc.message)
            return
        options = self.query_one("#suppliers", OptionList)
        options.clear_options()
        for supplier in self.found:
            options.add_option(Option(Text.assemble((supplier.code, "bold"), "  ", supplier.name)))
        if self.found:
            exact = next((i for i, s in enumerate(self.found) if s.code.casefold() == text.strip().casefold()), 0)
            options.highlighted = exact

    def action_move(self, delta: int) -> None:
        options = self.query_one("#suppliers", OptionList)
        if self.found:
            options.highlighted = max(0, min(len(self.found) - 1, (options.highlighted or 0) + delta))

    def _supplier(self) -> Any | None:
        highlighted = self.query_one("#suppliers", OptionList).highlighted
        if not self.found or highlighted is None:
            return None
        return self.found[highlighted]

    @on(Input.Submitted, "#supplier")
    def _supplier_chosen(self) -> None:
        supplier = self._supplier()
        if supplier is None:
            self.show_error(_("No supplier found; type its code or part of its name"))
            return
        self.clear_error()
        field = self.query_one("#supplier", Input)
        with field.prevent(Input.Changed):
            field.value = supplier.code
        self.query_one("#document", Input).focus()

    @on(Input.Submitted, "#document")
    def _document(self) -> None:
        self.query_one("#date", Input).focus()

    @on(Input.Submitted, "#date")
    def _date(self) -> None:
        try:
            parse_day(self.query_one("#date", Input).value, self.today)
        except PosError as exc:
            self.show_error(exc.message)
            return
        self.clear_error()
        self.query_one("#due", Input).focus()

    @on(Input.Submitted, "#due")
    def _due(self) -> None:
        self.query_one("#location", Input).focus()

    @on(Input.Submitted, "#location")
    def _accept(self) -> None:
        supplier = self._supplier()
        if supplier is None:
            self.query_one("#supplier", Input).focus()
            self.show_error(_("Choose the supplier first"))
            return
        try:
            day = parse_day(self.query_one("#date", Input).value, self.today)
            due_text = self.query_one("#due", Input).value
            due = parse_day(due_text, day) if due_text.strip() else None
        except PosError as exc:
            self.show_error(exc.message)
            return
        if day > self.today:
            self.show_error(_("A goods receipt cannot be dated after today"))
            return
        if due is not None and due < day:
            self.show_error(_("The due date is before the document's date"))
            return
        code = self.query_one("#location", Input).value.strip().upper()
        place = next((loc for loc in self.places if loc.code == code), None)
        if place is None:
            self.query_one("#location", Input).focus()
            self.show_error(
                _("No stock location {code}; choose one of {codes}").format(
                    code=code or "-", codes=", ".join(loc.code for loc in self.places)
                )
            )
            return
        document = self.query_one("#document", Input).value.strip() or None
        self.dismiss(ReceiptHeader(supplier.code, supplier.name, document, day, due, place.code, place.name))


@dataclass(frozen=True, slots=True)
class _PriceRow:
    change: Any  # receiving.CostChange
    new_price: Decimal | None = None


class NewPricesDialog(Dialog[list[Any]]):
    """After a receipt: the products whose cost changed, with their cost before and after and the
    sale price. Type ``%25`` (or ``25%``) for a price with a 25 % margin on the new cost, or a price
    by hand, and Enter: the selected line gets it. F5 gives every line the typed margin; F10 saves
    the new prices; Esc leaves the prices as they are."""

    TITLE_TEXT = N_("New sale prices")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("list.up", "move(-1)", N_("Up"), N_("Previous product"), show=False),
        bind("list.down", "move(1)", N_("Down"), N_("Next product"), show=False),
        bind("receiving.all_margin", "all_margin", N_("Margin for all"), N_("Give every line the margin")),
        bind("receiving.save_prices", "save", N_("Save"), N_("Save the new prices")),
    ]
    DEFAULT_CSS = """
    NewPricesDialog #prices { height: auto; max-height: 9; }
    """

    def __init__(
        self,
        changes: list[Any],
        language: str,
        save: Callable[[list[Any], Override | None], Any] | None = None,
    ) -> None:
        super().__init__()
        self.add_class("wide")
        self.rows = [_PriceRow(c) for c in changes]
        self.language = language
        self.save = save  # writes the prices; when it fails the dialog stays open with them
        self.saving = False

    def compose_body(self) -> ComposeResult:
        yield Label(_("The cost of these products changed. New sale price?"), classes="dialog-prompt")
        table: DataTable[Text] = DataTable(id="prices", cursor_type="row", zebra_stripes=True)
        table.can_focus = False
        yield table
        yield Label("", id="prices-note")
        yield Input(id="price", placeholder=_("%25 for a margin, or a price such as 129,90"))

    def hint(self) -> str:
        return _("↑↓ pick · Enter: set · {all}: margin for all · {save}: save · Esc: skip").format(
            all=key_name("receiving.all_margin"), save=key_name("receiving.save_prices")
        )

    def on_mount(self) -> None:
        table = self.query_one("#prices", DataTable)
        for key, label in (
            ("name", _("Product")),
            ("before", _("Cost was")),
            ("after", _("Cost now")),
            ("price", _("Price")),
            ("new", _("New price")),
        ):
            table.add_column(Text(label, justify="left" if key == "name" else "right"), key=key)
        self.refresh_rows()
        self.query_one("#price", Input).focus()

    def refresh_rows(self) -> None:
        table = self.query_one("#prices", DataTable)
        row = table.cursor_row
        table.clear()
        lang = self.language
        for i, r in enumerate(self.rows):
            c = r.change
            table.add_row(
                Text(c.name, overflow="ellipsis", no_wrap=True),
                Text(format_money(c.cost_before, lang), justify="right"),
                Text(format_money(c.purchase_cost, lang), justify="right"),
                Text(format_money(c.price, lang), justify="right"),
                Text("" if r.new_price is None else format_money(r.new_price, lang), justify="right", style="bold"),
                key=str(i),
            )
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1), animate=False)

    def action_move(self, delta: int) -> None:
        table = self.query_one("#prices", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)), animate=False)

    def _typed(self) -> tuple[str, Decimal] | None:
        """``("margin", 25)`` or ``("price", 129.90)`` from the field; None (with the error) when unreadable."""
        text = self.query_one("#price", Input).value.strip()
        if not text:
            self.show_error(_("Type a margin such as %25 or a price"))
            return None
        try:
            if text.startswith("%") or text.endswith("%"):
                from pos_tui.core.kernel import parse_decimal

                return "margin", parse_decimal(text.strip("%").strip(), 2, _("margin"), digits=4)
            return "price", parse_money(text, _("price"))
        except PosError as exc:
            self.show_error(exc.message)
            return None

    def _price_of(self, row: _PriceRow, kind: str, value: Decimal) -> Decimal:
        return receiving.margin_price(row.change, value) if kind == "margin" else value

    @on(Input.Submitted, "#price")
    def _set(self) -> None:
        typed = self._typed()
        table = self.query_one("#prices", DataTable)
        if typed is None or not table.row_count:
            return
        index = table.cursor_row
        if typed[0] == "margin" and self.rows[index].change.purchase_cost <= 0:
            self.show_error(
                _("{name} came at no cost: a margin gives no price; type the price").format(
                    name=self.rows[index].change.name
                )
            )
            return
        try:
            price = self._price_of(self.rows[index], *typed)
        except PosError as exc:
            self.show_error(exc.message)
            return
        if price <= 0:
            self.show_error(_("A sale price must be above zero"))
            return
        self.rows[index] = _PriceRow(self.rows[index].change, price)
        self.clear_error()
        self.query_one("#price", Input).value = ""
        self.refresh_rows()
        self.action_move(1)

    def action_all_margin(self) -> None:
        typed = self._typed()
        if typed is None:
            return
        if typed[0] != "margin":
            self.show_error(_("Type a margin such as %25 for every line"))
            return
        free = [r for r in self.rows if r.change.purchase_cost <= 0]
        try:  # a line that came at no cost keeps its price: a margin on nothing is nothing
            self.rows = [
                r if r.change.purchase_cost <= 0 else _PriceRow(r.change, self._price_of(r, *typed)) for r in self.rows
            ]
        except PosError as exc:
            self.show_error(exc.message)
            return
        self.clear_error()
        note = ""
        if free:
            note = ngettext(
                "{n} line at no cost keeps its current price (or type one)",
                "{n} lines at no cost keep their current price (or type one)",
                len(free),
            ).format(n=len(free))
        self.query_one("#prices-note", Label).update(note)
        self.query_one("#price", Input).value = ""
        self.refresh_rows()

    def action_save(self) -> None:
        if self.saving:
            return
        changes = [receiving.PriceChange(r.change.code, r.new_price) for r in self.rows if r.new_price is not None]
        if not changes:
            self.show_error(_("No new price was set; Esc leaves the prices as they are"))
            return
        if self.save is None:
            self.dismiss(changes)
            return
        save = self.save

        def done(result: Any) -> None:
            self.saving = False
            self.dismiss(result)

        def failed(error: PosError) -> None:  # the typed prices stay; the error is here
            self.saving = False
            self.show_error(error.message)

        self.saving = True
        pos_app(self).with_override(lambda override: save(changes, override), done, failed)


RECENT_DAYS = 92  # the receipts offered to pick from: about the last three months
RECENT_ROWS = 40


class SupplierReturnDialog(Dialog[Any], ScanTarget):
    """Return goods to a supplier. First the goods receipt: the recent receipts are listed
    (number, date, supplier's document, total); typing part of a supplier's code or name and
    Enter narrows the list to theirs, ↑↓ and Enter pick one, or type its number. Then its lines
    with what can still go back: ↑↓ pick a line, type a quantity and Enter; F10 asks, then posts
    the return. Esc with quantities typed asks before they are dropped."""

    TITLE_TEXT = N_("Return goods to a supplier")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("list.up", "move(-1)", N_("Up"), N_("Previous line"), show=False),
        bind("list.down", "move(1)", N_("Down"), N_("Next line"), show=False),
        bind("receiving.return_post", "post", N_("Post"), N_("Post the return to the supplier")),
    ]
    DEFAULT_CSS = """
    SupplierReturnDialog #return-receipt-lines { height: auto; max-height: 9; }
    SupplierReturnDialog #return-receipts { height: auto; max-height: 9; }
    """

    def __init__(self, language: str, override: Override | None = None) -> None:
        super().__init__()
        self.add_class("wide")
        self.language = language
        self.override = override
        self.receipt: Any | None = None
        self.recent: list[Any] = []
        self.chosen: dict[int, int] = {}
        self.posting = False

    def compose_body(self) -> ComposeResult:
        yield Label(
            _("Pick a goods receipt (↑↓, Enter), type its number, or a supplier to narrow the list"),
            id="return-prompt",
            classes="dialog-prompt",
        )
        receipts: DataTable[Text] = DataTable(id="return-receipts", cursor_type="row", zebra_stripes=True)
        receipts.can_focus = False
        yield receipts
        table: DataTable[Text] = DataTable(id="return-receipt-lines", cursor_type="row", zebra_stripes=True)
        table.can_focus = False
        table.display = False
        yield table
        yield Input(id="return-entry", placeholder=_("Receipt number or supplier"))

    def hint(self) -> str:
        return _("Enter: pick / find · ↑↓ choose · Esc: cancel")

    def _lines_hint(self) -> str:
        return _("Quantity, Enter (0: none) · ↑↓ line · {post}: post · Esc: cancel").format(
            post=key_name("receiving.return_post")
        )

    def on_mount(self) -> None:
        table = self.query_one("#return-receipt-lines", DataTable)
        for key, label in (
            ("no", "#"),
            ("name", _("Product")),
            ("got", _("Received")),
            ("left", _("Returnable")),
            ("back", _("Return")),
        ):
            table.add_column(Text(label, justify="left" if key == "name" else "right"), key=key)
        receipts = self.query_one("#return-receipts", DataTable)
        for key, label in (
            ("no", _("No")),
            ("date", _("Date")),
            ("supplier", _("Supplier")),
            ("document", _("Document")),
            ("total", _("Total")),
        ):
            receipts.add_column(Text(label, justify="right" if key in ("no", "total") else "left"), key=key)
        self.list_recent(None)
        self.query_one("#return-entry", Input).focus()

    def list_recent(self, supplier_text: str | None) -> None:
        """The receipts of the last :data:`RECENT_DAYS` days, newest first; with
        ``supplier_text`` only those of the suppliers it finds (code or part of the name)."""
        session = pos_app(self).session
        since = session.now().date() - dt.timedelta(days=RECENT_DAYS)
        try:
            found = receiving.list_receipts(since=since, tz=session.tz)
            if supplier_text:
                codes = {s.code for s in receiving.find_suppliers(supplier_text)}
                if not codes:
                    self.show_error(_("No supplier matches {text}").format(text=supplier_text[:30]))
                    return
                found = [r for r in found if r.supplier in codes]
        except PosError as exc:
            self.show_error(exc.message)
            return
        self.recent = list(reversed(found))[:RECENT_ROWS]
        table = self.query_one("#return-receipts", DataTable)
        table.clear()
        for r in self.recent:
            table.add_row(
                Text(str(r.number), justify="right"),
                Text(r.date.strftime("%d.%m.%Y")),
                Text(r.supplier_name or r.supplier, overflow="ellipsis", no_wrap=True),
                Text(r.document or "", overflow="ellipsis", no_wrap=True),
                Text(format_money(r.total, self.language), justify="right"),
                key=str(r.number),
            )
        if supplier_text and not self.recent:
            self.show_error(
                _("No goods receipt from {text} in the last {days} days; type its number").format(
                    text=supplier_text[:30], days=RECENT_DAYS
                )
            )
        else:
            self.clear_error()

    @on(Input.Submitted, "#return-entry")
    def _entered(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        event.input.value = ""
        if self.receipt is None:
            self._find(text)
        else:
            self._quantity(text)

    def _find(self, text: str) -> None:
        if not text:
            table = self.query_one("#return-receipts", DataTable)
            if not self.recent:
                self.show_error(_("Type the goods receipt's number or a supplier"))
                return
            number = self.recent[table.cursor_row].number
        elif text.isdigit():
            number = int(text)
        else:
            self.list_recent(text)
            return
        from pos_tui.tui.calls import CoreCall

        pos_app(self).call_core(
            CoreCall(
                run=lambda _o: receiving.get_receipt(number),
                reply=ReceiptFound,
                target=self,
                description=_("Finding the goods receipt"),
                group="receiving",
                overridable=False,
            )
        )

    @on(ReceiptFound)
    def _found(self, event: ReceiptFound) -> None:
        self.receipt = event.info
        self.chosen = {}
        info = event.info
        self.query_one("#return-prompt", Label).update(
            _("Goods receipt {number} · {supplier} · {date} · {total}").format(
                number=info.number,
                supplier=info.supplier_name or info.supplier,
                date=info.date.strftime("%d.%m.%Y"),
                total=format_money(info.total, self.language),
            )
        )
        self.query_one("#return-receipts", DataTable).display = False
        self.query_one("#return-receipt-lines", DataTable).display = True
        self.query_one("#return-entry", Input).placeholder = _("Quantity to return of the selected line")
        self.query_one(".dialog-hint", Static).update(self._lines_hint())
        self.clear_error()
        self.refresh_rows()
        if all(ln.returnable <= 0 for ln in info.lines):
            self.show_error(_("Everything on this goods receipt has been returned already"))

    def refresh_rows(self) -> None:
        table = self.query_one("#return-receipt-lines", DataTable)
        row = table.cursor_row
        table.clear()
        if self.receipt is None:
            return
        lang = self.language
        for ln in self.receipt.lines:
            back = self.chosen.get(ln.line_no, 0)
            style = "dim" if ln.returnable <= 0 else ""
            table.add_row(
                Text(str(ln.line_no), justify="right", style=style),
                Text(ln.name, style=style, overflow="ellipsis", no_wrap=True),
                Text(format_quantity(ln.qty, ln.unit, language=lang), justify="right", style=style),
                Text(format_quantity(ln.returnable, ln.unit, language=lang), justify="right", style=style),
                Text(format_quantity(back, ln.unit, language=lang) if back else "", justify="right", style="bold"),
                key=str(ln.line_no),
            )
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1), animate=False)

    def action_move(self, delta: int) -> None:
        which = "#return-receipts" if self.receipt is None else "#return-receipt-lines"
        table = self.query_one(which, DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)), animate=False)

    def _quantity(self, text: str) -> None:
        assert self.receipt is not None
        table = self.query_one("#return-receipt-lines", DataTable)
        if not table.row_count:
            return
        line = self.receipt.lines[table.cursor_row]
        if not text:  # never "all" by itself: the quantity is typed
            self.show_error(
                _("Type the quantity of line {n} to return (at most {qty})").format(
                    n=line.line_no, qty=format_quantity(line.returnable, line.unit, language=self.language)
                )
            )
            return
        try:
            qty = parse_quantity(text, _("quantity"))
        except PosError as exc:
            self.show_error(exc.message)
            return
        if qty < 0 or qty > line.returnable:
            self.show_error(
                _("At most {qty} of line {n} can still be returned").format(
                    qty=format_quantity(line.returnable, line.unit, language=self.language), n=line.line_no
                )
            )
            return
        if line.unit == "piece" and qty % 1000:
            self.show_error(_("{name} is counted in pieces: type a whole quantity").format(name=line.name))
            return
        if qty:
            self.chosen[line.line_no] = qty
        else:
            self.chosen.pop(line.line_no, None)
        self.clear_error()
        self.refresh_rows()
        self.action_move(1)

    def action_post(self) -> None:
        if self.posting:
            return
        if self.receipt is None or not self.chosen:
            self.show_error(_("Choose at least one line to return"))
            return
        from pos_tui.tui.dialogs.views import ConfirmDialog

        receipt = self.receipt
        n = len(self.chosen)
        question = _("Return {lines} of goods receipt {number} to {supplier}, total {total} including KDV?").format(
            lines=ngettext("{n} line", "{n} lines", n).format(n=n),
            number=receipt.number,
            supplier=receipt.supplier_name or receipt.supplier,
            total=format_money(receiving.return_total(receipt.number, self.chosen), self.language),
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.post()

        self.app.push_screen(ConfirmDialog(_("Post the return to the supplier"), question), answered)

    def action_cancel(self) -> None:
        """Esc: with quantities typed, ask before dropping them."""
        if self.posting:
            return
        if not self.chosen:
            self.dismiss(None)
            return
        from pos_tui.tui.dialogs.views import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        n = len(self.chosen)
        question = ngettext(
            "Drop the quantity typed on {n} line and leave without a return?",
            "Drop the quantities typed on {n} lines and leave without a return?",
            n,
        ).format(n=n)
        self.app.push_screen(ConfirmDialog(_("Leave the return"), question), answered)

    def post(self) -> None:
        if self.posting or self.receipt is None or not self.chosen:
            return
        from pos_tui.tui.calls import CoreCall

        session = pos_app(self).session
        actor = session.require_actor()
        number = self.receipt.number
        lines = [receiving.SupplierReturnLineInput(qty, line_no=no) for no, qty in sorted(self.chosen.items())]
        given = self.override

        def run(override: Override | None) -> Any:
            return receiving.post_supplier_return(
                number,
                lines,
                actor=actor,
                now=session.now(),
                terminal=session.terminal,
                tz=session.tz,
                override=override or given,
            )

        self.posting = True
        pos_app(self).call_core(
            CoreCall(run=run, reply=ReturnPosted, target=self, description=_("Posting the return"), group="receiving")
        )

    def core_error(self, message: str) -> None:
        self.posting = False
        super().core_error(message)

    @on(ReturnPosted)
    def _posted(self, event: ReturnPosted) -> None:
        self.posting = False
        self.dismiss(event.info)
