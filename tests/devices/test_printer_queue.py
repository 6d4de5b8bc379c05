"""The print queue: a printer that is offline or out of paper never blocks or loses a receipt; jobs
wait in order, the status says how many, and a retry (or the automatic backoff) prints them all."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator

import pytest

from pos_tui.core.kernel import Printable, PrintLine
from pos_tui.devices.fakes import wait_until
from pos_tui.devices.print_queue import FakePrinter, PrintQueue
from pos_tui.devices.printer import EscposPrinter, PrinterConfig
from pos_tui.devices.status import DeviceStatus

FAST = (0.01, 0.05)  # backoff for tests: retry after 10 ms, at most 50 ms
SLOW = (60.0, 60.0)  # backoff that never fires during a test: only retry() prints


def receipt(n: int, *, kick: bool = False) -> Printable:
    return Printable(f"Receipt T1/{n}", (PrintLine(f"receipt {n}"),), kick=kick)


class Statuses(list[DeviceStatus]):
    def __call__(self, status: DeviceStatus) -> None:
        self.append(status)

    @property
    def last(self) -> DeviceStatus:
        return self[-1]


@pytest.fixture
def statuses() -> Statuses:
    return Statuses()


@pytest.fixture
def printer() -> FakePrinter:
    return FakePrinter()


@pytest.fixture
async def queue(printer: FakePrinter, statuses: Statuses) -> AsyncIterator[PrintQueue]:
    q = PrintQueue(printer, statuses, backoff=SLOW)
    await q.start()
    yield q
    await q.stop()


async def test_jobs_print_in_order(queue: PrintQueue, printer: FakePrinter) -> None:
    ids = [queue.submit(receipt(n)) for n in range(1, 6)]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert await queue.drain(5)
    assert [j.title for j in printer.printed] == [f"Receipt T1/{n}" for n in range(1, 6)]
    assert queue.pending() == ()


async def test_submit_returns_at_once_while_the_printer_is_busy(queue: PrintQueue, printer: FakePrinter) -> None:
    printer.gate = threading.Event()  # the printer hangs (a network printer timing out)
    started = time.monotonic()
    queue.submit(receipt(1))
    queue.submit(receipt(2))
    assert time.monotonic() - started < 0.1
    assert [q.job.title for q in queue.pending()] == ["Receipt T1/1", "Receipt T1/2"]
    printer.gate.set()
    assert await queue.drain(5)
    assert len(printer.printed) == 2


async def test_offline_printer_keeps_jobs_waiting_and_retry_prints_them_in_order(
    queue: PrintQueue, printer: FakePrinter, statuses: Statuses
) -> None:
    printer.offline = True
    for n in (1, 2, 3):
        queue.submit(receipt(n))
    await wait_until(lambda: bool(statuses) and statuses.last.state == "error", 5, "the failure")
    assert printer.printed == []
    head, *rest = queue.pending()
    assert head.job.title == "Receipt T1/1" and head.attempts >= 1 and head.error == "Printer out of paper"
    assert [q.job.title for q in rest] == ["Receipt T1/2", "Receipt T1/3"]
    assert statuses.last.message == "Printer out of paper — 3 jobs waiting"
    assert not await queue.drain(0.2)  # the slow backoff does not retry by itself during the test

    queue.submit(receipt(4))  # a sale made while the printer is down still queues
    printer.offline = False
    queue.retry()
    assert await queue.drain(5)
    assert [j.title for j in printer.printed] == [f"Receipt T1/{n}" for n in (1, 2, 3, 4)]
    assert statuses.last.state == "connected" and statuses.last.message == ""


async def test_automatic_retry_with_backoff(printer: FakePrinter, statuses: Statuses) -> None:
    queue = PrintQueue(printer, statuses, backoff=FAST)
    await queue.start()
    try:
        printer.fail(3)
        queue.submit(receipt(1))
        queue.submit(receipt(2))
        assert await queue.drain(5)
    finally:
        await queue.stop()
    assert printer.attempts == 5  # three failures, then both jobs
    assert [j.title for j in printer.printed] == ["Receipt T1/1", "Receipt T1/2"]
    assert any(s.message == "Printer out of paper — 2 jobs waiting" for s in statuses)
    assert statuses.last.state == "connected"


async def test_cancel_a_waiting_job(queue: PrintQueue, printer: FakePrinter, statuses: Statuses) -> None:
    printer.offline = True
    first = queue.submit(receipt(1))
    second = queue.submit(receipt(2))
    await wait_until(lambda: bool(statuses) and "2 jobs" in statuses.last.message, 5, "the failure")
    assert queue.cancel(second)
    assert statuses.last.message == "Printer out of paper — 1 job waiting"
    assert not queue.cancel(second)  # already gone
    assert not queue.cancel(999)
    printer.offline = False
    queue.retry()
    assert await queue.drain(5)
    assert [j.title for j in printer.printed] == ["Receipt T1/1"]
    assert first not in [q.id for q in queue.pending()]


async def test_the_job_being_printed_cannot_be_cancelled(queue: PrintQueue, printer: FakePrinter) -> None:
    printer.gate = threading.Event()
    job_id = queue.submit(receipt(1))
    await wait_until(lambda: printer.attempts == 0 and queue.pending() != (), 5, "the job to start")
    await asyncio.sleep(0.05)
    assert not queue.cancel(job_id)
    printer.gate.set()
    assert await queue.drain(5)
    assert len(printer.printed) == 1


async def test_a_late_job_does_not_spring_the_drawer(printer: FakePrinter, statuses: Statuses) -> None:
    clock = [0.0]
    queue = PrintQueue(printer, statuses, backoff=SLOW, kick_window=30.0, clock=lambda: clock[0])
    await queue.start()
    try:
        printer.offline = True
        queue.submit(receipt(1, kick=True))
        await wait_until(lambda: printer.attempts >= 1, 5, "the first attempt")
        clock[0] = 120.0  # the printer comes back two minutes later
        printer.offline = False
        queue.submit(receipt(2, kick=True))
        queue.retry()
        assert await queue.drain(5)
    finally:
        await queue.stop()
    assert [j.kick for j in printer.printed] == [False, True]  # only the fresh sale opens the drawer
    assert printer.kicks == 1


async def test_jobs_submitted_before_start_wait_for_it(printer: FakePrinter, statuses: Statuses) -> None:
    queue = PrintQueue(printer, statuses)
    queue.submit(receipt(1))
    assert len(queue.pending()) == 1
    await queue.start()
    try:
        assert await queue.drain(5)
    finally:
        await queue.stop()
    assert len(printer.printed) == 1


async def test_stop_keeps_what_was_not_printed(printer: FakePrinter, statuses: Statuses) -> None:
    queue = PrintQueue(printer, statuses, backoff=SLOW)
    await queue.start()
    printer.offline = True
    queue.submit(receipt(1))
    queue.submit(receipt(2))
    await wait_until(lambda: printer.attempts >= 1, 5, "the first attempt")
    await queue.stop()
    assert [q.job.title for q in queue.pending()] == ["Receipt T1/1", "Receipt T1/2"]


async def test_submit_from_another_thread(queue: PrintQueue, printer: FakePrinter) -> None:
    await asyncio.to_thread(lambda: [queue.submit(receipt(n)) for n in range(3)])
    await wait_until(lambda: len(printer.printed) == 3, 5, "three receipts")
    assert [j.title for j in printer.printed] == [f"Receipt T1/{n}" for n in range(3)]


async def test_real_driver_offline_then_back(statuses: Statuses) -> None:
    """The ESC/POS network driver behind the queue: nobody listening, then a printer appears."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    printer = EscposPrinter(PrinterConfig(driver="network", host="127.0.0.1", port=port, timeout=1, status_query=False))
    queue = PrintQueue(printer, statuses, backoff=SLOW)
    await queue.start()
    received = bytearray()
    server = None
    try:
        queue.submit(receipt(1))
        queue.submit(receipt(2))
        await wait_until(lambda: bool(statuses) and statuses.last.state == "offline", 5, "offline")
        assert statuses.last.message.startswith("Printer offline: cannot reach 127.0.0.1:")
        assert statuses.last.message.endswith("— 2 jobs waiting")

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while chunk := await reader.read(4096):
                received.extend(chunk)
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", port)
        queue.retry()
        assert await queue.drain(5)
        printer.close()
        await wait_until(lambda: b"receipt 2" in received, 5, "both receipts")
    finally:
        await queue.stop()
        if server is not None:
            server.close()
    assert received.index(b"receipt 1") < received.index(b"receipt 2")
    assert statuses.last.state == "connected"


def test_queue_for_takes_its_backoff_from_the_printer_section() -> None:
    from pos_tui.devices.print_queue import queue_for

    config = PrinterConfig.parse(
        {"driver": "dummy", "reconnect_min": 2, "reconnect_max": 20, "kick_window": 10}, "devices.toml [printer]"
    )
    queue = queue_for(EscposPrinter(config), Statuses())
    assert queue._backoff == (2.0, 20.0) and queue._kick_window == 10.0
