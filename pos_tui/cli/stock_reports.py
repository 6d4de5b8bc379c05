"""``pos-admin stock`` commands: reports (show, card, levels, low, idle, shrinkage, negative).

Every report prints a Turkish (the shop's language) table by default, only JSON with ``--json``
and CSV with ``--csv`` (through the exports' CSV writer: cells that could start a formula are
protected). Quantities and money are decimal strings in JSON and CSV (``"12.5"``, ``"337.78"``).
Dates are the shop's days in its time zone. They only read: nobody needs to be named.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pos_tui.cli.common import handle_errors, now, parse_date, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, stdout, table
from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.settings import Settings

CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV on stdout (a header row, then one row per line).")]
LocationOption = Annotated[
    str | None, typer.Option("--location", "-l", help="Only this stock location (default: all of them).")
]
CARD_LIMIT = 100


def _mode(json_: bool, csv_: bool) -> str:
    """The output asked for; reads the settings first, so every message is in the shop's language."""
    state().settings  # noqa: B018 - loads the settings and sets the language
    if json_ and csv_:
        fail(_("Choose one of --json and --csv"), ExitCode.USAGE)
    return "json" if json_ else "csv" if csv_ else "text"


def _csv(records: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> None:
    from pos_tui.core.kernel import write_records

    write_records(records, "csv", sys.stdout, columns=columns)
    sys.stdout.flush()


class _Fmt:
    """Numbers the shop's way, from milli-units and kuruş."""

    def __init__(self, settings: Settings) -> None:
        self.lang = settings.language
        self.tz = settings.shop.timezone

    def qty(self, milli: int, unit: str | None = None) -> str:
        from pos_tui.core.kernel import format_quantity

        return format_quantity(milli, unit, places=3 if unit not in (None, "piece") else 0, language=self.lang)

    def money(self, kurus: int) -> str:
        from pos_tui.core.kernel import format_money, from_kurus

        return format_money(from_kurus(kurus), self.lang)

    def day(self, value: datetime | None) -> str:
        from pos_tui.core.kernel import local

        return "-" if value is None else local(value, self.tz).strftime("%d.%m.%Y")


def _show(code: str, json_: bool) -> None:
    from pos_tui.core.kernel import unit_label
    from pos_tui.core.stock import reports

    settings = state().open_db()
    found = reports.stock_info(code)
    if json_:
        print_json(found.as_json(settings.shop.timezone))
        return
    f = _Fmt(settings)
    purchase = found.last_purchase
    rows: list[tuple[str, str]] = [
        (_("Code"), found.code),
        (_("Name"), found.name),
        (_("Unit"), unit_label(found.unit)),
        (_("On hand"), f.qty(found.on_hand, found.unit)),
        *((_("  at {location}").format(location=loc), f.qty(q, found.unit)) for loc, q in found.by_location.items()),
        (_("Average cost"), f.money(found.avg_cost)),
        (_("Stock value"), f.money(found.value)),
        (_("Minimum stock"), f.qty(found.min_stock, found.unit)),
        (
            _("Last purchase"),
            "-"
            if purchase is None
            else _("{cost} from {supplier} on {day}").format(
                cost=f.money(purchase.unit_cost), supplier=purchase.supplier_name, day=f.day(purchase.at)
            ),
        ),
    ]
    width = max(len(label) for label, _value in rows) + 1
    for label, value in rows:
        stdout.print(f"{label + ':':<{width}} {value}", markup=False)
    if found.negative:
        info(_("Negative stock: sold or moved out before it was received."))
    elif found.below_min:
        info(_("Below the minimum stock."))


def _card(
    code: str,
    first: date | None,
    last: date | None,
    location: str | None,
    limit: int,
    mode: str,
) -> None:
    from pos_tui.core.kernel import format_decimal
    from pos_tui.core.stock import reports

    settings = state().open_db()
    tz = settings.shop.timezone
    if mode == "json":
        reports.write_card_json(reports.stock_card(code, first=first, last=last, location=location, tz=tz), sys.stdout)
        sys.stdout.flush()
        return
    if mode == "csv":
        reports.write_card_csv(reports.stock_card(code, first=first, last=last, location=location, tz=tz), sys.stdout)
        sys.stdout.flush()
        return
    card = reports.stock_card(code, first=first, last=last, location=location, tz=tz, tail=limit)
    f = _Fmt(settings)
    total = card.count()
    unit = card.unit

    def when(row: reports.CardRow) -> str:
        from pos_tui.core.kernel import local

        return local(row.at, tz).strftime("%d.%m.%y %H:%M")

    period = " – ".join(
        [
            first.strftime("%d.%m.%Y") if first else _("the beginning"),
            last.strftime("%d.%m.%Y") if last else _("today"),
        ]
    )
    title = _("Stock card of {code} {name}, {period}").format(code=card.code, name=card.name, period=period)
    if card.location:
        title += " · " + card.location
    stdout.print(title, markup=False, style="bold")
    stdout.print(_("Opening balance: {qty}").format(qty=f.qty(card.opening, unit)), markup=False)
    table(
        [
            _("Date"),
            _("Movement"),
            *([] if card.location else [_("Location")]),
            _("In"),
            _("Out"),
            _("Balance"),
            _("Cost"),
        ],
        (
            (
                when(r),
                r.document_text(),
                *([] if card.location else [r.location]),
                f.qty(r.qty_in, unit) if r.qty_in else "",
                f.qty(r.qty_out, unit) if r.qty_out else "",
                f.qty(r.balance, unit),
                f.money(r.unit_cost),
            )
            for r in card.rows()
        ),
    )
    stdout.print(_("Closing balance: {qty}").format(qty=f.qty(card.closing or 0, unit)), markup=False, style="bold")
    if total > limit:
        info(
            _(
                "Only the last {shown} of {total} movements are shown (the opening balance is the stock "
                "before them); see more with --limit, narrow with --from/--to, or take all with --json or --csv."
            ).format(shown=format_decimal(limit, language=f.lang), total=format_decimal(total, language=f.lang))
        )
    elif total == 0:
        info(_("No movements in this period."))


def _levels(as_of: date | None, location: str | None, category: str | None, by: str | None, mode: str) -> None:
    from pos_tui.core.stock import reports

    if by is not None and by not in reports.LEVELS_BY:
        fail(_("--by must be one of {choices}").format(choices=", ".join(reports.LEVELS_BY)), ExitCode.USAGE)
    settings = state().open_db()
    tz = settings.shop.timezone
    report = reports.stock_levels(
        as_of=None if as_of is None else reports.end_of_day(as_of, tz), location=location, category=category, by=by
    )
    doc = report.as_json(tz)
    if mode == "json":
        print_json(doc)
        return
    if mode == "csv":
        columns = ("key", "products", "lines", "value", "negative") if by else _LINE_COLUMNS
        _csv(doc["rows"] + ([] if by else doc["negative"]), columns)
        return
    f = _Fmt(settings)
    when = as_of.strftime("%d.%m.%Y") if as_of else _("now")
    if not report.lines and not report.negative:
        info(_("No stock on hand {when}.").format(when=when))
        return
    if by:
        heading = _("Location") if by == "location" else _("Category")
        table(
            [heading, _("Products"), _("Value"), _("Negative")],
            [(g.key or _("(no category)"), g.products, f.money(g.value), g.negative or "") for g in report.groups],
            title=_("Stock on hand and value, {when}").format(when=when),
        )
    else:
        _line_table(report.lines, f, _("Stock on hand and value, {when}").format(when=when))
    stdout.print(
        _("Total value: {value} ({n} product lines)").format(value=f.money(report.total_value), n=len(report.lines)),
        markup=False,
        style="bold",
    )
    if report.negative:
        _line_table(report.negative, f, _("Negative stock (not in the value)"), value=False)


_LINE_COLUMNS = ("code", "name", "unit", "category", "location", "qty", "unit_cost", "value")


def _line_table(lines: Sequence[Any], f: _Fmt, title: str, *, value: bool = True) -> None:
    columns = [_("Code"), _("Name"), _("Location"), _("On hand")]
    if value:
        columns += [_("Unit cost"), _("Value")]
    table(
        columns,
        (
            (
                ln.code,
                ln.name,
                ln.location,
                f.qty(ln.qty, ln.unit),
                *((f.money(ln.unit_cost), f.money(ln.value)) if value else ()),
            )
            for ln in lines
        ),
        title=title,
    )


def _print(
    mode: str,
    doc: Any,
    records: list[dict[str, Any]],
    columns: Sequence[str],
    human: Callable[[], None],
    empty: str,
) -> None:
    if mode == "json":
        print_json(doc)
    elif mode == "csv":
        _csv(records, columns)
    elif not records:
        info(empty)
    else:
        human()


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``stock`` group."""

    @app.command("show")
    @handle_errors
    def show(
        code: Annotated[str, typer.Argument(help="Product code (PLU) or one of its barcodes.")],
        json_: JsonOption = False,
    ) -> None:
        """A product's stock: on hand per location, average cost, value, minimum, last purchase."""
        _show(code, json_)

    @app.command("card")
    @handle_errors
    def card(
        code: Annotated[str, typer.Argument(help="Product code (PLU) or one of its barcodes.")],
        from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: the first).")] = None,
        to: Annotated[str | None, typer.Option("--to", help="Last day, included, YYYY-MM-DD (default: today).")] = None,
        location: LocationOption = None,
        limit: Annotated[
            int, typer.Option("--limit", "-n", min=1, help="Show at most the last N movements (tables only).")
        ] = CARD_LIMIT,
        json_: JsonOption = False,
        csv_: CsvOption = False,
    ) -> None:
        """The stock card: every movement in date order with its running balance (streamed)."""
        mode = _mode(json_, csv_)
        _card(code, parse_date(from_, "--from"), parse_date(to, "--to"), location, limit, mode)

    @app.command("levels")
    @handle_errors
    def levels(
        as_of: Annotated[
            str | None, typer.Option("--as-of", help="At the end of this day, YYYY-MM-DD (default: now).")
        ] = None,
        location: LocationOption = None,
        category: Annotated[str | None, typer.Option("--category", help="Only this category (its name).")] = None,
        by: Annotated[str | None, typer.Option("--by", help="Group by location or category.")] = None,
        json_: JsonOption = False,
        csv_: CsvOption = False,
    ) -> None:
        """On hand and value per product and location (or per location or category) at a date."""
        mode = _mode(json_, csv_)
        _levels(parse_date(as_of, "--as-of"), location, category, by, mode)

    @app.command("low")
    @handle_errors
    def low(
        days: Annotated[int, typer.Option("--days", help="Average the sales of this many days.")] = 30,
        lead_time: Annotated[int, typer.Option("--lead-time", help="Days an order takes to arrive.")] = 7,
        location: LocationOption = None,
        json_: JsonOption = False,
        csv_: CsvOption = False,
    ) -> None:
        """Products below their minimum stock (and negative ones) with what to reorder."""
        from pos_tui.core.stock import reports

        mode = _mode(json_, csv_)
        settings = state().open_db()
        lines = reports.low_stock(now=now(), days=days, lead_time=lead_time, location=location)
        records = [ln.as_json() for ln in lines]
        f = _Fmt(settings)

        def human() -> None:
            table(
                [_("Code"), _("Name"), _("On hand"), _("Minimum"), _("Daily sales"), _("Order")],
                (
                    (
                        ln.code,
                        ln.name,
                        f.qty(ln.on_hand, ln.unit),
                        f.qty(ln.min_stock, ln.unit),
                        f.qty(int(ln.daily * 1000), ln.unit),
                        f.qty(ln.suggestion, ln.unit),
                    )
                    for ln in lines
                ),
                title=_("Low stock (sales of the last {days} days, {lead} days to arrive)").format(
                    days=days, lead=lead_time
                ),
            )

        _print(
            mode,
            {"days": days, "lead_time": lead_time, "location": location, "rows": records},
            records,
            ("code", "name", "unit", "on_hand", "min_stock", "sold", "daily_sales", "suggestion", "negative"),
            human,
            _("No product is below its minimum stock."),
        )

    @app.command("idle")
    @handle_errors
    def idle(
        days: Annotated[int, typer.Option("--days", help="No sale for this many days.")] = 90,
        location: LocationOption = None,
        json_: JsonOption = False,
        csv_: CsvOption = False,
    ) -> None:
        """Products with stock and no sale for N days, the largest value first."""
        from pos_tui.core.stock import reports

        mode = _mode(json_, csv_)
        settings = state().open_db()
        tz = settings.shop.timezone
        lines = reports.idle_stock(now=now(), days=days, location=location)
        records = [ln.as_json(tz) for ln in lines]
        f = _Fmt(settings)

        def human() -> None:
            table(
                [_("Code"), _("Name"), _("On hand"), _("Value"), _("Last sale")],
                (
                    (ln.code, ln.name, f.qty(ln.on_hand, ln.unit), f.money(ln.value), f.day(ln.last_sale))
                    for ln in lines
                ),
                title=_("Idle stock: no sale in {days} days").format(days=days),
            )
            stdout.print(
                _("Total value: {value}").format(value=f.money(sum(ln.value for ln in lines))),
                markup=False,
                style="bold",
            )

        _print(
            mode,
            {"days": days, "location": location, "rows": records},
            records,
            ("code", "name", "unit", "on_hand", "value", "last_sale"),
            human,
            _("No idle stock: everything on hand sold in the last {days} days.").format(days=days),
        )

    @app.command("shrinkage")
    @handle_errors
    def shrinkage(
        from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: the first).")] = None,
        to: Annotated[str | None, typer.Option("--to", help="Last day, included, YYYY-MM-DD (default: today).")] = None,
        by: Annotated[str, typer.Option("--by", help="Group by reason or month.")] = "reason",
        location: LocationOption = None,
        json_: JsonOption = False,
        csv_: CsvOption = False,
    ) -> None:
        """Waste, damage, loss and count differences by reason or month, at cost."""
        from pos_tui.core.kernel import reason_label
        from pos_tui.core.stock import reports

        mode = _mode(json_, csv_)
        if by not in reports.SHRINKAGE_BY:
            fail(_("--by must be one of {choices}").format(choices=", ".join(reports.SHRINKAGE_BY)), ExitCode.USAGE)
        settings = state().open_db()
        first, last = parse_date(from_, "--from"), parse_date(to, "--to")
        rows = reports.shrinkage_report(first=first, last=last, by=by, location=location, tz=settings.shop.timezone)
        records = [r.as_json() for r in rows]
        f = _Fmt(settings)

        def human() -> None:
            table(
                [_("Reason") if by == "reason" else _("Month"), _("Movements"), _("Lost"), _("Found"), _("Net value")],
                (
                    (
                        reason_label(r.key) if by == "reason" else r.key,
                        r.movements,
                        f.money(r.lost_value),
                        f.money(r.found_value),
                        f.money(r.net_value),
                    )
                    for r in rows
                ),
                title=_("Shrinkage at cost"),
            )

        _print(
            mode,
            {
                "by": by,
                "from": None if first is None else first.isoformat(),
                "to": None if last is None else last.isoformat(),
                "location": location,
                "rows": records,
            },
            records,
            ("key", "movements", "lost", "found", "net", "lost_value", "found_value", "net_value"),
            human,
            _("No shrinkage in this period."),
        )

    @app.command("negative")
    @handle_errors
    def negative(location: LocationOption = None, json_: JsonOption = False, csv_: CsvOption = False) -> None:
        """Products with negative stock now, per location."""
        from pos_tui.core.stock import reports

        mode = _mode(json_, csv_)
        settings = state().open_db()
        lines = reports.negative_stock(location)
        records = [ln.as_json() for ln in lines]
        f = _Fmt(settings)
        _print(
            mode,
            {"location": location, "rows": records},
            records,
            _LINE_COLUMNS,
            lambda: _line_table(lines, f, _("Negative stock"), value=False),
            _("No negative stock."),
        )
