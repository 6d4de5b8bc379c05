"""``pos-admin accounts`` reports: statements, the reconciliation letter, aging and the collections forecast.

- ``accounts statement CODE --from --to [--format pdf|csv|xlsx|json] [--output FILE]``: the opening
  balance, every entry with the running balance, the closing balance (opening + entries = closing).
  Without ``--output`` CSV and JSON go to stdout, PDF and XLSX need a file.
- ``accounts reconcile CODE --as-of DATE --output FILE.pdf``: a mutabakat letter: the shop, the
  party, the balance on that day in words (who owes whom), a reply section to sign.
- ``accounts aging [--as-of DATE] [--kind customer|supplier] [--buckets 30,60,90] [--json]``.
  The buckets are days overdue (``--buckets``; default 30,60,90 → 0-30, 31-60, 61-90, 90+).
- ``accounts forecast [--from --to] [--kind] [--by day|week] [--json]``: open items by due date,
  overdue first.

PDFs are drawn with reportlab (a TrueType font with the Turkish letters, as the shelf labels and
count sheets find it), XLSX with xlsxwriter.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pos_tui.cli.common import handle_errors, now, parse_date, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, table
from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.core import accounts as accounts_area
    from pos_tui.settings import Settings

CodeArgument = Annotated[str, typer.Argument(metavar="CODE", help="The account's code.")]
FORMATS = ("pdf", "csv", "xlsx", "json")


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``accounts`` group."""
    app.command("statement")(statement)
    app.command("reconcile")(reconcile)
    app.command("aging")(aging)
    app.command("forecast")(forecast)


def _today(settings: Settings) -> date:
    from pos_tui.core.kernel import shop_day

    return shop_day(now(), settings.shop.timezone)


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def _shop_name(settings: Settings) -> str:
    return settings.shop.legal_name or settings.shop.name


@handle_errors
def statement(
    code: CodeArgument,
    from_: Annotated[
        str | None, typer.Option("--from", help="First day, dd.mm.yyyy or YYYY-MM-DD (default: the 1st of this month).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Last day, included, dd.mm.yyyy or YYYY-MM-DD (default: today).")
    ] = None,
    format_: Annotated[
        str | None, typer.Option("--format", help="pdf, csv, xlsx or json (default: from --output, else a table).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.", dir_okay=False)] = None,
    json_: JsonOption = False,
) -> None:
    """An account's statement for a period: opening balance, entries with running balance, closing balance."""
    from pos_tui.core import accounts

    settings = state().open_db()
    end = parse_date(to, "--to") or _today(settings)
    start = parse_date(from_, "--from") or end.replace(day=1)
    fmt = format_ or ("json" if json_ else None)
    if fmt is None and output is not None:
        fmt = output.suffix.lower().lstrip(".") or None
    if fmt is not None and fmt not in FORMATS:
        fail(
            _("--format: choose one of {formats}, not {fmt!r}").format(formats=", ".join(FORMATS), fmt=fmt),
            ExitCode.USAGE,
        )
    if fmt in ("pdf", "xlsx") and output is None:
        fail(_("A {fmt} statement needs --output FILE").format(fmt=fmt.upper()), ExitCode.USAGE)
    party = accounts.get_party(code)
    s = accounts.reports.statement(party.id, start, end, tz=settings.shop.timezone)
    if fmt == "json":
        _write_text(output, _json_text(accounts.reports.statement_json(s)))
    elif fmt == "csv":
        _write_text(output, accounts.reports.statement_csv(s, settings.language))
    elif fmt == "xlsx":
        assert output is not None
        _write_bytes(output, accounts.reports.statement_xlsx(s))
    elif fmt == "pdf":
        assert output is not None
        _statement_pdf(s, output, settings)
    else:
        _statement_table(s, settings)
        return
    if output is not None:
        info(
            _("Statement of {code} written to {path} ({n} entries).").format(
                code=party.code, path=output, n=len(s.lines)
            )
        )


