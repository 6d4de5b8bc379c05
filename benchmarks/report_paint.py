"""Driver of :mod:`benchmarks.bench_reports`' first paints, run as a fresh process per measurement.

``python3 -m benchmarks.report_paint TARGET --out FILE --db DB --terminal ID --pin PIN --now ISO``
starts the till as ``pos`` does (settings, database, then the app) at a fixed clock (``--now``: the
last evening of the generated year), types the PIN when the login screen is painted, waits for the
sale screen, for the login's agenda worker and the file's background check to finish (closing the
agenda reminder if one came up), then, timed from each key as the terminal driver delivers it:

- ``F12``: to the first paint of the menu (both targets measure it: it is the way in);
- ``lookup``: then ``s`` and ``6``: from the ``6`` to the first paint of the stock look-up screen
  (the baseline: another screen of the same app imported when first opened);
- ``reports``: then the report screen's key (the menu entry ``reports``, key ``r``): to its first
  paint, and to the first paint that shows a table with rows (the default report shown). Until the
  menu has that entry the process writes ``{"missing": …}``.

Paints are clocked as in :mod:`benchmarks.tui_start` (the compositor's update turned into the
escape codes a terminal would get). Writes JSON to ``FILE``: milliseconds from each key to each
paint, the screen's class and module, and the process's memory. ``--preload MODULE`` imports a
module first (the tests' stand-in report screen, ``tests/benchmarks/rbench_support.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.widgets import Input

from benchmarks.tui_start import SIZE, PaintClock, press_enter, rss, until

SETTLE_S = 0.3  # quiet time after login before the first key


def press(app: App[Any], key: str, character: str | None = None) -> float:
    """``key`` delivered the way the terminal driver delivers one; the moment it was sent."""
    assert app._driver is not None
    event = events.Key(key, character)
    event.set_sender(app)
    t = time.monotonic()
    app._driver.send_message(event)
    return t


class ScreenClock(PaintClock):
    """:class:`PaintClock` that also keeps each paint's time and screen, and notes the first paint
    of a screen showing a data table with rows (``rows_at``) once ``rows_except`` is set."""

    rows_except: Any = None
    rows_at: float | None = None

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)
        app: Any = self
        if renderable is None or app._batch_count:
            return
        now = time.monotonic()
        if "paints" not in self.__dict__:
            self.paints: list[tuple[float, Any]] = []
        self.paints.append((now, screen))
        watching = self.rows_except is not None and screen is not self.rows_except and self.rows_at is None
        # a DataTable, or any table-like widget of the screen's own with rows
        if watching and any(getattr(w, "row_count", 0) > 0 for w in screen.query("*")):
            self.rows_at = now

    def first_paint_after(self, t0: float, *, other_than: tuple[Any, ...]) -> tuple[float, Any] | None:
        for at, screen in self.__dict__.get("paints", ()):
            if at > t0 and not any(screen is s for s in other_than):
                return at, screen
        return None


def menu_key(name: str) -> str | None:
    """The F12 menu's key of entry ``name`` (``reports``), or None while the menu has no such entry."""
    from pos_tui.tui.screens import menu

    actions = getattr(menu, "ACTIONS", {})
    if name not in actions:  # the entry may be named otherwise: the one on key "r"
        name = next((n for n, k in menu.SHORTCUTS.items() if k == "r" and n in actions), name)
    key = menu.SHORTCUTS.get(name)
    return key if key is not None and name in actions else None


async def settle(app: Any, sale: Any) -> float:
    """Wait for the workers started at login and the file's check, closing a dialog over the sale
    screen (the agenda's reminder of what is due); the seconds waited."""
    from pos_tui.store.db import gate

    t = time.monotonic()
    deadline = t + 120
    while time.monotonic() < deadline:
        busy = any(not w.is_finished for w in app.workers)
        if not busy and not gate.pending and app.screen is sale:
            break
        if not busy and app.screen is not sale and sale in app.screen_stack:
            app.pop_screen()  # the agenda's reminder (not timed: closed the quickest way)
        await asyncio.sleep(0.05)
    else:
        raise TimeoutError("the till did not settle after login")
    await asyncio.sleep(SETTLE_S)
    return time.monotonic() - t


