"""The scale frame parsers on frames taken from the scales' manuals."""

from __future__ import annotations

import re

import pytest
from scale_support import (
    cas22_frame,
    cas_frame,
    generic_format,
    generic_frame,
    mettler_status,
    mettler_weight,
)

from pos_tui.devices.scales_frames import (
    GARBLED,
    MAX_FRAME,
    MOTION,
    OK,
    OVERLOAD,
    UNDER_ZERO,
    WRONG_UNIT,
    ZERO_ERROR,
    CasProtocol,
    Framer,
    GenericFormat,
    GenericProtocol,
    Mettler8217Protocol,
    WeightReading,
    weight_to_grams,
)


def one(protocol: object, data: bytes, now: float = 5.0) -> WeightReading:
    readings = list(protocol.feed(data, now))  # type: ignore[attr-defined]
    assert len(readings) == 1, readings
    return readings[0]


class TestWeightToGrams:
    @pytest.mark.parametrize(
        ("text", "unit", "decimals", "grams"),
        [
            (b"01.500", "kg", None, 1500),
            (b"+  1.500", "kg", None, 1500),
            (b"-  0.020", "kg", None, -20),
            (b"0013.5", "kg", None, 13500),
            (b"1500", "g", 0, 1500),
            (b"01500", "kg", 3, 1500),
            (b"1,250", "kg", None, 1250),
            (b"123.4", "g", None, 123),  # sub-gram resolution rounds half-even
            (b"123.5", "g", None, 124),
            (b"0.0025", "kg", None, 2),
            (b"0.0015", "kg", None, 2),
            (b"2", "t", None, 2_000_000),
        ],
    )
    def test_numbers(self, text: bytes, unit: str, decimals: int | None, grams: int) -> None:
        assert weight_to_grams(text, unit, decimals) == grams

    @pytest.mark.parametrize("text", [b"", b"abc", b"1.2.3", b"--1", b"1e3", b"  .5", b"9999999999"])
    def test_not_numbers(self, text: bytes) -> None:
        assert weight_to_grams(text, "kg") is None

    def test_unknown_unit(self) -> None:
        assert weight_to_grams(b"1.0", "lb") is None


class TestMettler8217:
    def test_polls_with_w(self) -> None:
        assert Mettler8217Protocol().poll() == b"W"

    def test_weight(self) -> None:
        r = one(Mettler8217Protocol(), mettler_weight(1500), now=7.5)
        assert (r.grams, r.stable, r.status, r.net, r.at) == (1500, True, OK, False, 7.5)
        assert r.raw == b"\x0201.500\r"

    def test_net_weight(self) -> None:
        r = one(Mettler8217Protocol(), mettler_weight(250, net=True))
        assert (r.grams, r.stable, r.net) == (250, True, True)

    def test_zero_weight_is_a_stable_zero(self) -> None:
        r = one(Mettler8217Protocol(), mettler_weight(0))
        assert (r.grams, r.stable, r.status) == (0, True, OK)

    @pytest.mark.parametrize(
        ("flags", "status"),
        [
            ({"motion": True}, MOTION),
            ({"over": True}, OVERLOAD),
            ({"under": True}, UNDER_ZERO),
            ({"zero_range": True}, ZERO_ERROR),
            ({"over": True, "motion": True}, OVERLOAD),
            ({"under": True, "motion": True, "net": True}, UNDER_ZERO),
        ],
    )
    def test_status_bytes(self, flags: dict[str, bool], status: str) -> None:
        r = one(Mettler8217Protocol(), mettler_status(**flags))
        assert (r.grams, r.stable, r.status) == (0, False, status)
        assert r.net is flags.get("net", False)

    def test_status_after_zero_is_a_settled_zero(self) -> None:
        r = one(Mettler8217Protocol(), mettler_status(centre=True))
        assert (r.grams, r.stable, r.status) == (0, True, OK)

    def test_parity_bit_is_ignored(self) -> None:
        """A 7E1 scale read by a port set to 8N1 shows the parity bit as bit 7."""
        r = one(Mettler8217Protocol(), b"\x02?" + bytes([0x41 | 0x80]) + b"\r")
        assert r.status == MOTION

    def test_status_without_bit_6_is_garbled(self) -> None:
        assert one(Mettler8217Protocol(), b"\x02?\x01\r").status == GARBLED

    def test_pounds_are_refused(self) -> None:
        assert one(Mettler8217Protocol(), b"\x0203.31LB\r").status == WRONG_UNIT

    def test_noise_before_stx_is_skipped(self) -> None:
        assert one(Mettler8217Protocol(), b"\n\x00\x0201.500\r").grams == 1500

    def test_text_without_stx_is_garbled(self) -> None:
        assert one(Mettler8217Protocol(), b"hello\r").status == GARBLED

    def test_empty_frames_are_ignored(self) -> None:
        assert list(Mettler8217Protocol().feed(b"\r\n\r\x02\r", 1.0)) == []

    def test_frames_split_over_chunks(self) -> None:
        p = Mettler8217Protocol()
        assert list(p.feed(b"\x0201.", 1.0)) == []
        assert [r.grams for r in p.feed(b"500\r\x0202.250\r\x02", 2.0)] == [1500, 2250]
        assert [r.status for r in p.feed(b"?A\r", 3.0)] == [MOTION]

    def test_reset_drops_a_partial_frame(self) -> None:
        p = Mettler8217Protocol()
        p.feed(b"\x0201.5", 1.0)
        p.reset()
        assert one(p, b"00\r").status == GARBLED


