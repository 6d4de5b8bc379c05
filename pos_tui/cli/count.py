"""``pos-admin count``: stock counts (sayım).

Commands act as ``--user NAME`` or the first active admin on this terminal (``--terminal``,
default from pos.toml). ``count show`` prints the expected quantities (and so the variances) of
a **blind** count only to a user with ``count_manage``: run as a counter (``--user``) it prints
the counted quantities and leaves ``expected``, ``variance`` and ``variance_value`` null.
``count post`` without ``--zero-uncounted`` leaves uncounted products as they are, and says so.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from pos_tui.cli.common import cli_actor, handle_errors, make_typer, now, state
from pos_tui.cli.output import JsonOption, YesOption, confirm, info, print_json, stdout, table
from pos_tui.cli.wallet import UserOption
from pos_tui.core.kernel import (
    ValidationError,
    format_decimal,
    format_moment,
    format_money,
    format_quantity,
    from_kurus,
    iso,
    parse_money,
)
from pos_tui.core.stock import counting
from pos_tui.i18n import _
from pos_tui.settings import Settings

app = make_typer("count", "Stock counts (sayım): open, list, show, import handheld files, post, cancel.")

IdArgument = Annotated[int, typer.Argument(metavar="ID", help="The count's id (pos-admin count list).")]
TerminalOption = Annotated[
    str | None, typer.Option("--terminal", help="Terminal id (default: this terminal, from pos.toml).")
]
SHEET_FORMATS = ("pdf", "csv", "xlsx")


def _session_json(c: counting.CountInfo, tz: str) -> dict[str, Any]:
    data = c.record()
    data["opened_at"] = iso(c.opened_at, tz)
    data["closed_at"] = None if c.closed_at is None else iso(c.closed_at, tz)
    return data


@app.command("open")
@handle_errors
def open_(
    name: Annotated[str, typer.Option("--name", help="The count's name (Yıl sonu 2026, Raf 4…).")],
    location: Annotated[
        str | None, typer.Option("--location", help="Stock location (default: this terminal's).")
    ] = None,
    category: Annotated[
        list[str] | None, typer.Option("--category", help="Count only this category (repeatable).")
    ] = None,
    product: Annotated[
        list[str] | None, typer.Option("--product", help="Count this product, code or barcode (repeatable).")
    ] = None,
    blind: Annotated[bool, typer.Option("--blind", help="Hide expected quantities from the counters.")] = False,
    note: Annotated[str | None, typer.Option("--note", help="A note kept with the count.")] = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Open a count; without --category and --product it covers everything at the location."""
    settings = state().open_db()
    opened = counting.open_count(
        name,
        actor=cli_actor(user, settings),
        now=now(),
        terminal=terminal or settings.terminal_id,
        location=location,
        categories=list(category or []),
        products=list(product or []),
        blind=blind,
        note=note,
    )
    if json_:
        print_json(_session_json(opened, settings.shop.timezone))
        return
    stdout.print(str(opened.id), markup=False)
    info(
        _("Opened stock count {id} ({name}) at {location}.").format(
            id=opened.id, name=opened.name, location=opened.location
        )
    )


@app.command("list")
@handle_errors
def list_(
    status: Annotated[str | None, typer.Option("--status", help="open, posted or cancelled.")] = None,
    json_: JsonOption = False,
) -> None:
    """Every count, newest first."""
    settings = state().open_db()
    tz = settings.shop.timezone
    sessions = counting.list_counts(status)
    if json_:
        print_json([_session_json(c, tz) for c in sessions])
        return
    if not sessions:
        info(_("No stock counts yet; open one with: pos-admin count open --name NAME"))
        return
    table(
        [_("Id"), _("Name"), _("Status"), _("Location"), _("Blind"), _("Opened"), _("By")],
        [
            (
                c.id,
                c.name,
                counting.status_label(c.status, reversed_=c.reversal_id is not None),
                c.location,
                _("yes") if c.blind else _("no"),
                format_moment(c.opened_at, tz),
                c.opened_by,
            )
            for c in sessions
        ],
    )


