"""Device status: one small value per device, shown in the app's status line.

Drivers publish a new :class:`DeviceStatus` whenever the state changes (and, for readers configured to,
whenever a new value arrives); the TUI keeps the latest per ``name``. States:

- ``none``: no device of this kind is configured (missing section or ``driver = "none"``);
- ``connecting``: the port is being opened;
- ``connected``: the port is open and the device answers;
- ``offline``: the device cannot be reached (cable pulled, port missing, server down); the link retries
  by itself with backoff and ``message`` says when;
- ``error``: the device is reachable but reports a problem (out of paper, garbled data, a bad setting).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from pos_tui.i18n import N_, _

STATES = ("none", "connecting", "connected", "error", "offline")

_LABELS = {
    "scale": N_("Scale"),
    "scanner": N_("Scanner"),
    "card_reader": N_("Card reader"),
    "printer": N_("Printer"),
    "drawer": N_("Cash drawer"),
    "labels": N_("Label printer"),
    "fiscal": N_("Fiscal device"),
}


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """The state of one device. ``message`` is translated; ``last_value`` is the last scan/weight/card."""

    name: str
    state: str
    message: str = ""
    last_value: str = ""
    since: float = 0.0

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown device state {self.state!r}; one of {', '.join(STATES)}")

    @property
    def ok(self) -> bool:
        """True when the device is usable now (or none is configured, which is not a fault)."""
        return self.state in ("connected", "none")

    def with_value(self, last_value: str) -> DeviceStatus:
        """The same state with a new last value (``since`` unchanged: the state did not change)."""
        return replace(self, last_value=last_value)


def device_label(name: str) -> str:
    """The translated name of a device kind for messages ("Scale", "Tartı"); unknown kinds as given."""
    label = _LABELS.get(name)
    return _(label) if label is not None else name


def no_device(name: str, clock: float | None = None) -> DeviceStatus:
    """The status of a device kind that is not configured."""
    return DeviceStatus(
        name=name,
        state="none",
        message=_("{device}: not configured").format(device=device_label(name)),
        since=time.monotonic() if clock is None else clock,
    )
