"""``pos-admin stock`` commands: goods receipts and returns to suppliers.

``stock receive FILE --supplier CODE`` posts a goods receipt from a CSV (``,`` or ``;``) or JSON
file with the columns ``barcode`` or ``code``, ``qty``, ``unit_cost`` (excluding KDV; with
``--kdv-included`` including it) and optionally ``kdv_rate`` and ``discount`` (Turkish headers:
barkod, kod, miktar, birim_maliyet, kdv, iskonto). All or nothing: every bad row is printed
(``FILE: line N, FIELD: reason``) and nothing is posted. ``stock return NUMBER`` gives goods back
against receipt NUMBER (a file, or ``--line CODE=QTY``); ``stock receipts`` lists, ``stock
receipt NUMBER`` shows one, ``stock payables`` lists what receipts and returns leave owing.
Commands act as ``--user NAME`` or the first active admin, on ``--terminal`` (default: pos.toml's).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pos_tui.cli.common import cli_actor, handle_errors, now, parse_date, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, table
from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.core.kernel import ImportRejected
    from pos_tui.core.stock import receiving as receiving_t
    from pos_tui.settings import Settings

UserOption = Annotated[str | None, typer.Option("--user", help="Act as this user (default: the first active admin).")]
TerminalOption = Annotated[
    str | None, typer.Option("--terminal", help="Terminal id (default: this terminal, from pos.toml).")
]
SupplierFilter = Annotated[str | None, typer.Option("--supplier", help="Only this supplier's (its code).")]
FromOption = Annotated[str | None, typer.Option("--from", help="From this day (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Up to this day, included (YYYY-MM-DD).")]


def _day(day: dt.date) -> str:
    """A date as a person in Turkey writes it (JSON keeps ISO 8601)."""
    return day.strftime("%d.%m.%Y")


def _rejected(exc: ImportRejected, json_: bool, file: Path | None) -> None:
    if json_:
        print_json(
            {
                "file": None if file is None else str(file),
                "posted": False,
                "errors": [{"line": e.line, "field": e.field, "reason": e.reason} for e in exc.errors],
            }
        )
    fail(exc.message, ExitCode.FAILED)


def show_document(doc: receiving_t.ReceiptInfo, settings: Settings) -> None:
    """A receipt or supplier return as tables: the head, the lines, the totals per KDV rate."""
    from pos_tui.core.kernel import format_money, format_percent, format_quantity

    lang = settings.language
    if doc.kind == "receipt":
        title = _("Goods receipt {number}").format(number=doc.number)
    else:
        title = _("Return to supplier {number} (goods receipt {receipt})").format(
            number=doc.number, receipt=doc.refers_to
        )
    table(
        [_("Figure"), _("Value")],
        [
            (_("Supplier"), f"{doc.supplier} {doc.supplier_name}"),
            (_("Document"), doc.document or "-"),
            (_("Date"), _day(doc.date)),
            (_("Due date"), "-" if doc.due is None else _day(doc.due)),
            (_("Location"), doc.location),
            (_("Costs"), _("including KDV") if doc.kdv_included else _("excluding KDV")),
            (_("User"), doc.user),
        ],
        title=title,
    )
    table(
        [_("#"), _("Code"), _("Product"), _("Qty"), _("Unit cost"), _("Discount"), _("Net"), _("KDV"), _("Returned")],
        [
            (
                ln.line_no,
                ln.code,
                ln.name,
                format_quantity(ln.qty, ln.unit, language=lang),
                format_money(ln.unit_cost, lang),
                format_money(ln.discount, lang) if ln.discount else "",
                format_money(ln.net, lang),
                format_percent(ln.kdv_rate, lang),
                format_quantity(ln.returned, ln.unit, language=lang) if ln.returned else "",
            )
            for ln in doc.lines
        ],
    )
    table(
        [_("KDV"), _("Net"), _("KDV amount"), _("Gross")],
        [
            *[
                (
                    format_percent(t.kdv_rate, lang),
                    format_money(t.net, lang),
                    format_money(t.kdv, lang),
                    format_money(t.gross, lang),
                )
                for t in doc.totals
            ],
            (_("Total"), format_money(doc.net, lang), format_money(doc.kdv, lang), format_money(doc.total, lang)),
        ],
    )


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``stock`` group."""

    @app.command("receive")
    @handle_errors
    def receive(
        file: Annotated[
            Path,
            typer.Argument(help="CSV (, or ; separated, UTF-8) or JSON (array) file of the lines.", dir_okay=False),
        ],
        supplier: Annotated[str, typer.Option("--supplier", help="The supplier's code.")],
        document: Annotated[
            str | None, typer.Option("--document", help="The supplier's document number (irsaliye or invoice).")
        ] = None,
        date_: Annotated[
            str | None, typer.Option("--date", help="The document's date (YYYY-MM-DD; default: today).")
        ] = None,
        due: Annotated[
            str | None, typer.Option("--due", help="When it is to be paid (YYYY-MM-DD; default: the date).")
        ] = None,
        location: Annotated[
            str | None, typer.Option("--location", help="Stock location (default: the terminal's).")
        ] = None,
        kdv_included: Annotated[
            bool, typer.Option("--kdv-included", help="The file's unit costs and discounts include KDV.")
        ] = False,
        user: UserOption = None,
        terminal: TerminalOption = None,
        json_: JsonOption = False,
    ) -> None:
        """Post a goods receipt from FILE: columns barcode or code, qty, unit_cost (excluding KDV),
        optional kdv_rate and discount (or barkod, kod, miktar, birim_maliyet, kdv, iskonto)."""
        from pos_tui.core.kernel import ImportRejected, format_money
        from pos_tui.core.stock import receiving

        settings = state().open_db()
        try:
            read = receiving.read_receipt_file(file)
            doc = receiving.post_receipt(
                receiving.ReceiptInput(
                    supplier=supplier,
                    document=document,
                    date=parse_date(date_, "--date"),
                    due=parse_date(due, "--due"),
                    location=location,
                    kdv_included=kdv_included,
                    lines=read.lines,
                ),
                actor=cli_actor(user, settings),
                now=now(),
                terminal=terminal or settings.terminal_id,
                kdv_rates=settings.kdv_rates,
                tz=settings.shop.timezone,
                source=file.name,
                read_errors=read.errors,
            )
        except ImportRejected as exc:
            _rejected(exc, json_, file)
            return
        if json_:
            print_json(receiving.receipt_record(doc))
            return
        show_document(doc, settings)
        info(
            _("Goods receipt {number} posted: {lines} line(s), {total} including KDV.").format(
                number=doc.number, lines=len(doc.lines), total=format_money(doc.total, settings.language)
            )
        )

    @app.command("return")
    @handle_errors
    def return_(
        receipt: Annotated[int, typer.Argument(metavar="RECEIPT_NUMBER", help="The goods receipt's number.")],
        file: Annotated[
            Path | None,
            typer.Argument(help="CSV or JSON file: line (or barcode/code) and qty.", dir_okay=False),
        ] = None,
        line: Annotated[
            list[str] | None,
            typer.Option("--line", help="CODE=QTY (a product code or barcode) or #LINE=QTY; repeat for more."),
        ] = None,
        note: Annotated[str | None, typer.Option("--note", help="Why the goods go back.")] = None,
        user: UserOption = None,
        terminal: TerminalOption = None,
        json_: JsonOption = False,
    ) -> None:
        """Return goods to the supplier against goods receipt RECEIPT_NUMBER (never more than
        received minus what earlier returns took back)."""
        from pos_tui.core.kernel import ImportRejected, ValidationError, format_money
        from pos_tui.core.stock import receiving

        settings = state().open_db()
        if (file is None) == (not line):
            fail(_("Give either a FILE or --line CODE=QTY (not both)"), ExitCode.USAGE)
        try:
            read_errors: list[Any] = []
            if file is not None:
                lines, read_errors = receiving.read_return_file(file)
            else:
                lines = [receiving.parse_line_option(text) for text in line or []]
            doc = receiving.post_supplier_return(
                receipt,
                lines,
                actor=cli_actor(user, settings),
                now=now(),
                terminal=terminal or settings.terminal_id,
                tz=settings.shop.timezone,
                note=note,
                source=file.name if file is not None else "--line",
                read_errors=read_errors,
            )
        except ImportRejected as exc:
            _rejected(exc, json_, file)
            return
        except ValidationError as exc:
            fail(exc.message)
        if json_:
            print_json(receiving.receipt_record(doc))
            return
        show_document(doc, settings)
        info(
            _("Return to supplier {number} posted: {total} including KDV is owed back.").format(
                number=doc.number, total=format_money(doc.total, settings.language)
            )
        )

    @app.command("receipts")
    @handle_errors
    def receipts(
        supplier: SupplierFilter = None,
        from_: FromOption = None,
        to: ToOption = None,
        returns: Annotated[bool, typer.Option("--returns", help="Also list the returns to suppliers.")] = False,
        json_: JsonOption = False,
    ) -> None:
        """Goods receipts by date, oldest first."""
        from pos_tui.core.kernel import format_money
        from pos_tui.core.stock import receiving

        settings = state().open_db()
        found = receiving.list_receipts(
            supplier=supplier,
            since=parse_date(from_, "--from"),
            until=parse_date(to, "--to"),
            kinds=("receipt", "supplier_return") if returns else ("receipt",),
            tz=settings.shop.timezone,
        )
        if json_:
            print_json([_summary_json(r) for r in found])
            return
        if not found:
            info(_("No goods receipts found."))
            return
        lang = settings.language
        table(
            [_("Number"), _("Kind"), _("Date"), _("Supplier"), _("Document"), _("Lines"), _("Total")],
            [
                (
                    r.number,
                    _("goods receipt") if r.kind == "receipt" else _("return to supplier"),
                    _day(r.date),
                    r.supplier,
                    r.document or "-",
                    r.lines,
                    format_money(r.total if r.kind == "receipt" else -r.total, lang),
                )
                for r in found
            ],
        )

    @app.command("receipt")
    @handle_errors
    def receipt_(
        number: Annotated[int, typer.Argument(metavar="NUMBER", help="The goods receipt's number.")],
        json_: JsonOption = False,
    ) -> None:
        """One goods receipt: its lines (with what was returned of each) and its totals per KDV rate."""
        from pos_tui.core.stock import receiving

        settings = state().open_db()
        doc = receiving.get_receipt(number)
        if json_:
            print_json(receiving.receipt_record(doc))
            return
        show_document(doc, settings)

    @app.command("payables")
    @handle_errors
    def payables(
        from_: FromOption = None,
        json_: JsonOption = False,
    ) -> None:
        """What goods receipts (and, negative, returns to suppliers) leave owing to suppliers."""
        from pos_tui.core.kernel import format_money
        from pos_tui.core.stock import receiving

        settings = state().open_db()
        found = receiving.payables(parse_date(from_, "--from"), tz=settings.shop.timezone)
        if json_:
            print_json([p.as_json() for p in found])
            return
        if not found:
            info(_("Nothing is owed to suppliers for goods received."))
            return
        table(
            [_("Kind"), _("Number"), _("Supplier"), _("Document"), _("Date"), _("Due date"), _("Amount")],
            [
                (
                    _("goods receipt") if p.kind == "receipt" else _("return to supplier"),
                    p.number,
                    p.supplier,
                    p.document or "-",
                    _day(p.date),
                    _day(p.due),
                    format_money(p.amount, settings.language),
                )
                for p in found
            ],
        )


def _summary_json(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "kind": r.kind,
        "number": r.number,
        "date": r.date.isoformat(),
        "due": None if r.due is None else r.due.isoformat(),
        "supplier": r.supplier,
        "supplier_name": r.supplier_name,
        "document": r.document,
        "location": r.location,
        "lines": r.lines,
        "total": f"{r.total:.2f}",
        "receipt": r.refers_to,
    }
