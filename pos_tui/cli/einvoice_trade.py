"""``pos-admin einvoice``: invoices that do not come from a till sale, and the documents of customer returns
(docs/einvoice-trade.md).

- ``einvoice wholesale ACCOUNT --line CODE:QTY[:PRICE] ... [--type SATIS|ISTISNA|TEVKIFAT] [--exemption CODE]
  [--withholding CODE:PERCENT]``: a standalone wholesale invoice to a customer account; posts the payable on
  the account and takes the goods out of stock.
- ``einvoice supplier-return STOCK_DOC --supplier-invoice NUMBER --supplier-date DATE``: the IADE invoice of a
  supplier return (its number, or ``id:<id>``) to the supplier, referring to the supplier's invoice.
- ``einvoice return-document RETURN_RECEIPT --kind received_iade|gider_pusulasi|return_slip [--number] [--date]
  [--name] [--id] [--output FILE.pdf]``: the document of a customer return of an invoiced sale.
- ``einvoice return-documents INVOICE``: the return documents linked to an invoice.
- ``einvoice return-document-pdf NUMBER --output FILE.pdf [--address]``: print a recorded gider pusulası or
  return slip again (``GP2026000000001``), e.g. when the first print was lost.

``--json`` prints ``{id, uuid, number, profile, type, status}`` for an invoice (as ``einvoice issue``) and the
document for a return document. Commands act as ``--user NAME`` or the first active admin, on ``--terminal``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pos_tui.cli.common import cli_actor, now, parse_date, state
from pos_tui.cli.einvoice_common import check_output, handle_errors
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, table
from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.core import einvoice

UserOption = Annotated[str | None, typer.Option("--user", help="Act as this user (default: the first active admin).")]
TerminalOption = Annotated[
    str | None, typer.Option("--terminal", help="Terminal id (default: this terminal, from pos.toml).")
]


def parse_line(text: str) -> einvoice.WholesaleLine:
    """``CODE:QTY[:PRICE]``: a product code or barcode, a quantity (``2``, ``1,5``) and a KDV-inclusive unit
    price (``99,90``; default: the account's price list)."""
    from pos_tui.core import einvoice
    from pos_tui.core.kernel import parse_quantity, parse_typed_money

    parts = [p.strip() for p in text.split(":")]
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        fail(
            _("--line {text!r}: write CODE:QTY or CODE:QTY:PRICE, e.g. 1003:12 or 1003:12:99,90").format(
                text=text[:40]
            ),
            ExitCode.USAGE,
        )
    qty = parse_quantity(parts[1], _("quantity"))
    price = parse_typed_money(parts[2], _("price")) if len(parts) == 3 and parts[2] else None
    return einvoice.WholesaleLine(product=parts[0], qty=qty, unit_price=price)


def _say_invoice(inv: einvoice.IssuedInvoice, json_: bool, message: str) -> None:
    if json_:
        print_json(inv.as_json())
        return
    info(message)


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``einvoice`` group."""
    app.command("wholesale")(handle_errors(wholesale))
    app.command("supplier-return")(handle_errors(supplier_return))
    app.command("return-document")(handle_errors(return_document))
    app.command("return-documents")(handle_errors(return_documents))
    app.command("return-document-pdf")(handle_errors(return_document_pdf))


def wholesale(
    account: Annotated[str, typer.Argument(metavar="ACCOUNT", help="The customer account invoiced.")],
    line: Annotated[
        list[str],
        typer.Option("--line", help="CODE:QTY[:PRICE] (price KDV included; default: the account's price list)."),
    ],
    type_: Annotated[str, typer.Option("--type", help="SATIS, ISTISNA (exempt) or TEVKIFAT (withholding).")] = "SATIS",
    exemption: Annotated[
        str | None, typer.Option("--exemption", help="ISTISNA: GİB's exemption code, e.g. 301 export of goods.")
    ] = None,
    withholding: Annotated[
        str | None, typer.Option("--withholding", help="TEVKIFAT: CODE:PERCENT, e.g. 624:20 or 602:9/10.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note on the invoice and the account entry.")] = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """A standalone wholesale invoice to a customer account: the payable goes on the account, the goods out of
    stock."""
    from pos_tui.core import einvoice
    from pos_tui.core.kernel import format_money

    lines = [parse_line(text) for text in line]
    held = einvoice.parse_withholding(withholding) if withholding else None
    settings = state().open_db()
    done = einvoice.issue_wholesale(
        account,
        lines,
        type=type_,
        actor=cli_actor(user, settings),
        terminal=terminal or settings.terminal_id,
        now=now(),
        settings=settings,
        note=note,
        exemption_code=exemption or "",
        withholding=held,
    )
    inv = done.invoice
    _say_invoice(
        inv,
        json_,
        _("Invoice {number} ({profile}, {type}) to {account}: {amount} on the account, due {due}.").format(
            number=inv.number,
            profile=inv.profile,
            type=inv.type,
            account=done.account,
            amount=format_money(inv.payable),
            due=done.due.strftime("%d.%m.%Y"),
        ),
    )


def supplier_return(
    stock_doc: Annotated[
        str, typer.Argument(metavar="STOCK_DOC", help="The supplier return's number (or id:<stock document id>).")
    ],
    supplier_invoice: Annotated[
        str, typer.Option("--supplier-invoice", help="The supplier's invoice number (ABC2026000000123).")
    ],
    supplier_date: Annotated[str, typer.Option("--supplier-date", help="Its date (15.12.2026 or 2026-12-15).")],
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """The IADE invoice of goods returned to a supplier, referring to the supplier's invoice."""
    from pos_tui.core import einvoice
    from pos_tui.core.kernel import format_money

    day = parse_date(supplier_date, "--supplier-date")
    assert day is not None
    settings = state().open_db()
    inv = einvoice.issue_supplier_return(
        stock_doc,
        supplier_invoice,
        day,
        actor=cli_actor(user, settings),
        terminal=terminal or settings.terminal_id,
        now=now(),
        settings=settings,
    )
    _say_invoice(
        inv,
        json_,
        _("Return invoice {number} ({profile}) to {name}: {amount}, for their invoice {ref}.").format(
            number=inv.number,
            profile=inv.profile,
            name=inv.customer_name,
            amount=format_money(inv.payable),
            ref=inv.billing_ref,
        ),
    )


def _doc_text(doc: einvoice.ReturnDocumentInfo) -> str:
    from pos_tui.core import einvoice
    from pos_tui.core.kernel import format_money

    label = einvoice.return_document_label(doc.kind)
    return _("{kind} {number} of {day} for return {receipt} (invoice {invoice}): {amount}, KDV {kdv}.").format(
        kind=label[:1].upper() + label[1:],  # not str.capitalize(): it would lower "IADE"
        number=doc.number,
        day=doc.issue_date.strftime("%d.%m.%Y"),
        receipt=doc.receipt,
        invoice=doc.invoice_number,
        amount=format_money(doc.amount),
        kdv=format_money(doc.kdv),
    )


def return_document(
    receipt: Annotated[
        str, typer.Argument(metavar="RETURN_RECEIPT", help="The posted return (T1/13, sale id or uid).")
    ],
    kind: Annotated[
        str, typer.Option("--kind", help="received_iade (a business's IADE invoice), gider_pusulasi or return_slip.")
    ],
    number: Annotated[
        str | None, typer.Option("--number", help="received_iade: the buyer's IADE invoice number.")
    ] = None,
    date_: Annotated[str | None, typer.Option("--date", help="received_iade: its date (default: today).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The person returning the goods.")] = None,
    id_: Annotated[str | None, typer.Option("--id", help="Their TCKN (or the buyer's VKN).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note kept with the document.")] = None,
    address: Annotated[
        str | None, typer.Option("--address", help="Printed on the gider pusulası (else a line to fill in).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the gider pusulası as a PDF.", dir_okay=False)
    ] = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Record the document a customer return of an invoiced sale needs (and print a gider pusulası)."""
    from pos_tui.core import einvoice

    day = parse_date(date_, "--date")
    if output is not None:
        if kind == einvoice.RECEIVED_IADE:
            fail(
                _("--output: a return documented by the buyer's IADE invoice (received_iade) has nothing to print"),
                ExitCode.USAGE,
            )
        check_output(output)  # before the document is recorded: a bad path leaves nothing behind
    settings = state().open_db()
    doc = einvoice.record_return_document(
        receipt,
        kind=kind,
        actor=cli_actor(user, settings),
        terminal=terminal or settings.terminal_id,
        now=now(),
        number=number,
        issue_date=day,
        person_name=name,
        person_id=id_,
        person_address=address,
        note=note,
        tz=settings.shop.timezone,
    )
    path = einvoice.return_document_pdf(doc, output, settings) if output is not None else None
    if json_:
        print_json({**doc.as_json(), "output": None if path is None else str(path)})
        return
    info(_doc_text(doc))
    if path is not None:
        info(_("Printed to {path}: have the customer sign it.").format(path=path))


def return_documents(
    invoice: Annotated[str, typer.Argument(metavar="INVOICE", help="The invoice's number, id or ETTN.")],
    json_: JsonOption = False,
) -> None:
    """The return documents linked to an invoice."""
    from pos_tui.core import einvoice
    from pos_tui.core.kernel import format_money

    settings = state().open_db()
    docs = einvoice.return_documents(invoice, tz=settings.shop.timezone)
    if json_:
        print_json([d.as_json() for d in docs])
        return
    if not docs:
        info(_("No return documents for invoice {invoice}.").format(invoice=invoice.strip().upper()))
        return
    table(
        [_("Kind"), _("Number"), _("Date"), _("Return"), _("Person"), _("Amount"), _("KDV")],
        [
            [
                einvoice.return_document_label(d.kind),
                d.number,
                d.issue_date.strftime("%d.%m.%Y"),
                d.receipt,
                d.person_name or "",
                format_money(d.amount),
                format_money(d.kdv),
            ]
            for d in docs
        ],
        whole=(1,),
    )


def return_document_pdf(
    number: Annotated[
        str, typer.Argument(metavar="NUMBER", help="The recorded document's number (GP2026000000001) or id.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The PDF file to write.", dir_okay=False)],
    address: Annotated[
        str | None, typer.Option("--address", help="Printed on the gider pusulası (else a line to fill in).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Print a recorded gider pusulası or return slip again, as a PDF (nothing new is recorded)."""
    from pos_tui.core import einvoice

    check_output(output)
    settings = state().open_db()
    doc = einvoice.get_return_document(number, tz=settings.shop.timezone)
    path = einvoice.return_document_pdf(doc, output, settings, address=address)
    if json_:
        print_json({**doc.as_json(), "output": str(path)})
        return
    info(_doc_text(doc))
    info(_("Printed to {path}: have the customer sign it.").format(path=path))
