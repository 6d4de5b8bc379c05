"""The newcomer's CLI findings (issue 14, items 2, 7, 15, 17): a bad ``--output`` records nothing and a
recorded gider pusulası prints again; invoice numbers whole at 80 columns; errors in the shop's words; a
wrong VKN, a missing permission, an e-mail without a domain, ``status --json``'s message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from einvoice_support import TCKN, Shop, consumer_draft, issue

from pos_tui.core import einvoice, till
from pos_tui.store import models as m

Cli = Callable[..., Any]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _shop_clock(monkeypatch: pytest.MonkeyPatch, shop: Shop) -> None:
    """The CLI's clock at the fixtures' moment (GİB refuses an invoice dated after the real today)."""
    from pos_tui.cli import common, einvoice_issue, einvoice_send, einvoice_trade

    for module in (common, einvoice_trade, einvoice_issue, einvoice_send):
        monkeypatch.setattr(module, "now", lambda: shop.now + timedelta(hours=3))


def _invoiced_return(shop: Shop) -> tuple[einvoice.IssuedInvoice, Any]:
    buyer = einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz", district="Kadıköy", city="İstanbul")
    inv = einvoice.invoice_sales(
        [shop.sale.sale_id], actor=shop.books.ayse, terminal="T1", now=shop.now, settings=shop.settings, customer=buyer
    )
    ret = till.create_return(
        "T1",
        shop.books.ayse,
        shop.sale.uid,
        [till.ReturnLineInput(2, 1_000)],
        now=shop.now + timedelta(hours=1),
        reason="Bozuk",
    )
    return inv, ret


def test_a_bad_output_records_nothing_and_a_recorded_slip_prints_again(cli: Cli, shop: Shop, tmp_path: Path) -> None:
    inv, ret = _invoiced_return(shop)
    receipt = f"T1/{ret.receipt_no}"
    bad = cli("einvoice", "return-document", receipt, "--kind", "gider_pusulasi", "--output", "/nonexistent/gp.pdf")
    assert bad.exit_code == 1 and "/nonexistent" in bad.stderr
    assert m.ReturnDocument.select().count() == 0  # nothing recorded: the command can simply be run again
    folder = tmp_path / "adir"
    folder.mkdir()
    as_folder = cli("einvoice", "return-document", receipt, "--kind", "gider_pusulasi", "--output", str(folder))
    assert as_folder.exit_code != 0 and m.ReturnDocument.select().count() == 0
    done = cli("einvoice", "return-document", receipt, "--kind", "gider_pusulasi", "--json")
    assert done.exit_code == 0, done.stderr
    number = json.loads(done.stdout)["number"]
    pdf = tmp_path / "again.pdf"
    again = cli("einvoice", "return-document-pdf", number, "--output", str(pdf), "--json")
    assert again.exit_code == 0, again.stderr
    data = json.loads(again.stdout)
    assert (data["number"], data["invoice"], data["output"]) == (number, inv.number, str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF") and m.ReturnDocument.select().count() == 1
    missing = cli("einvoice", "return-document-pdf", "GP2026000000099", "--output", str(pdf))
    assert missing.exit_code != 0 and "GP2026000000099" in missing.stderr
    nowhere = cli("einvoice", "return-document-pdf", number, "--output", "/nonexistent/x.pdf")
    assert nowhere.exit_code == 1 and "/nonexistent" in nowhere.stderr


def test_the_list_keeps_numbers_whole_at_80_columns_and_says_the_tills_status(cli: Cli, shop: Shop) -> None:
    for _ in range(3):
        issue(shop, consumer_draft(shop.settings, name="Çok Uzun Adlı Bir Alıcı Ticaret Limited Şirketi"))
    result = cli("einvoice", "list", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    for inv in einvoice.list_invoices():
        assert inv.number in result.stdout  # on one line, not split in two
        assert einvoice.status_label(inv.status) in result.stdout
    assert "Payable" in result.stdout


def test_output_table_keeps_whole_columns(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from rich.console import Console

    from pos_tui.cli import output

    # the console behind the lazy proxy: patching ``width`` on the proxy itself would leave an
    # attribute there when undone (the value read through the proxy), and every later table of this
    # process would be that wide whatever COLUMNS says
    monkeypatch.setattr(output.stdout, "_console", Console(width=40, soft_wrap=True, highlight=False))
    code = "5468dd36-1234-4abc-9def-0123456789ab"
    output.table(["ETTN", "Name"], [[code, "A rather long name that wraps"]], whole=(0,))
    assert code in capsys.readouterr().out


def test_os_errors_are_said_in_the_shops_words(cli: Cli, shop: Shop, tmp_path: Path) -> None:
    from pos_tui.cli.einvoice_common import os_reason

    assert os_reason(FileNotFoundError(2, "No such file or directory")) == "no such file or folder"
    inv = issue(shop, consumer_draft(shop.settings))
    result = cli("einvoice", "render", inv.number, "--output", str(tmp_path / "none" / "a.pdf"))
    assert result.exit_code == 1 and str(tmp_path / "none" / "a.pdf") in result.stderr
    assert "No such file" not in result.stderr and "no such file or folder" in result.stderr


def test_xsd_findings_are_led_by_what_they_are_about(cli: Cli, shop: Shop, tmp_path: Path) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    xml = einvoice.invoice_xml(inv.id).replace(b"<cbc:CopyIndicator>false</cbc:CopyIndicator>", b"")
    broken = tmp_path / "mix.xml"
    broken.write_bytes(xml)
    result = cli("einvoice", "validate", str(broken))
    assert result.exit_code == 1
    assert "an element is missing, extra or out of order: Element" in result.stdout
    cut = tmp_path / "cut.xml"
    cut.write_bytes(xml[:200])
    result = cli("einvoice", "validate", str(cut))
    assert result.exit_code == 1 and "the file is not well-formed XML: " in result.stdout


def test_a_malformed_simulator_state_names_the_file_not_python(cli: Cli, shop: Shop, tmp_path: Path) -> None:
    from pos_tui.core.einvoice import providers

    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "simulator.json").write_text("", encoding="utf-8")
    sim = providers.SimulatorProvider(tmp_path / "box")
    with pytest.raises(providers.ProviderUnavailable) as caught:
        sim.snapshot()
    assert "simulator.json, line 1, column 1" in caught.value.message and "Expecting" not in caught.value.message


def test_a_malformed_folder_answer_names_the_file_not_python(tmp_path: Path) -> None:
    from pos_tui.core.einvoice import providers
    from pos_tui.core.einvoice.providers.folder import read_status_file

    with pytest.raises(providers.ProviderUnavailable) as caught:
        read_status_file(tmp_path / "x.json", "{", "u")
    assert "x.json, line 1, column 2" in caught.value.message and "Expecting" not in caught.value.message


def test_lookup_of_a_wrong_vkn_says_it_is_not_valid(cli: Cli, shop: Shop) -> None:
    result = cli("einvoice", "users", "lookup", "1234567800")
    assert result.exit_code != 0 and "1234567800" in result.stderr
    assert "not in GİB's user list" not in result.stderr + result.stdout and "e-Arşiv" not in result.stderr


def test_a_missing_permission_names_it_and_the_user_option(cli: Cli, shop: Shop) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    result = cli("einvoice", "cancel", inv.number, "--reason", "Yanlış", "--yes", "--user", "ayse")
    assert result.exit_code != 0
    assert "'einvoice'" in result.stderr and "--user mehmet" in result.stderr and "PIN" not in result.stderr


def test_an_email_without_a_domain_is_refused(cli: Cli, shop: Shop) -> None:
    args = ["einvoice", "issue", str(shop.sale.sale_id), "--customer", TCKN, "--name", "Ayşe Yılmaz"]
    result = cli(*args, "--email", "x@y")
    assert result.exit_code == 1 and "x@y" in result.stderr and "name@example.com" in result.stderr
    assert m.EInvoice.select().count() == 0
    assert cli(*args, "--email", "ayse@example.com.tr").exit_code == 0


def test_status_json_carries_the_message_of_a_failed_ask(cli: Cli, shop: Shop, tmp_path: Path) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    text = (REPO / "config" / "pos.toml").read_text(encoding="utf-8")
    text = text.replace('driver = "folder"', 'driver = "simulator"')
    (tmp_path / "pos.toml").write_text(text, encoding="utf-8")
    env = {"POS_CONFIG": str(tmp_path / "pos.toml")}
    m.EInvoiceQueue.update(status="sent").where(m.EInvoiceQueue.invoice == inv.id).execute()  # never at this one
    result = cli("einvoice", "status", inv.number, "--json", env=env)
    data = json.loads(result.stdout)
    assert data["event"] == "error"
    assert data["message"] and data["message"] == data["events"][-1]["message"]
    # the integrator does not know the ETTN: a script sees exit 1 (the try is recorded all the same)
    assert result.exit_code == 1 and "gave no answer" in result.stderr


def test_a_real_process_lists_whole_numbers_and_refuses_a_bad_output(shop: Shop, tmp_path: Path) -> None:
    inv, ret = _invoiced_return(shop)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_DB": str(tmp_path / "pos.sqlite3"),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "en",
        "POS_TERMINAL": "T1",
        "COLUMNS": "80",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pos_tui.cli.app", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    listed = run("einvoice", "list")
    assert listed.returncode == 0, listed.stderr
    assert inv.number in listed.stdout
    bad = run(
        "einvoice", "return-document", f"T1/{ret.receipt_no}", "--kind", "gider_pusulasi", "-o", "/nonexistent/g.pdf"
    )
    assert bad.returncode == 1 and "/nonexistent" in bad.stderr
    assert m.ReturnDocument.select().count() == 0
