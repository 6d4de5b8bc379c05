"""``pos-admin cheques`` through CliRunner (JSON only on stdout with ``--json``, errors on stderr
with exit codes) and one run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from accounts_support import Books, books_fixture, quick_pins  # noqa: F401

from pos_tui.core import accounts, audit
from pos_tui.settings import Settings

Cli = Callable[..., Any]
RECEIVE = ("cheques", "receive", "BAKKAL", "1.250,50", "--due", "15.12.2026", "--serial", "A1", "--bank", "Ziraat")


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def js(result: Any) -> Any:
    return json.loads(ok(result).stdout)


def test_receive_endorse_bounce_with_json(cli: Cli, books: Books) -> None:
    got = js(cli(*RECEIVE, "--branch", "Moda", "--account-no", "42", "--drawer", "Ali Veli", "--issue-date",
                 "2026-11-01", "--note", "ilk çek", "--json"))  # fmt: skip
    assert {k: got[k] for k in ("number", "status", "amount", "due", "party", "bank", "branch", "account_no")} == {
        "number": 1,
        "status": "portfolio",
        "amount": "1250.50",
        "due": "2026-12-15",
        "party": "BAKKAL",
        "bank": "Ziraat",
        "branch": "Moda",
        "account_no": "42",
    }
    assert got["drawer"] == "Ali Veli" and got["issue_date"] == "2026-11-01" and got["instrument"] == "cheque"
    assert [(e["kind"], e["note"], e["user"]) for e in got["events"]] == [("received", "ilk çek", "admin")]
    endorsed = js(cli("cheques", "endorse", "1", "--to", "ACME", "--json"))
    assert (endorsed["status"], endorsed["holder"]) == ("endorsed", "ACME")
    bounced = js(cli("cheques", "bounce", "1", "--json"))
    assert bounced["status"] == "bounced" and [e["kind"] for e in bounced["events"]][-1] == "bounced"
    assert accounts.balance(books.bakkal.id) == Decimal("0.00")
    assert accounts.balance(books.acme.id) == Decimal("0.00")
    shown = js(cli("cheques", "show", "1", "--json"))
    assert shown == bounced
    text = ok(cli("cheques", "show", "1"))
    assert "Ziraat / Moda" in text.stdout and "returned unpaid" in text.stdout


def test_deposit_collect_issue_pay_and_list(cli: Cli, books: Books) -> None:
    ok(cli(*RECEIVE))
    ok(cli("cheques", "receive", "BAKKAL", "300", "--due", "2027-01-10", "--kind", "senet"))
    ok(cli("cheques", "receive", "BAKKAL", "75", "--due", "01.12.2026", "--note-instrument"))
    assert js(cli("cheques", "deposit", "1", "--json"))["status"] == "deposited"
    assert js(cli("cheques", "collect", "1", "--json"))["status"] == "collected"
    assert js(cli("cheques", "collect", "2", "--json"))["status"] == "collected"
    issued = js(cli("cheques", "issue", "ACME", "500", "--due", "20.12.2026", "--serial", "K9", "--bank", "Vakıf",
                    "--json"))  # fmt: skip
    assert (issued["direction"], issued["status"], issued["number"]) == ("issued", "issued", 4)
    assert js(cli("cheques", "pay", "4", "--json"))["status"] == "paid"
    assert accounts.balance(books.bakkal.id) == Decimal("-1625.50")
    assert accounts.balance(books.acme.id) == Decimal("500.00")
    listed = js(cli("cheques", "list", "--json"))
    assert [(c["number"], c["instrument"], c["status"]) for c in listed] == [
        (3, "note", "portfolio"),
        (1, "cheque", "collected"),
        (4, "cheque", "paid"),
        (2, "note", "collected"),
    ]
    assert [c["number"] for c in js(cli("cheques", "list", "--status", "portfolio,paid", "--json"))] == [3, 4]
    some = js(cli("cheques", "list", "--due-from", "10.12.2026", "--due-to", "2026-12-31", "--json"))
    assert [c["number"] for c in some] == [1, 4]
    assert [c["number"] for c in js(cli("cheques", "list", "--party", "ACME", "--json"))] == [4]
    assert [c["number"] for c in js(cli("cheques", "list", "--direction", "issued", "--json"))] == [4]
    table = ok(cli("cheques", "list"))
    assert "in portfolio" in table.stdout and "1,250.50" in table.stdout and "promissory note" in table.stdout
    assert audit.verify(settings=books.settings).ok


def test_errors_go_to_stderr_with_an_exit_code(cli: Cli, books: Books) -> None:
    bad_date = cli("cheques", "receive", "BAKKAL", "10", "--due", "31.02.2026", "--serial", "1", "--bank", "B")
    assert bad_date.exit_code == 2 and "--due: '31.02.2026' is not a date" in bad_date.stderr
    no_bank = cli("cheques", "receive", "BAKKAL", "10", "--due", "2026-12-01")
    assert no_bank.exit_code == 1 and "A cheque needs its bank and serial number" in no_bank.stderr
    bad_amount = cli("cheques", "receive", "BAKKAL", "on lira", "--due", "2026-12-01", "--kind", "note")
    assert bad_amount.exit_code == 1 and "amount" in bad_amount.stderr
    ok(cli(*RECEIVE))
    ok(cli("cheques", "deposit", "1"))
    refused = cli("cheques", "endorse", "1", "--to", "ACME", "--json")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "is deposited to the bank; the step “endorse” is not possible" in refused.stderr
    missing = cli("cheques", "show", "7")
    assert missing.exit_code == 1 and "No cheque or note with the portfolio number 7" in missing.stderr
    cashier = cli("cheques", "collect", "1", "--user", "ayse")
    assert cashier.exit_code != 0 and "ayse may not" in cashier.stderr
    said = ok(cli("cheques", "collect", "1"))
    assert said.stdout == "" and "Cheque number 1 was collected: 1,250.50." in said.stderr


def test_senet_writes_the_pdf(cli: Cli, books: Books, tmp_path: Path) -> None:
    drafts = [
        accounts.EntryDraft(
            party_id=books.bakkal.id, kind="sale", amount=10000, at=books.now,
            due=(books.now + timedelta(days=30 * i)).date(), terminal="T1", user_id=books.admin.user_id,
            document="sale:WEB-9", installment=i,
        )
        for i in (1, 2)
    ]  # fmt: skip
    accounts.post_entries(drafts, now=books.now)
    out = tmp_path / "senet.pdf"
    got = js(cli("cheques", "senet", "WEB-9", "--output", str(out), "--json"))
    assert got["installments"] == [
        {"no": 1, "due": "2026-12-01", "amount": "100.00"},
        {"no": 2, "due": "2026-12-31", "amount": "100.00"},
    ]
    assert got["output"] == str(out) and got["total"] == "200.00"
    text = pdfium.PdfDocument(out)[0].get_textpage().get_text_range()
    assert "Yalnız yüz TL" in " ".join(text.split())
    none = cli("cheques", "senet", "NOPE", "--output", str(out))
    assert none.exit_code == 1 and "Sale NOPE has no installments on account" in none.stderr


def test_a_real_process_in_turkish(books: Books, settings: Settings) -> None:
    env = {**os.environ, "POS_DB": settings.db_url, "POS_HOME": str(settings.home), "POS_LANG": "tr"}
    env["POS_CONFIG"] = str(settings.source)
    env["POS_TERMINAL"] = "T1"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pos_tui.cli.app", *args], env=env, capture_output=True, text=True)

    got = run(*RECEIVE, "--json")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["status"] == "portfolio"
    bad = run("cheques", "pay", "1")
    assert bad.returncode == 1 and bad.stderr.startswith("hata: ")
