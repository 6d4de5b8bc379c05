"""``pos-admin receipt print|show``: reprint a posted receipt from scripts, or read it as text.

``RECEIPT`` is what the returns screen takes: a receipt number of this terminal (``42``),
``TERMINAL/NUMBER`` (``T1/42``, what the receipt's barcode holds) or the document's id. The
layout is :func:`pos_tui.core.till.receipts.receipt_for`; the bytes are the ``[printer]`` driver's of
devices.toml. A reprint is a copy (marked "COPY") unless ``--no-copy``, and never opens the drawer.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from pos_tui.cli.common import handle_errors, make_typer, state
from pos_tui.cli.output import DevicesOption, JsonOption, fail, info, print_json, stdout
from pos_tui.core import till
from pos_tui.core.kernel import Printable
from pos_tui.devices.config import DevicesConfig, load_devices
from pos_tui.devices.errors import DeviceError
from pos_tui.devices.printer import EscposPrinter, PrinterConfig, printer_config
from pos_tui.i18n import _
from pos_tui.settings import Settings

app = make_typer("receipt", "Print or show a posted receipt (sale or return).")

ReceiptArg = Annotated[
    str, typer.Argument(metavar="RECEIPT", help="Receipt number, TERMINAL/NUMBER (the receipt's barcode) or id.")
]
WidthOption = Annotated[
    int | None,
    typer.Option("--width", min=24, max=80, help="Characters per line (default: the printer's width, else 42)."),
]
CopyOption = Annotated[bool, typer.Option("--copy/--no-copy", help="Mark it as a copy (a reprint).")]
TerminalOption = Annotated[
    str | None, typer.Option("--terminal", help="Terminal of a bare receipt number (default: this terminal).")
]


def _devices(path: Path | None) -> DevicesConfig:
    return load_devices(path)


def _job(ref: str, settings: Settings, *, width: int, copy: bool, terminal: str | None, fiscal: bool) -> Printable:
    data = till.load_receipt(ref, terminal=terminal or settings.terminal_id, tz=settings.shop.timezone)
    job = till.receipt_of(data, settings, width=width, fiscal=fiscal, copy=copy)
    return dataclasses.replace(job, kick=False)  # a script never opens the cash drawer


@app.command("print")
@handle_errors
def print_(
    ref: ReceiptArg,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the raw ESC/POS bytes to this file instead.", dir_okay=False),
    ] = None,
    copy: CopyOption = True,
    width: WidthOption = None,
    terminal: TerminalOption = None,
    devices_file: DevicesOption = None,
    json_: JsonOption = False,
) -> None:
    """Print a posted receipt on the configured printer, or write its ESC/POS bytes to --output."""
    settings = state().open_db()
    devices = _devices(devices_file)
    config = printer_config(devices)
    if config is None and output is None:
        fail(
            _("No [printer] is configured in {file}; use --output FILE to write the bytes to a file").format(
                file=devices.path or "devices.toml"
            )
        )
    config = config or PrinterConfig(driver="dummy")
    if width is not None:
        config = dataclasses.replace(config, width=width)
    fiscal = devices.section("fiscal") is not None
    job = _job(ref, settings, width=config.width, copy=copy, terminal=terminal, fiscal=fiscal)
    printer = EscposPrinter(config)
    try:
        data = printer.render(job)
        if output is not None:
            output.write_bytes(data)
        else:
            printer.send(data)
    except DeviceError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(_("Cannot write {file}: {error}").format(file=output, error=exc.strerror or exc))
    finally:
        printer.close()
    target = str(output) if output is not None else printer.where
    if json_:
        print_json(
            {"title": job.title, "bytes": len(data), "output": str(output) if output else None, "printer": target}
        )
        return
    info(_("{title}: {n} bytes sent to {target}.").format(title=job.title, n=len(data), target=target))


@app.command("show")
@handle_errors
def show(
    ref: ReceiptArg,
    copy: Annotated[bool, typer.Option("--copy/--no-copy", help="Mark it as a copy (a reprint).")] = False,
    width: WidthOption = None,
    terminal: TerminalOption = None,
    devices_file: DevicesOption = None,
    json_: JsonOption = False,
) -> None:
    """Show a posted receipt as it prints (lines of text; --json: the styled lines)."""
    settings = state().open_db()
    devices = _devices(devices_file)
    config = printer_config(devices)
    size = width or (config.width if config is not None else 42)
    job = _job(ref, settings, width=size, copy=copy, terminal=terminal, fiscal=devices.section("fiscal") is not None)
    if json_:
        print_json(
            {
                "title": job.title,
                "width": size,
                "lines": [dataclasses.asdict(line) for line in job.lines],
            }
        )
        return
    stdout.print(till.as_text(job), markup=False, highlight=False, crop=False, overflow="ignore")
