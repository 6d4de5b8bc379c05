"""The till's scale: which weights the till accepts, and the scale as the app sees it.

Pieces (the frame parsers are in :mod:`pos_tui.devices.scales_frames`, the ``[scale]`` section
in :mod:`pos_tui.devices.scales_config`; both are re-exported here):

* :func:`accept` — the one rule for selling by weight: only a fresh, stable, positive weight
  within the scale's Min..Max is taken; anything else is a ValidationError the cashier can act on.
* :class:`Scale` — what the TUI codes against; :class:`SerialScale` drives a real scale over a
  :class:`~pos_tui.devices.link.SerialLink`, :class:`FakeScale` is set by tests.
* :func:`open_scale` — the configured scale, or None when the till has none.

Both implementations call ``on_reading(WeightReading)`` for every frame and ``on_status(DeviceStatus)``
on every state change (and, with a weight, every reading: ``last_value`` is "1,500 kg stable"),
always on the event loop that started them. The TUI turns them into messages that ``can_replace``
each other, so a streaming scale never floods the screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from pos_tui.core.kernel import ValidationError, format_quantity
from pos_tui.devices.config import DevicesConfig
from pos_tui.devices.errors import DeviceError
from pos_tui.devices.link import SerialLink, SerialPort
from pos_tui.devices.scales_config import DRIVERS, ScaleConfig, parse_escapes
from pos_tui.devices.scales_frames import (
    GARBLED,
    MOTION,
    OK,
    OVERLOAD,
    STATUSES,
    UNDER_ZERO,
    WRONG_UNIT,
    ZERO_ERROR,
    CasProtocol,
    GenericFormat,
    GenericProtocol,
    Mettler8217Protocol,
    WeightReading,
)
from pos_tui.devices.status import DeviceStatus, device_label, no_device
from pos_tui.i18n import _

__all__ = [
    "DRIVERS",
    "STATUSES",
    "CasProtocol",
    "FakeScale",
    "GenericFormat",
    "GenericProtocol",
    "Mettler8217Protocol",
    "Scale",
    "ScaleConfig",
    "SerialScale",
    "WeightReading",
    "accept",
    "describe_reading",
    "format_weight",
    "open_scale",
    "parse_escapes",
    "status_text",
]

NAME = "scale"

OnReading = Callable[[WeightReading], None]
OnStatus = Callable[[DeviceStatus], None]


def format_weight(grams: int) -> str:
    """``1500`` → ``1,500 kg`` (Turkish) / ``1.500 kg`` (English), like the sale lines."""
    return format_quantity(grams, "kg", places=3)


def accept(reading: WeightReading | None, *, now: float, config: ScaleConfig) -> int:
    """The weight to sell, in grams, or ValidationError saying what the cashier should do.

    ``now`` is on the clock the readings were stamped with (``time.monotonic()`` by default).
    Checked in this order: no reading, stale, unreadable, wrong unit, over capacity, below zero,
    needs zeroing, moving, nothing on the platter, under the scale's minimum.
    """
    if reading is None:
        raise ValidationError(_("No weight from the scale yet: check that it is on and connected, then weigh again"))
    if (now - reading.at) * 1000 > config.max_age_ms:
        raise ValidationError(_("The weight is out of date (the scale has sent nothing new): weigh again"))
    status = reading.status
    if status == GARBLED:
        raise ValidationError(
            _("The scale sent data that could not be read: weigh again; if it keeps happening, check its settings")
        )
    if status == WRONG_UNIT:
        raise ValidationError(_("The scale is not weighing in kilograms: set it to kg"))
    if status == OVERLOAD or reading.grams > config.capacity_g:
        raise ValidationError(
            _("Too heavy for the scale (its maximum is {capacity}): weigh it in parts").format(
                capacity=format_weight(config.capacity_g)
            )
        )
    if status == UNDER_ZERO or reading.grams < 0:
        raise ValidationError(_("The scale shows less than zero: empty the platter and zero the scale"))
    if status == ZERO_ERROR:
        raise ValidationError(_("The scale needs zeroing: empty the platter and press zero"))
    if status == MOTION or not reading.stable or status != OK:
        raise ValidationError(_("The weight is not steady yet: wait until the scale settles"))
    if reading.grams == 0:
        raise ValidationError(_("Nothing on the scale: put the item on the platter"))
    if reading.grams < config.minimum_g:
        raise ValidationError(
            _("Too light to weigh: {weight} is under the scale's minimum of {minimum}").format(
                weight=format_weight(reading.grams), minimum=format_weight(config.minimum_g)
            )
        )
    return reading.grams


def describe_reading(reading: WeightReading) -> str:
    """The short ``last_value`` for the status line: "1,500 kg stable", "1,480 kg moving", "over capacity"."""
    status = reading.status
    if status == OK and reading.stable:
        return _("{weight} stable").format(weight=format_weight(reading.grams))
    if status == MOTION and reading.grams == 0:
        return _("moving")  # an 8217 status reply carries no weight
    if status in (OK, MOTION):
        return _("{weight} moving").format(weight=format_weight(reading.grams))
    if status == UNDER_ZERO:
        return _("below zero")
    return {
        OVERLOAD: _("over capacity"),
        ZERO_ERROR: _("needs zeroing"),
        WRONG_UNIT: _("not in kg"),
    }.get(status, _("unreadable data"))


def status_text(status: DeviceStatus) -> str:
    """What the status line shows for the scale: "Scale: 1,500 kg stable" while connected, else the state."""
    if status.state == "connected" and status.last_value:
        return _("{device}: {value}").format(device=device_label(status.name), value=status.last_value)
    return status.message


@runtime_checkable
class Scale(Protocol):
    """The scale as the sale screen uses it (a real :class:`SerialScale` or a :class:`FakeScale`)."""

    config: ScaleConfig

    @property
    def latest(self) -> WeightReading | None:
        """The last reading received (any status), None before the first."""
        ...

    @property
    def status(self) -> DeviceStatus:
        """The state for the status line (``last_value`` is the latest reading, described)."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def accept_latest(self) -> int:
        """:func:`accept` on the latest reading, now: grams, or ValidationError."""
        ...

    async def read_stable(self, timeout: float | None = None) -> int:
        """Wait up to ``timeout`` s (default ``config.timeout``) for an acceptable weight; return grams.

        Raises ValidationError with the reason the last reading was refused, or DeviceError when
        the scale is not connected.
        """
        ...

    async def zero(self) -> None:
        """Zero the empty scale (DeviceError when it cannot be zeroed from the till or is offline)."""
        ...

    async def tare(self) -> None:
        """Tare the container on the platter (DeviceError as for :meth:`zero`)."""
        ...


