"""``pos-admin einvoice wholesale | supplier-return | return-document | return-documents``: JSON like ``einvoice
issue``, Turkish messages, errors on stderr with their exit code; one run in a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from einvoice_support import TCKN, Shop, assert_valid

from pos_tui.core import accounts, einvoice, till
from pos_tui.core.stock import receiving
from pos_tui.store import models as m

REPO = Path(__file__).resolve().parents[2]
FIELDS = {"id", "uuid", "number", "profile", "type", "status"}


@pytest.fixture(autouse=True)
def _shop_clock(monkeypatch: pytest.MonkeyPatch, shop: Shop) -> None:
    """The CLI's clock at the fixtures' moment (GİB refuses an invoice dated after the real today)."""
    from pos_tui.cli import common

    monkeypatch.setattr(common, "now", lambda: shop.now + timedelta(hours=3))
    from pos_tui.cli import einvoice_trade

    monkeypatch.setattr(einvoice_trade, "now", lambda: shop.now + timedelta(hours=3))


def test_wholesale_prints_the_invoice_as_json_and_posts_the_account(cli: Any, shop: Shop) -> None:
    result = cli("einvoice", "wholesale", "BAKKAL", "--line", "1001:10", "--line", "1003:2:100", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == FIELDS and (data["type"], data["profile"]) == ("SATIS", "EARSIVFATURA")
    assert_valid(einvoice.invoice_xml(data["id"]))
    entry = m.AccountEntry.get(m.AccountEntry.document == f"einvoice:{data['number']}")
    assert entry.amount == 30000


def test_wholesale_tevkifat_and_istisna_from_the_command_line(cli: Any, shop: Shop) -> None:
    result = cli(
        "einvoice", "wholesale", "BAKKAL", "--line", "1004:10", "--type", "TEVKIFAT", "--withholding", "602:9/10"
    )
    assert result.exit_code == 0, result.stderr
    inv = einvoice.list_invoices()[0]
    assert (inv.type, inv.payable) == ("TEVKIFAT", Decimal("722.50"))
    assert "722.50 on the account, due 01.12.2026" in result.stderr
    result = cli("einvoice", "wholesale", "BAKKAL", "--line", "1003:1", "--type", "ISTISNA", "--exemption", "301")
    assert result.exit_code == 0, result.stderr
    assert einvoice.list_invoices()[0].type == "ISTISNA"


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["--line", "1003"], "CODE:QTY", 2),
        (["--line", "1003:abc"], "quantity", 1),
        (["--line", "1003:1", "--type", "TEVKIFAT", "--withholding", "624"], "CODE:PERCENT", 1),
        (["--line", "1003:1", "--type", "ISTISNA", "--exemption", "351"], "not an exemption", 1),
        (["--line", "1003:1", "--user", "ayse"], "may not manage e-invoices", 1),
    ],
)
def test_wholesale_errors_go_to_stderr(cli: Any, shop: Shop, args: list[str], message: str, code: int) -> None:
    result = cli("einvoice", "wholesale", "BAKKAL", *args)
    assert result.exit_code == code and message in result.stderr and not result.stdout
    assert m.EInvoice.select().count() == 0


def test_supplier_return_and_turkish_output(cli: Any, shop: Shop) -> None:
    accounts.update_party(accounts.PartyInput(code="ACME", vkn="9876543209", tax_office="Kozyatağı"), now=shop.now)
    receipt = receiving.post_receipt(
        receiving.ReceiptInput(supplier="ACME", lines=(receiving.ReceiptLineInput("1003", 5_000, Decimal("90.00")),)),
        actor=shop.books.admin,
        now=shop.now,
        terminal="T1",
        kdv_rates=shop.settings.kdv_rates,
        tz=shop.settings.shop.timezone,
    )
    back = receiving.post_supplier_return(
        receipt.number,
        [receiving.SupplierReturnLineInput(2_000, line_no=1)],
        actor=shop.books.admin,
        now=shop.now,
        terminal="T1",
        tz=shop.settings.shop.timezone,
    )
    args = ("einvoice", "supplier-return", str(back.number), "--supplier-invoice", "ACM2026000000009")
    result = cli(*args, "--supplier-date", "01.11.2026", env={"POS_LANG": "tr"})
    assert result.exit_code == 0, result.stderr
    assert "ACM2026000000009" in result.stderr and "216,00" in result.stderr
    inv = einvoice.list_invoices()[0]
    assert (inv.type, inv.billing_ref, inv.payable) == ("IADE", "ACM2026000000009", Decimal("216.00"))
    result = cli(*args, "--supplier-date", "2026-13-01")
    assert result.exit_code == 2 and "--supplier-date" in result.stderr


def test_return_document_records_prints_and_lists(cli: Any, shop: Shop, tmp_path: Path) -> None:
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
    pdf = tmp_path / "gp.pdf"
    result = cli(
        "einvoice", "return-document", f"T1/{ret.receipt_no}", "--kind", "gider_pusulasi", "-o", str(pdf), "--json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["number"] == "GP2026000000001" and data["invoice"] == inv.number and data["output"] == str(pdf)
    assert data["amount"] == "120.00" and data["kdv"] == "20.00" and pdf.stat().st_size > 1000
    listed = cli("einvoice", "return-documents", inv.number, "--json")
    assert [d["number"] for d in json.loads(listed.stdout)] == ["GP2026000000001"]
    again = cli("einvoice", "return-document", f"T1/{ret.receipt_no}", "--kind", "gider_pusulasi")
    assert again.exit_code == 1 and "already has its document" in again.stderr
    human = cli("einvoice", "return-documents", inv.number, env={"POS_LANG": "tr", "COLUMNS": "160"})
    assert human.exit_code == 0 and "GP2026000000001" in human.stdout


def test_a_real_process_issues_a_wholesale_invoice(shop: Shop, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_DB": str(tmp_path / "pos.sqlite3"),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "en",
        "POS_TERMINAL": "T1",
    }
    code = (
        "import sys, datetime; from pos_tui.cli import common, einvoice_trade;"
        f" t = datetime.datetime.fromisoformat({shop.now.isoformat()!r});"
        " common.now = einvoice_trade.now = lambda: t;"
        " from pos_tui.cli.app import main; sys.argv = ['pos-admin'] + sys.argv[1:]; main()"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, "einvoice", "wholesale", "BAKKAL", "--line", "1002:4", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert set(json.loads(run.stdout)) == FIELDS
