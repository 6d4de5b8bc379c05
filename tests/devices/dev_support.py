"""Shared helpers for the device-layer tests (link, scanner, cards): a recorder of what a link reports, a
line protocol, and a parametrisation over both fake devices (socket:// and pty)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from pos_tui.devices.fakes import PtyDevice, SocketDevice, wait_until
from pos_tui.devices.link import LineBuffer
from pos_tui.devices.status import DeviceStatus

NOW = datetime(2026, 11, 1, 7, 15, tzinfo=UTC)  # the suite's fixed moment (10:15 in Istanbul)
FAST_BACKOFF = (0.02, 0.16)  # tests never wait long for a reconnect

# Every link test runs against both fakes: a TCP serial bridge and a pty standing for /dev/ttyUSB0.
DEVICE_KINDS = pytest.mark.parametrize("device_kind", [SocketDevice, PtyDevice], ids=["socket", "pty"])


@dataclass
class Recorder:
    """Collects a link's callbacks, and the threads they ran on."""

    events: list[object] = field(default_factory=list)
    statuses: list[DeviceStatus] = field(default_factory=list)
    threads: set[int] = field(default_factory=set)

    def on_event(self, event: object) -> None:
        self.threads.add(threading.get_ident())
        self.events.append(event)

    def on_status(self, status: DeviceStatus) -> None:
        self.threads.add(threading.get_ident())
        self.statuses.append(status)

    @property
    def states(self) -> list[str]:
        return [s.state for s in self.statuses]

    @property
    def last(self) -> DeviceStatus | None:
        return self.statuses[-1] if self.statuses else None

    async def wait_state(self, state: str, after: int = 0, timeout: float = 5.0) -> DeviceStatus:
        """Wait for a status ``state`` published after the first ``after`` statuses; return it."""
        await wait_until(lambda: state in self.states[after:], timeout, f"state {state!r}")
        return next(s for s in self.statuses[after:] if s.state == state)

    async def wait_events(self, count: int, timeout: float = 5.0) -> list[object]:
        await wait_until(lambda: len(self.events) >= count, timeout, f"{count} events")
        return self.events


class Lines:
    """A minimal FrameProtocol: text lines, optionally polled, optionally failing on a poison line."""

    def __init__(self, poll: bytes | None = None, poison: str | None = None) -> None:
        self._poll = poll
        self.poison = poison
        self.buffer = LineBuffer()
        self.resets = 0

    def poll(self) -> bytes | None:
        return self._poll

    def feed(self, data: bytes, now: float) -> Sequence[object]:
        lines = [line.decode() for line in self.buffer.feed(data)]
        if self.poison is not None and self.poison in lines:
            raise ValueError("poisoned frame")
        return lines

    def reset(self) -> None:
        self.resets += 1
        self.buffer.reset()


def answer_each(command: bytes, reply: bytes) -> Callable[[bytes], bytes | None]:
    """A device script: ``reply`` once per ``command`` found in a chunk (polls may arrive together)."""

    def respond(chunk: bytes) -> bytes | None:
        return reply * chunk.count(command) or None

    return respond