class _ScaleBase:
    """What both scales share: the latest reading, waiting for a stable one, status with last_value."""

    config: ScaleConfig

    def __init__(
        self,
        config: ScaleConfig,
        *,
        on_reading: OnReading | None,
        on_status: OnStatus | None,
        clock: Callable[[], float],
    ) -> None:
        self.config = config
        self._on_reading = on_reading
        self._on_status = on_status
        self._clock = clock
        self._latest: WeightReading | None = None
        self._not_before = float("-inf")  # readings older than the last zero/tare are not the weight now
        self._changed: asyncio.Event | None = None
        self._state = ""

    @property
    def latest(self) -> WeightReading | None:
        return self._latest

    def _reading(self, reading: WeightReading) -> None:
        self._latest = reading
        if self._changed is not None:
            self._changed.set()
        if self._on_reading is not None:
            self._on_reading(reading)

    def _usable(self) -> WeightReading | None:
        latest = self._latest
        return latest if latest is not None and latest.at >= self._not_before else None

    def accept_latest(self) -> int:
        if not self._is_connected():
            raise self._offline_error()
        return accept(self._usable(), now=self._clock(), config=self.config)

    def _offline_error(self) -> DeviceError:
        """A weight read while the link is down may be out of date however young it is: refuse it."""
        return DeviceError(
            _("The scale is not connected ({reason}): weigh again when it is back, or enter the weight by hand").format(
                reason=self._offline_reason()
            ),
            NAME,
        )

    def _is_connected(self) -> bool:
        raise NotImplementedError

    def _offline_reason(self) -> str:
        raise NotImplementedError

    async def _request(self) -> None:
        """Ask a polled scale for a weight now rather than at the next poll."""

    async def read_stable(self, timeout: float | None = None) -> int:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout if timeout is None else timeout)
        if self._changed is None:
            self._changed = asyncio.Event()
        if self._is_connected():
            await self._request()
        while True:
            self._changed.clear()
            try:
                return self.accept_latest()
            except (ValidationError, DeviceError) as refused:
                error = refused
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        raise error

    def _forget_before_now(self) -> None:
        self._not_before = self._clock()

    def _track_state(self, status: DeviceStatus) -> None:
        """A reading from before a reconnect is from another connection: never the weight now.

        ``since`` is stamped by the link's worker before it reads from the new connection, so
        readings of the new connection are never refused by mistake.
        """
        if status.state != self._state:
            self._state = status.state
            self._not_before = max(self._not_before, status.since)


