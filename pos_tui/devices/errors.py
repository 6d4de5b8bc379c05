"""Device errors: what went wrong with a piece of hardware, said so the cashier can act on it.

A device failure is never a business error: the sale goes on without the device (a scan can be typed,
a weight entered by hand with the permission, a receipt waits in the print queue). So device code raises
:class:`DeviceError`, which the TUI shows in the status line or a notification, never as a crash.
"""

from __future__ import annotations


class DeviceError(Exception):
    """A device could not do what was asked. ``message`` is translated, for the cashier.

    ``device`` names the device kind ("scale", "printer", ...) when known, so the TUI can point at it.
    """

    def __init__(self, message: str, device: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.device = device

    def __str__(self) -> str:
        return self.message
