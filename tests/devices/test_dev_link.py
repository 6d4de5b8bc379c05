"""SerialLink against real ports: a socket:// server and a pty pair play the device (pos_tui.devices.fakes).

Nothing here sleeps to assert a timing: every wait is a condition with a timeout."""

from __future__ import annotations

import asyncio
import re
import threading

import pytest
from dev_support import DEVICE_KINDS, FAST_BACKOFF, Lines, Recorder, answer_each
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.devices.errors import DeviceError
from pos_tui.devices.fakes import PtyDevice, SocketDevice, wait_until
from pos_tui.devices.link import LineBuffer, SerialLink, SerialPort


def make_link(url: str, rec: Recorder, protocol: Lines | None = None, **kwargs: object) -> SerialLink:
    kwargs.setdefault("backoff", FAST_BACKOFF)
    return SerialLink(
        "scale", SerialPort(url), protocol or Lines(), on_event=rec.on_event, on_status=rec.on_status, **kwargs
    )


@DEVICE_KINDS
async def test_device_lines_arrive_as_events_on_the_loop_thread(device_kind: type[SocketDevice]) -> None:
    rec = Recorder()
    async with device_kind() as dev:
        link = make_link(dev.url, rec)
        await link.start()
        try:
            await rec.wait_state("connected")
            await dev.push(b"8690000000011\r")
            await dev.push(b"12")
            await dev.push(b"34\r\n56")
            await dev.push(b"78\n")
            assert await rec.wait_events(3) == ["8690000000011", "1234", "5678"]
            assert rec.threads == {threading.get_ident()}
            assert rec.states[:2] == ["connecting", "connected"]
            assert link.status.state == "connected" and dev.url in link.status.message
        finally:
            await link.stop()


@DEVICE_KINDS
async def test_polling_sends_the_command_and_replies_become_events(device_kind: type[SocketDevice]) -> None:
    rec = Recorder()
    async with device_kind(respond=answer_each(b"W", b"1.500\r")) as dev:
        link = make_link(dev.url, rec, Lines(poll=b"W"), poll_interval=0.02)
        await link.start()
        try:
            await rec.wait_events(3)
            assert set(rec.events) == {"1.500"}
            assert dev.received.count(b"W") >= 3
        finally:
            await link.stop()


@DEVICE_KINDS
async def test_cable_pull_goes_offline_and_reconnects_by_itself(device_kind: type[SocketDevice]) -> None:
    rec = Recorder()
    protocol = Lines()
    async with device_kind() as dev:
        link = make_link(dev.url, rec, protocol)
        await link.start()
        try:
            await rec.wait_state("connected")
            await dev.push(b"before\r")
            await rec.wait_events(1)

            mark = len(rec.statuses)
            await dev.drop()
            offline = await rec.wait_state("offline", after=mark)
            assert offline.message.startswith("Scale: ") and "retrying in" in offline.message
            # unplugged for a while: several failed attempts, each wait longer, never above the maximum
            await wait_until(lambda: sum(s.state == "offline" for s in rec.statuses[mark:]) >= 4, what="retries")
            waits = [
                float(m.group(1))
                for s in rec.statuses[mark:]
                if s.state == "offline" and (m := re.search(r"retrying in ([\d.]+) s", s.message))
            ]
            assert waits[1:] == sorted(waits[1:]) and max(waits) <= FAST_BACKOFF[1]
            assert any(w > FAST_BACKOFF[0] for w in waits)
            assert any("no connection on" in s.message for s in rec.statuses[mark:])

            mark = len(rec.statuses)
            resets = protocol.resets
            await dev.restore()
            await rec.wait_state("connected", after=mark)
            assert protocol.resets > resets  # partial frames never survive a reconnect
            await dev.push(b"after\r")
            await wait_until(lambda: "after" in rec.events, what="an event after the reconnect")
        finally:
            await link.stop()


async def test_backoff_starts_over_after_a_successful_connection() -> None:
    rec = Recorder()
    async with SocketDevice() as dev:
        link = make_link(dev.url, rec)
        await link.start()
        try:
            await rec.wait_state("connected")
            for _round in range(2):
                mark = len(rec.statuses)
                await dev.drop()
                await rec.wait_state("offline", after=mark)
                await dev.restore()
                await rec.wait_state("connected", after=mark)
                lost = next(s for s in rec.statuses[mark:] if s.state == "offline")
                assert "connection lost" in lost.message and f"retrying in {FAST_BACKOFF[0]:g} s" in lost.message
        finally:
            await link.stop()