class TestCas:
    def test_streams(self) -> None:
        assert CasProtocol().poll() is None
        assert CasProtocol(poll=b"W").poll() == b"W"

    def test_stable_gross(self) -> None:
        assert cas_frame(1500) == b"ST,GS,+  1.500kg\r\n"
        r = one(CasProtocol(), cas_frame(1500))
        assert (r.grams, r.stable, r.status, r.net) == (1500, True, OK, False)

    def test_unstable(self) -> None:
        r = one(CasProtocol(), cas_frame(1480, state="US"))
        assert (r.grams, r.stable, r.status) == (1480, False, MOTION)

    def test_net(self) -> None:
        assert one(CasProtocol(), cas_frame(750, mode="NT")).net is True

    def test_overload(self) -> None:
        r = one(CasProtocol(), b"OL,GS,        kg\r\n")
        assert (r.grams, r.stable, r.status) == (0, False, OVERLOAD)

    def test_negative(self) -> None:
        r = one(CasProtocol(), cas_frame(-20))
        assert (r.grams, r.stable, r.status) == (-20, False, UNDER_ZERO)

    def test_grams_unit(self) -> None:
        assert one(CasProtocol(), b"ST,GS,+  123.4 g\r\n").grams == 123

    def test_pounds_are_refused(self) -> None:
        assert one(CasProtocol(), b"ST,GS,+  3.310lb\r\n").status == WRONG_UNIT

    def test_22_byte_frame(self) -> None:
        r = one(CasProtocol(), cas22_frame(13500))
        assert (r.grams, r.stable) == (13500, True)

    def test_device_id_filters_other_indicators(self) -> None:
        p = CasProtocol(device_id="2")
        assert list(p.feed(cas22_frame(1000, device=b"1"), 1.0)) == []
        assert one(p, cas22_frame(2000, device=b"2")).grams == 2000

    def test_missing_unit_uses_configured_unit(self) -> None:
        assert one(CasProtocol(unit="g"), b"ST,GS,+   1500\r\n").grams == 1500

    def test_cr_only_lines_and_stx_are_tolerated(self) -> None:
        assert one(CasProtocol(), b"\r\n\x02ST,GS,+  0.250kg\r\n").grams == 250

    @pytest.mark.parametrize("frame", [b"XX,GS,+  1.500kg\r\n", b"ST,GS,+  1.5.0kg\r\n", b"ST,GS\r\n"])
    def test_garbled(self, frame: bytes) -> None:
        assert one(CasProtocol(), frame).status == GARBLED


class TestGeneric:
    def test_stable_and_unstable(self) -> None:
        p = GenericProtocol(generic_format())
        assert p.poll() == b"\x05"
        r = one(p, generic_frame(1500))
        assert (r.grams, r.stable, r.status) == (1500, True, OK)
        r = one(p, generic_frame(1400, stable=False))
        assert (r.grams, r.stable, r.status) == (1400, False, MOTION)

    def test_sign_group(self) -> None:
        assert one(GenericProtocol(generic_format()), generic_frame(-5)).status == UNDER_ZERO

    def test_garbled(self) -> None:
        assert one(GenericProtocol(generic_format()), b"X 1 g\r\n").status == GARBLED

    def test_fixed_point_decimals_and_markers_without_status_group(self) -> None:
        fmt = GenericFormat(
            re.compile(rb"W(?P<weight>[0-9]{5})"),
            unit="kg",
            decimals=3,
            terminator=b"\r",
            stable=b"*",
            overload=b"OVER",
        )
        p = GenericProtocol(fmt)
        r = one(p, b"W01500*\r")
        assert (r.grams, r.stable) == (1500, True)
        assert one(p, b"W01500\r").status == MOTION
        assert one(p, b"OVER W99999\r").status == OVERLOAD

    def test_without_markers_every_frame_is_stable(self) -> None:
        p = GenericProtocol(GenericFormat(re.compile(rb"(?P<weight>[0-9.]+)(?P<unit>kg|g|lb)"), terminator=b"\n"))
        assert one(p, b"0.5kg\n").grams == 500
        assert one(p, b"500g\n").grams == 500
        assert one(p, b"1lb\n").status == WRONG_UNIT


class TestFramer:
    def test_long_frames_are_reported_once_and_skipped(self) -> None:
        f = Framer(b"\r\n", limit=8)
        assert f.push(b"x" * 20) == [None]
        assert f.pending <= 1
        assert f.push(b"yyy\r") == []
        assert f.push(b"\nok\r\n") == [b"ok"]

    def test_limit_is_inclusive(self) -> None:
        f = Framer(b"\r", limit=4)
        assert f.push(b"abcd\rabcde\r") == [b"abcd", None]

    def test_overlong_frame_gives_one_garbled_reading(self) -> None:
        p = Mettler8217Protocol()
        readings = list(p.feed(b"\x02" + b"9" * (MAX_FRAME * 3) + b"\r\x0201.000\r", 1.0))
        assert [r.status for r in readings] == [GARBLED, OK]
