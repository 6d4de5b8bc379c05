"""The print queue: receipts wait here, in order, until the printer takes them.

A sale is posted before its receipt is printed, and nothing the printer does may undo, block or
lose it. :meth:`PrintQueue.submit` only appends the job and returns its id; a worker task prints
the head of the queue in a thread of its own (printers block), and a failure keeps the job at the
head: the status says "Printer out of paper — 2 jobs waiting", the worker tries again with backoff
(1 s, 2 s, 4 s … up to 30 s) and :meth:`PrintQueue.retry` tries now (the cashier changed the roll).
Jobs print in the order they were submitted and leave the queue only once printed or cancelled.

A job that opens the cash drawer and waited longer than ``kick_window`` seconds prints without the
kick: a drawer springing open minutes after the sale, with nobody at the till, is worse than none
(the cashier opened it with the key while the printer was down).

Everything runs on the event loop that called :meth:`PrintQueue.start` (the app's); ``on_status``
is called there, never from the printing thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pos_tui.core.kernel import Printable
from pos_tui.devices.errors import DeviceError
from pos_tui.devices.printer import NAME, EscposPrinter, Printer
from pos_tui.devices.status import DeviceStatus
from pos_tui.i18n import ngettext


@dataclass(frozen=True, slots=True)
class QueuedJob:
    """A job in the queue: ``attempts`` failed tries so far, ``error`` the last failure's message."""

    id: int
    job: Printable
    submitted: float
    attempts: int = 0
    error: str = ""


