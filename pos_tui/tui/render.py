"""Reports and receipts as Rich renderables for the screen (the printer gets its own layout).

Everything here is pure: it takes the core's frozen results (or the sale document dict) and
the settings, and returns something ``Static`` can show.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from pos_tui.core.kernel import format_money, local, method_label
from pos_tui.i18n import _
from pos_tui.settings import Settings


def _grid() -> Table:
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=1)
    grid.add_column(justify="right")
    return grid


def _when(dt: datetime | None, settings: Settings) -> str:
    return "—" if dt is None else local(dt, settings.shop.timezone).strftime("%d.%m.%Y %H:%M")


def _kdv_table(by_kdv: Mapping[Any, Any], lang: str) -> Table:
    table = Table(box=None, expand=True, padding=(0, 1), header_style="dim")
    table.add_column(_("KDV"))
    table.add_column(_("Base"), justify="right")
    table.add_column(_("Tax"), justify="right")
    for rate, row in sorted(by_kdv.items(), key=lambda kv: int(kv[0])):
        base, kdv = (Decimal(row["base"]), Decimal(row["kdv"])) if isinstance(row, Mapping) else (row.base, row.kdv)
        table.add_row(f"%{rate}", format_money(base, lang), format_money(kdv, lang))
    return table


def document_totals_rows(totals: Any, lang: str) -> Table:
    """Counts, gross, returns, net and the net per payment method of a DocumentTotals."""
    grid = _grid()
    grid.add_row(_("Sales"), str(totals.sales_count))
    grid.add_row(_("Returns"), str(totals.returns_count))
    grid.add_row(_("Gross sales"), format_money(totals.gross, lang))
    grid.add_row(_("Returned"), format_money(-totals.returns, lang))
    grid.add_row(Text(_("Net"), style="bold"), Text(format_money(totals.net, lang), style="bold"))
    for method, amount in totals.by_payment.items():
        grid.add_row("  " + method_label(method), format_money(amount, lang))
    return grid


def render_x(report: Any, settings: Settings) -> RenderableType:
    """The shift's X report: drawer figures and the documents of the shift so far."""
    lang = settings.language
    shift = report.shift
    head = _grid()
    head.add_row(_("Shift"), f"#{shift.id}")
    head.add_row(_("Opened"), f"{_when(shift.opened_at, settings)} · {shift.opened_by}")
    head.add_row(_("Printed"), _when(report.at, settings))
    drawer = _grid()
    drawer.add_row(_("Opening float"), format_money(report.opening_float, lang))
    drawer.add_row(_("Cash sales"), format_money(report.cash_sales, lang))
    drawer.add_row(_("Cash refunds"), format_money(-report.cash_refunds, lang))
    drawer.add_row(_("Paid in"), format_money(report.paid_in, lang))
    drawer.add_row(_("Paid out"), format_money(-report.paid_out, lang))
    drawer.add_row(_("Gift cards sold (cash)"), format_money(report.gift_cards, lang))
    if getattr(report, "store_credit", None):
        drawer.add_row(_("Store credit sold (cash)"), format_money(report.store_credit, lang))
    if getattr(report, "collections", None) or getattr(report, "supplier_payments", None):
        drawer.add_row(_("Cash collections"), format_money(report.cash_collections, lang))
        drawer.add_row(_("Cash paid to suppliers"), format_money(-report.cash_supplier_payments, lang))
    drawer.add_row(_("No-sale openings"), str(report.no_sales))
    drawer.add_row(
        Text(_("Expected in drawer"), style="bold"), Text(format_money(report.expected_cash, lang), style="bold")
    )
    return Group(
        head,
        Rule(_("Drawer")),
        drawer,
        Rule(_("Documents")),
        document_totals_rows(report.totals, lang),
        Rule(_("KDV")),
        _kdv_table(report.totals.by_kdv, lang),
        *_account_money(report, lang),
        *_journal_head(report),
    )


def _account_money(report: Any, lang: str) -> list[RenderableType]:
    """Collections on customers' accounts and payments to suppliers by method (X and Z), when any."""
    collections = getattr(report, "collections", None) or {}
    payments = getattr(report, "supplier_payments", None) or {}
    if not collections and not payments:
        return []
    grid = _grid()
    for method, amount in collections.items():
        grid.add_row(_("Collection") + " · " + method_label(method), format_money(amount, lang))
    for method, amount in payments.items():
        grid.add_row(_("Paid to suppliers") + " · " + method_label(method), format_money(-amount, lang))
    return [Rule(_("Accounts")), grid]


def _journal_head(report: Any) -> list[RenderableType]:
    """The journal's head as printed on the X/Z (``ENTRY:HASH``), to note down or compare."""
    head = getattr(report, "journal_head", None)
    if head is None:
        return []
    grid = _grid()
    grid.add_row(_("Journal head"), str(head))
    return [Rule(), grid]


