"""Devices at the counter: scanners, card readers, scales, receipt printer and drawer, label printer, fiscal device.

Configured in ``devices.toml`` (:mod:`pos_tui.devices.config`); a missing section means the till has no such
device and sells without it. Serial devices run in :class:`~pos_tui.devices.link.SerialLink` workers that
reconnect by themselves and report a :class:`~pos_tui.devices.status.DeviceStatus`; protocols are sans-IO
parsers. :mod:`pos_tui.devices.fakes` plays devices over ``socket://`` and pty pairs for tests.
This package never imports Textual: the TUI turns events and statuses into messages.
"""