@DEVICE_KINDS
async def test_send_writes_when_connected_and_fails_clearly_when_not(device_kind: type[SocketDevice]) -> None:
    rec = Recorder()
    async with device_kind() as dev:
        link = make_link(dev.url, rec)
        with pytest.raises(DeviceError, match="Scale is not connected"):
            await link.send(b"Z")
        await link.start()
        try:
            await rec.wait_state("connected")
            await link.send(b"T\r")
            await dev.wait_received(b"T\r")
        finally:
            await link.stop()
        with pytest.raises(DeviceError):
            await link.send(b"Z")


async def test_a_missing_port_is_offline_and_stop_ends_the_retries(tmp_path: object) -> None:
    rec = Recorder()
    link = make_link(f"{tmp_path}/no-such-tty", rec, backoff=(5.0, 10.0))
    await link.start()
    status = await rec.wait_state("offline")
    assert status.message.endswith("retrying in 5 s") and "no connection on" in status.message
    thread = link._thread
    await asyncio.wait_for(link.stop(), 1.0)  # promptly, although the worker was waiting 5 s
    assert thread is not None and not thread.is_alive()


@DEVICE_KINDS
async def test_stop_is_prompt_and_no_callback_comes_after_it(device_kind: type[SocketDevice]) -> None:
    rec = Recorder()
    async with device_kind() as dev:
        link = make_link(dev.url, rec, Lines(poll=b"W"), poll_interval=0.01)
        await link.start()
        await rec.wait_state("connected")
        thread = link._thread
        await asyncio.wait_for(link.stop(), 1.5)
        assert thread is not None and not thread.is_alive()
        seen = (len(rec.events), len(rec.statuses))
        await dev.push(b"late\r") if device_kind is PtyDevice else None
        await asyncio.sleep(0)  # let any stray call_soon callbacks run
        assert (len(rec.events), len(rec.statuses)) == seen
        assert link.status.state == "offline"


async def test_a_protocol_failure_is_an_error_then_the_link_recovers() -> None:
    rec = Recorder()
    async with SocketDevice() as dev:
        link = make_link(dev.url, rec, Lines(poison="garbage"))
        await link.start()
        try:
            await rec.wait_state("connected")
            mark = len(rec.statuses)
            await dev.push(b"garbage\r")
            error = await rec.wait_state("error", after=mark)
            assert "unreadable data" in error.message
            await dev.push(b"good\r")
            await rec.wait_state("connected", after=mark)
            assert await rec.wait_events(1) == ["good"]
        finally:
            await link.stop()


async def test_describe_sets_last_value_and_report_sets_a_driver_state() -> None:
    rec = Recorder()
    async with SocketDevice() as dev:
        link = make_link(dev.url, rec, describe=lambda e: f"<{e}>")
        await link.start()
        try:
            await rec.wait_state("connected")
            await dev.push(b"42\r")
            await wait_until(lambda: link.status.last_value == "<42>")
            assert rec.last is not None and rec.last.last_value == "<42>" and rec.last.state == "connected"
            link.report("error", "Printer out of paper")
            status = await rec.wait_state("error")
            assert status.message == "Printer out of paper" and status.last_value == "<42>"
        finally:
            await link.stop()


def test_bad_link_arguments_are_refused() -> None:
    rec = Recorder()
    with pytest.raises(ValueError, match="backoff"):
        make_link("socket://127.0.0.1:1", rec, backoff=(2.0, 1.0))
    with pytest.raises(ValueError, match="poll_interval"):
        make_link("socket://127.0.0.1:1", rec, poll_interval=0)


chunkings = st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=40)
line_text = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12)


@given(
    lines=st.lists(line_text, min_size=1, max_size=8),
    terminators=st.lists(st.sampled_from([b"\r", b"\n", b"\r\n", b"\r\n\r\n"]), min_size=8, max_size=8),
    cuts=chunkings,
)
def test_line_buffer_gives_the_same_lines_whatever_the_chunking(
    lines: list[str], terminators: list[bytes], cuts: list[int]
) -> None:
    stream = b"".join(line.encode() + terminators[i] for i, line in enumerate(lines))
    buffer, got, at = LineBuffer(), [], 0
    for size in cuts * (len(stream) // max(1, sum(cuts)) + 1):
        if at >= len(stream):
            break
        got += buffer.feed(stream[at : at + size])
        at += size
    got += buffer.feed(stream[at:])
    assert [g.decode() for g in got] == lines


def test_line_buffer_drops_an_endless_line() -> None:
    buffer = LineBuffer(max_length=8)
    assert buffer.feed(b"x" * 20) == []
    assert buffer.feed(b"xx\rok\r") == [b"ok"]  # the noise up to the terminator is dropped, not half of it
    assert buffer.feed(b"12345678\n") == [b"12345678"]
