"""``pos-admin einvoice send|status|cancel|run`` through CliRunner, and one run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from einvoice_support import Shop, consumer_draft, issue

from pos_tui.core import einvoice
from pos_tui.core.einvoice import providers

Cli = Callable[..., Any]
REPO = Path(__file__).resolve().parents[2]


def config(tmp_path: Path, driver: str) -> dict[str, str]:
    """A pos.toml whose [einvoice] driver is ``driver``."""
    text = (
        (REPO / "config" / "pos.toml").read_text(encoding="utf-8").replace('driver = "folder"', f'driver = "{driver}"')
    )
    path = tmp_path / "pos.toml"
    path.write_text(text, encoding="utf-8")
    return {"POS_CONFIG": str(path)}


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def js(result: Any) -> Any:
    return json.loads(ok(result).stdout)


def test_send_and_status_with_the_folder_driver(cli: Cli, shop: Shop, tmp_path: Path) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    sent = js(cli("einvoice", "send", inv.number, "--json"))
    assert (sent["id"], sent["uuid"], sent["status"], sent["event"], sent["attempt"]) == (
        inv.id,
        inv.uuid,
        "sent",
        "sent",
        1,
    )
    assert (tmp_path / "einvoice" / "out" / f"{inv.uuid}.xml").read_bytes() == einvoice.invoice_xml(inv.id)
    waiting = js(cli("einvoice", "status", str(inv.id), "--json"))
    assert waiting["status"] == "sent" and [e["kind"] for e in waiting["events"]] == ["queued", "sent"]
    (tmp_path / "einvoice" / "in").mkdir()
    answer = {"status": "accepted", "reference": "ENT-42", "code": "1300", "message": "Başarıyla tamamlandı"}
    (tmp_path / "einvoice" / "in" / f"{inv.uuid}.json").write_text(json.dumps(answer), encoding="utf-8")
    done = js(cli("einvoice", "status", inv.uuid, "--json"))
    assert (done["status"], done["reference"], done["code"]) == ("accepted", "ENT-42", "1300")
    assert done["events"][-1]["kind"] == "accepted" and done["events"][-1]["message"] == "Başarıyla tamamlandı"
    text = ok(cli("einvoice", "status", inv.number))
    assert f"Invoice {inv.number}: accepted" in text.stdout and "ENT-42" in text.stdout and "queued" in text.stdout
    refused = cli("einvoice", "send", inv.number)
    assert refused.exit_code == 1 and "accepted" in refused.stderr


def test_a_malformed_status_file_is_a_clear_error(cli: Cli, shop: Shop, tmp_path: Path) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    ok(cli("einvoice", "send", inv.number))
    (tmp_path / "einvoice" / "in").mkdir()
    path = tmp_path / "einvoice" / "in" / f"{inv.uuid}.json"
    path.write_text('{"status": "ok"}', encoding="utf-8")
    result = cli("einvoice", "status", inv.number)
    assert result.exit_code == 1 and str(path) in result.stderr and '"status"' in result.stderr


def test_run_once_with_the_simulator_and_an_unreachable_one(cli: Cli, shop: Shop, tmp_path: Path) -> None:
    first = issue(shop, consumer_draft(shop.settings))
    env = config(tmp_path, "simulator:timeouts=1")
    down = cli("einvoice", "run", "--once", env=env)
    assert down.exit_code == 1 and "could not be reached" in down.stderr
    assert einvoice.get_invoice(first.id).status == "queued"
    report = js(cli("einvoice", "run", "--once", "--json", env=config(tmp_path, "simulator")))
    assert report["steps"] == []  # the retry is not due yet: run --once respects the backoff
    sent = js(cli("einvoice", "send", first.number, "--json", env=env))
    assert (sent["status"], sent["attempt"]) == ("accepted", 2)
    second = issue(shop, consumer_draft(shop.settings))
    report = js(cli("einvoice", "run", "--once", "--json", env=config(tmp_path, "simulator")))
    assert [(s["number"], s["status"]) for s in report["steps"]] == [(second.number, "accepted")]
    assert report["accepted"] == 1 and report["errors"] == 0
    state = providers.SimulatorProvider(tmp_path / "einvoice").snapshot()
    assert sorted(state["invoices"]) == sorted([first.uuid, second.uuid])


def test_cancel_asks_and_needs_a_reason(cli: Cli, shop: Shop, tmp_path: Path) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    env = config(tmp_path, "simulator")
    ok(cli("einvoice", "run", "--once", env=env))
    no = cli("einvoice", "cancel", inv.number, "--reason", "İade", input="n\n", env=env)
    assert no.exit_code == 1 and einvoice.get_invoice(inv.id).status == "accepted"
    nobody = cli("einvoice", "cancel", inv.number, "--reason", "İade", "--user", "ayse", "--yes", env=env)
    assert nobody.exit_code == 1 and "ayse" in nobody.stderr
    done = js(cli("einvoice", "cancel", inv.number, "--reason", "Müşteri iade etti", "--yes", "--json", env=env))
    assert done["status"] == "cancelled" and done["message"].startswith("Müşteri iade etti")
    missing = cli("einvoice", "cancel", "AT12026999999999", "--reason", "x", "--yes")
    assert missing.exit_code == 1 and "No invoice" in missing.stderr


def test_run_once_as_a_real_process(shop: Shop, tmp_path: Path) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_HOME": str(tmp_path),
        "POS_DB": str(tmp_path / "pos.sqlite3"),
        "POS_LANG": "en",
        "POS_TERMINAL": "T1",
        **config(tmp_path, "simulator:later=1"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "einvoice", "run", "--once", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [(s["uuid"], s["status"], s["event"]) for s in report["steps"]] == [(inv.uuid, "sent", "sent")]
    assert einvoice.get_invoice(inv.id).status == "sent"


def test_the_loop_prints_a_json_line_per_pass_and_stops_on_ctrl_c(
    cli: Cli, shop: Shop, tmp_path: Path, monkeypatch: Any
) -> None:
    import time

    inv = issue(shop, consumer_draft(shop.settings))
    calls: list[float] = []

    def sleep(seconds: float) -> None:
        calls.append(seconds)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", sleep)
    result = ok(cli("einvoice", "run", "--interval", "5", "--json", env=config(tmp_path, "simulator:later=1")))
    passes = [json.loads(line) for line in result.stdout.splitlines()]
    assert calls == [5.0, 5.0] and len(passes) == 2
    assert [s["status"] for s in passes[0]["steps"]] == ["sent"] and passes[1]["steps"] == []
    assert einvoice.get_invoice(inv.id).status == "sent"
