"""``pos-admin fiscal``: the fiscal device (ÖKC) from scripts — its status, the X and Z reports.

The device is the ``[fiscal]`` section of devices.toml (the simulator, or a vendor driver);
without one, every command says so and exits 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pos_tui.cli.common import handle_errors, make_typer, now, state
from pos_tui.cli.output import DevicesOption, JsonOption, YesOption, confirm, fail, info, print_json, table
from pos_tui.core.kernel import format_money, method_label
from pos_tui.devices.config import load_devices
from pos_tui.devices.errors import DeviceError
from pos_tui.devices.fiscal import FiscalConfig, FiscalDevice, FiscalReport, open_fiscal
from pos_tui.i18n import _

app = make_typer("fiscal", "The fiscal device (ÖKC): status, X report, Z report.")


def _device(path: Path | None) -> FiscalDevice:
    settings = state().settings
    devices = load_devices(path)
    section = devices.section("fiscal")
    if section is None:
        fail(_("No fiscal device is configured ([fiscal] in {file})").format(file=devices.path or "devices.toml"))
    return open_fiscal(FiscalConfig.parse(section, devices.where("fiscal"), home=settings.home))


def _report_json(report: FiscalReport) -> dict[str, Any]:
    return {
        "kind": report.kind,
        "device": report.device,
        "z_no": report.z_no,
        "receipts": report.receipts,
        "total": f"{report.total:.2f}",
        "by_kdv": {str(rate): f"{amount:.2f}" for rate, amount in sorted(report.by_kdv.items())},
        "by_payment": {method: f"{amount:.2f}" for method, amount in sorted(report.by_payment.items())},
    }


def _show(report: FiscalReport, json_: bool) -> None:
    if json_:
        print_json(_report_json(report))
        return
    lang = state().settings.shop.language
    title = _("X report") if report.kind == "x" else _("Z report {no}").format(no=report.z_no)
    rows = [(_("Device"), report.device), (_("Receipts"), str(report.receipts))]
    rows += [(_("KDV {rate} %").format(rate=r), format_money(a, lang)) for r, a in sorted(report.by_kdv.items())]
    rows += [(method_label(method), format_money(a, lang)) for method, a in sorted(report.by_payment.items())]
    rows.append((_("Total"), format_money(report.total, lang)))
    table([_("Item"), _("Value")], rows, title=title)


@app.command("status")
@handle_errors
def status(devices_file: DevicesOption = None, json_: JsonOption = False) -> None:
    """The device's serial number, open Z period and next receipt number."""
    try:
        st = _device(devices_file).status()
    except DeviceError as exc:
        fail(exc.message)
    if json_:
        print_json(
            {
                "device": st.device,
                "z_no": st.z_no,
                "next_receipt": st.next_receipt,
                "receipts": st.receipts,
                "total": f"{st.total:.2f}",
                "receipt_open": st.receipt_open,
            }
        )
        return
    info(
        _("Fiscal device {device}: Z {z}, next receipt {no}, {count} receipts today.").format(
            device=st.device, z=st.z_no, no=st.next_receipt, count=st.receipts
        )
    )


@app.command("x")
@handle_errors
def x_report(devices_file: DevicesOption = None, json_: JsonOption = False) -> None:
    """Print the device's X report (nothing is reset)."""
    try:
        report = _device(devices_file).x_report(now())
    except DeviceError as exc:
        fail(exc.message)
    _show(report, json_)


@app.command("z")
@handle_errors
def z_report(
    devices_file: DevicesOption = None,
    yes: YesOption = False,
    json_: JsonOption = False,
) -> None:
    """Close the fiscal day: the device's Z report (its counters start again)."""
    try:
        device = _device(devices_file)  # first: the question is about a configured device, in the shop's language
    except DeviceError as exc:
        fail(exc.message)
    confirm(_("Close the fiscal day with a Z report?"), yes=yes)
    try:
        report = device.z_report(now())
    except DeviceError as exc:
        fail(exc.message)
    _show(report, json_)
