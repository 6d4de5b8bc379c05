"""``pos-admin report``: X (since the last Z), Z (close the terminal) and sales reports.

Who a Z or an X is taken by: ``--user NAME`` when given, otherwise the first active user whose
role has the ``admin`` permission (lowest id). That user needs the ``reports`` permission for a
Z (and is recorded on it) and ``x_report`` for an X, as in the roles' table of ``pos.toml``.
A Z cannot be undone, so it asks first; ``--yes`` skips the question.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import typer

from pos_tui.cli.common import handle_errors, make_typer, now, parse_date, state
from pos_tui.cli.output import JsonOption, YesOption, confirm, info, print_json, stdout, table
from pos_tui.cli.report_commands import ReportGroup, register
from pos_tui.core import cash, staff
from pos_tui.core.cash import REPORT_BY, sales_report
from pos_tui.core.kernel import (
    NotFound,
    format_decimal,
    format_moment,
    format_money,
    format_percent,
    local,
    method_label,
)
from pos_tui.i18n import _
from pos_tui.settings import Settings

app = make_typer(
    "report", "X, Z, sales, margin, stock, accounts, KDV and loyalty reports; exports and e-mail.", ReportGroup
)

TerminalOption = Annotated[
    str | None, typer.Option("--terminal", help="Terminal id (default: this terminal, from pos.toml).")
]


def _show(report: cash.ZReport, settings: Settings) -> None:
    lang, tz = settings.language, settings.shop.timezone
    t = report.totals

    def fmt(amount: Decimal) -> str:
        return format_money(amount, lang)

    title = (_("X report of {terminal} (next Z: {no})") if report.preview else _("Z {no} of {terminal}")).format(
        terminal=report.terminal, no=report.z_no
    )
    rows = [
        (_("From"), format_moment(t.from_at, tz) if t.from_at else "-"),
        (_("To"), format_moment(t.to_at, tz) if t.to_at else "-"),
        (_("Sales"), t.sales_count),
        (_("Returns"), t.returns_count),
        (_("Gross"), fmt(t.gross)),
        (_("Returned"), fmt(t.returns)),
        (_("Net"), fmt(t.net)),
        (_("Grand total"), fmt(report.grand_total)),
    ]
    if report.journal_head is not None:  # ENTRY:HASH, for audit verify --anchor
        rows.append((_("Journal head"), str(report.journal_head)))
    table([_("Figure"), _("Value")], rows, title=title)
    if t.by_payment:
        table([_("Payment"), _("Amount")], [(method_label(k), fmt(v)) for k, v in t.by_payment.items()])
    if t.by_kdv:
        table(
            [_("KDV %"), _("Base"), _("KDV"), _("Total")],
            [(rate, fmt(v.base), fmt(v.kdv), fmt(v.base + v.kdv)) for rate, v in t.by_kdv.items()],
        )
    if report.collections or report.supplier_payments:  # money on accounts: not turnover, shown apart
        table(
            [_("Accounts"), _("Payment"), _("Amount")],
            [
                *((_("Collections"), method_label(k), fmt(v)) for k, v in report.collections.items()),
                *((_("Supplier payments"), method_label(k), fmt(v)) for k, v in report.supplier_payments.items()),
            ],
        )
    stdout.print(
        _("Printed {at}").format(at=local(report.at, tz).strftime("%d.%m.%Y %H:%M:%S")), markup=False, style="dim"
    )


def _as_json(report: cash.ZReport, settings: Settings) -> dict[str, object]:
    """The report's JSON contract plus ``journal_head`` (``{"entry": N, "hash": "12 hex"}``)."""
    head = report.journal_head
    return {**report.to_json(settings.shop.timezone), "journal_head": head.as_json() if head else None}


def _terminal(terminal: str | None, settings: Settings) -> str:
    """``--terminal`` or this terminal; a terminal where nothing ever happened is a typo, not zeros."""
    if terminal is None or terminal == settings.terminal_id:
        return settings.terminal_id
    if not staff.terminal_known(terminal):
        raise NotFound(_("No terminal {terminal}: nothing was ever recorded there").format(terminal=terminal))
    return terminal


