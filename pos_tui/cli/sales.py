"""``pos-admin import sales`` and ``pos-admin export sales``, attached to the import/export groups.

The file formats are described in :mod:`pos_tui.core.interchange.sales_io`.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer

from pos_tui.cli.common import handle_errors, now, parse_date, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, progress
from pos_tui.core import interchange
from pos_tui.core.kernel import DiskFull, ImportRejected, format_decimal
from pos_tui.i18n import _


def _count_lines(path: Path) -> int:
    """Lines with something on them: the documents of a JSONL file, for the progress bar."""
    count = 0
    with path.open("rb") as f:
        for line in f:
            count += bool(line.strip())
    return count


def register_import(import_app: typer.Typer) -> None:
    """Attach ``import sales`` to the import group."""

    @import_app.command("sales")
    @handle_errors
    def import_sales(
        file: Annotated[
            Path,
            typer.Argument(help="JSONL file: one sale or return per line.", exists=True, dir_okay=False),
        ],
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Check every line through the engine, then import nothing.")
        ] = False,
        json_: JsonOption = False,
    ) -> None:
        """Post historic or external sales through the sale engine (idempotent, all or nothing)."""

        settings = state().open_db()
        # Counted as bytes: a file that is not UTF-8 is the import's to report, not a traceback here.
        total = _count_lines(file) if not json_ else None
        try:
            with progress(_("Importing sales"), total, json_) as advance:
                result = interchange.import_sales(file, settings=settings, now=now(), dry_run=dry_run, progress=advance)
        except ImportRejected as exc:
            if json_:
                print_json(
                    {
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
            print_json(result.as_json())
            return
        if dry_run:
            message = _("{file}: {n} document(s) would be imported ({returns} returns), {skipped} already there.")
        else:
            message = _("{file}: imported {n} document(s) ({returns} returns), skipped {skipped} already there.")
        info(message.format(file=file, n=result.imported, returns=result.returns, skipped=result.skipped))


def register_export(export_app: typer.Typer) -> None:
    """Attach ``export sales`` to the export group."""

    @export_app.command("sales")
    @handle_errors
    def export_sales(
        format_: Annotated[
            str, typer.Option("--format", "-f", help="csv, json (a list of sale documents) or jsonl.")
        ] = "json",
        from_: Annotated[
            str | None, typer.Option("--from", help="First day (YYYY-MM-DD, shop's local time), included.")
        ] = None,
        to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD), included.")] = None,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.", dir_okay=False)
        ] = None,
        terminal: Annotated[str | None, typer.Option("--terminal", help="Only this terminal's documents.")] = None,
        json_: JsonOption = False,
    ) -> None:
        """Export sales and returns in the documented JSON shape, as JSONL, or as CSV (one row per item)."""

        fmt = "json" if json_ else format_.lower()
        if fmt not in interchange.EXPORT_FORMATS:
            fail(
                _("--format must be one of {formats}, not {value!r}").format(
                    formats=", ".join(interchange.EXPORT_FORMATS), value=format_
                ),
                ExitCode.USAGE,
            )
        since, until = parse_date(from_, "--from"), parse_date(to, "--to")
        if since and until and since > until:
            fail(_("--from {since} is after --to {until}").format(since=since, until=until), ExitCode.USAGE)
        settings = state().open_db()
        target: Any = output.open("w", encoding="utf-8", newline="") if output is not None else nullcontext(sys.stdout)
        with target as out:
            count = interchange.export_sales(
                out, fmt, since=since, until=until, terminal=terminal, tz=settings.shop.timezone
            )
        if output is not None:
            info(_("Exported {n} document(s) to {file}.").format(n=format_decimal(count), file=output))
