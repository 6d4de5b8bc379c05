"""``pos-admin export products`` (sales: :mod:`pos_tui.cli.sales`).

Writes to stdout, or to ``--output FILE`` (written next to it and renamed into place, so a
failed export never leaves half a file). CSV cells are protected against formula injection;
the CSV, JSON and JSONL exports import back unchanged with ``pos-admin import products``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pos_tui.cli import sales
from pos_tui.cli.common import handle_errors, make_typer, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info
from pos_tui.core.kernel import format_decimal
from pos_tui.i18n import _

app = make_typer("export", "Export products and sales as CSV, JSON or JSONL.")

FORMATS = ("csv", "json", "jsonl")


def _format(format_: str | None, json_: bool, output: Path | None) -> str:
    if json_:
        return "json"
    if format_ is None:
        suffix = output.suffix.lower().lstrip(".") if output is not None else ""
        return {"ndjson": "jsonl"}.get(suffix, suffix) if suffix in (*FORMATS, "ndjson") else "csv"
    if format_.lower() not in FORMATS:
        fail(
            _("--format must be one of {formats}, not {value!r}").format(formats=", ".join(FORMATS), value=format_),
            ExitCode.USAGE,
        )
    return format_.lower()


@app.command("products")
@handle_errors
def products(
    format_: Annotated[
        str | None,
        typer.Option("--format", "-f", help="csv, json or jsonl (default: from --output's extension, else csv)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.", dir_okay=False)
    ] = None,
    active_only: Annotated[bool, typer.Option("--active-only", help="Leave out inactive products.")] = False,
    json_: JsonOption = False,
) -> None:
    """Export every product (code order) in the columns ``import products`` reads."""
    from pos_tui.core.interchange import export_products

    fmt = _format(format_, json_, output)
    state().open_db()
    if output is None:
        export_products(fmt, sys.stdout, include_inactive=not active_only)
        sys.stdout.flush()
        return
    partial = output.with_name(output.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            count = export_products(fmt, out, include_inactive=not active_only)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    info(_("Exported {n} product(s) to {file}.").format(n=format_decimal(count), file=output))


sales.register_export(app)  # ``export sales`` (cli/sales.py)
