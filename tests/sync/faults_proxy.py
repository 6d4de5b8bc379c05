"""A TCP proxy on 127.0.0.1 that a test puts between a terminal and PostgreSQL and breaks on demand.

The line between a till and the centre fails in a few distinct ways, and each one looks different
to the driver; the proxy makes each of them happen when the test says so:

- :meth:`FaultProxy.heal` — pass everything (the line works);
- :meth:`FaultProxy.drop` — reset every open connection, and every new one at once (a router
  reboot, a server that went away: the driver sees "connection reset" or "server closed the
  connection unexpectedly" at once);
- :meth:`FaultProxy.blackhole` — accept connections and keep them, but forward nothing either way
  (a cable pulled somewhere in between: nothing fails, nothing answers; only the driver's own
  timeouts notice). What was held is forwarded when the line heals, as TCP would retransmit it;
- :meth:`FaultProxy.delay` — forward everything, each chunk after a pause (a slow mobile line);
- :meth:`FaultProxy.cut_after` — forward ``n`` more bytes in one direction, then reset the
  connection that carried them (a line that dies in the middle of a batch).

Threads, not asyncio: a test drives the proxy from its own (synchronous) thread while the terminal
runs in the same process or in a subprocess; each connection has one pump thread per direction.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

PASS, DROP, BLACKHOLE, DELAY = "pass", "drop", "blackhole", "delay"
UP, DOWN = "up", "down"  # client -> server, server -> client
CHUNK = 65536


def _reset(sock: socket.socket) -> None:
    """Close ``sock`` with a TCP reset (SO_LINGER 0), as a line that dies does, not a polite FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


@dataclass(eq=False)
class _Link:
    client: socket.socket
    server: socket.socket
    closed: threading.Event = field(default_factory=threading.Event)

    def kill(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        _reset(self.client)
        _reset(self.server)


class FaultProxy:
    """Forward ``127.0.0.1:port`` to ``target``; break the line with the methods below.

    Use as a context manager (or :meth:`start` / :meth:`close`). :meth:`url` rewrites a
    PostgreSQL URL so that it goes through the proxy.
    """

    def __init__(self, target_host: str, target_port: int, *, port: int = 0) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", port))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self._cond = threading.Condition()
        self._mode = PASS
        self._delay = 0.0
        self._cut: tuple[str, int] | None = None  # (direction, bytes left before the cut)
        self._links: set[_Link] = set()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name=f"fault-proxy-{self.port}", daemon=True)
        # what the line carried, for tests of the proxy itself and for diagnostics
        self.accepted = 0
        self.refused = 0
        self.cuts = 0
        self.bytes = {UP: 0, DOWN: 0}

    @classmethod
    def for_url(cls, url: str) -> FaultProxy:
        """A proxy to the server of a ``postgresql://`` URL."""
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 5432)

    def url(self, url: str) -> str:
        """``url`` with its host and port replaced by the proxy's (user, database, query kept)."""
        parts = urlsplit(url)
        user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
        return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{self.port}"))

    # -- control ---------------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def open_connections(self) -> int:
        with self._cond:
            return sum(1 for link in self._links if not link.closed.is_set())

    def heal(self) -> None:
        """Pass everything; what a blackhole held is forwarded now."""
        self._set(PASS)

    def drop(self) -> None:
        """Reset every open connection; while dropping, new connections are reset at once."""
        self._set(DROP)
        self.kill_all()

    def blackhole(self) -> None:
        """Keep connections (and accept new ones) but forward nothing until :meth:`heal`."""
        self._set(BLACKHOLE)

    def delay(self, seconds: float) -> None:
        """Forward every chunk after ``seconds`` (both directions)."""
        with self._cond:
            self._delay = seconds
        self._set(DELAY)

    def cut_after(self, nbytes: int, direction: str = UP) -> None:
        """Forward ``nbytes`` more bytes in ``direction`` (counted over all connections), then reset
        the connection that carried the last of them. Once: afterwards the line passes again."""
        if direction not in (UP, DOWN):
            raise ValueError(direction)
        with self._cond:
            self._cut = (direction, nbytes)
        self._set(PASS)

    @property
    def cut_pending(self) -> bool:
        with self._cond:
            return self._cut is not None

    def kill_all(self) -> None:
        """Reset every open connection (the mode stays as it is)."""
        with self._cond:
            links = list(self._links)
        for link in links:
            link.kill()

    def _set(self, mode: str) -> None:
        with self._cond:
            self._mode = mode
            self._cond.notify_all()

    # -- life ------------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout=5)
        with contextlib.suppress(OSError):
            self._listener.close()
        self.kill_all()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the work --------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._mode == DROP:
                self.refused += 1
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                self.refused += 1
                _reset(client)  # the server is down: the client sees the line fail at once
                continue
            server.settimeout(None)
            client.settimeout(None)
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(client, server)
            with self._cond:
                self._links.add(link)
                self.accepted += 1
            for src, dst, direction in ((client, server, UP), (server, client, DOWN)):
                threading.Thread(
                    target=self._pump, args=(link, src, dst, direction), name=f"fault-proxy-{direction}", daemon=True
                ).start()

    def _pump(self, link: _Link, src: socket.socket, dst: socket.socket, direction: str) -> None:
        try:
            while not link.closed.is_set() and not self._stopping.is_set():
                # poll, so a link killed from another thread (drop, cut) ends this thread too
                readable, _, _ = select.select([src], [], [], 0.2)
                if not readable:
                    continue
                data = src.recv(CHUNK)
                if not data:
                    break
                if not self._forward(link, dst, direction, data):
                    break
        except OSError:
            pass
        finally:
            link.kill()
            with self._cond:
                self._links.discard(link)

    def _forward(self, link: _Link, dst: socket.socket, direction: str, data: bytes) -> bool:
        """Send ``data`` on according to the mode; False when the link is to end."""
        with self._cond:
            # a blackhole holds the data (and the reading of more) until the mode changes
            while self._mode == BLACKHOLE and not link.closed.is_set() and not self._stopping.is_set():
                self._cond.wait(0.2)
            if self._mode == DROP or link.closed.is_set() or self._stopping.is_set():
                return False
            pause = self._delay if self._mode == DELAY else 0.0
            cut_now = False
            if self._cut is not None and self._cut[0] == direction:
                left = self._cut[1]
                if len(data) >= left:
                    data, cut_now = data[:left], True
                    self._cut = None
                    self.cuts += 1
                else:
                    self._cut = (direction, left - len(data))
        if pause:
            time.sleep(pause)
        if data:
            dst.sendall(data)
            with self._cond:
                self.bytes[direction] += len(data)
        if cut_now:
            link.kill()
            return False
        return True