def _qty(milli: int | None, unit: str, lang: str) -> str:
    return "-" if milli is None else format_quantity(milli, unit, language=lang)


@app.command("show")
@handle_errors
def show(
    session_id: IdArgument,
    threshold: Annotated[
        str | None, typer.Option("--threshold", help="Flag variances worth at least this much (TRY) for a recount.")
    ] = None,
    user: UserOption = None,
    json_: JsonOption = False,
) -> None:
    """A count: per product expected, counted, variance and its value at cost (largest first),
    and the uncounted products in scope with stock on hand."""
    settings = state().open_db()
    actor = cli_actor(user, settings)
    limit = counting.DEFAULT_THRESHOLD if threshold is None else parse_money(threshold, "--threshold")
    review = counting.review_count(session_id, actor=actor, threshold=limit)
    visible = counting.may_see_expected(review.session, actor)
    lang, tz = settings.language, settings.shop.timezone
    if json_:
        data = _session_json(review.session, tz)
        lines = []
        for ln in review.lines:
            record = ln.record(show_expected=visible)
            record["recount"] = review.flagged(ln) if visible else None
            lines.append(record)
        data["lines"] = lines
        data["uncounted"] = [
            {"code": ln.code, "name": ln.name, "unit": ln.unit, "expected": r["expected"]}
            for ln in review.uncounted
            for r in (ln.record(show_expected=visible),)
        ]
        data["threshold"] = f"{limit:.2f}"
        data["variance_value"] = f"{from_kurus(review.variance_value):.2f}" if visible else None
        print_json(data)
        return
    c = review.session
    info(
        _("Stock count {id} ({name}) at {location}: {status}").format(
            id=c.id,
            name=c.name,
            location=c.location,
            status=counting.status_label(c.status, reversed_=c.reversal_id is not None),
        )
    )
    if not visible:
        info(_("This is a blind count: expected quantities are shown only to users who manage counts."))
    table(
        [_("Code"), _("Name"), _("Expected"), _("Counted"), _("Difference"), _("Value"), _("Recount")],
        [
            (
                ln.code,
                ln.name,
                _qty(ln.expected if visible else None, ln.unit, lang),
                _qty(ln.counted, ln.unit, lang),
                _qty(ln.variance if visible else None, ln.unit, lang),
                format_money(from_kurus(ln.variance_value), lang) if visible else "-",
                _("yes") if visible and review.flagged(ln) else "",
            )
            for ln in review.lines
        ],
        title=_("Counted products"),
    )
    if review.uncounted:
        table(
            [_("Code"), _("Name"), _("On hand")],
            [(ln.code, ln.name, _qty(ln.expected if visible else None, ln.unit, lang)) for ln in review.uncounted],
            title=_("Not counted (in scope, with stock on hand)"),
        )
    if visible:
        info(
            _("{n} products counted, variance {value}; {u} products not counted.").format(
                n=format_decimal(len(review.lines), language=lang),
                value=format_money(from_kurus(review.variance_value), lang),
                u=format_decimal(len(review.uncounted), language=lang),
            )
        )


