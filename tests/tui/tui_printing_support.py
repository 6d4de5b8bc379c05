"""Helpers for the printing, fiscal and end-to-end device tests of the app: an app with a given
print station and device hub, the F12 menu by entry key, and waiting for the print queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.pilot import Pilot

from pos_tui.devices.config import DevicesConfig, parse_devices
from pos_tui.devices.print_queue import FakePrinter
from pos_tui.settings import Settings
from pos_tui.tui.app import PosApp
from pos_tui.tui.devices import DeviceHub
from pos_tui.tui.dialogs.prompts import ChoiceDialog
from pos_tui.tui.printing import PrintStation
from pos_tui.tui.screens.menu import menu_entries

NO_DEVICES = DevicesConfig(path=None, sections={})


def devices(text: str = "") -> DevicesConfig:
    """A devices.toml from ``text`` (empty: no device at all)."""
    return parse_devices(text) if text else NO_DEVICES


def fake_station(printer: FakePrinter | None = None, **kwargs: Any) -> PrintStation:
    """A station printing to ``printer`` (a new FakePrinter by default) with a quick retry backoff."""
    kwargs.setdefault("backoff", (0.05, 0.2))
    return PrintStation(NO_DEVICES, printer=printer or FakePrinter(), **kwargs)


def app_with(
    settings: Settings,
    now: datetime,
    station: PrintStation,
    hub: DeviceHub | None = None,
) -> PosApp:
    """The till with ``station`` (and ``hub``, else a hub with no devices), on a fixed clock."""
    app = PosApp(settings, clock=lambda: now, devices=hub or DeviceHub(station.config or NO_DEVICES))
    app.printing = station
    return app


async def drain(pilot: Pilot[None], station: PrintStation, timeout: float = 5.0) -> None:
    """Wait until the station's queue printed everything (and the status messages were handled)."""
    assert station.queue is not None
    assert await station.queue.drain(timeout), f"jobs still waiting: {station.queue.pending()}"
    await pilot.pause()
    await pilot.pause()


async def menu_entry(pilot: Pilot[None], till: Any, key: str) -> None:
    """Open the F12 menu and choose the entry ``key`` ("no_sale", "labels"…) by its number."""
    await pilot.press("f12")
    await till.settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ChoiceDialog)
    from textual.widgets import OptionList

    index = [k for k, _label in dialog.choices].index(key)
    dialog.query_one(OptionList).highlighted = index
    await pilot.pause()
    await pilot.press("enter")
    await till.settle(pilot)


def entry_keys(screen: Any) -> list[str]:
    return [key for key, _label in menu_entries(screen)]


def printed_text(job: Any) -> str:
    """A Printable's lines as one string (barcodes as their value)."""
    return "\n".join(line.barcode if line.barcode is not None else line.text for line in job.lines)


def status_text(app: PosApp, name: str) -> str:
    """What the device line says about ``name`` now."""
    from pos_tui.tui.widgets.device_status import item_text

    status = app.devices.statuses.get(name)
    return "" if status is None else item_text(status)
