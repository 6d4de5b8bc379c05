"""The device line under the till's status line: one short item per configured device.

Each item is coloured by state (connected green, connecting yellow, offline or error red) and says the
last value while the device works ("Scale: 1,500 kg stable", "Scanner: 8690000000012") or what is wrong
and what the till does about it ("Scale: connection lost on /dev/ttyUSB0, retrying in 4 s"). The line is
hidden when the till has no device at all, so a shop without devices sees the screen it always had.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from pos_tui.devices.status import STATES, DeviceStatus, device_label
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app


def item_text(status: DeviceStatus) -> str:
    """The short text of one device: its last value while connected, else its state message."""
    if status.state == "connected":
        value = status.last_value or _("ready")
        return _("{device}: {value}").format(device=device_label(status.name), value=value)
    return status.message or _("{device}: {state}").format(device=device_label(status.name), state=status.state)


class DeviceStatusBar(Horizontal):
    """Shows the device hub's statuses; registers with the hub while mounted."""

    DEFAULT_CSS = """
    DeviceStatusBar { height: 1; background: $panel; padding: 0 1; display: none; }
    DeviceStatusBar.-shown { display: block; }
    DeviceStatusBar > .device {
        width: auto; max-width: 60; margin-right: 3; text-wrap: nowrap; text-overflow: ellipsis;
    }
    DeviceStatusBar > .-connected { color: $text-success; }
    DeviceStatusBar > .-connecting { color: $text-warning; }
    DeviceStatusBar > .-offline, DeviceStatusBar > .-error { color: $text-error; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        pos_app(self).devices.watch(self)

    def on_unmount(self) -> None:
        pos_app(self).devices.unwatch(self)

    def show_statuses(self, statuses: dict[str, DeviceStatus]) -> None:
        """Bring the items up to date (one label per device, created the first time it is seen)."""
        shown = pos_app(self).devices.configured
        self.set_class(bool(shown), "-shown")
        for status in shown:
            label_id = f"device-{status.name}"
            found = self.query(f"#{label_id}")
            label = found.first(Label) if found else None
            if label is None:
                label = Label(id=label_id, classes="device")
                self.mount(label)
            for state in STATES:
                label.set_class(state == status.state, f"-{state}")
            label.update(item_text(status))

    def text(self) -> str:
        """All items as plain text (tests, the screen reader of a support session)."""
        return "  ".join(str(label.render()) for label in self.query(".device").results(Label))
