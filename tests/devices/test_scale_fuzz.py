"""Hypothesis fuzz of every scale frame parser.

Whatever the port delivers, in whatever chunks: ``feed`` returns WeightReadings (never raises),
keeps a bounded partial frame, finishes quickly, and a valid frame parses the same however it
is split.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scale_support import FRAMES, PROTOCOLS, cas22_frame, mettler_status

from pos_tui.devices.scales_frames import (
    MAX_FRAME,
    STATUSES,
    CasProtocol,
    Framer,
    GenericFormat,
    GenericProtocol,
    Mettler8217Protocol,
    WeightReading,
)

NAMES = sorted(PROTOCOLS)

# Bytes a scale line really carries, weighted towards the ones the parsers care about.
INTERESTING = st.sampled_from([*b"\x02\x03\r\n ?+-.,0123456789STUGNOLkgKW", 0x41, 0xC4, 0x00, 0xFF])
LINE_BYTES = st.lists(st.one_of(INTERESTING, st.integers(0, 255)), max_size=600).map(bytes)


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def feed_all(protocol: object, chunks: list[bytes]) -> list[WeightReading]:
    out: list[WeightReading] = []
    for i, chunk in enumerate(chunks):
        readings = protocol.feed(chunk, float(i))  # type: ignore[attr-defined]
        out.extend(readings)
        framer: Framer = protocol._framer  # type: ignore[attr-defined]
        assert framer.pending <= MAX_FRAME + len(framer.terminator), "partial frame grew without bound"
    return out


def shape(readings: list[WeightReading]) -> list[tuple[int, bool, str, bytes, bool]]:
    """Everything but ``at`` (which is the time of the chunk that completed the frame)."""
    return [(r.grams, r.stable, r.status, r.raw, r.net) for r in readings]


def check(readings: list[WeightReading]) -> None:
    for r in readings:
        assert isinstance(r, WeightReading)
        assert r.status in STATUSES
        assert isinstance(r.grams, int)
        assert not r.stable or r.status == "ok"
        assert len(r.raw) <= MAX_FRAME + 2


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=150, deadline=1000)
@given(data=LINE_BYTES, cuts=st.lists(st.integers(0, 10_000), max_size=40))
def test_any_bytes_in_any_chunks(name: str, data: bytes, cuts: list[int]) -> None:
    protocol = PROTOCOLS[name]()
    whole = feed_all(PROTOCOLS[name](), [data])
    pieces = feed_all(protocol, chunked(data, cuts))
    check(whole)
    check(pieces)
    assert shape(whole) == shape(pieces), "chunking changed what was parsed"


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=100, deadline=1000)
@given(noise=LINE_BYTES, grams=st.integers(0, 99_999), cuts=st.lists(st.integers(0, 10_000), max_size=20))
def test_a_valid_frame_after_noise_parses_the_same_however_split(
    name: str, noise: bytes, grams: int, cuts: list[int]
) -> None:
    """After any noise and a terminator, the next valid frame is read exactly."""
    frame = FRAMES[name](grams)
    terminator = PROTOCOLS[name]()._framer.terminator  # type: ignore[attr-defined]
    stream = noise + terminator + frame
    readings = feed_all(PROTOCOLS[name](), chunked(stream, cuts))
    last = readings[-1]
    assert (last.grams, last.stable, last.status) == (grams, True, "ok")
    assert last.raw == frame


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=100, deadline=1000)
@given(grams=st.lists(st.integers(0, 99_999), min_size=1, max_size=20), cut=st.integers(0, 10_000))
def test_frame_sequences_split_at_one_point(name: str, grams: list[int], cut: int) -> None:
    stream = b"".join(FRAMES[name](g) for g in grams)
    readings = feed_all(PROTOCOLS[name](), chunked(stream, [cut]))
    assert [r.grams for r in readings] == grams


@settings(max_examples=100, deadline=1000)
@given(bits=st.integers(0, 255), cuts=st.lists(st.integers(0, 10), max_size=5))
def test_mettler_status_bytes(bits: int, cuts: list[int]) -> None:
    readings = feed_all(Mettler8217Protocol(), chunked(b"\x02?" + bytes([bits]) + b"\r", cuts))
    if bits in (0x0D, 0x02):  # a CR/STX status byte is a broken frame, never a crash
        check(readings)
        return
    (reading,) = readings
    assert reading.status in STATUSES
    assert reading.grams == 0


@settings(max_examples=100, deadline=1000)
@given(grams=st.integers(0, 9_999_999), device=st.sampled_from([b"1", b"9", b"="]), lamp=st.integers(0x80, 0xFF))
def test_cas_22_byte_frames(grams: int, device: bytes, lamp: int) -> None:
    (reading,) = CasProtocol().feed(cas22_frame(grams, device=device, lamp=lamp), 1.0)
    assert (reading.grams, reading.stable) == (grams, True)


@settings(max_examples=100, deadline=2000)
@given(
    pattern=st.sampled_from(
        [rb"(?P<weight>.*)", rb"(?P<weight>[0-9]*)(?P<sign>-?)(?P<unit>\w*)", rb"(?P<status>..)(?P<weight>.+)"]
    ),
    data=LINE_BYTES,
    terminator=st.sampled_from([b"\r\n", b"\r", b"\x03", b"END"]),
)
def test_generic_with_loose_patterns(pattern: bytes, data: bytes, terminator: bytes) -> None:
    """Even a careless regex from devices.toml cannot make the parser raise."""
    fmt = GenericFormat(re.compile(pattern), terminator=terminator, stable=b"ST", unstable=b"US", overload=b"OL")
    check(feed_all(GenericProtocol(fmt), [data]))


def test_a_megabyte_without_terminator_is_bounded_and_fast() -> None:
    import time

    makers: list[Callable[[], object]] = [Mettler8217Protocol, CasProtocol, PROTOCOLS["generic"]]
    for make in makers:
        protocol = make()
        start = time.perf_counter()
        readings = []
        for _ in range(1024):
            readings.extend(protocol.feed(b"7" * 1024, 0.0))  # type: ignore[attr-defined]
        assert time.perf_counter() - start < 2.0
        assert len(readings) == 1  # one garbled reading for the whole overlong run
        assert protocol._framer.pending < len(protocol._framer.terminator)  # type: ignore[attr-defined]


def test_status_frame_helper_round_trips() -> None:
    (reading,) = Mettler8217Protocol().feed(mettler_status(motion=True), 0.0)
    assert reading.status == "motion"
