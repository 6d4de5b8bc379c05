"""``pos-admin einvoice issue | list | validate`` (docs/einvoice-cases.md, "Commands")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cases_support import check_against_sales
from einvoice_support import TCKN, VKN, Shop
from lxml import etree
from money_support import cart_of, on_account, sell

from pos_tui.cli import einvoice_issue
from pos_tui.core import einvoice
from pos_tui.store import models as m

REPO = Path(__file__).resolve().parents[2]
Cli = Callable[..., Any]
FIRM_VKN = "4840847211"


@pytest.fixture(autouse=True)
def _shop_clock(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands issue at the fixtures' moment (a Sunday morning in Istanbul, in the past). At the real
    moment an invoice dated by the shop's clock (Istanbul) could be "after today" for GİB's TimeCheck run
    by a Saxon whose implicit timezone is the machine's UTC, between 21:00 and 24:00 UTC."""
    monkeypatch.setattr(einvoice_issue, "now", lambda: shop.now)


def ok(result: Any) -> Any:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def test_issue_a_receipt_to_a_consumer_json(cli: Cli, shop: Shop) -> None:
    out = ok(
        cli(
            "einvoice", "issue", f"T1/{shop.sale.receipt_no}", "--customer", TCKN, "--name", "Ayşe Yılmaz",
            "--address", "Bahariye Cad. 5, Kadıköy / İstanbul", "--email", "ayse@example.com", "--json",
        )
    )  # fmt: skip
    data = json.loads(out.stdout)
    assert list(data) == ["id", "uuid", "number", "profile", "type", "status"]
    assert (data["profile"], data["type"], data["status"]) == ("EARSIVFATURA", "SATIS", "queued")
    inv = einvoice.get_invoice(data["id"])
    assert (inv.number, inv.uuid, inv.sale_ids) == (data["number"], data["uuid"], (shop.sale.sale_id,))
    check_against_sales(inv, [shop.sale.sale_id])
    root = etree.fromstring(einvoice.invoice_xml(inv.id))
    address = root.find("{*}AccountingCustomerParty/{*}Party/{*}PostalAddress")
    assert [address.findtext(f"{{*}}{f}") for f in ("StreetName", "CitySubdivisionName", "CityName")] == [
        "Bahariye Cad. 5",
        "Kadıköy",
        "İstanbul",
    ]


def test_issue_human_output_in_turkish_and_to_a_registered_firm(cli: Cli, shop: Shop) -> None:
    m.EInvoiceUser.create(
        identifier=VKN,
        mailbox="urn:mail:defaultpk@bakkal.com.tr",
        title="Köşe Bakkalı",
        kind="PK",
        imported_at=shop.now,
    )
    out = ok(
        cli(
            "einvoice", "issue", str(shop.sale.receipt_no), "--customer", VKN, "--name", "Köşe Bakkalı Ltd.",
            "--tax-office", "Kadıköy", env={"POS_LANG": "tr"},
        )
    )  # fmt: skip
    (inv,) = einvoice.list_invoices()
    assert inv.profile == "TEMELFATURA" and inv.number.startswith("FT1")
    # amounts the Turkish way; the sentence itself is translated once the lead merges the catalogs
    assert inv.number in out.stderr and "(TEMELFATURA, SATIS)" in out.stderr and "140,00" in out.stderr
    assert "Köşe Bakkalı Ltd." in out.stderr and inv.uuid in out.stderr


def test_issue_to_an_account_and_a_periodic_invoice(cli: Cli, shop: Shop) -> None:
    first = sell(shop.books, cart_of(("1004", 1)), [on_account("85.00")], actor=shop.books.mehmet)
    second = sell(shop.books, cart_of(("1002", 2)), [on_account("65.00")], actor=shop.books.mehmet)
    data = json.loads(
        ok(
            cli(
                "einvoice",
                "issue",
                f"T1/{first.receipt_no}",
                f"T1/{second.receipt_no}",
                "--account",
                "BAKKAL",
                "--json",
            )
        ).stdout
    )
    inv = einvoice.get_invoice(data["number"])
    assert inv.sale_ids == (first.sale_id, second.sale_id) and inv.customer_id == VKN
    check_against_sales(inv, [first.sale_id, second.sale_id])
    # a cashier may invoice one sale, not several
    third = sell(shop.books, cart_of(("1001", 1)), [on_account("10.00")], actor=shop.books.mehmet)
    denied = cli(
        "einvoice", "issue", str(third.sale_id), str(shop.sale.sale_id), "--account", "BAKKAL", "--user", "ayse"
    )
    assert denied.exit_code != 0 and "may not manage e-invoices" in denied.stderr