def render_z(report: Any, settings: Settings, *, gift_cards: Decimal | None = None) -> RenderableType:
    """A Z closure: number, period, totals by payment method and KDV rate, grand total.

    ``gift_cards`` (money taken for gift cards sold or topped up in the Z's period) is shown
    apart, after the grand total: a gift card is not turnover (no receipt, no KDV), so it is
    in no document total; the X report carries the cash part as a drawer figure."""
    lang = settings.language
    head = _grid()
    head.add_row(Text(_("Z number"), style="bold"), Text(str(report.z_no), style="bold"))
    head.add_row(_("Terminal"), report.terminal)
    head.add_row(_("Closed"), f"{_when(report.at, settings)} · {report.user or ''}")
    head.add_row(_("From"), _when(report.totals.from_at, settings))
    head.add_row(_("To"), _when(report.totals.to_at, settings))
    tail = _grid()
    tail.add_row(Text(_("Grand total"), style="bold"), Text(format_money(report.grand_total, lang), style="bold"))
    sold = gift_cards if gift_cards is not None else getattr(report, "gift_cards", None)
    if sold is not None:
        tail.add_row(_("Gift cards sold (not turnover)"), format_money(sold, lang))
    return Group(
        head,
        Rule(_("Documents")),
        document_totals_rows(report.totals, lang),
        Rule(_("KDV")),
        _kdv_table(report.totals.by_kdv, lang),
        Rule(),
        tail,
        *_account_money(report, lang),
        *_journal_head(report),
    )


def render_shift_close(shift: Any, settings: Settings) -> RenderableType:
    """Expected vs counted cash of a closed shift, and the variance (red when cash is missing)."""
    lang = settings.language
    grid = _grid()
    grid.add_row(_("Shift"), f"#{shift.id}")
    grid.add_row(_("Opened"), f"{_when(shift.opened_at, settings)} · {shift.opened_by}")
    grid.add_row(_("Closed"), f"{_when(shift.closed_at, settings)} · {shift.closed_by or ''}")
    grid.add_row(_("Expected cash"), format_money(shift.expected_cash, lang))
    grid.add_row(_("Counted cash"), format_money(shift.counted_cash, lang))
    variance = shift.variance
    style = "bold red" if variance < 0 else "bold green" if variance > 0 else "bold"
    grid.add_row(Text(_("Variance"), style="bold"), Text(format_money(variance, lang), style=style))
    return grid


def render_receipt(doc: Mapping[str, Any], settings: Settings) -> RenderableType:
    """A posted sale or return (the sale document dict) as the customer's receipt reads."""
    lang = settings.language
    shop = settings.shop
    head = Text(justify="center")
    head.append(shop.legal_name or shop.name, style="bold")
    tax_id = _("Tax office {office}, tax no {vkn}").format(office=shop.tax_office, vkn=shop.vkn) if shop.vkn else ""
    for line in (shop.address, tax_id, *settings.receipt_header):
        if line:
            head.append("\n" + line)
    kind = _("RETURN") if doc["type"] == "return" else _("SALE")
    meta = _grid()
    meta.add_row(
        Text(f"{kind} {doc['terminal']}/{doc['receipt_no']}", style="bold"),
        local(datetime.fromisoformat(doc["at"]), shop.timezone).strftime("%d.%m.%Y %H:%M"),
    )
    meta.add_row(_("Cashier"), doc.get("cashier") or "")
    lines = Table(box=None, expand=True, padding=(0, 1), show_header=False)
    lines.add_column(ratio=1)
    lines.add_column(justify="right")
    for ln in doc["lines"]:
        qty = ln["qty"]
        lines.add_row(Text(ln["name"]), Text(format_money(Decimal(ln["total"]), lang)))
        detail = f"  {qty} × {format_money(Decimal(ln['unit_price']), lang)}  %{ln['kdv_rate']}"
        if Decimal(ln["discount"]):
            detail += "  " + _("disc. {amount}").format(amount=format_money(Decimal(ln["discount"]), lang))
        lines.add_row(Text(detail, style="dim"), "")
    sums = _grid()
    if Decimal(doc["discount"]):
        sums.add_row(_("Subtotal"), format_money(Decimal(doc["subtotal"]), lang))
        sums.add_row(_("Discount"), format_money(-Decimal(doc["discount"]), lang))
    sums.add_row(Text(_("TOTAL"), style="bold"), Text(format_money(Decimal(doc["total"]), lang), style="bold"))
    pays = _grid()
    for p in doc["payments"]:
        label = method_label(p["method"]) + (f" ({p['reference']})" if p.get("reference") else "")
        pays.add_row(label, format_money(Decimal(p["amount"]), lang))
        if p.get("tendered") and p.get("change") and Decimal(p["change"]):
            pays.add_row("  " + _("Given"), format_money(Decimal(p["tendered"]), lang))
            pays.add_row("  " + _("Change"), format_money(Decimal(p["change"]), lang))
    foot = Text("\n".join(settings.receipt_footer), justify="center", style="dim")
    return Group(
        head, Rule(), meta, Rule(), lines, Rule(), sums, _kdv_table(doc["kdv"], lang), Rule(), pays, Rule(), foot
    )
