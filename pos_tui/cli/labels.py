"""``pos-admin labels print``: shelf labels for chosen products, as an A4 PDF or on the receipt printer.

Products are chosen by code or barcode (``--product``, repeatable), by ``--category`` and/or by
``--changed-since`` (a date or ``today``: every product whose price or details changed since that
shop day — what to relabel after a price update). The selectors combine.

``--format pdf`` writes A4 sheets (grid from ``[labels]`` in devices.toml, overridable here) to
``--output`` or, without it, to ``$POS_HOME/labels/labels-YYYYMMDD-HHMMSS.pdf``, and prints the
path. ``--format escpos`` sends one job per label to the configured ``[printer]``, or writes the
raw ESC/POS bytes to ``--output``.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pos_tui.cli.common import handle_errors, make_typer, now, parse_date, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, stdout
from pos_tui.core.catalog import ShelfLabel, label_record, select_products
from pos_tui.core.kernel import local
from pos_tui.devices.config import DevicesConfig, load_devices
from pos_tui.devices.errors import DeviceError
from pos_tui.i18n import _
from pos_tui.settings import Settings

app = make_typer("labels", "Shelf labels: A4 sheets (PDF) or the receipt printer (ESC/POS).")

FORMATS = ("pdf", "escpos")
MmOption = Annotated[float | None, typer.Option(min=0, help="Millimetres (default: devices.toml [labels]).")]


def _devices(settings: Settings) -> DevicesConfig:
    env = dict(os.environ)
    env["POS_HOME"] = str(settings.home)
    if state().config is not None:
        env["POS_CONFIG"] = str(state().config)
    return load_devices(env=env)


def _day(value: str | None, option: str, today: date) -> date | None:
    if value is not None and value.strip().lower() in ("today", "bugün"):
        return today
    return parse_date(value, option)


def default_output(settings: Settings, at: str) -> Path:
    """Where a PDF goes without ``--output``: ``$POS_HOME/labels/labels-<at>.pdf``."""
    return settings.home / "labels" / f"labels-{at}.pdf"


@app.command("print")
@handle_errors
def print_(
    product: Annotated[
        list[str] | None, typer.Option("--product", "-p", metavar="CODE", help="Product code or barcode (repeatable).")
    ] = None,
    category: Annotated[str | None, typer.Option("--category", help="Every active product of this category.")] = None,
    changed_since: Annotated[
        str | None,
        typer.Option("--changed-since", help="Products changed on or after this day (YYYY-MM-DD or 'today')."),
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", "-f", help="pdf (A4 sheets) or escpos (receipt printer).")
    ] = "pdf",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (pdf: default under $POS_HOME/labels; escpos: raw bytes)."),
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The day the labels are made (default: today).")] = None,
    columns: Annotated[int | None, typer.Option(min=1, max=40, help="Labels across a sheet.")] = None,
    rows: Annotated[int | None, typer.Option(min=1, max=40, help="Labels down a sheet.")] = None,
    label_width: MmOption = None,
    label_height: MmOption = None,
    margin_left: MmOption = None,
    margin_top: MmOption = None,
    gap_x: MmOption = None,
    gap_y: MmOption = None,
    border: Annotated[
        bool | None, typer.Option("--border/--no-border", help="Outline each label (plain paper).")
    ] = None,
    skip: Annotated[
        int, typer.Option(min=0, help="Leave this many labels of the first sheet empty (a used sheet).")
    ] = 0,
    width: Annotated[
        int | None, typer.Option(min=24, max=80, help="escpos: characters per line (default: the printer's).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Print shelf labels: name, price, unit price, date and barcode."""
    if format_ not in FORMATS:
        fail(_("--format must be pdf or escpos, not {value}").format(value=format_), ExitCode.USAGE)
    settings = state().open_db()
    tz, language = settings.shop.timezone, settings.language
    moment = now()
    today = local(moment, tz).date()
    label_day = _day(as_of, "--as-of", today) or today
    labels = select_products(
        codes=product or (),
        category=category,
        changed_since=_day(changed_since, "--changed-since", today),
        as_of=label_day,
        tz=tz,
    )
    devices = _devices(settings)
    result: dict[str, object] = {"format": format_, "count": len(labels)}
    if format_ == "pdf":
        from pos_tui.devices.labels_pdf import SheetLayout, write_pdf  # reportlab: only when a PDF is made

        layout = SheetLayout.parse(devices.sections.get("labels"), devices.where("labels")).with_options(
            columns=columns,
            rows=rows,
            label_width=label_width,
            label_height=label_height,
            margin_left=margin_left,
            margin_top=margin_top,
            gap_x=gap_x,
            gap_y=gap_y,
            border=border,
        )
        target = output or default_output(settings, local(moment, tz).strftime("%Y%m%d-%H%M%S"))
        target.parent.mkdir(parents=True, exist_ok=True)
        pages = write_pdf(labels, target, layout, language=language, skip=skip, title=_("Shelf labels"))
        result |= {"output": str(target), "pages": pages}
        message = _("Wrote {n} labels on {pages} pages to {path}").format(n=len(labels), pages=pages, path=target)
    else:
        result |= _escpos(labels, devices, output, width, language)
        message = (
            _("Wrote {n} labels as ESC/POS to {path}").format(n=len(labels), path=output)
            if output is not None
            else _("Sent {n} labels to the printer").format(n=len(labels))
        )
    missing = [label.code for label in labels if label.barcode is None]
    if missing:
        info(_("No barcode for {codes}: their codes cannot be printed as a barcode").format(codes=", ".join(missing)))
    if json_:
        print_json({**result, "labels": [label_record(label) for label in labels]})
        return
    info(message)
    if format_ == "pdf":
        stdout.print(str(result["output"]), markup=False)


def _escpos(
    labels: list[ShelfLabel], devices: DevicesConfig, output: Path | None, width: int | None, language: str
) -> dict[str, object]:
    """Render (``output``) or send (the configured printer) one ESC/POS job per label."""
    from pos_tui.devices.labels_escpos import label_printables
    from pos_tui.devices.printer import EscposPrinter, PrinterConfig, open_printer, printer_config

    if output is not None:
        config = printer_config(devices) or PrinterConfig(driver="dummy")
        printer = EscposPrinter(config)
        jobs = label_printables(labels, width=width or config.width, language=language)
        data = b"".join(printer.render(job) for job in jobs)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        return {"output": str(output), "bytes": len(data)}
    configured = open_printer(devices)
    if configured is None:
        fail(_("No receipt printer is configured ([printer] in devices.toml); use --output FILE or --format pdf"))
    jobs = label_printables(labels, width=width or configured.width, language=language)
    done = 0
    try:
        for job in jobs:
            configured.print(job)
            done += 1
    except DeviceError as exc:
        fail(_("{error} ({done} of {n} labels were printed)").format(error=exc.message, done=done, n=len(jobs)))
    finally:
        configured.close()
    return {"output": None, "printer": configured.where}