def test_issue_errors_are_clear_and_write_nothing(cli: Cli, shop: Shop) -> None:
    cases = [
        (("T1/999", "--customer", TCKN, "--name", "Ayşe Yılmaz"), "No receipt T1/999"),
        ((str(shop.sale.sale_id),), "Whom is the invoice for?"),
        ((str(shop.sale.sale_id), "--customer", TCKN), "add --name"),
        ((str(shop.sale.sale_id), "--name", "Ayşe Yılmaz"), "give --customer too"),
        ((str(shop.sale.sale_id), "--customer", "12345678901", "--name", "Ayşe Yılmaz"), "TCKN 12345678901"),
        ((str(shop.sale.sale_id), "--customer", TCKN, "--name", "Ayşe Yılmaz", "--account", "BAKKAL"), "not both"),
        ((str(shop.sale.sale_id), "--account", "YOK"), "YOK"),
    ]
    for args, message in cases:
        result = cli("einvoice", "issue", *args)
        assert result.exit_code != 0 and message in result.stderr, (args, result.stderr)
    assert m.EInvoice.select().count() == 0
    ok(cli("einvoice", "issue", str(shop.sale.sale_id), "--customer", "11111111111"))  # the anonymous consumer
    again = cli("einvoice", "issue", str(shop.sale.sale_id), "--customer", TCKN, "--name", "Ayşe Yılmaz")
    assert again.exit_code == 1 and "already on invoice" in again.stderr
    turkish = cli("einvoice", "issue", "T1/999", "--customer", TCKN, "--name", "A B", env={"POS_LANG": "tr"})
    assert turkish.exit_code != 0 and "hata:" in turkish.stderr


def test_list_json_and_human(cli: Cli, shop: Shop) -> None:
    assert json.loads(ok(cli("einvoice", "list", "--json")).stdout) == []
    assert "No invoices" in ok(cli("einvoice", "list")).stderr
    other = sell(shop.books, cart_of(("1003", 1)), [on_account("120.00")], actor=shop.books.mehmet)
    ok(cli("einvoice", "issue", str(shop.sale.sale_id), "--customer", TCKN, "--name", "Ayşe Yılmaz"))
    ok(cli("einvoice", "issue", str(other.sale_id), "--account", "BAKKAL"))
    rows = json.loads(ok(cli("einvoice", "list", "--json")).stdout)
    assert [r["buyer"] for r in rows] == ["Köşe Bakkalı Ltd.", "Ayşe Yılmaz"]  # newest first
    assert set(rows[0]) >= {"number", "date", "buyer", "total", "profile", "type", "status"}
    assert [(r["total"], r["profile"], r["type"], r["status"]) for r in rows] == [
        ("120.00", "EARSIVFATURA", "SATIS", "queued"),
        ("140.00", "EARSIVFATURA", "SATIS", "queued"),
    ]
    assert len(json.loads(ok(cli("einvoice", "list", "--limit", "1", "--json")).stdout)) == 1
    assert json.loads(ok(cli("einvoice", "list", "--status", "accepted", "--json")).stdout) == []
    assert len(json.loads(ok(cli("einvoice", "list", "--status", "kuyrukta", "--json")).stdout)) == 2
    bad = cli("einvoice", "list", "--status", "bogus")
    assert bad.exit_code == 2 and "not a status" in bad.stderr
    human = ok(cli("einvoice", "list", env={"POS_LANG": "tr", "COLUMNS": "120"})).stdout
    day = einvoice.get_invoice(rows[0]["id"]).issued_at.strftime("%d.%m.%Y")
    assert day == "01.11.2026"  # the shop clock of the fixtures
    assert rows[0]["number"] in human and "140,00" in human and day in human
    narrow = ok(cli("einvoice", "list", env={"COLUMNS": "80"})).stdout
    assert all(len(line) <= 80 for line in narrow.splitlines()) and rows[1]["number"] in narrow