@app.command("import")
@handle_errors
def import_(
    session_id: IdArgument,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A handheld's file: barcode;qty lines.")],
    zone: Annotated[str | None, typer.Option("--zone", help="The zone (shelf, aisle) the file counted.")] = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Add a handheld terminal's file to a count, all or nothing (every bad line is named)."""
    settings = state().open_db()
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ValidationError(_("Cannot read {path}: {error}").format(path=file, error=exc.strerror)) from None
    result = counting.import_handheld(
        session_id,
        data,
        source=str(file),
        actor=cli_actor(user, settings),
        now=now(),
        terminal=terminal or settings.terminal_id,
        masks=settings.scale_labels,
        zone=zone,
    )
    if json_:
        print_json(
            {
                "id": session_id,
                "lines": result.lines,
                "already": result.already,
                "products": result.products,
                "qty": str(Decimal(result.qty) / 1000),
            }
        )
        return
    lang = settings.language
    info(
        _("Added {n} lines ({p} products) to stock count {id}.").format(
            n=format_decimal(result.lines, language=lang),
            p=format_decimal(result.products, language=lang),
            id=session_id,
        )
    )
    if result.already:
        info(
            _("{n} lines of this very file were imported before and were not counted again.").format(
                n=format_decimal(result.already, language=lang)
            )
        )


@app.command("post")
@handle_errors
def post(
    session_id: IdArgument,
    zero_uncounted: Annotated[
        bool,
        typer.Option(
            "--zero-uncounted", help="Set products in scope that nobody counted to zero (default: leave them)."
        ),
    ] = False,
    user: UserOption = None,
    terminal: TerminalOption = None,
    yes: YesOption = False,
    json_: JsonOption = False,
) -> None:
    """Post a count: one count movement per product with a variance; uncounted products are left
    as they are unless --zero-uncounted."""
    settings = state().open_db()
    actor = cli_actor(user, settings)
    review = counting.review_count(session_id, actor=actor)
    lang = settings.language
    uncounted = len(review.uncounted)
    if zero_uncounted:
        what = _("{n} uncounted products will be set to zero.").format(n=format_decimal(uncounted, language=lang))
    else:
        what = _("{n} uncounted products will be left as they are.").format(n=format_decimal(uncounted, language=lang))
    confirm(
        _("Post stock count {id} ({name})? {what}").format(id=session_id, name=review.session.name, what=what), yes=yes
    )
    result = counting.post_count(
        session_id,
        uncounted="zero" if zero_uncounted else "leave",
        actor=actor,
        now=now(),
        terminal=terminal or settings.terminal_id,
    )
    if json_:
        print_json(
            {
                "id": session_id,
                "status": "posted",
                "document": result.document_id,
                "number": result.number,
                "movements": result.movements,
                "counted": result.counted,
                "uncounted": "zero" if zero_uncounted else "leave",
                "zeroed": result.zeroed,
                "left": result.left,
                "value": f"{from_kurus(result.value):.2f}",
            }
        )
        return
    info(
        _("Posted stock count {id}: {n} movements, value change {value}.").format(
            id=session_id,
            n=format_decimal(result.movements, language=lang),
            value=format_money(from_kurus(result.value), lang),
        )
    )
    if zero_uncounted and result.zeroed:
        info(_("{n} uncounted products were set to zero.").format(n=format_decimal(result.zeroed, language=lang)))
    elif result.left:
        info(_("{n} uncounted products were left as they are.").format(n=format_decimal(result.left, language=lang)))


@app.command("reverse")
@handle_errors
def reverse(
    session_id: IdArgument,
    user: UserOption = None,
    terminal: TerminalOption = None,
    yes: YesOption = False,
    json_: JsonOption = False,
) -> None:
    """Reverse a posted count by a new document that moves every quantity back."""
    settings = state().open_db()
    confirm(_("Reverse stock count {id}? Every quantity it changed goes back.").format(id=session_id), yes=yes)
    result = counting.reverse_count(
        session_id, actor=cli_actor(user, settings), now=now(), terminal=terminal or settings.terminal_id
    )
    if json_:
        print_json(
            {
                "id": session_id,
                "document": result.document_id,
                "number": result.number,
                "movements": result.movements,
                "value": f"{from_kurus(result.value):.2f}",
            }
        )
        return
    info(
        _("Reversed stock count {id}: {n} movements moved back.").format(
            id=session_id, n=format_decimal(result.movements, language=settings.language)
        )
    )


@app.command("cancel")
@handle_errors
def cancel(
    session_id: IdArgument,
    user: UserOption = None,
    terminal: TerminalOption = None,
    yes: YesOption = False,
    json_: JsonOption = False,
) -> None:
    """Cancel an open count: nothing is posted."""
    settings = state().open_db()
    confirm(_("Cancel stock count {id}? Nothing of it will be posted.").format(id=session_id), yes=yes)
    cancelled = counting.cancel_count(
        session_id, actor=cli_actor(user, settings), now=now(), terminal=terminal or settings.terminal_id
    )
    if json_:
        print_json(_session_json(cancelled, settings.shop.timezone))
        return
    info(_("Cancelled stock count {id}.").format(id=session_id))


@app.command("sheet")
@handle_errors
def sheet(
    session_id: IdArgument,
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    format_: Annotated[str, typer.Option("--format", "-f", help="pdf, csv or xlsx.")] = "pdf",
    json_: JsonOption = False,
) -> None:
    """Count sheets for a paper count: code, barcode, name, unit, location, expected (not on a
    blind count's sheets) and an empty counted column."""
    settings = state().open_db()
    if format_ not in SHEET_FORMATS:
        raise ValidationError(_("--format must be pdf, csv or xlsx, not {value}").format(value=format_))
    info_, rows = counting.sheet_rows(session_id)
    output.parent.mkdir(parents=True, exist_ok=True)
    if format_ == "csv":
        output.write_text(counting.sheet_csv(info_, rows), encoding="utf-8")
    elif format_ == "xlsx":
        output.write_bytes(counting.sheet_xlsx(info_, rows))
    else:
        _sheet_pdf(info_, rows, output, settings)
    if json_:
        print_json({"id": session_id, "format": format_, "output": str(output), "rows": len(rows)})
        return
    info(_("Wrote the count sheet of {n} products to {path}").format(n=len(rows), path=output))
    stdout.print(str(output), markup=False)


def _sheet_pdf(c: counting.CountInfo, rows: list[counting.SheetRow], path: Path, settings: Settings) -> None:
    """A4 pages, a table per page with the count's name, location and page number on top."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from pos_tui.devices.labels_pdf import SheetLayout, label_fonts  # reportlab: only when a PDF is made

    regular, bold = label_fonts(SheetLayout())
    width, height = A4
    head = counting.sheet_header(c.blind)
    # code, barcode, name, unit, location, [expected], counted (mm)
    widths = [22, 32, 70 if c.blind else 52, 12, 18] + ([18] if not c.blind else []) + [24]
    per_page = 40
    pages = max(1, -(-len(rows) // per_page))
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setTitle(_("Count sheet {id}").format(id=c.id))
    for page in range(pages):
        y = height - 15 * mm
        canvas.setFont(bold, 12)
        canvas.drawString(12 * mm, y, f"{c.name} — {c.location}")
        canvas.setFont(regular, 9)
        canvas.drawRightString(
            width - 12 * mm, y, _("Count {id}, page {page}/{pages}").format(id=c.id, page=page + 1, pages=pages)
        )
        y -= 9 * mm
        canvas.setFont(bold, 8)
        x = 12 * mm
        for title, w in zip(head, widths, strict=True):
            canvas.drawString(x, y, title)
            x += w * mm
        canvas.line(12 * mm, y - 1.5 * mm, width - 12 * mm, y - 1.5 * mm)
        canvas.setFont(regular, 8)
        for row in rows[page * per_page : (page + 1) * per_page]:
            y -= 6 * mm
            x = 12 * mm
            for value, w in zip(counting.sheet_cells(row), widths, strict=True):
                text = value
                while text and canvas.stringWidth(text, regular, 8) > (w - 2) * mm:
                    text = text[:-1]
                canvas.drawString(x, y, text)
                x += w * mm
            canvas.line(width - 12 * mm - 22 * mm, y - 1 * mm, width - 12 * mm, y - 1 * mm)
        canvas.showPage()
    canvas.save()
