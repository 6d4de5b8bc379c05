"""The app of one browser tab under ``pos serve`` (docs/browser.md): the till, with the devices the server gave it.

``pos serve`` (:mod:`pos_tui.tui.serve`) starts ``pos --served MODE …`` once per browser tab. The devices of
``devices.toml`` belong to the machine that runs the server, not to the browser's, and every tab is a
process of its own: two tabs opening one serial port would steal each other's bytes, and a receipt would
come out of a printer nobody at the browser can reach. So the server decides, per tab (``[serve] devices``
in pos.toml):

- ``none``: the tab opens no device at all (no serial port, no printer, no drawer, no fiscal device);
  receipts are shown on screen. The default.
- ``devices``: this tab has the machine's devices, as ``pos`` would (``one-session``: the first tab while
  no other has them).
- ``elsewhere``: ``one-session``, but another tab has them: none here, and the tab says so once.

A keyboard-wedge scanner or card reader in devices.toml (``driver = "keyboard"``) is dropped in every mode:
a tab's keyboard is the browser machine's, and its keys reach the app over the network, whose timing is no
scanner's. A wedge scanner at the browser types into the focused field like a keyboard, so the sale
screen (whose scan field always has focus) sells what it scans without any configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel import ValidationError
from pos_tui.devices.config import DevicesConfig, load_devices
from pos_tui.i18n import _
from pos_tui.tui.app import PosApp

if TYPE_CHECKING:
    from pos_tui.settings import Settings

SESSION_MODES = ("none", "devices", "elsewhere")
KEYBOARD_DEVICES = ("scanner", "card_reader")


def session_devices(mode: str) -> DevicesConfig | None:
    """The devices.toml a tab's app uses: empty for ``none``/``elsewhere``; for ``devices`` the machine's
    file without keyboard-wedge sections (None when it does not parse: the hub then reads it again and
    shows the error, as ``pos`` does)."""
    if mode not in SESSION_MODES:
        raise ValueError(f"unknown session mode {mode!r}; known: {', '.join(SESSION_MODES)}")
    if mode != "devices":
        return DevicesConfig(path=None, sections={})
    try:
        config = load_devices()
    except ValidationError:
        return None
    kept = {
        name: section
        for name, section in config.sections.items()
        if not (name in KEYBOARD_DEVICES and str(section.get("driver", "")).strip().lower() == "keyboard")
    }
    return DevicesConfig(path=config.path, sections=kept)


class SessionApp(PosApp):
    """The till for one browser tab, with the devices its ``mode`` gives it (see the module docstring)."""

    def __init__(self, settings: Settings, *, demo: bool, mode: str) -> None:
        from pos_tui.tui.devices import DeviceHub
        from pos_tui.tui.printing import PrintStation

        config = session_devices(mode)
        super().__init__(settings, demo=demo, devices=DeviceHub(config))
        self.printing = PrintStation(config)
        self.mode = mode

    def on_mount(self) -> None:  # PosApp.on_mount runs too: Textual calls every class's handler
        if self.mode == "elsewhere":
            self.notify(
                _("This browser session has no devices: another session has this machine's printer and devices."),
                timeout=15,
            )
