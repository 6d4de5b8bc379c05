"""``pos-admin import products|customers|suppliers FILE`` (sales: :mod:`pos_tui.cli.sales`).

The file's format comes from its extension (``.csv``, ``.json``, ``.jsonl``) unless
``--format`` says otherwise. All or nothing: on any bad row every bad row is printed to
stderr (``FILE: line N, FIELD: reason``), nothing is imported and the exit code is 1. With
``--json`` stdout carries the report (or ``{"imported": 0, "errors": [...]}``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pos_tui.cli import sales
from pos_tui.cli.common import handle_errors, make_typer, now, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, print_json, progress, stdout
from pos_tui.core import interchange, kernel
from pos_tui.core.kernel import DiskFull, ImportRejected
from pos_tui.i18n import _

app = make_typer("import", "Import products, customers, suppliers and sales from CSV, JSON or JSONL.")

FileArgument = Annotated[
    Path, typer.Argument(help="CSV (, or ; separated, UTF-8), JSON (array) or JSONL file.", exists=True, dir_okay=False)
]
FormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help="csv, json or jsonl (default: from the file's extension).")
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Check every row and report, but import nothing.")]


def _count_lines(path: Path) -> int:
    """Physical lines, a cheap upper bound of the rows for the progress bar."""
    count = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def _run(kind: str, file: Path, format_: str | None, dry_run: bool, json_: bool) -> None:

    settings = state().open_db()
    fmt = kernel.detect_format(file, format_.lower() if format_ else None)
    # products report each row once as it is done; customers and suppliers once read, once written
    passes = 1 if kind == "products" else 2
    rows = _count_lines(file) - (fmt == "csv")  # a CSV's header line is not a row
    total = None if fmt == "json" or json_ else passes * max(rows, 0)
    try:
        title = {
            "products": _("Importing products"),
            "customers": _("Importing customers"),
            "suppliers": _("Importing suppliers"),
        }[kind]
        with progress(title, total, json_, unit=_("rows")) as advance:
            report = interchange.IMPORTERS[kind](
                file, now=now(), settings=settings, fmt=fmt, dry_run=dry_run, progress=advance
            )
    except ImportRejected as exc:
        if json_:
            print_json(
                {
                    "kind": kind,
                    "file": str(file),
                    "imported": 0,
                    "errors": [{"line": e.line, "field": e.field, "reason": e.reason} for e in exc.errors],
                }
            )
        fail(exc.message, ExitCode.FAILED)
    except DiskFull:
        # SQLite rolled the whole import back: say so, not the rollback error that followed
        fail(_("disk full: nothing from {file} was written; free space and run it again").format(file=file))
    if json_:
        print_json(report.as_json())
        return
    if dry_run:
        message = _(
            "{file}: {rows} row(s) checked; would create {created}, update {updated}, leave {unchanged} as they are."
        )
    else:
        message = _("{file}: {rows} row(s) imported; created {created}, updated {updated}, {unchanged} unchanged.")
    stdout.print(
        message.format(
            file=file,
            rows=kernel.format_decimal(report.rows),
            created=kernel.format_decimal(report.created),
            updated=kernel.format_decimal(report.updated),
            unchanged=kernel.format_decimal(report.unchanged),
        ),
        markup=False,
    )
    if report.members:
        enrolled = _("{n} loyalty member(s) would be enrolled.") if dry_run else _("{n} loyalty member(s) enrolled.")
        stdout.print(enrolled.format(n=kernel.format_decimal(report.members)), markup=False)


@app.command("products")
@handle_errors
def products(
    file: FileArgument, format_: FormatOption = None, dry_run: DryRunOption = False, json_: JsonOption = False
) -> None:
    """Import products: upsert by code (or barcode); columns code, barcode (several joined with |),
    name, unit, price, cost, kdv_rate, category, supplier, min_stock, stock, active — or the
    Turkish kod, barkod, ad, birim, fiyat, maliyet, kdv, kategori, tedarikçi, min_stok, stok."""
    _run("products", file, format_, dry_run, json_)


@app.command("customers")
@handle_errors
def customers(
    file: FileArgument, format_: FormatOption = None, dry_run: DryRunOption = False, json_: JsonOption = False
) -> None:
    """Import customers: upsert by code; columns code, name, kind (retail|wholesale), phone, email,
    tax_id (VKN or TCKN), tax_office, address — or kod, ad, tür, telefon, eposta, vkn/tckn,
    vergi_dairesi, adres. A row with a card (kart) or member = yes (üye = evet) also enrols a
    loyalty member: card_kind (kart_tipi), consent_sms (sms_izni), consent_email (eposta_izni),
    birth_date (doğum_tarihi)."""
    _run("customers", file, format_, dry_run, json_)


@app.command("suppliers")
@handle_errors
def suppliers(
    file: FileArgument, format_: FormatOption = None, dry_run: DryRunOption = False, json_: JsonOption = False
) -> None:
    """Import suppliers: upsert by code; columns code, name, vkn, tax_office, phone, email, address —
    or kod, ad, vkn, vergi_dairesi, telefon, eposta, adres."""
    _run("suppliers", file, format_, dry_run, json_)


sales.register_import(app)  # ``import sales`` (cli/sales.py)
