"""The stock look-up (F12 → Stock → look-up): a product's stock, its stock card, and a few stock reports.

Scan or type a product: its stock per location, minimum stock and, for a user with the
``reports`` permission, its average cost, value and last purchase. Cashiers see quantities only:
costs and values are the shop's business figures (docs/stock-reports.md). A key opens the
product's stock card (its last :data:`CARD_ROWS` movements, newest last, with the opening
balance before them); another opens the reports: low stock, idle stock, negative stock and
stock by location, each a scrollable table. Every table fits 80×24; every error shows on the
message line. The core calls run in workers (:class:`~pos_tui.tui.calls.CoreCall`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Static

from pos_tui.core.kernel import Override, format_decimal, format_money, format_quantity, from_kurus, local, unit_label
from pos_tui.core.stock import reports
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.keymap import N_, bind
from pos_tui.tui.screens.base import PosScreen
from pos_tui.tui.widgets.keybar import KeyBar
from pos_tui.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from pos_tui.settings import Settings

CARD_ROWS = 200  # the card shows the last this many movements (pos-admin stock card has them all)
LOW_DAYS, LEAD_TIME, IDLE_DAYS = 30, 7, 90
MONEY_PERMISSION = "reports"


@dataclass
class StockShown(Message, bubble=False):
    """A product's stock was read (a :class:`~pos_tui.core.stock.reports.StockInfo`)."""

    info: Any


@dataclass
class TableReady(Message, bubble=False):
    """A card or report was read and laid out: show it in a table screen."""

    title: str
    columns: list[tuple[str, bool]]  # (heading, right-aligned)
    rows: list[list[str]]
    note: str
    newest_last: bool = False


def open_stock_lookup(screen: PosScreen) -> None:
    """The stock menu's look-up entry."""
    screen.app.push_screen(StockLookupScreen())


class _Numbers:
    """Quantities and money the shop's way."""

    def __init__(self, settings: Settings) -> None:
        self.lang = settings.language
        self.tz = settings.shop.timezone

    def qty(self, milli: int, unit: str) -> str:
        return format_quantity(milli, unit, places=0 if unit == "piece" else 3, language=self.lang)

    def money(self, kurus: int) -> str:
        return format_money(from_kurus(kurus), self.lang)

    def count(self, n: int) -> str:
        return format_decimal(n, language=self.lang)


