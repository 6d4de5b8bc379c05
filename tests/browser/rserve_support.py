"""Helpers for the ``pos serve`` tests: a stand-in for a tab's app (textual-serve's process protocol, no
Textual), a PosServer on aiohttp's test server, and headless Chromium with a reader of its terminal."""

from __future__ import annotations

import asyncio
import shutil
import socket
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from pos_tui.settings import Settings
from pos_tui.tui.serve import BrowserSession, PosServer, ServeOptions

# What a tab's process must do for textual-serve: say __GANGLION__, then speak in packets (b"D" or b"M", a
# 4-byte big-endian length, the payload) on stdout, and end when the server sends the "quit" meta packet.
# This one shows one line naming its devices mode, and nothing else.
STAND_IN = r"""
import json, sys
out, inp = sys.stdout.buffer, sys.stdin.buffer
out.write(b"__GANGLION__\n")
text = ("stand-in app, devices: " + sys.argv[1]).encode()
out.write(b"D" + len(text).to_bytes(4, "big") + text)
out.flush()
while True:
    head = inp.read(5)
    if len(head) < 5:
        break
    body = inp.read(int.from_bytes(head[1:], "big"))
    if head[:1] == b"M" and json.loads(body).get("type") == "quit":
        break
"""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The terminal on textual-serve's page is xterm.js, drawn on a canvas (WebGL or 2D): its text is not in the
# DOM, and textual-serve keeps the Terminal object in a closure. xterm's public Terminal class assigns
# ``this._core`` in its constructor; this script, run before the page's own, catches that assignment
# with a setter on Object.prototype (then steps aside for the object) and keeps every such object in
# window.__xterms. SCREEN_TEXT then reads the visible rows from the terminal's buffer: exactly the
# characters xterm.js draws.
CATCH_TERMINAL = """
(() => {
  const found = [];
  window.__xterms = found;
  Object.defineProperty(Object.prototype, "_core", {
    configurable: true,
    get() { return undefined; },
    set(value) {
      Object.defineProperty(this, "_core", {value, writable: true, configurable: true, enumerable: true});
      found.push(this);
    },
  });
})();
"""

SCREEN_TEXT = """() => {
  const term = (window.__xterms || []).find((t) => t.buffer && t.buffer.active && typeof t.rows === "number");
  if (!term) return null;
  const buffer = term.buffer.active;
  const rows = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""


def chromium_path() -> str | None:
    """Debian's chromium (/usr/bin/chromium) or one on PATH; None when this machine has none."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StandInServer(PosServer):
    """PosServer whose tabs run :data:`STAND_IN` (so the session logic is tested without starting tills);
    ``commands`` records the devices mode of every process started."""

    def __init__(self, options: ServeOptions, settings: Settings, script: Path) -> None:
        super().__init__(options, settings)
        self.script = script
        self.commands: list[str] = []

    def session_command(self, session: BrowserSession) -> str:
        self.commands.append(session.mode)
        return f"{sys.executable} {script_arg(self.script)} {session.mode}"


def script_arg(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))


@asynccontextmanager
async def stand_in_client(
    settings: Settings, tmp_path: Path, **options: Any
) -> AsyncIterator[tuple[StandInServer, TestClient[Any, Any]]]:
    """A :class:`StandInServer` with ``options`` (ServeOptions fields) on a test server, and a client of it."""
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN, encoding="utf-8")
    server = StandInServer(ServeOptions(**options), settings, script)
    app = await server._make_app()
    async with TestServer(app) as test_server, TestClient(test_server) as client:
        yield server, client


async def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Poll ``predicate`` on the event loop until it holds (AssertionError naming ``what`` after ``timeout``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def descendants(pid: int) -> set[int]:
    """Every live process under ``pid`` (read from /proc; Linux only)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
