"""Helpers for the device tests of the app: a clock the test moves, an app wired to given devices,
key bursts typed through Pilot at chosen (fake) times, and waiting without fixed sleeps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.pilot import Pilot

from pos_tui.devices.config import DevicesConfig, parse_devices
from pos_tui.devices.fakes import wait_until
from pos_tui.devices.link import SerialPort
from pos_tui.devices.scales import FakeScale, ScaleConfig
from pos_tui.settings import Settings
from pos_tui.tui.app import PosApp
from pos_tui.tui.devices import DeviceHub
from pos_tui.tui.widgets.device_status import DeviceStatusBar


class FakeClock:
    """A monotonic clock that moves only when the test says so (for the burst detector and the scale)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def fake_scale_config(**changes: Any) -> ScaleConfig:
    """A scale config for :class:`FakeScale` that gives up waiting quickly (tests see refusals fast)."""
    values: dict[str, Any] = {"driver": "cas", "port": SerialPort("fake"), "timeout": 0.3}
    values.update(changes)
    return ScaleConfig(**values)


def fake_scale_factory(config: ScaleConfig | None = None) -> Callable[..., FakeScale]:
    """A ``make_scale`` for :class:`DeviceHub` that builds a FakeScale wired to the hub's callbacks."""

    def make(devices: DevicesConfig, *, on_reading: Any, on_status: Any, clock: Callable[[], float]) -> FakeScale:
        return FakeScale(config or fake_scale_config(), on_reading=on_reading, on_status=on_status, clock=clock)

    return make


def device_app(
    settings: Settings,
    now: datetime,
    toml: str = "",
    *,
    scale: ScaleConfig | bool = False,
    clock: Callable[[], float] | None = None,
) -> PosApp:
    """The till with the devices in ``toml`` (devices.toml text) and, with ``scale``, a FakeScale."""
    kwargs: dict[str, Any] = {}
    if clock is not None:
        kwargs["clock"] = clock
    if scale is not False:
        kwargs["make_scale"] = fake_scale_factory(scale if isinstance(scale, ScaleConfig) else None)
    hub = DeviceHub(parse_devices(toml), **kwargs)
    return PosApp(settings, clock=lambda: now, devices=hub)


async def wait_for(pilot: Pilot[None], predicate: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    """Let the app run until ``predicate()`` holds (device threads deliver through the event loop)."""
    await wait_until(predicate, timeout, what)
    await pilot.pause()


async def burst(pilot: Pilot[None], clock: FakeClock, text: str, end: str = "enter", gap: float = 0.005) -> None:
    """Type ``text`` then ``end`` as a scanner does: every key ``gap`` seconds after the previous one."""
    for ch in text:
        clock.advance(gap)
        await pilot.press(ch)
    clock.advance(gap)
    await pilot.press(end)


async def typed(pilot: Pilot[None], clock: FakeClock, text: str, gap: float = 0.2) -> None:
    """Type ``text`` as a person does (``gap`` seconds between keys), then let the held key go."""
    for ch in text:
        await pilot.press(ch)
        clock.advance(gap)
    await wait_until(lambda: not pilot.app.devices.detector or not pilot.app.devices.detector.pending, 2, "release")
    await pilot.pause()


def status_text(app: PosApp) -> str:
    """The device line as plain text (empty when it is hidden)."""
    bar = _screen(app).query_one(DeviceStatusBar)
    return bar.text() if bar.has_class("-shown") else ""


def _screen(app: PosApp) -> Any:
    """The sale screen, also under a dialog (the status line is on it)."""
    return app.devices.sale_screen() or app.screen


def status_classes(app: PosApp, name: str) -> set[str]:
    bar = _screen(app).query_one(DeviceStatusBar)
    return set(bar.query_one(f"#device-{name}").classes)
