"""Scripted devices for tests and benchmarks: the other end of a real serial link.

:class:`SocketDevice` listens on ``127.0.0.1`` (URL ``socket://127.0.0.1:PORT``); :class:`PtyDevice` holds the
master side of a pseudo-terminal whose slave is reached through a stable symlink (the URL is a path, as for a
real ``/dev/ttyUSB0``). Both run on the test's event loop and play the same script: ``respond(chunk)`` answers
what the app sent, :meth:`push` sends what the device says by itself (a scan, a streaming scale frame),
:attr:`received` is everything the app sent, :meth:`drop` pulls the cable and :meth:`restore` plugs it back in
at the same URL, so a real :class:`~pos_tui.devices.link.SerialLink` must reconnect by itself.

``respond`` is called once per chunk *as it arrived*: two quick polls may arrive as one chunk (``b"WW"``), so a
script answers per command it finds in the chunk, not per call. Wait with :func:`wait_until` (a condition with a
timeout), never with fixed sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import time
import tty
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

Respond = Callable[[bytes], bytes | None]


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
    """Wait until ``predicate()`` is true, checking often; TimeoutError naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.002)


class _ScriptedDevice:
    """What both fakes share: the script, the record of received bytes, the async context manager."""

    def __init__(self, respond: Respond | None = None) -> None:
        self.respond = respond
        self._received = bytearray()
        self.plugged = False

    @property
    def received(self) -> bytes:
        """Everything the app sent so far, across connections."""
        return bytes(self._received)

    def clear(self) -> None:
        """Forget what was received so far (to check what the app sends next)."""
        self._received.clear()

    async def wait_received(self, data: bytes, timeout: float = 5.0) -> None:
        """Wait until ``data`` is somewhere in :attr:`received`."""
        await wait_until(lambda: data in self._received, timeout, f"the app to send {data!r}")

    def _answer(self, chunk: bytes) -> bytes | None:
        self._received += chunk
        return self.respond(chunk) if self.respond is not None else None

    async def start(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


class SocketDevice(_ScriptedDevice):
    """A device behind a TCP port on 127.0.0.1, as a serial-to-Ethernet bridge would be.

    One connection at a time, like a serial line: a new connection replaces the old one. :meth:`drop` closes the
    connection and stops listening (connections are refused); :meth:`restore` listens again on the same port.
    """

    def __init__(self, respond: Respond | None = None) -> None:
        super().__init__(respond)
        self._server: asyncio.Server | None = None
        self._port = 0
        self._writer: asyncio.StreamWriter | None = None
        self.connections = 0  # connections accepted so far: a reconnect makes it grow

    @property
    def url(self) -> str:
        if not self._port:
            raise RuntimeError("SocketDevice is not started (use `async with SocketDevice() as dev`)")
        return f"socket://127.0.0.1:{self._port}"

    @property
    def connected(self) -> bool:
        """True while the app holds a connection."""
        return self._writer is not None and not self._writer.is_closing()

    async def wait_connected(self, timeout: float = 5.0, connections: int = 1) -> None:
        """Wait until the app is connected and has connected at least ``connections`` times in all."""
        await wait_until(
            lambda: self.connected and self.connections >= connections, timeout, f"connection #{connections}"
        )

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self._port, reuse_address=True)
        self._port = self._server.sockets[0].getsockname()[1]
        self.plugged = True

    async def push(self, data: bytes, timeout: float = 5.0) -> None:
        """Send ``data`` as the device (waits up to ``timeout`` for the app to be connected)."""
        if not self.plugged:
            raise RuntimeError("the device is unplugged (drop() was called)")
        await wait_until(lambda: self.connected, timeout, "the app to connect before push")
        writer = self._writer
        assert writer is not None
        writer.write(data)
        await writer.drain()

    async def drop(self) -> None:
        """Pull the cable: close the connection (the app reads EOF) and refuse new ones."""
        self.plugged = False
        server, self._server = self._server, None
        if server is not None:
            server.close()
        await self._hang_up()
        if server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1.0)

    async def restore(self) -> None:
        """Plug the cable back in: listen again on the same port."""
        if self._server is None:
            await self.start()

    async def close(self) -> None:
        await self.drop()

    async def _hang_up(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.plugged:
            writer.close()
            return
        await self._hang_up()
        self._writer = writer
        self.connections += 1
        try:
            while chunk := await reader.read(4096):
                reply = self._answer(chunk)
                if reply and not writer.is_closing():
                    writer.write(reply)
                    await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            if self._writer is writer:
                self._writer = None
            writer.close()


class PtyDevice(_ScriptedDevice):
    """A device on a pseudo-terminal (Linux/macOS): the app opens :attr:`url`, a path, like a real serial port.

    The path is a symlink in a private temporary directory to the current pty's slave. :meth:`drop` closes the
    pty (the app's reads fail with EIO) and removes the link (opening fails); :meth:`restore` makes a new pty
    behind the same path. The fake keeps a slave descriptor open itself, set to raw mode, so it never sees EIO
    when the app closes the port, and nothing is echoed back.

    Opening a serial port flushes its input, so push only after the app has connected (wait for the link's
    ``connected`` status).
    """

    def __init__(self, respond: Respond | None = None) -> None:
        super().__init__(respond)
        self._dir: Path | None = None
        self._master: int | None = None
        self._slave: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        if self._dir is None:
            raise RuntimeError("PtyDevice is not started (use `async with PtyDevice() as dev`)")
        return str(self._dir / "tty")

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._dir = Path(tempfile.mkdtemp(prefix="pos-pty-"))
        self._plug()

    def _plug(self) -> None:
        assert self._loop is not None and self._dir is not None
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        link = Path(self.url)
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
        link.symlink_to(os.ttyname(slave))
        self._loop.add_reader(master, self._readable)
        self.plugged = True

    def _readable(self) -> None:
        master = self._master
        if master is None:
            return
        try:
            chunk = os.read(master, 4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # EIO: no slave open (cannot happen while we hold one; be safe)
            return
        if chunk:
            reply = self._answer(chunk)
            if reply:
                self._write(reply)

    def _write(self, data: bytes) -> None:
        master = self._master
        if master is None:
            raise RuntimeError("the device is unplugged (drop() was called)")
        view = memoryview(data)
        while view:
            try:
                written = os.write(master, view)
            except BlockingIOError:
                time.sleep(0.001)  # the pty buffer is full: tests push small frames, this is rare and short
                continue
            view = view[written:]

    async def push(self, data: bytes) -> None:
        """Send ``data`` as the device."""
        if not self.plugged:
            raise RuntimeError("the device is unplugged (drop() was called)")
        self._write(data)

    async def drop(self) -> None:
        """Pull the cable: close the pty (the app's reads fail) and remove the path (opening fails)."""
        self.plugged = False
        master, slave = self._master, self._slave
        self._master = self._slave = None
        if master is not None:
            if self._loop is not None:
                self._loop.remove_reader(master)
            os.close(master)
        if slave is not None:
            os.close(slave)
        if self._dir is not None:
            with contextlib.suppress(FileNotFoundError):
                Path(self.url).unlink()

    async def restore(self) -> None:
        """Plug it back in: a new pty behind the same path."""
        if self._master is None:
            self._plug()

    async def close(self) -> None:
        await self.drop()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
