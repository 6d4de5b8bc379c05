"""``pos-admin central``: reports across terminals and stores from the central database (docs/sync.md).

They read what the terminals sent (``sync_document``, ``sync_ledger``), so they run on the centre:
``pos-admin --db postgresql://… central sales --from 01.12.2026 --to 06.12.2026``. On a terminal's
SQLite file they say so and exit 1.

- ``central sales``: receipts, returns, gross, discount and net per terminal and store, payments
  per method, KDV per rate;
- ``central x``: per terminal what arrived since its last Z (numbered as its next Z);
- ``central z``: the Z reports received;
- ``central loyalty``: points earned, redeemed and expired per terminal and store, active and top members;
- ``central stock``: stock per product and location from the terminals' movements;
- ``central terminals``: each terminal's store, high-water mark, last push and documents waiting.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pos_tui.cli.common import handle_errors, make_typer, now, parse_date, state
from pos_tui.cli.output import JsonOption, info, print_json, table
from pos_tui.i18n import _

if TYPE_CHECKING:
    from peewee import Database

    from pos_tui.core.sync import Totals
    from pos_tui.settings import Settings

app = make_typer("central", "Reports across terminals and stores from the central database: X, Z, sales, loyalty.")

StoreOption = Annotated[str | None, typer.Option("--store", help="Only this store (e.g. S1).")]
TerminalOption = Annotated[str | None, typer.Option("--terminal", help="Only this terminal (e.g. T2).")]
FromOption = Annotated[str | None, typer.Option("--from", help="First day, DD.MM.YYYY or YYYY-MM-DD (default: today).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day, included (default: --from).")]


def _centre() -> tuple[Database, Settings]:
    """The central database the CLI opened, refused when it is a terminal's SQLite file."""
    from pos_tui.core import sync
    from pos_tui.store import database

    settings = state().open_db()
    db = database.obj
    sync.require_central(db)
    return db, settings


def _days(from_: str | None, to: str | None, settings: Settings, *, default_today: bool = True) -> tuple[Any, Any]:
    """The aware [start, end) of the local days ``--from``..``--to`` (both included)."""
    from datetime import UTC, time, timedelta
    from zoneinfo import ZoneInfo

    from pos_tui.core.kernel import ValidationError, local

    tz = settings.shop.timezone
    first: date | None = parse_date(from_, "--from")
    last: date | None = parse_date(to, "--to")
    if first is None and last is None and not default_today:
        return None, None
    today = local(now(), tz).date()
    first = first or last or today
    last = last or first
    if last < first:
        raise ValidationError(
            _("The report ends ({to}) before it starts ({start})").format(
                to=last.strftime("%d.%m.%Y"), start=first.strftime("%d.%m.%Y")
            )
        )
    zone = ZoneInfo(tz)
    start = datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def _period_text(start: datetime | None, end: datetime | None, settings: Settings) -> str:
    from datetime import timedelta

    from pos_tui.core.kernel import local

    if start is None or end is None:
        return _("all")
    tz = settings.shop.timezone
    first = local(start, tz).date()
    last = local(end, tz).date() - timedelta(days=1)
    if first == last:
        return first.strftime("%d.%m.%Y")
    return f"{first.strftime('%d.%m.%Y')} – {last.strftime('%d.%m.%Y')}"


def _m(amount: Decimal | None, settings: Settings) -> str:
    from pos_tui.core.kernel import format_money

    return "-" if amount is None else format_money(amount, settings.language)


def _n(value: int, settings: Settings) -> str:
    from pos_tui.core.kernel import format_decimal

    return format_decimal(value, language=settings.language)


def _totals_row(store: str, terminal: str, t: Totals, settings: Settings) -> tuple[str, ...]:
    return (
        store,
        terminal,
        _n(t.sales_count, settings),
        _n(t.returns_count, settings),
        _m(t.gross, settings),
        _m(t.returns, settings),
        _m(t.discount, settings),
        _m(t.net, settings),
    )


def _totals_head() -> list[str]:
    return [
        _("Store"),
        _("Terminal"),
        _("Receipts"),
        _("Returns"),
        _("Gross"),
        _("Returned"),
        _("Discount"),
        _("Net"),
    ]


