"""pos-admin accounts add|update|list|import|show|opening|correct|cancel|entries|statement|reconcile|aging|forecast."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accounts_support import TCKN, VKN, Books, books_fixture, post, quick_pins  # noqa: F401

from pos_tui.core import accounts
from pos_tui.core.kernel import NotFound

REPO = Path(__file__).resolve().parents[2]
Cli = Callable[..., Any]


def ok(result: Any) -> Any:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def test_add_update_list(cli: Cli, books: Books) -> None:
    ok(
        cli(
            "accounts", "add", "MARKET", "--name", "Yıldız Market", "--kind", "customer", "--vkn", VKN,
            "--tax-office", "Üsküdar", "--terms", "15", "--credit-limit", "2.500,00", "--phone", "0533 444 55 66",
            "--email", "market@example.com", "--card", "AC-0001",
        )
    )  # fmt: skip
    ok(cli("accounts", "add", "HASAN", "--name", "Hasan Usta", "--kind", "tedarikçi", "--tckn", TCKN))
    bad = cli("accounts", "add", "KOTU", "--name", "Kötü", "--vkn", "1234567891")
    assert bad.exit_code == 1 and "VKN" in bad.stderr
    ok(cli("accounts", "update", "MARKET", "--credit-limit", "3000", "--notes", "Pazartesi öder"))
    post(books, books.bakkal, accounts.SALE, "120.00")
    data = {p["code"]: p for p in json.loads(ok(cli("accounts", "list", "--json")).stdout)}
    assert set(data) == {"ACME", "BAKKAL", "HASAN", "MARKET"}
    assert data["MARKET"]["credit_limit"] == "3000.00" and data["MARKET"]["terms"] == 15
    assert data["MARKET"]["phone"] == "+905334445566" and data["MARKET"]["notes"] == "Pazartesi öder"
    assert data["HASAN"]["kind"] == "supplier" and data["BAKKAL"]["balance"] == "120.00"
    customers = json.loads(ok(cli("accounts", "list", "--kind", "customer", "--json")).stdout)
    assert [p["code"] for p in customers] == ["BAKKAL", "MARKET"]
    human = ok(cli("accounts", "list", env={"POS_LANG": "tr", "COLUMNS": "200"})).stdout
    assert "120,00" in human and "Yıldız Market" in human


GOOD_CSV = """Kod;Ünvan;Tür;VKN;TCKN;Vergi Dairesi;Adres;Telefon;E-posta;Vade (gün);Kredi Limiti;Notlar
MANAV;Taze Manav;müşteri;;{tckn};;Çarşı Cad. 5;0532 000 11 22;;30;1.500,00;
BAKKAL;;;;;;;;;45;;Artık 45 gün
TOPTANCI;Toptan Gıda;tedarikçi;{vkn};;Kadıköy;;;satis@toptan.com;60;;
"""


def test_import_good_file_adds_and_updates(cli: Cli, books: Books, tmp_path: Path) -> None:
    path = tmp_path / "cariler.csv"
    path.write_text(GOOD_CSV.format(vkn=VKN, tckn=TCKN), encoding="utf-8")
    out = json.loads(ok(cli("accounts", "import", str(path), "--json")).stdout)
    assert (out["added"], out["updated"]) == (2, 1)
    bakkal = accounts.get_party("BAKKAL")
    assert (bakkal.terms_days, bakkal.notes, bakkal.name) == (45, "Artık 45 gün", "Köşe Bakkalı Ltd.")
    manav = accounts.get_party("MANAV")
    assert (manav.tckn, manav.credit_limit, manav.kind) == (TCKN, Decimal("1500.00"), "customer")
    assert accounts.get_party("TOPTANCI").kind == "supplier"


def test_import_json(cli: Cli, books: Books, tmp_path: Path) -> None:
    path = tmp_path / "cariler.json"
    path.write_text(json.dumps([{"kod": "J1", "unvan": "Json Ltd", "kredi limiti": "100,50", "vade": 10}]))
    ok(cli("accounts", "import", str(path)))
    assert accounts.get_party("J1").credit_limit == Decimal("100.50")


def test_import_bad_file_names_every_row_and_writes_nothing(cli: Cli, books: Books, tmp_path: Path) -> None:
    path = tmp_path / "kotu.csv"
    path.write_text(
        "kod,unvan,tür,vkn,vade (gün),kredi limiti,telefon\n"
        "YENI,Yeni Müşteri,müşteri,,30,100,\n"  # good
        "X1,Bir,uzaylı,1234567891,otuz,-5,12\n"  # kind, vkn, terms, limit, phone
        ",İsimsiz,,,,,\n"  # no code
        "X2,,,,,,\n"  # new account without a name
        "YENI,Tekrar,,,,,\n",  # the code twice
        encoding="utf-8",
    )
    before = accounts.count_parties()
    result = cli("accounts", "import", str(path), env={"POS_LANG": "tr"})
    assert result.exit_code == 1
    err = result.stderr
    assert "nothing imported" not in err  # Turkish
    for line in ("3", "4", "5", "6"):
        assert f"{line}. satır" in err or f"satır {line}" in err or f"line {line}" in err, err
    assert accounts.count_parties() == before
    with pytest.raises(NotFound):
        accounts.get_party("YENI")


def test_import_errors_in_english_name_fields(cli: Cli, books: Books, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("code,name,terms,credit_limit,vkn\nA1,Aa,otuz,abc,123\n", encoding="utf-8")
    err = cli("accounts", "import", str(path)).stderr
    assert "line 2" in err and "30" in err  # terms
    assert "VKN" in err and "'abc'" in err  # vkn, the limit
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("kod,renk\nA,mavi\n", encoding="utf-8")
    assert "renk" in cli("accounts", "import", str(unknown)).stderr


def test_show_json_fields(cli: Cli, books: Books) -> None:
    post(books, books.bakkal, accounts.SALE, "700.00", days=-40, due_days=30)
    post(books, books.bakkal, accounts.SALE, "500.50", days=-1, due_days=30)
    post(books, books.bakkal, accounts.COLLECTION, "-100.00", days=0)
    doc = json.loads(ok(cli("accounts", "show", "BAKKAL", "--as-of", "2026-11-01", "--json")).stdout)
    assert {"code", "name", "kind", "balance", "credit_limit", "available_credit", "overdue", "open_items"} <= set(doc)
    assert (doc["balance"], doc["credit_limit"], doc["available_credit"], doc["overdue"]) == (
        "1100.50", "1000.00", "0.00", "600.00",
    )  # fmt: skip
    assert [{k: i[k] for k in ("date", "due", "amount", "open")} for i in doc["open_items"]] == [
        {"date": "2026-09-22", "due": "2026-10-22", "amount": "700.00", "open": "600.00"},
        {"date": "2026-10-31", "due": "2026-11-30", "amount": "500.50", "open": "500.50"},
    ]
    assert all("document" in i for i in doc["open_items"])
    human = ok(cli("accounts", "show", "BAKKAL", "--as-of", "2026-11-01", env={"POS_LANG": "tr"})).stdout
    assert "1.100,50" in human and "Köşe Bakkalı" in human
    assert cli("accounts", "show", "YOK").exit_code == 1


def test_opening_correct_cancel_entries(cli: Cli, books: Books) -> None:
    o = json.loads(ok(cli("accounts", "opening", "BAKKAL", "250,00", "--date", "2026-01-01", "--json")).stdout)
    assert (o["kind"], o["amount"], o["due"]) == ("opening", "250.00", "2026-01-01")
    c = json.loads(ok(cli("accounts", "correct", "BAKKAL", "-10,50", "--reason", "yuvarlama", "--json")).stdout)
    assert c["amount"] == "-10.50"
    x = json.loads(ok(cli("accounts", "cancel", str(c["number"]), "--reason", "yanlış", "--yes", "--json")).stdout)
    assert (x["kind"], x["amount"]) == ("cancel", "10.50")
    again = cli("accounts", "cancel", str(c["number"]), "--reason", "yine", "-y")
    assert again.exit_code == 1 and "already cancelled" in again.stderr
    assert cli("accounts", "correct", "BAKKAL", "5", "--reason", "x", "--user", "ayse").exit_code == 1
    rows = json.loads(ok(cli("accounts", "entries", "BAKKAL", "--json")).stdout)
    assert [r["kind"] for r in rows] == ["opening", "correction", "cancel"]
    assert accounts.balance(books.bakkal.id) == Decimal("250.00")


def _ledger(books: Books) -> None:
    b = books.bakkal
    post(books, b, accounts.SALE, "100.00", days=-20, due_days=30)  # 2026-10-12
    post(books, b, accounts.SALE, "250.50", days=-5, due_days=30)  # 2026-10-27
    wrong = post(books, b, accounts.COLLECTION, "-80.00", days=-3)
    accounts.cancel_entry(wrong.number, reason="yanlış", actor=books.admin, terminal="T1", now=books.now)
    post(books, b, accounts.COLLECTION, "-75.25", days=-1)


ARGS = ("accounts", "statement", "BAKKAL", "--from", "2026-10-20", "--to", "2026-11-01")


def test_statement_json_and_csv(cli: Cli, books: Books) -> None:
    _ledger(books)
    doc = json.loads(ok(cli(*ARGS, "--format", "json")).stdout)
    assert doc["opening"] == "100.00" and doc["closing"] == "275.25"
    total = sum(Decimal(line["debit"]) - Decimal(line["credit"]) for line in doc["lines"])
    assert Decimal(doc["opening"]) + total == Decimal(doc["closing"])
    assert [line["cancelled"] for line in doc["lines"]] == [False, True, False, True]
    text = ok(cli(*ARGS, "--format", "csv", env={"POS_LANG": "tr"})).stdout
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [rows[0][i] for i in (1, 2, 4, 7)] == ["Tarih", "Vade", "Belge", "Bakiye"]  # Turkish headers
    assert rows[1][7] == "100,00" and rows[-1][7] == "275,25"
    assert len(rows) == 1 + 1 + 4 + 1


def test_statement_xlsx_and_pdf(cli: Cli, books: Books, tmp_path: Path) -> None:
    _ledger(books)
    xlsx = tmp_path / "ekstre.xlsx"
    ok(cli(*ARGS, "--format", "xlsx", "--output", str(xlsx)))
    cells = _xlsx_cells(xlsx)
    balances = [Decimal(v) for (r, c), v in sorted(cells.items()) if c == "H" and r > 5]
    assert balances[0] == 100 and balances[-1] == Decimal("275.25")
    assert cells[(6, "D")] == "Opening balance" and "BAKKAL" in cells[(2, "A")]
    pdf = tmp_path / "ekstre.pdf"
    ok(cli(*ARGS, "--output", str(pdf)))
    _pdf_text(pdf, "BAKKAL")
    assert cli(*ARGS, "--format", "pdf").exit_code == 2  # needs --output


def _xlsx_cells(path: Path) -> dict[tuple[int, str], str]:
    """{(row, column letter): text} of the first sheet (numbers as written, shared strings resolved)."""
    import re
    import zipfile
    from xml.etree import ElementTree

    ns = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as z:
        shared = [
            "".join(t.text or "" for t in si.iter(f"{{{ns['x']}}}t"))
            for si in ElementTree.fromstring(z.read("xl/sharedStrings.xml")).findall("x:si", ns)
        ]
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    cells: dict[tuple[int, str], str] = {}
    for c in sheet.iter(f"{{{ns['x']}}}c"):
        ref = re.fullmatch(r"([A-Z]+)(\d+)", c.attrib["r"])
        assert ref is not None
        v = c.find("x:v", ns)
        if v is None or v.text is None:
            continue
        cells[(int(ref.group(2)), ref.group(1))] = shared[int(v.text)] if c.attrib.get("t") == "s" else v.text
    return cells


def _pdf_text(path: Path, *needles: str) -> str:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    doc = pdfium.PdfDocument(str(path))
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    for needle in needles:
        assert needle in text, text[:500]
    return text


def test_reconcile_letter(cli: Cli, books: Books, tmp_path: Path) -> None:
    _ledger(books)
    pdf = tmp_path / "mutabakat.pdf"
    ok(cli("accounts", "reconcile", "BAKKAL", "--as-of", "2026-11-01", "--output", str(pdf)))
    text = _pdf_text(pdf, "Köşe Bakkalı Ltd.", "275.25", "01.11.2026")
    assert "owes" in text


def test_aging_json(cli: Cli, books: Books) -> None:
    _ledger(books)
    post(books, books.acme, accounts.RECEIPT, "-400.00", days=-50, due_days=45)
    doc = json.loads(ok(cli("accounts", "aging", "--as-of", "2026-12-15", "--json")).stdout)
    assert set(doc) >= {"as_of", "parties", "totals"}
    parties = {p["code"]: p for p in doc["parties"]}
    assert set(parties["BAKKAL"]["buckets"]) == {"0-30", "31-60", "61-90", "90+"}
    for p in parties.values():
        assert Decimal(p["not_due"]) + sum(Decimal(v) for v in p["buckets"].values()) == Decimal(p["total"])
    assert parties["BAKKAL"]["total"] == "275.25" and parties["ACME"]["total"] == "-400.00"
    custom = json.loads(
        ok(
            cli("accounts", "aging", "--as-of", "2026-12-15", "--buckets", "15,45", "--kind", "customer", "--json")
        ).stdout
    )
    assert list(custom["parties"][0]["buckets"]) == ["0-15", "16-45", "45+"]
    assert [p["code"] for p in custom["parties"]] == ["BAKKAL"]
    assert cli("accounts", "aging", "--buckets", "x").exit_code == 1
    ok(cli("accounts", "aging", "--as-of", "2026-12-15", env={"POS_LANG": "tr"}))


def test_forecast_json(cli: Cli, books: Books) -> None:
    _ledger(books)
    doc = json.loads(ok(cli("accounts", "forecast", "--from", "2026-11-20", "--to", "2026-12-31", "--json")).stdout)
    assert doc["groups"][0]["overdue"] is True and doc["total"] == "275.25"
    ok(cli("accounts", "forecast", "--from", "2026-11-20", "--by", "week"))


def test_statement_in_a_real_process(books: Books, db_path: Path, tmp_path: Path) -> None:
    _ledger(books)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "en",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", *ARGS, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["closing"] == "275.25"