def ms(a: float | None, b: float) -> float | None:
    return None if a is None else round((a - b) * 1000, 1)


def run(target: str, out: Path, db: str, terminal: str, pin: str, now: datetime) -> None:
    from pos_tui.__main__ import prepare_database, settings_for
    from pos_tui.i18n import set_language

    os.environ.setdefault("POS_HOME", str(Path(db).parent))
    settings = settings_for(argparse.Namespace(terminal=terminal, db=db, config=None, demo=False))
    set_language(settings.language)
    prepare_database(settings, demo=False)

    from pos_tui.store import close_database
    from pos_tui.tui.app import PosApp

    class BenchPosApp(ScreenClock, PosApp):
        pass

    app = BenchPosApp(settings, clock=lambda: now)
    report: dict[str, Any] = {"target": target}

    async def drive(_pilot: Any) -> None:
        await until(lambda: app.ready_at("LoginScreen") is not None, timeout=120)
        app.screen.query_one("#pin", Input).value = pin
        press_enter(app)
        await until(lambda: any(type(s).__name__ == "SaleScreen" for s in app.screen_stack), timeout=120)
        sale = next(s for s in app.screen_stack if type(s).__name__ == "SaleScreen")
        report["settle_s"] = round(await settle(app, sale), 2)
        t0 = press(app, "f12")
        await until(lambda: app.first_paint_after(t0, other_than=(sale,)) is not None)
        menu_at, menu_screen = app.first_paint_after(t0, other_than=(sale,))  # type: ignore[misc]
        report["menu"] = {"first_paint_ms": ms(menu_at, t0), "screen": type(menu_screen).__name__}
        await asyncio.sleep(SETTLE_S)
        if target == "lookup":
            press(app, "s", "s")
            await until(lambda: type(app.screen).__name__ == "ChoiceDialog")
            stock_menu = app.screen
            await asyncio.sleep(SETTLE_S)
            t1 = press(app, "6", "6")
            seen: tuple[Any, ...] = (sale, menu_screen, stock_menu)
            await until(lambda: app.first_paint_after(t1, other_than=seen) is not None, timeout=60)
            at, screen = app.first_paint_after(t1, other_than=seen)  # type: ignore[misc]
            report["screen"] = {
                "first_paint_ms": ms(at, t1),
                "class": type(screen).__name__,
                "module": type(screen).__module__,
            }
        else:
            key = menu_key("reports")
            if key is None:
                report["missing"] = "the F12 menu has no entry 'reports' (pos_tui/tui/screens/menu.py)"
                report["memory"] = rss()
                app.exit()
                return
            app.rows_except = sale
            t1 = press(app, key, key)
            seen = (sale, menu_screen)
            await until(lambda: app.first_paint_after(t1, other_than=seen) is not None, timeout=60)
            at, screen = app.first_paint_after(t1, other_than=seen)  # type: ignore[misc]
            try:
                await until(lambda: app.rows_at is not None, timeout=30)
            except TimeoutError:
                report["rows_timeout"] = True
            report["screen"] = {
                "first_paint_ms": ms(at, t1),
                "table_rows_painted_ms": ms(app.rows_at, t1),
                "class": type(app.screen).__name__,
                "module": type(app.screen).__module__,
                "first_painted_class": type(screen).__name__,
            }
        report["memory"] = rss()
        app.exit()

    try:
        app.run(headless=True, size=SIZE, auto_pilot=drive)
    finally:
        close_database()
    out.write_text(json.dumps(report))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="first-paint driver for bench_reports")
    parser.add_argument("target", choices=["lookup", "reports"])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--terminal", default="TP")
    parser.add_argument("--pin", required=True)
    parser.add_argument("--now", required=True, help="the till's clock, ISO with offset")
    parser.add_argument("--preload", help="a module to import first (tests: one that adds a menu entry)")
    args = parser.parse_args(argv)
    if args.preload:
        importlib.import_module(args.preload)
    run(args.target, args.out, args.db, args.terminal, args.pin, datetime.fromisoformat(args.now))


if __name__ == "__main__":
    main(sys.argv[1:])
