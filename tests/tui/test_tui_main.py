"""The ``pos`` entry point: options, the demo database, and one run in a real terminal."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pos_tui.__main__ import DEMO_DB, main, parser, prepare_database, settings_for
from pos_tui.core.till import documents
from pos_tui.store import close_database
from pos_tui.store import models as m
from pos_tui.tui.app import PosApp
from pos_tui.tui.screens.sale import SaleScreen

REPO = Path(__file__).resolve().parents[2]
SUGAR = "8690084041017"  # Toz Şeker 1 kg, 44,90 in fixtures/demo_products.csv
TEA = "8690073031029"  # Filiz Çay 500 g, 134,90


def env_for(home: Path) -> dict[str, str]:
    return {"POS_HOME": str(home), "POS_LANG": "en", "POS_CONFIG": str(REPO / "config" / "pos.toml")}


def test_demo_uses_its_own_database_and_options_win(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    assert settings_for(parser().parse_args(["--demo"]), env).db_url == str(tmp_path / DEMO_DB)
    assert settings_for(parser().parse_args([]), env).db_url == str(tmp_path / "pos.sqlite3")
    chosen = settings_for(parser().parse_args(["--demo", "--db", "x.sqlite3", "--terminal", "K2"]), env)
    assert (chosen.db_url, chosen.terminal_id) == ("x.sqlite3", "K2")


def test_a_bad_config_exits_with_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml" in capsys.readouterr().err


async def test_demo_database_is_filled_once_and_ready_to_sell(tmp_path: Path, now, till) -> None:
    settings = settings_for(parser().parse_args(["--demo"]), env_for(tmp_path))
    try:
        prepare_database(settings, demo=True)
        assert {u.name for u in m.User.select()} == {"ayse", "mehmet", "admin"}
        products = m.Product.select().count()
        assert products > 20
        prepare_database(settings, demo=True)  # a second start does not load it again
        assert m.Product.select().count() == products
        app = PosApp(settings, clock=lambda: now, demo=True)
        async with app.run_test(size=(100, 30)) as pilot:
            assert "ayse (cashier) 1111" in till.screen_text(pilot)
            await till.login(pilot, "1111")
            await till.type(pilot, "250", "enter")  # the opening float
            assert isinstance(app.screen, SaleScreen)
            await till.scan(pilot, SUGAR)
            await till.scan(pilot, TEA)
            await pilot.press("f8", "enter")
            await till.settle(pilot)
        # the demo's sales history is on T2; this terminal's (T1) first receipt is the sale above
        doc = documents.sale_document(m.Sale.get(m.Sale.terminal == "T1").id)
        assert (doc["total"], [ln["name"] for ln in doc["lines"]]) == ("179.80", ["Toz Şeker 1 kg", "Filiz Çay 500 g"])
    finally:
        close_database()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_sell_in_a_real_terminal_then_export(tmp_path: Path) -> None:
    """``pos --demo`` in tmux: log in, open the shift, scan two items, pay cash, quit; then
    ``pos-admin export sales --json`` shows the sale."""
    env = {**os.environ, **env_for(tmp_path), "TERM": "xterm-256color"}
    session = f"pos-e2e-{os.getpid()}"
    pos = [sys.executable, "-m", "pos_tui", "--demo"]
    # A server of our own (its own socket, no user config): a tmux server already running on
    # the machine would otherwise start the session with *its* environment.
    server = ["tmux", "-L", session, "-f", "/dev/null"]

    def tmux(*args: str) -> str:
        return subprocess.run([*server, *args], env=env, check=True, capture_output=True, text=True).stdout

    def wait_for(text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = tmux("capture-pane", "-p", "-t", session)
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{screen}")

    def alive() -> bool:
        return subprocess.run([*server, "has-session", "-t", session], env=env, capture_output=True).returncode == 0

    def send(*keys: str) -> None:
        tmux("send-keys", "-t", session, *keys)

    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", *pos)
    try:
        wait_for("Enter your PIN")
        send("1111", "Enter")
        wait_for("Open a shift")
        send("100", "Enter")
        wait_for("Barcode, PLU")
        send(SUGAR, "Enter")
        wait_for("Toz Şeker 1 kg")
        send(TEA, "Enter")
        wait_for("179.80")
        send("F8")
        wait_for("Cash received")
        send("200", "Enter")
        wait_for("Receipt T1/1")  # the receipt preview (no printer: on screen only)
        send("Enter")
        wait_for("Sale 1 done")
        send("C-q")
        wait_for("Enter your PIN")
        send("C-q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and alive():
            time.sleep(0.2)
        assert not alive(), "pos did not quit on Ctrl+Q at the login screen"
    finally:
        subprocess.run([*server, "kill-server"], env=env, capture_output=True)
    export = ("export", "sales", "--json", "--terminal", "T1")  # this terminal's: the demo's sales history is on T2
    exported = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "--db", str(tmp_path / DEMO_DB), *export],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    (sale,) = json.loads(exported.stdout)
    assert sale["total"] == "179.80" and sale["cashier"] == "ayse"
    assert [(p["method"], p["amount"], p["change"]) for p in sale["payments"]] == [("cash", "179.80", "20.20")]