def _json_text(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _write_text(output: Path | None, text: str) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    _write_bytes(output, text.encode("utf-8"))


def _write_bytes(output: Path, data: bytes) -> None:
    from pos_tui.core.kernel import ValidationError

    try:
        output.write_bytes(data)
    except OSError as exc:
        raise ValidationError(_("Cannot write {path}: {error}").format(path=output, error=exc.strerror)) from None


def _statement_table(s: accounts_area.reports.Statement, settings: Settings) -> None:
    from pos_tui.core import accounts

    typer.echo(f"{s.party.code} — {s.party.name}: {_day(s.start)} – {_day(s.end)}")
    table(
        accounts.reports.statement_header()[:8],
        [row[:8] for row in accounts.reports.statement_rows(s, settings.language)],
        title=_("Account statement"),
    )


def _fonts() -> tuple[str, str]:
    from pos_tui.devices.labels_pdf import SheetLayout, label_fonts  # reportlab: only when a PDF is made

    return label_fonts(SheetLayout())


def _fit(canvas: Any, text: str, font: str, size: float, width: float) -> str:
    while text and canvas.stringWidth(text, font, size) > width:
        text = text[:-1]
    return text


def _statement_pdf(s: accounts_area.reports.Statement, path: Path, settings: Settings) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from pos_tui.core import accounts

    regular, bold = _fonts()
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setTitle(_("Account statement {code}").format(code=s.party.code))
    width, height = A4
    head = accounts.reports.statement_header()[:8]
    # number, date, due, entry, document, debit, credit, balance (mm)
    widths = [11, 20, 20, 47, 26, 21, 21, 22]  # 188 mm of A4's 210
    rows = accounts.reports.statement_rows(s, settings.language)
    page = 0

    def top() -> float:
        nonlocal page
        page += 1
        y = height - 14 * mm
        canvas.setFont(bold, 12)
        canvas.drawString(12 * mm, y, _shop_name(settings))
        canvas.setFont(regular, 9)
        canvas.drawRightString(width - 12 * mm, y, _("Page {n}").format(n=page))
        y -= 6 * mm
        canvas.setFont(bold, 11)
        canvas.drawString(12 * mm, y, _("Account statement") + f": {s.party.code} — {s.party.name}")
        y -= 5 * mm
        canvas.setFont(regular, 9)
        canvas.drawString(12 * mm, y, f"{_day(s.start)} – {_day(s.end)}")
        y -= 8 * mm
        canvas.setFont(bold, 8)
        x = 12 * mm
        for c, (title, w) in enumerate(zip(head, widths, strict=True)):
            if c >= 5:
                canvas.drawRightString(x + (w - 2) * mm, y, title)
            else:
                canvas.drawString(x, y, title)
            x += w * mm
        canvas.line(12 * mm, y - 1.5 * mm, width - 12 * mm, y - 1.5 * mm)
        return y - 5 * mm

    y = top()
    for index, row in enumerate(rows):
        if y < 18 * mm:
            canvas.showPage()
            y = top()
        last = index in (0, len(rows) - 1)
        font = bold if last else regular
        canvas.setFont(font, 8)
        x = 12 * mm
        for c, (text, w) in enumerate(zip(row[:8], widths, strict=True)):
            if row[8] and c == 3:
                text = text + " *"
            text = _fit(canvas, text, font, 8, (w - 2) * mm)
            if c >= 5:
                canvas.drawRightString(x + (w - 2) * mm, y, text)
            else:
                canvas.drawString(x, y, text)
            x += w * mm
        y -= 4.6 * mm
    if any(line.cancelled for line in s.lines):
        canvas.setFont(regular, 8)
        canvas.drawString(12 * mm, max(y - 3 * mm, 10 * mm), _("* cancelled, with its cancellation: together zero"))
    canvas.showPage()
    canvas.save()


@handle_errors
def reconcile(
    code: CodeArgument,
    output: Annotated[Path, typer.Option("--output", "-o", help="The PDF file to write.", dir_okay=False)],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day of the balance, dd.mm.yyyy or YYYY-MM-DD (default: today).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """A reconciliation letter (mutabakat) as PDF: the balance on a day, and a reply section to sign."""
    from pos_tui.core import accounts

    settings = state().open_db()
    day = parse_date(as_of, "--as-of") or _today(settings)
    party = accounts.get_party(code)
    s = accounts.reports.account_summary(party.id, day, settings.shop.timezone)
    _reconcile_pdf(s, day, output, settings)
    if json_:
        print_json({"code": party.code, "as_of": day.isoformat(), "balance": f"{s.balance:.2f}", "output": str(output)})
        return
    info(_("Reconciliation letter for {code} written to {path}.").format(code=party.code, path=output))


def _reconcile_pdf(s: Any, day: date, path: Path, settings: Settings) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from pos_tui.core import accounts
    from pos_tui.core.kernel import format_money

    regular, bold = _fonts()
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setTitle(_("Reconciliation letter {code}").format(code=s.party.code))
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    shop = settings.shop
    y = height - 22 * mm

    def line(text: str, *, font: str = regular, size: float = 10, gap: float = 5.5) -> None:
        nonlocal y
        words, current = text.split(), ""
        for word in words:
            trial = f"{current} {word}".strip()
            if canvas.stringWidth(trial, font, size) > right - left and current:
                canvas.setFont(font, size)
                canvas.drawString(left, y, current)
                y -= gap * mm
                current = word
            else:
                current = trial
        canvas.setFont(font, size)
        canvas.drawString(left, y, current)
        y -= gap * mm

    line(_shop_name(settings), font=bold, size=12)
    for extra in (shop.address, shop.phone):
        if extra:
            line(extra, size=9, gap=4.5)
    if shop.vkn:
        line(_("Tax office {office}, tax no {vkn}").format(office=shop.tax_office, vkn=shop.vkn), size=9, gap=4.5)
    canvas.setFont(regular, 10)
    canvas.drawRightString(right, height - 22 * mm, _day(day))
    y -= 6 * mm
    line(s.party.name, font=bold)
    if s.party.address:
        line(s.party.address, size=9, gap=4.5)
    if s.party.tax_id:
        line(
            _("Tax office {office}, tax no {vkn}").format(office=s.party.tax_office or "-", vkn=s.party.tax_id),
            size=9,
            gap=4.5,
        )
    line(_("Account code: {code}").format(code=s.party.code), size=9, gap=4.5)
    y -= 8 * mm
    line(_("RECONCILIATION OF ACCOUNT BALANCE"), font=bold, size=13, gap=9)
    line(_("Dear Sir or Madam,"))
    y -= 2 * mm
    line(
        _("According to our books, the balance of your account with us at the end of {day} is {amount} TL.").format(
            day=_day(day), amount=format_money(abs(s.balance), settings.language)
        )
    )
    line(accounts.reports.balance_words(s.balance, s.party, _shop_name(settings), settings.language), font=bold)
    line(
        _(
            "Please check this balance against your own books and send this letter back to us with the reply"
            " below signed and stamped. If your books differ, please attach a statement of your account."
        )
    )
    y -= 4 * mm
    line(_("Yours faithfully,"))
    line(_shop_name(settings), font=bold)
    y -= 10 * mm
    canvas.setDash(3, 3)
    canvas.line(left, y, right, y)
    canvas.setDash()
    y -= 8 * mm
    line(_("REPLY"), font=bold, size=12, gap=8)
    line(_("To: {shop}").format(shop=_shop_name(settings)))
    line(
        _("The balance of {amount} TL at the end of {day} shown above:").format(
            amount=format_money(abs(s.balance), settings.language), day=_day(day)
        )
    )
    y -= 2 * mm
    line("[   ]  " + _("We agree: it matches our books."))
    line("[   ]  " + _("We do not agree: our books show a balance of ______________ TL (statement attached)."))
    y -= 10 * mm
    line(_("Name and title: ______________________________"))
    y -= 4 * mm
    line(_("Date: ____ / ____ / ________        Signature and stamp: ______________________"))
    canvas.showPage()
    canvas.save()


@handle_errors
def aging(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="At the end of this day, dd.mm.yyyy or YYYY-MM-DD (default: today).")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only customer or supplier accounts.")] = None,
    buckets: Annotated[
        str, typer.Option("--buckets", help="Bucket bounds in days overdue, e.g. 30,60,90.")
    ] = "30,60,90",
    json_: JsonOption = False,
) -> None:
    """Aging of open items by days overdue; per account, not due + buckets = balance."""
    from pos_tui.core import accounts
    from pos_tui.core.kernel import format_money, from_kurus

    settings = state().open_db()
    day = parse_date(as_of, "--as-of") or _today(settings)
    wanted = None if kind is None else accounts.parse_kind(kind)
    if wanted == accounts.BOTH:
        wanted = None
    report = accounts.reports.aging(
        day, kind=wanted, buckets=accounts.reports.parse_buckets(buckets), tz=settings.shop.timezone
    )
    if json_:
        print_json(report.as_json())
        return
    lang = settings.language
    f = lambda k: format_money(from_kurus(k), lang)  # noqa: E731
    rows = [(r.code, r.name, f(r.not_due), *(f(v) for v in r.buckets), f(r.total)) for r in report.parties]
    rows.append((_("Total"), "", f(report.not_due), *(f(v) for v in report.buckets), f(report.total)))
    table(
        [
            _("Code"),
            _("Name"),
            _("Not due"),
            *[_("{days} days").format(days=label) for label in report.labels],
            _("Total"),
        ],
        rows,
        title=_("Aging on {day}").format(day=_day(day)),
        optional=[1],  # a narrow terminal: the codes without the names
    )


@handle_errors
def forecast(
    from_: Annotated[
        str | None, typer.Option("--from", help="First day, dd.mm.yyyy or YYYY-MM-DD (default: today).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Last day, dd.mm.yyyy or YYYY-MM-DD (default: 8 weeks on).")
    ] = None,
    kind: Annotated[str, typer.Option("--kind", help="customer (collections) or supplier (payments).")] = "customer",
    by: Annotated[str, typer.Option("--by", help="Group by day or week.")] = "day",
    json_: JsonOption = False,
) -> None:
    """Collections forecast: open items by the day or week they fall due, overdue first."""
    from pos_tui.core import accounts
    from pos_tui.core.kernel import format_money, from_kurus

    settings = state().open_db()
    start = parse_date(from_, "--from") or _today(settings)
    end = parse_date(to, "--to") or start + timedelta(weeks=8)
    wanted = accounts.parse_kind(kind)
    if wanted == accounts.BOTH:
        fail(_("--kind: choose customer or supplier"), ExitCode.USAGE)
    result = accounts.reports.forecast(start, end, kind=wanted, by=by, tz=settings.shop.timezone)
    if json_:
        print_json(accounts.reports.forecast_json(result))
        return
    lang = settings.language
    rows = []
    for g in result.groups:
        if g.overdue:
            when = _("overdue")
        elif g.start == g.end:
            when = _day(g.start) if g.start else ""
        else:
            when = f"{_day(g.start) if g.start else ''} – {_day(g.end) if g.end else ''}"
        rows.append((when, str(g.items), format_money(from_kurus(g.amount), lang)))
    rows.append((_("Total"), "", format_money(from_kurus(result.total), lang)))
    title = _("Collections forecast") if wanted != accounts.SUPPLIER else _("Payments forecast")
    table(
        [_("Due"), _("Items"), _("Amount")],
        rows,
        title=_("{title}, {start} – {end}").format(title=title, start=_day(start), end=_day(end)),
    )
    if to is None:
        info(_("Up to {end}: 8 weeks from the first day (--to DATE for another last day).").format(end=_day(end)))
    everything = accounts.reports.forecast(start, date(9999, 12, 31), kind=wanted, by="day", tz=settings.shop.timezone)
    later_amount = everything.total - result.total
    later_items = sum(g.items for g in everything.groups) - sum(g.items for g in result.groups)
    if later_items:
        typer.echo(
            _("Due after {end} (not in the total): {amount} in {n} items.").format(
                end=_day(end), amount=format_money(from_kurus(later_amount), lang), n=later_items
            )
        )
