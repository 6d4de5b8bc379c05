"""The receiving screen (mal kabul): scan the supplier's goods in, check the costs, post.

First the receipt's head: the supplier (code or part of the name), their document number and the
document's date. Then it works like the sale screen: every scan (barcode, PLU, a weighed scale
label) adds a line, or adds to the product's line when it is already there; ``5*`` before a scan
multiplies. Each line starts at the last price this supplier charged (else the product's average
cost). F-keys edit the selected line's cost, quantity, discount and KDV rate; the totals per KDV
rate are always on screen; F10 posts (after a yes), Esc leaves (asking when lines would be lost).
After posting, the products whose cost changed may get new sale prices (by margin or by hand).

The permission is ``receive``: without it a supervisor's PIN is asked before the screen opens, and
that approval covers the receipt. The lines live on this screen until posted, and posting runs in a
core-call worker (one transaction, all or nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Label, Static

from pos_tui.core.kernel import (
    MILLI,
    Override,
    PosError,
    format_money,
    format_percent,
    format_quantity,
    from_kurus,
    require,
    shop_day,
    to_kurus,
)
from pos_tui.core.stock import receiving
from pos_tui.i18n import _, ngettext
from pos_tui.tui.base import pos_app
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.receiving_dialogs import (
    NewPricesDialog,
    ReceiptHeader,
    ReceiptPosted,
    ReceivingHeaderDialog,
    SupplierReturnDialog,
    key_name,
)
from pos_tui.tui.keymap import N_, bind
from pos_tui.tui.messages import ItemScanned
from pos_tui.tui.screens.base import PosScreen
from pos_tui.tui.widgets.keybar import KeyBar
from pos_tui.tui.widgets.scan_input import ScanInput
from pos_tui.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from pos_tui.core.catalog import ProductInfo


@dataclass(frozen=True, slots=True)
class ReceivingLine:
    """A line being received: money in lira as typed (excluding KDV, or including it when the
    receipt's costs include KDV), quantity in milli-units."""

    code: str
    name: str
    unit: str
    kdv_rate: int
    qty: int
    unit_cost: Decimal
    discount: Decimal = Decimal("0.00")

    def cost_input(self) -> receiving.CostInput:
        return receiving.CostInput(self.qty, to_kurus(self.unit_cost), to_kurus(self.discount), self.kdv_rate)


class ReceivingScreen(PosScreen, ScanTarget):
    """Scan field, lines, totals per KDV rate, keys (module docstring)."""

    AUTO_FOCUS = "#scan"
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("receiving.header", "header", N_("Supplier"), N_("Change the supplier, document or dates")),
        bind("receiving.search", "search", N_("Search"), N_("Find a product by name or code")),
        bind("receiving.cost", "cost", N_("Cost"), N_("Change the unit cost of the selected line")),
        bind("receiving.discount", "discount", N_("Discount"), N_("Discount the selected line (amount)")),
        bind("receiving.quantity", "quantity", N_("Qty"), N_("Change the quantity of the selected line")),
        bind("receiving.kdv", "kdv", N_("KDV"), N_("Change the KDV rate of the selected line")),
        bind(
            "receiving.kdv_included", "kdv_included", N_("KDV incl."), N_("Costs are typed including or excluding KDV")
        ),
        bind("receiving.remove", "remove", N_("Remove"), N_("Take the selected line off"), priority=True),
        bind("receiving.post", "post", N_("Post"), N_("Post the goods receipt")),
        bind("sale.line_up", "line(-1)", N_("Line up"), N_("Select the line above"), show=False),
        bind("sale.line_down", "line(1)", N_("Line down"), N_("Select the line below"), show=False),
        bind("app.back", "leave", N_("Leave"), N_("Leave the goods receipt")),
    ]
    DEFAULT_CSS = """
    ReceivingScreen #receiving-head { height: 2; padding: 0 1; background: $boost; }
    ReceivingScreen #receiving-lines { height: 1fr; }
    ReceivingScreen #receiving-totals { height: auto; padding: 0 1; border-top: solid $panel; }
    ReceivingScreen #scan-row { height: 3; }
    ReceivingScreen #multiplier { width: auto; padding: 1 1 0 1; }
    """

    def __init__(self, header: ReceiptHeader, override: Override | None = None) -> None:
        super().__init__()
        self.header = header
        self.override = override
        self.lines: list[ReceivingLine] = []
        self.kdv_included = False
        self.posting = False
        self.posted: Any | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Static("", id="receiving-head")
        table: DataTable[Text] = DataTable(id="receiving-lines", cursor_type="row", zebra_stripes=True)
        table.can_focus = False
        yield table
        yield Static("", id="receiving-totals")
        with Horizontal(id="scan-row"):
            yield Label("", id="multiplier")
            yield ScanInput(id="scan", on_scan=self.scanned)
        yield Static("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#receiving-lines", DataTable)
        for key, label, justify in (
            ("no", "#", "right"),
            ("name", _("Product"), "left"),
            ("qty", _("Qty"), "right"),
            ("cost", _("Unit cost"), "right"),
            ("discount", _("Discount"), "right"),
            ("kdv", _("KDV"), "right"),
            ("net", _("Amount"), "right"),
        ):
            table.add_column(Text(label, justify=justify), key=key)  # type: ignore[arg-type]
        self.refresh_all()
        self.show_note(
            _("Scan the goods (5* then scan for five); {post} posts").format(post=key_name("receiving.post"))
        )

    # -- showing -----------------------------------------------------------------------------------

    def refresh_all(self, select: int | None = None) -> None:
        self.refresh_head()
        self.refresh_lines(select)
        self.refresh_totals()

    def refresh_head(self) -> None:
        """Two lines that fit 80 columns: the supplier and their document (the supplier's name is
        what gets shortened); then where the goods go, whether the costs are typed with KDV
        (always visible: it changes every amount) and the dates."""
        h = self.header
        width = max(self.size.width - 2, 40)  # the head's padding
        document = "" if not h.document else " · " + _("doc. {no}").format(no=h.document)
        name = f"{h.supplier} {h.supplier_name}"
        room = max(width - len(document), len(h.supplier))
        if len(name) > room:
            name = name[: room - 1] + "…"
        place = h.location or "-"
        if h.location_name and h.location_name != h.location:
            short = h.location_name if len(h.location_name) <= 16 else h.location_name[:15] + "…"
            place = f"{place} ({short})"
        second = [
            _("Into: {location}").format(location=place),
            _("costs incl. KDV") if self.kdv_included else _("costs excl. KDV"),
            h.date.strftime("%d.%m.%Y"),
        ]
        if h.due is not None:
            second.append(_("due {date}").format(date=h.due.strftime("%d.%m.%Y")))
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(name + document)
        text.append("\n")
        text.append(" · ".join(second[:2]), style="bold")
        text.append(" · " + " · ".join(second[2:]))
        self.query_one("#receiving-head", Static).update(text)

    def on_resize(self) -> None:
        self.refresh_head()

    def priced(self) -> receiving.Priced:
        return receiving.price_lines([ln.cost_input() for ln in self.lines], kdv_included=self.kdv_included)

    def refresh_lines(self, select: int | None = None) -> None:
        table = self.query_one("#receiving-lines", DataTable)
        row = table.cursor_row if select is None else select
        table.clear()
        lang = self.language
        for i, ln in enumerate(self.lines):
            # the line as typed: quantity × unit cost less the discount (excluding or including KDV)
            amount = (ln.qty * to_kurus(ln.unit_cost) * 2 + MILLI) // (2 * MILLI) - to_kurus(ln.discount)
            table.add_row(
                Text(str(i + 1), justify="right"),
                Text(ln.name, no_wrap=True, overflow="ellipsis"),
                Text(format_quantity(ln.qty, ln.unit, language=lang), justify="right"),
                Text(format_money(ln.unit_cost, lang), justify="right"),
                Text(format_money(ln.discount, lang) if ln.discount else "", justify="right"),
                Text(format_percent(ln.kdv_rate, lang), justify="right"),
                Text(format_money(from_kurus(amount), lang), justify="right"),
                key=str(i),
            )
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1), animate=False)

    def refresh_totals(self) -> None:
        lang = self.language
        priced = self.priced()
        grid = Table.grid(expand=True, padding=(0, 2))
        for _i in range(4):
            grid.add_column(justify="right")
        grid.columns[0].justify = "left"
        for rate in priced.rates:
            grid.add_row(
                _("KDV {rate}").format(rate=format_percent(rate.kdv_rate, lang)),
                _("net {amount}").format(amount=format_money(from_kurus(rate.net), lang)),
                _("KDV {amount}").format(amount=format_money(from_kurus(rate.kdv), lang)),
                format_money(from_kurus(rate.gross), lang),
            )
        count = ngettext("{n} line", "{n} lines", len(self.lines)).format(n=len(self.lines))
        grid.add_row(
            Text(_("Total · {count}").format(count=count), style="bold"),
            Text(_("net {amount}").format(amount=format_money(from_kurus(priced.net), lang)), style="bold"),
            Text(_("KDV {amount}").format(amount=format_money(from_kurus(priced.kdv), lang)), style="bold"),
            Text(format_money(from_kurus(priced.gross), lang), style="bold"),
        )
        self.query_one("#receiving-totals", Static).update(grid)

    def selected(self) -> int | None:
        table = self.query_one("#receiving-lines", DataTable)
        if not self.lines or not table.row_count:
            return None
        return min(table.cursor_row, len(self.lines) - 1)

    def action_line(self, delta: int) -> None:
        table = self.query_one("#receiving-lines", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)), animate=False)

    # -- scanning ----------------------------------------------------------------------------------

    def scanned(self, event: ItemScanned) -> None:
        if self.scan_entry(event):
            self.add_code(event.code, event.qty_milli)

    def add_code(self, code: str, multiplier: int | None) -> None:
        if self.posting:
            self.show_error(_("Wait: the goods receipt is being posted"))
            return
        try:
            goods = receiving.scan_goods(code, self.session.settings.scale_labels, multiplier)
        except PosError as exc:
            self.show_error(exc.message)
            return
        self.add_product(goods.product, goods.qty)

    def add_product(self, product: ProductInfo, qty: int) -> None:
        for i, ln in enumerate(self.lines):
            if ln.code == product.code:
                self.lines[i] = replace(ln, qty=ln.qty + qty)
                self.refresh_all(select=i)
                self.show_note(
                    _("{name}: now {qty}").format(
                        name=ln.name, qty=format_quantity(ln.qty + qty, ln.unit, language=self.language)
                    )
                )
                return
        cost = self.start_cost(product)
        self.lines.append(ReceivingLine(product.code, product.name, product.unit, product.kdv_rate, qty, cost))
        self.refresh_all(select=len(self.lines) - 1)
        self.show_note(
            _("{name}: {qty} at {cost}").format(
                name=product.name,
                qty=format_quantity(qty, product.unit, language=self.language),
                cost=format_money(cost, self.language),
            )
        )

    def start_cost(self, product: ProductInfo) -> Decimal:
        """The cost a new line starts at: this supplier's last price, else the average cost (as the
        receipt's costs are typed: with KDV added when they include it)."""
        try:
            last = receiving.last_purchase_price(self.header.supplier, product.code)
        except PosError:
            last = None
        cost = product.cost if last is None else last
        if self.kdv_included:
            kurus = to_kurus(cost) * (100 + product.kdv_rate)
            cost = from_kurus((2 * kurus + 100) // 200)
        return cost

    def action_search(self) -> None:
        from pos_tui.tui.dialogs.lists import ProductSearchDialog

        def chosen(product: Any) -> None:
            if product is not None:
                self.add_code(product.code, self.take_multiplier())

        self.app.push_screen(ProductSearchDialog(self.language), chosen)

    def take_multiplier(self) -> int | None:
        scan = self.query_one(ScanInput)
        qty, scan.pending_qty = scan.pending_qty, None
        self.query_one("#multiplier", Label).update("")
        return qty

    # -- editing the selected line -------------------------------------------------------------------

    def _line_or_error(self) -> int | None:
        index = self.selected()
        if index is None:
            self.show_error(_("Scan a product first; ↑↓ select a line"))
        return index

    def _edit(self, index: int, **changes: Any) -> None:
        self.lines[index] = replace(self.lines[index], **changes)
        self.clear_message()
        self.refresh_all(select=index)

    def action_cost(self) -> None:
        from pos_tui.tui.dialogs.prompts import AmountDialog

        index = self._line_or_error()
        if index is None:
            return
        ln = self.lines[index]
        which = _("including KDV") if self.kdv_included else _("excluding KDV")

        def entered(amount: Decimal | None) -> None:
            if amount is not None:
                if amount * ln.qty / MILLI < ln.discount:
                    self.show_error(_("The line's discount is more than its amount"))
                    return
                self._edit(index, unit_cost=amount)

        self.app.push_screen(
            AmountDialog(
                _("Unit cost"),
                _("{name}: unit cost {which}").format(name=ln.name, which=which),
                ln.unit_cost,
                allow_zero=True,
                language=self.language,
            ),
            entered,
        )

    def action_discount(self) -> None:
        from pos_tui.tui.dialogs.prompts import AmountDialog

        index = self._line_or_error()
        if index is None:
            return
        ln = self.lines[index]
        amount_now = from_kurus((ln.qty * to_kurus(ln.unit_cost) * 2 + MILLI) // (2 * MILLI))

        def entered(amount: Decimal | None) -> None:
            if amount is None:
                return
            if amount > amount_now:
                self.show_error(
                    _("The discount {discount} is more than the line's amount {amount}").format(
                        discount=format_money(amount, self.language), amount=format_money(amount_now, self.language)
                    )
                )
                return
            self._edit(index, discount=amount)

        self.app.push_screen(
            AmountDialog(
                _("Line discount"),
                _("{name}: discount on the line (amount)").format(name=ln.name),
                ln.discount,
                allow_zero=True,
                language=self.language,
            ),
            entered,
        )

    def action_quantity(self) -> None:
        from pos_tui.tui.dialogs.prompts import QuantityDialog

        index = self._line_or_error()
        if index is None:
            return
        ln = self.lines[index]

        def entered(qty: int | None) -> None:
            if qty is None:
                return
            if ln.unit == "piece" and qty % MILLI:
                self.show_error(_("{name} is counted in pieces: type a whole quantity").format(name=ln.name))
                return
            self._edit(index, qty=qty)

        pieces = ln.name if ln.unit == "piece" else None  # a fractional quantity: the error in the dialog
        self.app.push_screen(
            QuantityDialog(_("Quantity"), ln.name, format_quantity(ln.qty, language=self.language), pieces=pieces),
            entered,
        )

    def action_kdv(self) -> None:
        from pos_tui.tui.dialogs.prompts import ChoiceDialog

        index = self._line_or_error()
        if index is None:
            return
        ln = self.lines[index]
        rates = self.session.settings.kdv_rates

        def chosen(key: str | None) -> None:
            if key is not None:
                self._edit(index, kdv_rate=int(key))

        self.app.push_screen(
            ChoiceDialog(
                _("KDV rate"),
                [(str(r), format_percent(r, self.language)) for r in rates],
                _("{name}: KDV rate on the supplier's document").format(name=ln.name),
            ),
            chosen,
        )

    def action_kdv_included(self) -> None:
        self.kdv_included = not self.kdv_included
        self.refresh_all()
        self.show_note(
            _("Costs are now typed including KDV") if self.kdv_included else _("Costs are now typed excluding KDV")
        )

    def action_remove(self) -> None:
        index = self._line_or_error()
        if index is None:
            return
        gone = self.lines.pop(index)
        self.refresh_all(select=max(index - 1, 0))
        self.show_note(_("{name} taken off").format(name=gone.name))

    def action_header(self) -> None:
        def chosen(header: ReceiptHeader | None) -> None:
            if header is not None:
                self.header = header
                self.refresh_head()

        today = shop_day(self.session.now(), self.session.tz)
        self.app.push_screen(ReceivingHeaderDialog(today, self.header, terminal=self.session.terminal), chosen)

    # -- posting and leaving -----------------------------------------------------------------------

    def action_post(self) -> None:
        from pos_tui.tui.dialogs.views import ConfirmDialog

        if self.posting:
            return
        if not self.lines:
            self.show_error(_("Scan the goods first"))
            return
        priced = self.priced()
        question = _("Post {count} from {supplier} into {location}, total {total} including KDV?").format(
            count=ngettext("{n} line", "{n} lines", len(self.lines)).format(n=len(self.lines)),
            supplier=self.header.supplier_name or self.header.supplier,
            location=self.header.location or "-",
            total=format_money(from_kurus(priced.gross), self.language),
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.post()

        self.app.push_screen(ConfirmDialog(_("Post the goods receipt"), question), answered)

    def post(self) -> None:
        session = self.session
        actor = session.require_actor()
        h = self.header
        settings = session.settings
        receipt = receiving.ReceiptInput(
            supplier=h.supplier,
            document=h.document,
            date=h.date,
            due=h.due,
            location=h.location,
            kdv_included=self.kdv_included,
            lines=[
                receiving.ReceiptLineInput(ln.code, ln.qty, ln.unit_cost, ln.discount, ln.kdv_rate) for ln in self.lines
            ],
        )
        given = self.override

        def run(override: Override | None) -> Any:
            return receiving.post_receipt(
                receipt,
                actor=actor,
                now=session.now(),
                terminal=session.terminal,
                kdv_rates=settings.kdv_rates,
                tz=session.tz,
                override=override or given,
            )

        self.posting = True
        self.show_note(_("Posting the goods receipt…"))
        pos_app(self).call_core(
            CoreCall(
                run=run, reply=ReceiptPosted, target=self, description=_("Posting the goods receipt"), group="receiving"
            )
        )

    def failed(self, error: PosError) -> None:
        self.posting = False
        super().failed(error)

    @on(ReceiptPosted)
    def _posted(self, event: ReceiptPosted) -> None:
        self.posting = False
        info = event.info
        self.posted = info
        self.lines = []
        self.refresh_all()
        note = _("Goods receipt {number} posted: {total} including KDV").format(
            number=info.number, total=format_money(info.total, self.language)
        )
        self.show_note(note)
        if not info.cost_changes:
            self.dismiss(note)
            return

        session = self.session
        actor = session.require_actor()
        number = info.number
        given = self.override

        def save(changes: list[Any], override: Override | None) -> list[Any]:
            return receiving.set_sale_prices(
                changes,
                actor=actor,
                now=session.now(),
                terminal=session.terminal,
                receipt=number,
                override=override or given,
            )

        def priced(result: list[Any] | None) -> None:
            if result is None:
                self.dismiss(note)
                return
            count = ngettext("{n} sale price changed", "{n} sale prices changed", len(result)).format(n=len(result))
            self.dismiss(_("{note}; {count} (shelf labels: F12 → labels)").format(note=note, count=count))

        self.app.push_screen(NewPricesDialog(list(info.cost_changes), self.language, save), priced)

    def action_leave(self) -> None:
        from pos_tui.tui.dialogs.views import ConfirmDialog

        if self.posting:
            return
        if not self.lines:
            self.dismiss(None)
            return
        question = ngettext(
            "{n} line is not posted and will be lost. Leave?",
            "{n} lines are not posted and will be lost. Leave?",
            len(self.lines),
        ).format(n=len(self.lines))

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog(_("Leave the goods receipt"), question), answered)


def _with_permission(screen: PosScreen, then: Callable[[Override | None], None]) -> None:
    """Run ``then`` once the user may receive goods: at once, or after a supervisor's PIN (whose
    approval ``then`` gets, to post with)."""
    actor = screen.session.require_actor()

    def check(override: Override | None) -> Override | None:
        return require(actor, "receive", override)

    pos_app(screen).with_override(check, then, screen.failed)


def _back_on(screen: PosScreen) -> Callable[[str | None], None]:
    def back(note: str | None) -> None:
        if note:
            screen.show_note(note)

    return back


def open_receiving(screen: PosScreen) -> None:
    """F12 → Stock → Goods receipt: the head (supplier, document, date), then the receiving screen."""

    def permitted(override: Override | None) -> None:
        def headed(header: ReceiptHeader | None) -> None:
            if header is not None:
                screen.app.push_screen(ReceivingScreen(header, override), _back_on(screen))

        today = shop_day(screen.session.now(), screen.session.tz)
        screen.app.push_screen(ReceivingHeaderDialog(today, terminal=screen.session.terminal), headed)

    _with_permission(screen, permitted)


def open_supplier_return(screen: PosScreen) -> None:
    """F12 → Stock → Return goods to a supplier: receipt number, lines with what can go back, post."""

    def permitted(override: Override | None) -> None:
        def done(info: Any) -> None:
            if info is not None:
                screen.show_note(
                    _("Return to supplier {number} posted: {total} including KDV").format(
                        number=info.number, total=format_money(info.total, screen.language)
                    )
                )

        screen.app.push_screen(SupplierReturnDialog(screen.language, override), done)

    _with_permission(screen, permitted)
