"""``pos serve --demo`` in a real browser: headless Chromium (Debian's ``chromium``) driven by Playwright.

What the page shows is read from the terminal itself: xterm.js draws on a canvas, so the test catches the
page's xterm Terminal object as it is made (:data:`rserve_support.CATCH_TERMINAL`) and reads the visible
rows of its buffer (:data:`rserve_support.SCREEN_TEXT`): the characters the browser draws, not a
screenshot. A screenshot is saved beside the test's files when a wait fails, to look at.

Skipped only where Chromium is not installed (``.ci/run`` installs it: ``.ci/chromium.sh``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rserve_support import CATCH_TERMINAL, CHROMIUM_ARGS, SCREEN_TEXT, alive, chromium_path, descendants, free_port

from pos_tui.i18n import _, set_language
from pos_tui.tui.serve import sessions_full_text

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = chromium_path()
SUGAR = "8690084041017"  # Toz Şeker 1 kg, 44,90 in fixtures/demo_products.csv

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium is not installed (/usr/bin/chromium or chromium on PATH); .ci/run installs Debian's chromium",
    ),
]


class Served:
    """A ``pos serve --demo`` process and what it printed (read by a thread, so it never blocks)."""

    def __init__(self, home: Path, *options: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {
            **os.environ,
            "POS_HOME": str(home),
            "POS_CONFIG": str(REPO / "config" / "pos.toml"),
            "POS_LANG": "tr",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        for name in ("POS_DB", "POS_DEVICES", "POS_TERMINAL"):
            env.pop(name, None)
        command = [sys.executable, "-m", "pos_tui", "serve", "--demo", "--port", str(self.port), *options]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=home
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for_output("127.0.0.1:" + str(self.port), timeout=90)  # the demo shop is made first

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_output(self, text: str | re.Pattern[str], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not (text.search(self.output) if isinstance(text, re.Pattern) else text in self.output):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"pos serve did not print {text!r}; it printed:\n{self.output}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def turkish() -> Iterator[None]:
    """The texts this test expects of pos serve's own messages, in the language the server speaks."""
    set_language("tr")
    yield
    set_language("en")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def serve_demo(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """``serve_demo(*options)``: a ``pos serve --demo`` of this test's own (a fresh demo shop), stopped after it."""
    started: list[Served] = []

    def start(*options: str) -> Served:
        home = tmp_path / f"home{len(started)}"
        home.mkdir()
        started.append(Served(home, *options))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def screen(page: Any) -> str:
    return page.evaluate(SCREEN_TEXT) or ""


def wait_for_screen(page: Any, *texts: str, gone: tuple[str, ...] = (), timeout: float = 30) -> str:
    """The terminal's text once it shows every one of ``texts`` and none of ``gone``; else AssertionError
    with what it shows."""
    deadline = time.monotonic() + timeout
    while True:
        shown = screen(page)
        if all(text in shown for text in texts) and not any(text in shown for text in gone):
            return shown
        if time.monotonic() > deadline:
            shot = Path(tempfile.gettempdir()) / f"rserve-browser-{os.getpid()}.png"
            page.screenshot(path=str(shot))
            raise AssertionError(
                f"the page never showed {texts!r} without {gone!r} (screenshot: {shot}); it shows:\n{shown}"
            )
        time.sleep(0.1)


def open_till(browser: Any, url: str, timeout: float = 30) -> Any:
    """A new tab on the till's page, once a session is free (a tab closed just before may still be ending)."""
    page = browser.new_page(viewport={"width": 1000, "height": 600})
    page.add_init_script(CATCH_TERMINAL)
    deadline = time.monotonic() + timeout
    while (response := page.goto(url)) is not None and response.status == 503:
        if time.monotonic() > deadline:
            raise AssertionError("no browser session became free")
        time.sleep(0.2)
    wait_for_screen(page, "Demo Market", "PIN")
    page.click("#terminal")  # focus the terminal: keys go to the app from now on
    return page


def log_in(page: Any, pin: str) -> str:
    """Type the PIN, accept the opening float (Enter: 0,00), and return the sale screen's text."""
    page.keyboard.type(pin)
    page.keyboard.press("Enter")
    wait_for_screen(page, "Vardiya aç")  # this terminal has no open shift yet
    page.keyboard.press("Enter")
    return wait_for_screen(page, "F12 Menü", "TOPLAM")


def log_line(message: str, **known: object) -> re.Pattern[str]:
    """A log line of pos serve in the server's language: ``known`` placeholders filled, the others any text."""
    pattern = re.escape(_(message))
    for name, value in known.items():
        pattern = pattern.replace(re.escape("{" + name + "}"), re.escape(str(value)))
    return re.compile(re.sub(r"\\\{\w+\\\}", ".+", pattern))


def sell_sugar(page: Any) -> None:
    """Scan a bag of sugar as a keyboard-wedge scanner at the browser does (the code and Enter, typed fast),
    pay it in cash, and close the receipt shown on screen (a browser tab has no printer)."""
    page.keyboard.type(SUGAR)
    page.keyboard.press("Enter")
    wait_for_screen(page, "Toz Şeker 1 kg", "44,90", "F8 Nakit")
    page.keyboard.press("F8")
    wait_for_screen(page, "Toplam 44,90. Alınan nakit:")
    page.keyboard.press("Enter")
    receipt = wait_for_screen(page, "T O P L A M               4 4 , 9 0   T L")
    assert "Fiş yazıcısı yok: fiş yalnızca ekranda" in receipt  # served tabs open no printer by default
    page.keyboard.press("Enter")
    wait_for_screen(page, "Satış 1 tamamlandı", gone=("T O P L A M",))


def test_log_in_and_sell_in_the_browser_and_a_second_tab_is_over_the_limit(
    browser: Any, serve_demo: Callable[..., Served], turkish: None
) -> None:
    served = serve_demo("--max-sessions", "1")
    page = open_till(browser, served.url)
    assert page.title() == "Demo Market"
    assert page.get_attribute("html", "lang") == "tr"
    login = screen(page)
    assert "PIN'inizi yazıp Enter'a basın" in login
    assert "ayse (kasiyer) 1111" in login  # the demo's PIN hint

    sale = log_in(page, "2222")
    assert "Kasa T1" in sale and "mehmet (yönetici)" in sale
    sell_sugar(page)

    second = browser.new_page()
    response = second.goto(served.url)
    assert response is not None and response.status == 503
    assert second.inner_text("#sessions-full").count(sessions_full_text(1)) == 1
    second.close()
    started = _("Session {number} started: {address} ({open} of {limit} open)")
    assert started.format(number=1, address="127.0.0.1", open=1, limit=1) in served.output
    refused = _("Page refused to {address}: {limit} sessions are open, the most allowed")
    assert refused.format(address="127.0.0.1", limit=1) in served.output
    page.close()
    served.wait_for_output(log_line("Session {number} ended: {address}, after {duration}", number=1))
    again = open_till(browser, served.url)  # the session closed with its tab: the next tab gets one
    again.close()


def test_open_the_reports_screen_from_the_browser(browser: Any, serve_demo: Callable[..., Served]) -> None:
    """An admin sells one bag of sugar, then F12 → r opens the report screen on its default report, sales by
    day, which shows that sale."""
    from pos_tui.tui.screens.menu import SHORTCUTS

    served = serve_demo()
    page = open_till(browser, served.url)
    try:
        page.keyboard.type("9999")
        page.keyboard.press("Enter")
        wait_for_screen(page, "Vardiya aç")
        page.keyboard.press("Enter")
        # An admin sees the overdue reminders first: Enter closes them.
        wait_for_screen(page, "Ajanda: gecikenler ve bugün", "C0001 carisinin vadesi geçmiş borcu")
        page.keyboard.press("Enter")
        wait_for_screen(page, "F12 Menü", "admin (sistem yöneticisi)", gone=("Ajanda: gecikenler ve bugün",))
        sell_sugar(page)
        page.keyboard.press("F12")
        wait_for_screen(page, "Menü", "Ajanda: bugünün işleri")
        if "reports" not in SHORTCUTS:
            pytest.skip("the report screen (F12 → r, issue 17 §2) is not in this checkout yet")
        page.keyboard.press(SHORTCUTS["reports"])
        # the report is made in a worker after the screen's first paint: wait for its figures
        reports = wait_for_screen(page, "Raporlar", "Günlük satışlar", "44,90")
        assert "Toplam" in reports
    finally:
        page.close()


def test_stopping_the_server_ends_every_tabs_app(
    browser: Any, serve_demo: Callable[..., Served], turkish: None
) -> None:
    """Ctrl+C or SIGTERM (systemd's stop): each tab's app is asked to quit (its open cart stays saved) and is
    gone when the server has exited; the session's end is logged."""
    server = serve_demo()
    page = open_till(browser, server.url)
    apps = descendants(server.process.pid)
    assert apps, "the tab's app runs under the server"
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=20) == 0
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in apps) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in apps if alive(pid)], "a tab's app outlived the server"
    assert log_line("Session {number} ended: {address}, after {duration}", number=1).search(server.output)
    page.close()