class StockLookupScreen(PosScreen, ScanTarget):
    """Scan or type a product; F5 its stock card, F6 the stock reports, Esc back."""

    AUTO_FOCUS = "#code"
    DEFAULT_CSS = """
    StockLookupScreen #stock { height: 1fr; padding: 0 1; }
    StockLookupScreen #code { margin: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("app.back", "back", N_("Back"), N_("Back to the sale")),
        bind("stock.search", "search", N_("Search"), N_("Find a product by name")),
        bind("stock.card", "card", N_("Stock card"), N_("The movements of this product")),
        bind("stock.reports", "reports", N_("Reports"), N_("Low, idle and negative stock, stock by location")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.info: Any = None

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Label(_("Stock look-up"), classes="section-title")
        yield Input(
            id="code", placeholder=_("Scan or type a code or barcode, then Enter; F3 finds a name"), max_length=64
        )
        yield Static(_("Scan a product to see its stock."), id="stock")
        yield Static("", id="message")
        yield KeyBar()

    @property
    def sees_money(self) -> bool:
        actor = self.session.actor
        return actor is not None and actor.can(MONEY_PERMISSION)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_search(self) -> None:
        """Find the product by name (the sale screen's search dialog), then show its stock."""
        from pos_tui.tui.dialogs.lists import ProductSearchDialog

        def chosen(product: Any) -> None:
            if product is not None:
                self.look_up(product.code)

        self.app.push_screen(ProductSearchDialog(self.language), chosen)

    @on(Input.Submitted, "#code")
    def _submitted(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        event.input.value = ""
        if not code:
            self.show_error(_("Scan or type a product code first"))
            return
        self.look_up(code)

    def look_up(self, code: str) -> None:
        self.clear_message()

        def run(_override: Override | None) -> Any:
            return reports.stock_info(code)

        pos_app(self).call_core(
            CoreCall(run=run, reply=StockShown, target=self, description=_("Reading the stock"), group="stock")
        )

    @on(StockShown)
    def _shown(self, event: StockShown) -> None:
        self.info = event.info
        self.query_one("#stock", Static).update(self.render_info(event.info))
        if event.info.negative:
            self.show_error(_("Negative stock: sold before it was received, or a count is due"))
        elif event.info.below_min:
            self.show_note(_("Below the minimum stock: see Reports → Low stock"))

    def render_info(self, info: Any) -> Table:
        f = _Numbers(self.session.settings)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_row(_("Product"), Text.assemble((info.name, "bold"), "  ", (info.code, "dim")))
        grid.add_row(_("Unit"), unit_label(info.unit))
        style = "red bold" if info.on_hand < 0 else ""
        grid.add_row(_("On hand"), Text(f.qty(info.on_hand, info.unit), style=style))
        for location, qty in info.by_location.items():
            grid.add_row(f"  {location}", Text(f.qty(qty, info.unit), style="red" if qty < 0 else ""))
        grid.add_row(_("Minimum stock"), f.qty(info.min_stock, info.unit) if info.min_stock else "-")
        if self.sees_money:
            grid.add_row(_("Average cost"), f.money(info.avg_cost))
            grid.add_row(_("Stock value"), f.money(info.value))
            purchase = info.last_purchase
            grid.add_row(
                _("Last purchase"),
                "-"
                if purchase is None
                else _("{cost} from {supplier} on {day}").format(
                    cost=f.money(purchase.unit_cost),
                    supplier=purchase.supplier_name,
                    day=local(purchase.at, f.tz).strftime("%d.%m.%Y"),
                ),
            )
        else:
            grid.add_row("", Text(_("Costs and values need the reports permission"), style="dim"))
        return grid

    # -- the stock card ------------------------------------------------------------------------

    def action_card(self) -> None:
        if self.info is None:
            self.show_error(_("Scan a product first, then its stock card"))
            return
        code, money = self.info.code, self.sees_money
        settings = self.session.settings

        def run(_override: Override | None) -> TableReady:
            return card_table(code, settings, money=money)

        pos_app(self).call_core(
            CoreCall(run=run, reply=lambda t: t, target=self, description=_("Reading the stock card"), group="stock")
        )

    # -- reports -------------------------------------------------------------------------------

    def action_reports(self) -> None:
        from pos_tui.tui.dialogs.prompts import ChoiceDialog

        entries = [
            ("low", _("Low stock, with what to reorder")),
            ("idle", _("Idle stock (no sale in {days} days)").format(days=IDLE_DAYS)),
            ("negative", _("Negative stock")),
            ("levels", _("Stock by location")),
        ]

        def chosen(key: str | None) -> None:
            if key is not None:
                self.run_report(key)

        self.app.push_screen(ChoiceDialog(_("Stock reports"), entries), chosen)

    def run_report(self, key: str) -> None:
        settings, now, money = self.session.settings, self.session.now(), self.sees_money

        def run(_override: Override | None) -> TableReady:
            return REPORTS[key](settings, now, money)

        pos_app(self).call_core(
            CoreCall(run=run, reply=lambda t: t, target=self, description=_("Making the report"), group="stock")
        )

    @on(TableReady)
    def _table(self, event: TableReady) -> None:
        self.app.push_screen(StockTableScreen(event))


def card_table(code: str, settings: Settings, *, money: bool) -> TableReady:
    """The last :data:`CARD_ROWS` movements of ``code``, oldest first, as table rows."""
    f = _Numbers(settings)
    card = reports.stock_card(code, tz=f.tz, tail=CARD_ROWS)
    shown = list(card.rows())
    # The product moved between locations: each row says where (a transfer's two rows differ only
    # by it). In the movement column, so the card keeps to 80 columns.
    places = len({r.location for r in shown}) > 1
    rows = [
        [
            local(r.at, f.tz).strftime("%d.%m.%Y %H:%M"),
            f"{r.document_text()} · {r.location}" if places else r.document_text(),
            f.qty(r.qty_in, card.unit) if r.qty_in else "",
            f.qty(r.qty_out, card.unit) if r.qty_out else "",
            f.qty(r.balance, card.unit),
            *([f.money(r.unit_cost)] if money else []),
        ]
        for r in shown
    ]
    total = card.count()
    columns = [(_("Date"), False), (_("Movement"), False), (_("In"), True), (_("Out"), True), (_("Balance"), True)]
    if money:
        columns.append((_("Cost"), True))
    note = _("Opening {opening} · closing {closing}").format(
        opening=f.qty(card.opening, card.unit), closing=f.qty(card.closing or 0, card.unit)
    )
    if total > len(rows):
        note += " · " + _("last {shown} of {total} movements (pos-admin stock card has them all)").format(
            shown=f.count(len(rows)), total=f.count(total)
        )
    elif not rows:
        note = _("No movements yet")
    title = _("Stock card: {code} {name}").format(code=card.code, name=card.name)
    return TableReady(title, columns, rows, note, newest_last=True)


def _low(settings: Settings, now: Any, money: bool) -> TableReady:
    f = _Numbers(settings)
    lines = reports.low_stock(now=now, days=LOW_DAYS, lead_time=LEAD_TIME)
    rows = [
        [ln.code, ln.name, f.qty(ln.on_hand, ln.unit), f.qty(ln.min_stock, ln.unit), f.qty(ln.suggestion, ln.unit)]
        for ln in lines
    ]
    columns = [(_("Code"), False), (_("Name"), False), (_("On hand"), True), (_("Minimum"), True), (_("Order"), True)]
    note = (
        _("Order = daily sales ({days} days) × {lead} days to arrive + minimum − on hand").format(
            days=LOW_DAYS, lead=LEAD_TIME
        )
        if rows
        else _("No product is below its minimum stock")
    )
    return TableReady(_("Low stock"), columns, rows, note)


def _idle(settings: Settings, now: Any, money: bool) -> TableReady:
    f = _Numbers(settings)
    lines = reports.idle_stock(now=now, days=IDLE_DAYS)
    rows = [
        [
            ln.code,
            ln.name,
            f.qty(ln.on_hand, ln.unit),
            *([f.money(ln.value)] if money else []),
            "-" if ln.last_sale is None else local(ln.last_sale, f.tz).strftime("%d.%m.%Y"),
        ]
        for ln in lines
    ]
    columns = [(_("Code"), False), (_("Name"), False), (_("On hand"), True)]
    if money:
        columns.append((_("Value"), True))
    columns.append((_("Last sale"), False))
    note = _("No sale in {days} days").format(days=IDLE_DAYS) if rows else _("No idle stock")
    if rows and money:
        note += " · " + _("value {value}").format(value=f.money(sum(ln.value for ln in lines)))
    return TableReady(_("Idle stock"), columns, rows, note)


def _negative(settings: Settings, now: Any, money: bool) -> TableReady:
    f = _Numbers(settings)
    lines = reports.negative_stock()
    rows = [[ln.code, ln.name, ln.location, f.qty(ln.qty, ln.unit)] for ln in lines]
    columns = [(_("Code"), False), (_("Name"), False), (_("Location"), False), (_("On hand"), True)]
    note = _("Sold before it was received: receive the goods or count them") if rows else _("No negative stock")
    return TableReady(_("Negative stock"), columns, rows, note)


def _levels(settings: Settings, now: Any, money: bool) -> TableReady:
    f = _Numbers(settings)
    report = reports.stock_levels(by="location")
    rows = [
        [g.key, f.count(g.products), *([f.money(g.value)] if money else []), f.count(g.negative) if g.negative else ""]
        for g in report.groups
    ]
    columns = [(_("Location"), False), (_("Products"), True)]
    if money:
        columns.append((_("Value"), True))
    columns.append((_("Negative"), True))
    note = _("Total value {value}").format(value=f.money(report.total_value)) if money else ""
    return TableReady(_("Stock by location"), columns, rows, note if rows else _("No stock anywhere"))


REPORTS: dict[str, Callable[[Settings, Any, bool], TableReady]] = {
    "low": _low,
    "idle": _idle,
    "negative": _negative,
    "levels": _levels,
}


class StockTableScreen(PosScreen):
    """A card or report as a scrollable table (↑↓ PgUp PgDn); Esc goes back to the look-up."""

    AUTO_FOCUS = "#rows"
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("app.back", "back", N_("Back"), N_("Back to the stock look-up")),
    ]

    def __init__(self, table: TableReady) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Label(self.table.title, classes="section-title")
        yield DataTable(id="rows", cursor_type="row", zebra_stripes=True)
        yield Static("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#rows", DataTable)
        right = [justify for _heading, justify in self.table.columns]
        for heading, justify in self.table.columns:
            table.add_column(Text(heading, justify="right") if justify else heading)
        for row in self.table.rows:
            table.add_row(*cells(row, right))
        if self.table.newest_last and self.table.rows:
            table.move_cursor(row=len(self.table.rows) - 1)
        if self.table.note:
            self.show_note(self.table.note)

    def action_back(self) -> None:
        self.dismiss(None)


def cells(row: Sequence[str], right: Sequence[bool]) -> list[Text | str]:
    return [Text(value, justify="right") if r else value for value, r in zip(row, right, strict=True)]
