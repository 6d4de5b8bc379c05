"""``pos-admin einvoice render`` and ``einvoice export``: an issued invoice as an HTML page, an A4
PDF or the e-Arşiv information slip (text), and its XML exactly as issued. The invoice is named by
its id, its number (``AT12026000000012``) or its ETTN. docs/einvoice-render.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from pos_tui.cli.common import state
from pos_tui.cli.einvoice_common import handle_errors, os_reason
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json
from pos_tui.i18n import _

FORMATS = ("html", "pdf", "slip")

InvoiceArgument = Annotated[str, typer.Argument(help="The invoice: its id, number or ETTN.")]
OutputOption = Annotated[Path, typer.Option("--output", "-o", help="Write to this file.", dir_okay=False)]


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``einvoice`` group."""
    app.command("render")(render)
    app.command("export")(export)


def _write(path: Path, data: bytes) -> None:
    """``data`` to ``path`` whole or not at all (a temporary file renamed over it)."""
    from pos_tui.core.kernel import ValidationError

    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ValidationError(_("Cannot write {path}: {error}").format(path=path, error=os_reason(exc))) from None


@handle_errors
def render(
    ref: InvoiceArgument,
    output: OutputOption,
    format_: Annotated[
        str | None, typer.Option("--format", help="html, pdf or slip (default: from the --output file's suffix).")
    ] = None,
    width: Annotated[int, typer.Option("--width", help="Characters per line of the slip.")] = 42,
    json_: JsonOption = False,
) -> None:
    """Write an invoice as an HTML page, an A4 PDF, or the e-Arşiv information slip as text."""
    from pos_tui.core import einvoice

    fmt = (format_ or output.suffix.lstrip(".")).lower()
    if fmt == "txt":
        fmt = "slip"
    if fmt not in FORMATS:
        fail(
            _("--format: choose one of {formats}, not {fmt!r}").format(formats=", ".join(FORMATS), fmt=fmt),
            ExitCode.USAGE,
        )
    state().open_db()
    invoice = einvoice.get_invoice(ref)
    xml = einvoice.invoice_xml(invoice.id)
    if fmt == "html":
        data = einvoice.render.render_html(xml).encode("utf-8")
    elif fmt == "pdf":
        data = einvoice.render.render_pdf(xml)
    else:
        data = ("\n".join(einvoice.render.info_slip_lines(xml, width)) + "\n").encode("utf-8")
    _write(output, data)
    if json_:
        print_json(
            {"id": invoice.id, "number": invoice.number, "uuid": invoice.uuid, "format": fmt, "output": str(output)}
        )
    else:
        info(_("Invoice {number} written to {path}.").format(number=invoice.number, path=output))


@handle_errors
def export(ref: InvoiceArgument, output: OutputOption, json_: JsonOption = False) -> None:
    """Write an invoice's UBL-TR XML exactly as it was issued."""
    from pos_tui.core import einvoice

    state().open_db()
    invoice = einvoice.get_invoice(ref)
    xml = einvoice.invoice_xml(invoice.id)
    _write(output, xml)
    if json_:
        print_json({"id": invoice.id, "number": invoice.number, "uuid": invoice.uuid, "output": str(output)})
    else:
        info(_("Invoice {number} written to {path}.").format(number=invoice.number, path=output))
