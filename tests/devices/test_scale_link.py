"""Real scale drivers over a real SerialLink, against scripted scales on socket:// and a pty."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from scale_support import (
    ScriptedScale,
    cas_frame,
    generic_format,
    generic_frame,
    mettler_status,
    mettler_weight,
)

from pos_tui.core.kernel import ValidationError
from pos_tui.devices.errors import DeviceError
from pos_tui.devices.fakes import PtyDevice, SocketDevice, wait_until
from pos_tui.devices.link import SerialPort
from pos_tui.devices.scales import Scale, ScaleConfig, SerialScale, WeightReading, status_text
from pos_tui.devices.status import DeviceStatus


def config(driver: str, url: str, **extra: object) -> ScaleConfig:
    defaults: dict[str, object] = {"poll_interval": 0.05, "backoff": (0.05, 0.2), "timeout": 3.0}
    if driver == "mettler8217":
        defaults.update(poll=b"W", zero=b"Z", tare=b"T")
    defaults.update(extra)
    return ScaleConfig(driver=driver, port=SerialPort(url), **defaults)  # type: ignore[arg-type]


class Recorder:
    def __init__(self) -> None:
        self.readings: list[WeightReading] = []
        self.statuses: list[DeviceStatus] = []

    @property
    def state(self) -> str:
        return self.statuses[-1].state if self.statuses else ""


@asynccontextmanager
async def running(
    cfg: ScaleConfig, clock: Callable[[], float] | None = None
) -> AsyncIterator[tuple[SerialScale, Recorder]]:
    rec = Recorder()
    kwargs = {"clock": clock} if clock is not None else {}
    scale = SerialScale(cfg, on_reading=rec.readings.append, on_status=rec.statuses.append, **kwargs)  # type: ignore[arg-type]
    assert isinstance(scale, Scale)
    await scale.start()
    try:
        await wait_until(lambda: scale.link.connected, 5.0, "the scale to connect")
        yield scale, rec
    finally:
        await scale.stop()


async def test_mettler_unstable_then_stable() -> None:
    script = ScriptedScale([mettler_status(motion=True), mettler_status(motion=True), mettler_weight(1500)])
    async with SocketDevice(script.respond) as device, running(config("mettler8217", device.url)) as (scale, rec):
        assert await scale.read_stable(3.0) == 1500
        assert [r.status for r in rec.readings[:3]] == ["motion", "motion", "ok"]
        assert device.received.startswith(b"W")
        assert status_text(scale.status) == "Scale: 1.500 kg stable"
        assert rec.statuses[-1].last_value == "1.500 kg stable"


async def test_mettler_zero_and_tare_are_sent() -> None:
    script = ScriptedScale([mettler_weight(250)])
    async with SocketDevice(script.respond) as device, running(config("mettler8217", device.url)) as (scale, _rec):
        assert await scale.read_stable(3.0) == 250
        await scale.tare()
        await device.wait_received(b"T")
        await scale.zero()
        await device.wait_received(b"Z")
        assert b"T" in script.commands and b"Z" in script.commands


async def test_mettler_overload_and_under_zero_are_refused() -> None:
    script = ScriptedScale([mettler_status(over=True)])
    async with SocketDevice(script.respond) as device, running(config("mettler8217", device.url)) as (scale, _rec):
        with pytest.raises(ValidationError, match="Too heavy"):
            await scale.read_stable(0.3)
        script.answers = [mettler_status(under=True)]
        await wait_until(lambda: scale.latest is not None and scale.latest.status == "under_zero", 3.0, "under zero")
        with pytest.raises(ValidationError, match="less than zero"):
            await scale.read_stable(0.2)


async def test_mettler_over_a_pty() -> None:
    script = ScriptedScale([mettler_status(motion=True), mettler_weight(2345)])
    async with PtyDevice(script.respond) as device, running(config("mettler8217", device.url)) as (scale, _rec):
        assert await scale.read_stable(3.0) == 2345
        await scale.zero()
        await device.wait_received(b"Z")


async def test_cas_streaming_unstable_then_stable() -> None:
    async with SocketDevice() as device, running(config("cas", device.url)) as (scale, rec):
        assert scale.link.poll_interval is None
        await device.push(cas_frame(1480, state="US") + cas_frame(1495, state="US"))
        await wait_until(lambda: len(rec.readings) == 2, 3.0, "two unstable frames")
        with pytest.raises(ValidationError, match="not steady"):
            scale.accept_latest()
        await device.push(cas_frame(1500)[:7])
        await device.push(cas_frame(1500)[7:])
        assert await scale.read_stable(3.0) == 1500
        assert device.received == b""  # a streaming scale is never polled


async def test_cas_overload_negative_and_unsupported_zero() -> None:
    async with SocketDevice() as device, running(config("cas", device.url)) as (scale, _rec):
        await device.push(b"OL,GS,        kg\r\n")
        with pytest.raises(ValidationError, match="Too heavy"):
            await scale.read_stable(0.3)
        await device.push(cas_frame(-15))
        with pytest.raises(ValidationError, match="less than zero"):
            await scale.read_stable(0.3)
        with pytest.raises(DeviceError, match="cannot be zeroed from the till"):
            await scale.zero()


async def test_cas_polled_with_configured_command() -> None:
    def respond(data: bytes) -> bytes | None:
        return cas_frame(750) * data.count(b"\x05") or None

    async with SocketDevice(respond) as device, running(config("cas", device.url, poll=b"\x05")) as (scale, _rec):
        assert await scale.read_stable(3.0) == 750
        assert b"\x05" in device.received


async def test_stale_reading_is_refused() -> None:
    now = [1000.0]
    async with SocketDevice() as device, running(config("cas", device.url), clock=lambda: now[0]) as (scale, rec):
        await device.push(cas_frame(1200))
        await wait_until(lambda: bool(rec.readings), 3.0, "a reading")
        assert scale.accept_latest() == 1200
        now[0] += 1.5  # the scale has said nothing for 1.5 s (max_age 1 s)
        with pytest.raises(ValidationError, match="out of date"):
            scale.accept_latest()
        with pytest.raises(ValidationError, match="out of date"):
            await scale.read_stable(0.1)


async def test_generic_driver_over_socket() -> None:
    fmt = generic_format()

    def respond(data: bytes) -> bytes | None:
        polls = data.count(b"\x05")
        return generic_frame(640) * polls if polls else None

    cfg = config("generic", "", generic=fmt, poll=fmt.poll, unit="g")
    async with SocketDevice(respond) as device:
        cfg = config("generic", device.url, generic=fmt, poll=fmt.poll, unit="g")
        async with running(cfg) as (scale, _rec):
            assert await scale.read_stable(3.0) == 640


async def test_reconnects_after_the_cable_is_pulled() -> None:
    async with SocketDevice() as device, running(config("cas", device.url)) as (scale, rec):
        await device.push(cas_frame(1000))
        assert await scale.read_stable(3.0) == 1000
        await device.drop()
        await wait_until(lambda: rec.state == "offline", 3.0, "the link to notice the drop")
        with pytest.raises(DeviceError, match="The scale is not connected"):
            await scale.read_stable(0.2)
        await device.restore()
        await device.wait_connected(5.0, connections=2)
        await wait_until(lambda: scale.link.connected, 5.0, "reconnect")
        await device.push(cas_frame(2000))
        assert await scale.read_stable(3.0) == 2000
        assert "connecting" in [s.state for s in rec.statuses]
