"""Helpers for the scale tests: frames as the real scales send them, and scripted scales."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pos_tui.devices.scales_frames import (
    CasProtocol,
    GenericFormat,
    GenericProtocol,
    Mettler8217Protocol,
)

STX = b"\x02"


def mettler_weight(grams: int, *, net: bool = False) -> bytes:
    """An 8217 weight answer: STX ``01.500`` [N] CR (kg, three decimals, leading zeros)."""
    kg, g = divmod(grams, 1000)
    return STX + f"{kg:02d}.{g:03d}".encode() + (b"N" if net else b"") + b"\r"


def mettler_status(
    *,
    motion: bool = False,
    over: bool = False,
    under: bool = False,
    zero_range: bool = False,
    centre: bool = False,
    net: bool = False,
) -> bytes:
    """An 8217 status answer: STX ``?`` status byte CR (bit 6 always set)."""
    bits = 0x40 | motion | over << 1 | under << 2 | zero_range << 3 | centre << 4 | net << 5
    return STX + b"?" + bytes([bits]) + b"\r"


def cas_frame(grams: int, *, state: str = "ST", mode: str = "GS", unit: str = "kg") -> bytes:
    """A CAS 18-byte frame: ``ST,GS,+  1.500kg`` CR LF."""
    sign = "-" if grams < 0 else "+"
    kg, g = divmod(abs(grams), 1000)
    number = f"{kg}.{g:03d}" if unit == "kg" else str(abs(grams))
    return f"{state},{mode},{sign}{number:>7}{unit:>2}\r\n".encode()


def cas22_frame(grams: int, *, state: str = "ST", device: bytes = b"1", lamp: int = 0xC4) -> bytes:
    """A CAS 22-byte frame: ``ST,GS,`` id lamp ``,`` 8-byte weight, blank, ``kg`` CR LF."""
    kg, g = divmod(grams, 1000)
    data = f"{kg:04d}.{g:03d}".encode()
    frame = state.encode() + b",GS," + device + bytes([lamp]) + b"," + data + b" kg\r\n"
    assert len(frame) == 22
    return frame


GENERIC_PATTERN = rb"^(?P<status>S|D) +(?P<sign>-?)(?P<weight>[0-9]+) *g$"


def generic_format() -> GenericFormat:
    """A made-up scale: ``S 01500 g`` CR LF, ``S``/``D`` = stable/dynamic, grams without decimals."""
    return GenericFormat(
        re.compile(GENERIC_PATTERN), unit="g", decimals=0, terminator=b"\r\n", poll=b"\x05", stable=b"S", unstable=b"D"
    )


def generic_frame(grams: int, *, stable: bool = True) -> bytes:
    sign = "-" if grams < 0 else ""
    return f"{'S' if stable else 'D'} {sign}{abs(grams):05d} g\r\n".encode()


PROTOCOLS: dict[str, Callable[[], object]] = {
    "mettler8217": Mettler8217Protocol,
    "cas": CasProtocol,
    "generic": lambda: GenericProtocol(generic_format()),
}

FRAMES: dict[str, Callable[[int], bytes]] = {
    "mettler8217": mettler_weight,
    "cas": cas_frame,
    "generic": generic_frame,
}


@dataclass
class ScriptedScale:
    """Plays a polled scale behind a SocketDevice/PtyDevice ``respond`` callback.

    ``answers`` are sent one per ``W`` (the last one repeats); ``Z``/``T`` are answered with a
    status byte and recorded in ``commands``.
    """

    answers: list[bytes]
    commands: list[bytes] = field(default_factory=list)
    poll: bytes = b"W"

    def respond(self, data: bytes) -> bytes | None:
        out = b""
        for byte in data:
            command = bytes([byte])
            if command in b"\r\n":
                continue
            self.commands.append(command)
            if command == self.poll:
                answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
                out += answer
            elif command in (b"Z", b"T"):
                out += mettler_status(centre=command == b"Z", net=command == b"T")
        return out or None
