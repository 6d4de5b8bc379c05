"""Start-up driver for :mod:`benchmarks.bench_tui`, run as a fresh process per measurement.

``python3 -m benchmarks.tui_start minimal --out FILE`` starts a minimal Textual app (one
input); ``python3 -m benchmarks.tui_start pos --out FILE --db DB --terminal ID --pin PIN``
starts the till exactly as ``pos`` does (settings, database, then the app), types the PIN
as soon as the login screen is painted and waits for the sale screen. Both run headless
(Textual's headless driver at a fixed size) with the same :class:`PaintClock`, and write
JSON to ``FILE``: the ``time.monotonic()`` of each first paint, which the parent subtracts
from its own clock reading taken just before it started the process (``CLOCK_MONOTONIC``
is system-wide on Linux), and the process's resident memory.

A *paint* is the compositor's update of the screen, turned into the escape codes a real
terminal would be sent (headless Textual computes the update but skips that last step; the
clock does it so the measurement includes it). A screen counts as usable at its first paint
with its input focused.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events
from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult, RenderableType
from textual.screen import Screen
from textual.widgets import Input, Label

SIZE = (100, 30)


class PaintClock:
    """Mixin for an :class:`App` that clocks its paints (``time.monotonic()``).

    ``first_ready[name]`` is the first paint of a screen of class ``name`` with an input
    focused; ``recent`` the times of the latest paints. ``arm_probe(predicate)`` arms a one-shot
    probe: ``probe_at`` becomes the time of the first paint whose output (the text sent to
    the terminal) satisfies ``predicate`` (for "this scan's line is on screen").
    """

    probe: Callable[[str], bool] | None = None
    probe_at: float | None = None

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        super()._display(screen, renderable)  # type: ignore[misc]
        app: Any = self
        if renderable is None or app._batch_count or not app.is_headless:
            return
        output = renderable.render_segments(app.console) if isinstance(renderable, CompositorUpdate) else ""
        now = time.monotonic()
        if "recent" not in self.__dict__:
            self.recent: deque[float] = deque(maxlen=256)
            self.first_ready: dict[str, float] = {}
        self.recent.append(now)
        if isinstance(app.focused, Input):
            self.first_ready.setdefault(type(screen).__name__, now)
        if self.probe is not None and self.probe(output):
            self.probe_at = now
            self.probe = None

    def arm_probe(self, predicate: Callable[[str], bool]) -> None:
        self.probe_at = None
        self.probe = predicate

    def ready_at(self, screen_name: str) -> float | None:
        """When ``screen_name`` was first painted with its input focused (None: not yet)."""
        return self.__dict__.get("first_ready", {}).get(screen_name)

    def paints_between(self, start: float, end: float) -> int:
        return sum(1 for at in self.__dict__.get("recent", ()) if start < at < end)


class MinimalApp(PaintClock, App[None]):
    """The baseline: the smallest Textual app a till could be, a label and a focused input."""

    def compose(self) -> ComposeResult:
        yield Label("Barkod")
        yield Input(placeholder="Barcode")


def rss() -> dict[str, float]:
    """Resident memory now and at peak, MB (from /proc/self/status)."""
    out: dict[str, float] = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out["rss_mb" if key == "VmRSS" else "peak_rss_mb"] = round(int(value.split()[0]) / 1024, 1)
    return out


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait, letting the app run, until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        await asyncio.sleep(0.0005)


def press_enter(app: App[Any]) -> None:
    """Enter, delivered the way the terminal driver delivers a key."""
    assert app._driver is not None
    key = events.Key("enter", "\r")
    key.set_sender(app)
    app._driver.send_message(key)


def run_minimal(out: Path) -> None:
    app = MinimalApp()
    report: dict[str, Any] = {}

    async def drive(_pilot: Any) -> None:
        await until(lambda: app.ready_at("Screen") is not None)
        report.update(ready=app.ready_at("Screen"), **rss())
        app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=drive)
    out.write_text(json.dumps(report))


def run_pos(out: Path, db: str, terminal: str, pin: str, codes: list[str]) -> None:
    from pos_tui.__main__ import prepare_database, settings_for
    from pos_tui.i18n import set_language

    # The data directory is the database's: the PIN key file lives there (docs/security.md).
    os.environ.setdefault("POS_HOME", str(Path(db).parent))
    settings = settings_for(argparse.Namespace(terminal=terminal, db=db, config=None, demo=False))
    set_language(settings.language)
    prepare_database(settings, demo=False)

    from pos_tui.store import close_database
    from pos_tui.tui.app import PosApp
    from pos_tui.tui.widgets.cart_table import CartTable

    class BenchPosApp(PaintClock, PosApp):
        pass

    app = BenchPosApp(settings)
    report: dict[str, Any] = {}

    async def drive(_pilot: Any) -> None:
        await until(lambda: app.ready_at("LoginScreen") is not None)
        report["login_ready"] = app.ready_at("LoginScreen")
        app.screen.query_one("#pin", Input).value = pin
        press_enter(app)
        await until(lambda: app.ready_at("SaleScreen") is not None)
        report["sale_ready"] = app.ready_at("SaleScreen")
        report["after_login"] = rss()
        table = app.screen.query_one(CartTable)
        for code in codes:
            rows = table.row_count
            app.screen.query_one("#scan", Input).value = code
            press_enter(app)
            await until(lambda rows=rows: table.row_count > rows)  # type: ignore[misc]
        report["scanned"] = table.row_count
        report["after_scans"] = rss()
        app.exit()

    try:
        app.run(headless=True, size=SIZE, auto_pilot=drive)
    finally:
        close_database()
    out.write_text(json.dumps(report))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="start-up driver for bench_tui")
    parser.add_argument("kind", choices=["minimal", "pos"])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--db")
    parser.add_argument("--terminal", default="T1")
    parser.add_argument("--pin")
    parser.add_argument("--codes", default="", help="comma-separated barcodes to scan after login (memory)")
    args = parser.parse_args(argv)
    if args.kind == "minimal":
        run_minimal(args.out)
    else:
        run_pos(args.out, args.db, args.terminal, args.pin, [c for c in args.codes.split(",") if c])


if __name__ == "__main__":
    main(sys.argv[1:])