class PrintQueue:
    """Receipts waiting for ``printer``, printed in order by one worker (see the module docstring)."""

    def __init__(
        self,
        printer: Printer,
        on_status: Callable[[DeviceStatus], None],
        *,
        backoff: tuple[float, float] = (1.0, 30.0),
        kick_window: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.printer = printer
        self._on_status = on_status
        self._backoff = backoff
        self._kick_window = kick_window
        self._clock = clock
        self._jobs: deque[QueuedJob] = deque()
        self._lock = threading.Lock()
        self._next_id = 1
        self._printing: int | None = None
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._status = DeviceStatus(NAME, "connected", since=clock())
        self._last_error = ""
        self._idle = asyncio.Event()
        self._idle.set()

    # ----------------------------------------------------------------- the app's side

    def submit(self, job: Printable) -> int:
        """Queue ``job`` and return its id at once. Never raises for a printer problem."""
        with self._lock:
            job_id = self._next_id
            self._next_id += 1
            self._jobs.append(QueuedJob(job_id, job, self._clock()))
        self._poke()
        return job_id

    def retry(self) -> None:
        """Try the head job now instead of after the backoff (paper changed, cable back in)."""
        self._poke()

    def cancel(self, job_id: int) -> bool:
        """Drop a waiting job. False when it is not queued or is being printed right now."""
        with self._lock:
            if job_id == self._printing:
                return False
            for queued in self._jobs:
                if queued.id == job_id:
                    self._jobs.remove(queued)
                    break
            else:
                return False
        self._publish(self._current_status())
        self._poke()
        return True

    def pending(self) -> tuple[QueuedJob, ...]:
        """The jobs not printed yet, head first."""
        with self._lock:
            return tuple(self._jobs)

    @property
    def status(self) -> DeviceStatus:
        return self._status

    async def start(self) -> None:
        """Start the worker on the running loop (jobs submitted before wait for it)."""
        if self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pos-printer")
        self._task = asyncio.create_task(self._run(), name="print-queue")
        self._poke()

    async def stop(self) -> None:
        """Stop the worker; queued jobs stay in :meth:`pending` (a job being printed finishes in its thread)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every job is printed (True) or ``timeout`` passes (False)."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    # ----------------------------------------------------------------- the worker

    def _poke(self) -> None:
        """Wake the worker, from the loop's thread directly, from any other thread safely."""
        loop = self._loop
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or running is loop:
            self._wake_up()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(self._wake_up)

    def _wake_up(self) -> None:
        with self._lock:
            busy = bool(self._jobs)
        if busy:
            self._idle.clear()
        self._wake.set()

    async def _run(self) -> None:
        delay = self._backoff[0]
        while True:
            head = self._head()
            if head is None:
                self._idle.set()
                self._wake.clear()
                if self._head() is None:
                    await self._wake.wait()
                continue
            self._idle.clear()
            job = head.job
            if job.kick and self._clock() - head.submitted > self._kick_window:
                job = dataclasses.replace(job, kick=False)
            try:
                await asyncio.get_running_loop().run_in_executor(self._executor, self.printer.print, job)
            except Exception as exc:
                message = exc.message if isinstance(exc, DeviceError) else str(exc) or type(exc).__name__
                self._failed(head, message)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
                delay = min(delay * 2, self._backoff[1])
                continue
            finally:
                self._printing = None
            delay = self._backoff[0]
            self._printed(head)

    def _head(self) -> QueuedJob | None:
        with self._lock:
            if not self._jobs:
                return None
            self._printing = self._jobs[0].id
            return self._jobs[0]

    def _printed(self, head: QueuedJob) -> None:
        with self._lock:
            if self._jobs and self._jobs[0].id == head.id:
                self._jobs.popleft()
        self._last_error = ""
        self._publish(self._current_status())

    def _failed(self, head: QueuedJob, message: str) -> None:
        with self._lock:
            if self._jobs and self._jobs[0].id == head.id:
                self._jobs[0] = dataclasses.replace(self._jobs[0], attempts=head.attempts + 1, error=message)
        self._last_error = message
        self._publish(self._current_status())

    def _current_status(self) -> DeviceStatus:
        """Connected while the last job printed; else the printer's failure and how many jobs wait."""
        if not self._last_error:
            return DeviceStatus(NAME, "connected", "")
        with self._lock:
            waiting = len(self._jobs)
        own = getattr(self.printer, "status", None)
        state = own.state if own is not None and own.state in ("error", "offline") else "offline"
        if not waiting:
            return DeviceStatus(NAME, state, self._last_error)
        text = ngettext("{error} — {n} job waiting", "{error} — {n} jobs waiting", waiting)
        return DeviceStatus(NAME, state, text.format(error=self._last_error, n=waiting))

    def _publish(self, status: DeviceStatus) -> None:
        if (status.state, status.message) == (self._status.state, self._status.message):
            return
        self._status = dataclasses.replace(status, since=self._clock())
        self._on_status(self._status)


def queue_for(printer: EscposPrinter, on_status: Callable[[DeviceStatus], None]) -> PrintQueue:
    """The queue of a configured printer, with its ``reconnect_min``/``reconnect_max`` backoff and
    ``kick_window`` from devices.toml."""
    cfg = printer.config
    return PrintQueue(printer, on_status, backoff=(cfg.reconnect_min, cfg.reconnect_max), kick_window=cfg.kick_window)


class FakePrinter:
    """A printer for tests and demos: keeps what it printed, fails when told to.

    ``fail(times, message)`` makes the next ``times`` jobs raise DeviceError; ``offline = True``
    makes every job fail until it is set back. Thread-safe: the queue prints from its own thread."""

    def __init__(self, *, width: int = 42, message: str = "Printer out of paper") -> None:
        self._width = width
        self.message = message
        self.offline = False
        self.printed: list[Printable] = []
        self.kicks = 0
        self.attempts = 0
        self._failures = 0
        self._lock = threading.Lock()
        self._status = DeviceStatus(NAME, "connected", since=time.monotonic())
        self.gate: threading.Event | None = None  # when set by a test, print() waits for it

    @property
    def width(self) -> int:
        return self._width

    @property
    def status(self) -> DeviceStatus:
        return self._status

    def fail(self, times: int, message: str | None = None) -> None:
        with self._lock:
            self._failures = times
            if message is not None:
                self.message = message

    def print(self, job: Printable) -> None:
        if self.gate is not None:
            self.gate.wait(10)
        with self._lock:
            self.attempts += 1
            if self.offline or self._failures > 0:
                self._failures = max(self._failures - 1, 0)
                self._status = DeviceStatus(NAME, "error", self.message, since=time.monotonic())
                raise DeviceError(self.message, NAME)
            self.printed.append(job)
            if job.kick:
                self.kicks += 1
            self._status = DeviceStatus(NAME, "connected", since=time.monotonic())

    def kick(self) -> None:
        self.print(Printable("kick", (), cut=False, kick=True))


__all__ = ["FakePrinter", "PrintQueue", "QueuedJob", "queue_for"]