@app.command("x")
@handle_errors
def x(
    terminal: TerminalOption = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Take the X as this user (default: the first active admin).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Figures of the terminal since its last Z; nothing is written or closed."""
    settings = state().open_db()
    actor = staff.actor_by_name(user, settings=settings) if user else staff.first_admin(settings=settings)
    report = cash.take_x_preview(_terminal(terminal, settings), actor, now=now())
    if json_:
        print_json(_as_json(report, settings))
    else:
        _show(report, settings)
    if report.empty:
        info(_("No documents since the last Z."))


@app.command("z")
@handle_errors
def z(
    terminal: TerminalOption = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Take the Z as this user (default: the first active admin).")
    ] = None,
    yes: YesOption = False,
    json_: JsonOption = False,
) -> None:
    """Close the terminal: every document not yet in a Z goes into a new, numbered Z."""
    settings = state().open_db()
    terminal = _terminal(terminal, settings)  # a Z is for ever: never one for a mistyped terminal
    actor = staff.actor_by_name(user, settings=settings) if user else staff.first_admin(settings=settings)
    _documents_waiting(settings)
    if not yes:
        preview = cash.x_preview(terminal, now=now())
        confirm(
            _("Take Z {no} of {terminal} ({count} documents, net {net})? It cannot be undone.").format(
                no=preview.z_no,
                terminal=terminal,
                count=preview.totals.count,
                net=format_money(preview.totals.net, settings.language),
            ),
            yes=yes,
        )
    report = cash.z_report(terminal, actor, now=now(), settings=settings)
    if json_:
        print_json(_as_json(report, settings))
    else:
        _show(report, settings)
    if report.empty:
        info(_("Z {no} is a zero Z: no documents since the previous one.").format(no=report.z_no))


def _documents_waiting(settings: Settings) -> None:
    """On a terminal of a centre: refuse the Z while documents wait when ``[sync] waiting_on_close`` blocks
    (exit 1, saying how many and how old), else say so before the question."""
    from pos_tui.core import sync

    at = now()
    waiting = sync.check_close(at, settings.sync)
    if waiting is not None:
        info(_("Warning: {waiting}.").format(waiting=waiting.describe(at)))


@app.command("sales")
@handle_errors
def sales(
    by: Annotated[str, typer.Option("--by", help="product, category, cashier or hour.")] = "product",
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: today).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day, included, YYYY-MM-DD (default: --from).")] = None,
    terminal: Annotated[str | None, typer.Option("--terminal", help="Only this terminal (default: all).")] = None,
    json_: JsonOption = False,
) -> None:
    """Sales net of returns, grouped by product, category, cashier or hour of the day."""
    if by not in REPORT_BY:
        raise typer.BadParameter(_("choose one of {choices}").format(choices=", ".join(REPORT_BY)), param_hint="--by")
    settings = state().open_db()
    today = local(now(), settings.shop.timezone).date()
    first: date = parse_date(from_, "--from") or today
    last: date = parse_date(to, "--to") or first
    rows = sales_report(by, first, last, settings=settings, terminal=terminal)
    if json_:
        print_json({"by": by, "from": first.isoformat(), "to": last.isoformat(), "rows": [r.as_json() for r in rows]})
        return
    if not rows:
        info(_("No sales from {first} to {last}.").format(first=first.isoformat(), last=last.isoformat()))
        return
    lang = settings.language
    heading = {"product": _("Product"), "category": _("Category"), "cashier": _("Cashier"), "hour": _("Hour")}[by]
    table(
        [heading, _("Name"), _("Qty"), _("Gross"), _("Discount"), _("Net"), _("Sales"), _("Returns")],
        [
            (
                r.key,
                r.label,
                format_decimal(r.qty, grouping=False, language=lang),
                format_money(r.gross, lang),
                format_money(r.discount, lang),
                format_money(r.net, lang),
                r.count,
                r.returns_count,
            )
            for r in rows
        ],
        title=_("Sales by {by}, {first} to {last}").format(by=heading, first=first.isoformat(), last=last.isoformat()),
    )


# --- loyalty reports (issue 3) ------------------------------------------------------------

FromOption = Annotated[
    str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: the 1st of this month).")
]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day, included, YYYY-MM-DD (default: today).")]


def _period(from_: str | None, to: str | None, settings: Settings) -> tuple[date, date]:
    today = local(now(), settings.shop.timezone).date()
    last: date = parse_date(to, "--to") or today
    first: date = parse_date(from_, "--from") or last.replace(day=1)
    return first, last


@app.command("loyalty")
@handle_errors
def loyalty(from_: FromOption = None, to: ToOption = None, json_: JsonOption = False) -> None:
    """Loyalty KPIs: members' vs others' average ticket, repeat rate, points, liability, CLV."""
    from pos_tui.core.loyalty import loyalty_report, rules

    settings = state().open_db()
    first, last = _period(from_, to, settings)
    doc = loyalty_report(date_from=first, date_to=last, tz=settings.shop.timezone, program=rules.active_program())
    if json_:
        print_json(doc)
        return
    pts = doc["points"]

    def pct(value: str | None) -> str:
        return "-" if value is None else format_percent(Decimal(value))

    table(
        [_("Figure"), _("Value")],
        [
            (_("Receipts"), doc["receipts"]),
            (_("Enrollment share of receipts"), pct(doc["enrollment_share_percent"])),
            (_("Average ticket, members"), doc["members"]["average_ticket"] or "-"),
            (_("Average ticket, others"), doc["non_members"]["average_ticket"] or "-"),
            (_("Repeat purchase rate"), pct(doc["repeat_purchase"]["rate_percent"])),
            (_("Points issued"), pts["issued"]),
            (_("Points redeemed"), pts["redeemed"]),
            (_("Points expired"), pts["expired"]),
            (_("Points outstanding"), pts["outstanding"]),
            (_("Redemption rate"), pct(pts["redemption_rate_percent"])),
            (_("Points liability"), doc["liability"]),
            (_("Customer lifetime value"), doc["customer_lifetime_value"]["average"] or "-"),
            (_("Owed by suppliers"), doc["supplier_owes_total"]),
        ],
        title=_("Loyalty, {first} to {last}").format(first=first.isoformat(), last=last.isoformat()),
    )


@app.command("nps")
@handle_errors
def nps_(from_: FromOption = None, to: ToOption = None, json_: JsonOption = False) -> None:
    """Net Promoter Score: promoters (9–10), passives (7–8), detractors (0–6) and the score."""
    from pos_tui.core.loyalty import nps_report

    settings = state().open_db()
    first, last = _period(from_, to, settings)
    report = nps_report(first, last, tz=settings.shop.timezone)
    if json_:
        print_json(report.as_json())
        return
    table(
        [_("Figure"), _("Value")],
        [
            (_("Responses"), report.responses),
            (_("Promoters"), report.promoters),
            (_("Passives"), report.passives),
            (_("Detractors"), report.detractors),
            (_("NPS"), "-" if report.score is None else report.score),
        ],
        title=_("NPS, {first} to {last}").format(first=first.isoformat(), last=last.isoformat()),
    )


@app.command("donations")
@handle_errors
def donations(from_: FromOption = None, to: ToOption = None, json_: JsonOption = False) -> None:
    """Points members donated, per charity."""
    from pos_tui.core.loyalty import donation_report, rules

    settings = state().open_db()
    first, last = _period(from_, to, settings)
    rows = donation_report(first, last, tz=settings.shop.timezone, program=rules.active_program())
    if json_:
        print_json({"from": first.isoformat(), "to": last.isoformat(), "rows": [r.as_json() for r in rows]})
        return
    if not rows:
        info(_("No donations from {first} to {last}.").format(first=first.isoformat(), last=last.isoformat()))
        return
    table(
        [_("Charity"), _("Name"), _("Donations"), _("Points"), _("Amount")],
        [(r.charity, r.name, r.donations, r.points, format_money(r.amount, settings.language)) for r in rows],
    )


@app.command("suppliers")
@handle_errors
def suppliers(from_: FromOption = None, to: ToOption = None, json_: JsonOption = False) -> None:
    """Supplier-funded points and what each supplier owes for them."""
    from pos_tui.core.loyalty import rules, supplier_settlement

    settings = state().open_db()
    first, last = _period(from_, to, settings)
    rows = supplier_settlement(first, last, tz=settings.shop.timezone, program=rules.active_program())
    if json_:
        print_json({"from": first.isoformat(), "to": last.isoformat(), "rows": [r.as_json() for r in rows]})
        return
    if not rows:
        info(
            _("No supplier-funded points from {first} to {last}.").format(
                first=first.isoformat(), last=last.isoformat()
            )
        )
        return
    table(
        [_("Supplier"), _("Name"), _("Points"), _("Supplier's points"), _("Owed")],
        [(r.code, r.name, r.points, r.supplier_points, format_money(r.amount, settings.language)) for r in rows],
    )


register(app)  # report list, report send and pos-admin report NAME for every report of the catalogue