def _payments_and_kdv(totals: Totals, settings: Settings, per_store: list[tuple[str, Totals]]) -> None:
    from pos_tui.core.kernel import method_label

    pay_rows: list[tuple[str, str, str]] = []
    for code, t in per_store:
        pay_rows.extend((code, method_label(k), _m(v, settings)) for k, v in t.by_payment.items())
    pay_rows.extend((_("All"), method_label(k), _m(v, settings)) for k, v in totals.by_payment.items())
    if pay_rows:
        table([_("Store"), _("Payment"), _("Amount")], pay_rows, title=_("Payments"))
    if totals.by_kdv:
        table(
            [_("KDV %"), _("Base"), _("KDV"), _("Total")],
            [
                (_n(rate, settings), _m(v.base, settings), _m(v.kdv, settings), _m(v.base + v.kdv, settings))
                for rate, v in totals.by_kdv.items()
            ],
            title=_("KDV"),
        )


@app.command("sales")
@handle_errors
def sales(
    from_: FromOption = None,
    to: ToOption = None,
    store: StoreOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Sales and returns received from the terminals, per terminal and store, with payments and KDV."""
    from pos_tui.core import sync

    db, settings = _centre()
    start, end = _days(from_, to, settings)
    report = sync.central_sales(db, start=start, end=end, store=store, terminal=terminal)
    if json_:
        print_json(report.as_json(settings.shop.timezone))
        return
    if not report.terminals:
        info(_("No sales received for {period}.").format(period=_period_text(start, end, settings)))
        return
    rows = [_totals_row(r.store, r.terminal or "", r.totals, settings) for r in report.terminals]
    rows.extend(_totals_row(r.store, _("all"), r.totals, settings) for r in report.stores if len(report.stores) > 1)
    rows.append(_totals_row(_("All"), "", report.totals, settings))
    title = _("Sales at the centre: {period}").format(period=_period_text(start, end, settings))
    table(_totals_head(), rows, title=title, optional=(5, 6))
    _payments_and_kdv(report.totals, settings, [(r.store, r.totals) for r in report.stores])


@app.command("x")
@handle_errors
def x(store: StoreOption = None, terminal: TerminalOption = None, json_: JsonOption = False) -> None:
    """Per terminal what was received since its last Z, numbered as its next Z; nothing is written."""
    from pos_tui.core import sync

    db, settings = _centre()
    report = sync.central_x(db, now=now(), store=store, terminal=terminal)
    if json_:
        print_json(report.as_json(settings.shop.timezone))
        return
    if not report.terminals:
        info(_("No terminal has joined this centre."))
        return
    rows = [
        (
            r.store,
            r.terminal,
            _n(r.z_no, settings),
            _n(r.totals.sales_count, settings),
            _n(r.totals.returns_count, settings),
            _m(r.totals.net, settings),
            _m(r.grand_total, settings),
        )
        for r in report.terminals
    ]
    rows.append(
        (_("All"), "", "", _n(report.totals.sales_count, settings), _n(report.totals.returns_count, settings),
         _m(report.totals.net, settings), "")
    )  # fmt: skip
    head = [_("Store"), _("Terminal"), _("Next Z"), _("Receipts"), _("Returns"), _("Net"), _("Grand total")]
    table(head, rows, title=_("X across terminals (since each one's last Z)"))
    _payments_and_kdv(report.totals, settings, [(r.store, r.totals) for r in report.stores])


@app.command("z")
@handle_errors
def z(
    from_: Annotated[
        str | None, typer.Option("--from", help="First day, DD.MM.YYYY or YYYY-MM-DD (default: every Z).")
    ] = None,
    to: ToOption = None,
    store: StoreOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """The Z reports the terminals took, as received: number, time and totals."""
    from pos_tui.core import sync
    from pos_tui.core.kernel import format_moment

    db, settings = _centre()
    start, end = _days(from_, to, settings, default_today=False)
    report = sync.central_z(db, start=start, end=end, store=store, terminal=terminal)
    if json_:
        print_json(report.as_json(settings.shop.timezone))
        return
    for term, numbers in report.missing.items():
        shown = ", ".join(str(n) for n in numbers)
        info(_("Terminal {terminal}: Z {numbers} not received (yet).").format(terminal=term, numbers=shown))
    if not report.rows:
        info(_("No Z report received for {period}.").format(period=_period_text(start, end, settings)))
        return
    tz = settings.shop.timezone
    rows = [
        (
            r.store,
            r.terminal,
            _n(r.z_no, settings),
            format_moment(r.at, tz) if r.at else "-",
            _n(r.totals.sales_count, settings),
            _n(r.totals.returns_count, settings),
            _m(r.totals.net, settings),
            _m(r.grand_total, settings),
        )
        for r in report.rows
    ]
    rows.append(
        (_("All"), "", "", "", _n(report.totals.sales_count, settings), _n(report.totals.returns_count, settings),
         _m(report.totals.net, settings), "")
    )  # fmt: skip
    head = [_("Store"), _("Terminal"), _("Z"), _("Taken"), _("Receipts"), _("Returns"), _("Net"), _("Grand total")]
    title = _("Z reports received: {period}").format(period=_period_text(start, end, settings))
    table(head, rows, title=title, optional=(5,))
    _payments_and_kdv(report.totals, settings, [])


@app.command("loyalty")
@handle_errors
def loyalty(
    from_: FromOption = None,
    to: ToOption = None,
    store: StoreOption = None,
    terminal: TerminalOption = None,
    top: Annotated[int, typer.Option("--top", min=0, max=1000, help="Members in the top list.")] = 10,
    json_: JsonOption = False,
) -> None:
    """Points earned, redeemed and expired per terminal and store; active and top members."""
    from pos_tui.core import sync

    db, settings = _centre()
    start, end = _days(from_, to, settings)
    report = sync.central_loyalty(db, start=start, end=end, store=store, terminal=terminal, top=top)
    if json_:
        print_json(report.as_json(settings.shop.timezone))
        return
    if not report.terminals:
        info(_("No loyalty activity received for {period}.").format(period=_period_text(start, end, settings)))
        return

    def row(code: str, term: str, f: Any) -> tuple[str, ...]:
        return (
            code,
            term,
            _n(f.earned, settings),
            _n(f.redeemed, settings),
            _n(f.expired, settings),
            _n(f.other, settings),
            _n(f.net, settings),
            _n(f.active_members, settings),
        )

    rows = [row(r.store, r.terminal or "", r.figures) for r in report.terminals]
    rows.extend(row(r.store, _("all"), r.figures) for r in report.stores if len(report.stores) > 1)
    rows.append(row(_("All"), "", report.totals))
    head = [
        _("Store"),
        _("Terminal"),
        _("Points earned"),
        _("Points redeemed"),
        _("Points expired"),
        _("Other points"),
        _("Net"),
        _("Members"),
    ]
    title = _("Loyalty points at the centre: {period}").format(period=_period_text(start, end, settings))
    table(head, rows, title=title, optional=(5,))
    if report.top:
        table(
            [_("Card"), _("Name"), _("Points held"), _("Earned")],
            [(m.card, m.name or "-", _n(m.balance, settings), _n(m.earned, settings)) for m in report.top],
            title=_("Top members"),
            whole=(0,),
        )


@app.command("stock")
@handle_errors
def stock(
    store: StoreOption = None,
    location: Annotated[str | None, typer.Option("--location", help="Only this location (e.g. DEPO).")] = None,
    json_: JsonOption = False,
) -> None:
    """Stock per product and location: the sum of every terminal's stock movements."""
    from pos_tui.core import sync
    from pos_tui.core.kernel import format_quantity

    db, settings = _centre()
    rows = sync.central_stock(db, store=store, location=location)
    if json_:
        print_json({"store": store, "location": location, "rows": [r.as_json() for r in rows]})
        return
    if not rows:
        info(_("No stock movement received."))
        return
    table(
        [_("Store"), _("Location"), _("Code"), _("Product"), _("Quantity"), _("Moves")],
        [
            (
                r.store,
                r.location,
                r.code,
                r.name or "-",
                format_quantity(r.qty_milli, r.unit, language=settings.language),
                _n(r.movements, settings),
            )
            for r in rows
        ],
        title=_("Stock at the centre"),
        optional=(5, 3),
        whole=(2,),
    )


@app.command("terminals")
@handle_errors
def terminals(store: StoreOption = None, json_: JsonOption = False) -> None:
    """Each terminal: its store, the documents received (high-water mark), its last push and
    the documents waiting behind a missing one."""
    from pos_tui.core import sync
    from pos_tui.core.kernel import format_moment

    db, settings = _centre()
    found = sync.central_terminals(db, store=store)
    tz = settings.shop.timezone
    if json_:
        print_json([t.as_json(tz) for t in found])
        return
    if not found:
        info(_("No terminal has joined this centre."))
        return
    rows = []
    for t in found:
        missing = ", ".join(str(n) for n in t.missing[:5]) + ("…" if len(t.missing) > 5 else "")
        rows.append(
            (
                t.terminal,
                t.store,
                _n(t.high_water, settings),
                _n(t.last_seq, settings),
                format_moment(t.last_push_at, tz) if t.last_push_at else "-",
                _n(t.waiting, settings),
                missing or "-",
            )
        )
    head = [_("Terminal"), _("Store"), _("High water"), _("Last"), _("Last push"), _("Waiting"), _("Missing")]
    table(head, rows, title=_("Terminals at the centre"), optional=(3,))