class SerialScale(_ScaleBase):
    """A scale on a serial line (port, pty or ``socket://``), read by a :class:`SerialLink` worker."""

    def __init__(
        self,
        config: ScaleConfig,
        *,
        on_reading: OnReading | None = None,
        on_status: OnStatus | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(config, on_reading=on_reading, on_status=on_status, clock=clock)
        self.protocol = config.make_protocol()
        self.link = SerialLink(
            NAME,
            config.port,
            self.protocol,
            on_event=self._event,
            on_status=self._status_changed,
            poll_interval=config.poll_interval if self.protocol.poll() else None,
            backoff=config.backoff,
            clock=clock,
            describe=self._describe,
        )

    @property
    def status(self) -> DeviceStatus:
        return self.link.status

    async def start(self) -> None:
        self._changed = asyncio.Event()
        await self.link.start()

    async def stop(self) -> None:
        await self.link.stop()

    async def zero(self) -> None:
        await self._command(self.config.zero, _("This scale cannot be zeroed from the till: use its own zero key"))

    async def tare(self) -> None:
        await self._command(self.config.tare, _("This scale cannot be tared from the till: use its own tare key"))

    async def _command(self, command: bytes | None, unsupported: str) -> None:
        if not command:
            raise DeviceError(unsupported, NAME)
        await self.link.send(command)
        self._forget_before_now()

    async def _request(self) -> None:
        command = self.protocol.poll()
        if command:
            with contextlib.suppress(DeviceError):
                await self.link.send(command)

    def _is_connected(self) -> bool:
        return self.link.connected

    def _offline_reason(self) -> str:
        return self.link.status.message

    def _event(self, event: object) -> None:
        if isinstance(event, WeightReading):
            self._reading(event)

    def _describe(self, event: object) -> str | None:
        return describe_reading(event) if isinstance(event, WeightReading) else None

    def _status_changed(self, status: DeviceStatus) -> None:
        self._track_state(status)
        if self._changed is not None:
            self._changed.set()  # read_stable notices a dropped link at once
        if self._on_status is not None:
            self._on_status(status)


class FakeScale(_ScaleBase):
    """A scale for TUI tests: the test sets the weight; zero/tare are recorded in ``commands``."""

    def __init__(
        self,
        config: ScaleConfig | None = None,
        *,
        on_reading: OnReading | None = None,
        on_status: OnStatus | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            config or ScaleConfig(driver="cas", port=SerialPort("fake")),
            on_reading=on_reading,
            on_status=on_status,
            clock=clock,
        )
        self.commands: list[str] = []
        self._status = DeviceStatus(
            NAME, "connected", _("{device}: connected").format(device=device_label(NAME)), since=clock()
        )

    @property
    def status(self) -> DeviceStatus:
        return self._status

    async def start(self) -> None:
        self._changed = asyncio.Event()

    async def stop(self) -> None:
        return None

    def set_weight(
        self, grams: int, *, stable: bool = True, status: str | None = None, net: bool = False
    ) -> WeightReading:
        """The scale shows ``grams`` now (``status`` defaults to ok, or motion when not stable)."""
        status = status or (OK if stable else MOTION)
        if status not in STATUSES:
            raise ValueError(f"unknown scale status {status!r}")
        reading = WeightReading(grams, stable and status == OK, status, b"", self._clock(), net)
        self._reading(reading)
        self._set_status(self._status.with_value(describe_reading(reading)))
        return reading

    def set_connected(self, connected: bool = True, message: str = "") -> None:
        """Plug the fake in or pull it out (``message`` overrides the status text)."""
        label = device_label(NAME)
        if connected:
            text = message or _("{device}: connected").format(device=label)
            status = DeviceStatus(NAME, "connected", text, self._status.last_value, self._clock())
        else:
            text = message or _("{device}: connection lost").format(device=label)
            status = DeviceStatus(NAME, "offline", text, self._status.last_value, self._clock())
        self._set_status(status)

    def _set_status(self, status: DeviceStatus) -> None:
        self._track_state(status)
        self._status = status
        if self._changed is not None:
            self._changed.set()
        if self._on_status is not None:
            self._on_status(status)

    async def zero(self) -> None:
        self._check_connected()
        self.commands.append("zero")
        self._forget_before_now()

    async def tare(self) -> None:
        self._check_connected()
        self.commands.append("tare")
        self._forget_before_now()

    def _check_connected(self) -> None:
        if not self._is_connected():
            raise DeviceError(_("The scale is not connected ({reason})").format(reason=self._status.message), NAME)

    def _is_connected(self) -> bool:
        return self._status.state == "connected"

    def _offline_reason(self) -> str:
        return self._status.message


def open_scale(
    devices: DevicesConfig,
    *,
    on_reading: OnReading | None = None,
    on_status: OnStatus | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> SerialScale | None:
    """The configured scale (not started yet), or None when devices.toml has no ``[scale]``.

    A bad ``[scale]`` section raises ValidationError naming the file, key and reason; the app should
    show it and sell without a scale (``no_device("scale")`` for the status line).
    """
    section = devices.section(NAME)
    if section is None:
        if on_status is not None:
            on_status(no_device(NAME, clock()))
        return None
    config = ScaleConfig.parse(section, devices.where(NAME))
    return SerialScale(config, on_reading=on_reading, on_status=on_status, clock=clock)