def test_validate_a_good_file_and_a_broken_one(cli: Cli, shop: Shop, tmp_path: Path) -> None:
    inv = einvoice.invoice_sales(
        [shop.sale.sale_id],
        actor=shop.books.ayse,
        terminal="T1",
        now=shop.now,
        settings=shop.settings,
        customer=einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz", district="Kadıköy", city="İstanbul"),
    )
    good = tmp_path / "good.xml"
    good.write_bytes(einvoice.invoice_xml(inv.id))
    result = ok(cli("einvoice", "validate", str(good)))
    assert result.stdout.startswith("good.xml: valid")
    assert json.loads(ok(cli("einvoice", "validate", str(good), "--json")).stdout) == {
        "file": str(good),
        "valid": True,
        "findings": [],
    }
    # two faults GİB's schematron finds: an invoice number of the wrong form and an unknown type
    text = good.read_text(encoding="utf-8")
    bad = tmp_path / "bad.xml"
    bad.write_text(
        text.replace(f"<cbc:ID>{inv.number}</cbc:ID>", "<cbc:ID>ABC123</cbc:ID>").replace(
            "<cbc:InvoiceTypeCode>SATIS</cbc:InvoiceTypeCode>", "<cbc:InvoiceTypeCode>SATIŞ</cbc:InvoiceTypeCode>"
        ),
        encoding="utf-8",
    )
    result = cli("einvoice", "validate", str(bad))
    assert result.exit_code == 1
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("bad.xml, line")]
    assert len(lines) >= 2, result.stdout
    assert any("InvoiceIDCheck" in ln for ln in lines) and any("InvoiceTypeCode" in ln for ln in lines), lines
    # each finding names the line of the element at fault (GİB's rules have the whole invoice as context)
    source = bad.read_text(encoding="utf-8").splitlines()
    id_line = next(i for i, ln in enumerate(source, 1) if "ABC123" in ln)
    type_line = next(i for i, ln in enumerate(source, 1) if "SATIŞ" in ln)
    assert any(f"line {id_line}:" in ln and "InvoiceIDCheck" in ln for ln in lines), (id_line, lines)
    assert any(f"line {type_line}:" in ln and "InvoiceTypeCodeCheck" in ln for ln in lines), (type_line, lines)
    assert "GİB would refuse it" in result.stderr
    doc = json.loads(cli("einvoice", "validate", str(bad), "--json").stdout)
    assert doc["valid"] is False and len(doc["findings"]) == len(lines)
    assert all(f["line"] for f in doc["findings"])


def test_validate_refuses_what_is_not_an_invoice_file(cli: Cli, tmp_path: Path) -> None:
    missing = cli("einvoice", "validate", str(tmp_path / "yok.xml"), env={"POS_LANG": "tr"})
    assert missing.exit_code == 1 and "yok.xml" in missing.stderr and "hata:" in missing.stderr
    folder = cli("einvoice", "validate", str(tmp_path))
    assert folder.exit_code == 1 and "folder" in folder.stderr
    broken = tmp_path / "broken.xml"
    broken.write_text("<Invoice><cbc:ID>", encoding="utf-8")
    result = cli("einvoice", "validate", str(broken))
    assert result.exit_code == 1 and "broken.xml, line 1: [xml syntax]" in result.stdout
    other = tmp_path / "note.xml"
    other.write_text("<?xml version='1.0'?>\n<note>hi</note>\n", encoding="utf-8")
    result = cli("einvoice", "validate", str(other))
    assert result.exit_code == 1 and "[xsd" in result.stdout


def test_issue_in_a_real_process(shop: Shop, db_path: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "en",
        "POS_TERMINAL": "T1",
        "TZ": "Europe/Istanbul",  # Saxon's today (GİB's TimeCheck) in the shop's zone, as on a till in Türkiye
    }
    args = ["einvoice", "issue", f"T1/{shop.sale.receipt_no}", "--customer", FIRM_VKN, "--name", "Yıldız İnşaat A.Ş."]
    done = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", *args, "--tax-office", "Üsküdar", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["profile"], data["status"]) == ("EARSIVFATURA", "queued")
    listed = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "einvoice", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    assert [r["number"] for r in json.loads(listed.stdout)] == [data["number"]]
