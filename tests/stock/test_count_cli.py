"""``pos-admin count``: open, list, show, import, post, reverse, cancel, sheet (CliRunner and
one real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from test_count_support import make_product, make_user, receive

from pos_tui.core.stock import ledger
from pos_tui.settings import Settings
from pos_tui.store import models as m


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime) -> dict[str, Any]:
    admin = make_user(settings, now, "admin", "admin")
    make_user(settings, now, "ayse", "cashier")
    cola = make_product(now, "C1", "Kola", barcodes=("8690000000011",), category="İçecek")
    water = make_product(now, "W1", "Su", barcodes=("8690000000028",), category="İçecek")
    bread = make_product(now, "B1", "Ekmek", barcodes=("8690000000035",), category="Fırın")
    cheese = make_product(now, "00042", "Peynir", unit="kg", barcodes=("8690000000042",))
    receive(cola, 10_000, 1_500, now, admin)
    receive(water, 20_000, 300, now, admin)
    receive(bread, 5_000, 400, now, admin)
    return {"admin": admin, "cola": cola, "water": water, "bread": bread, "cheese": cheese}


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_open_import_show_post_reverse(cli: Any, shop: dict[str, Any], tmp_path: Path) -> None:
    opened = _json(cli("count", "open", "--name", "Yıl sonu", "--json"))
    sid = opened["id"]
    assert opened["status"] == "open" and opened["location"] == "MAGAZA" and opened["blind"] is False
    handheld = tmp_path / "el.txt"
    handheld.write_text("barkod;miktar\n8690000000011;8\n8690000000028,21\n\n8690000000011\n8690000000042\t1,250\n")
    imported = _json(cli("count", "import", str(sid), str(handheld), "--json"))
    assert imported == {"id": sid, "lines": 4, "already": 0, "products": 3, "qty": "31.25"}
    again = _json(cli("count", "import", str(sid), str(handheld), "--json"))
    assert (again["lines"], again["already"]) == (0, 4)  # the same file counts once
    shown = _json(cli("count", "show", str(sid), "--json"))
    assert shown["id"] == sid and shown["status"] == "open"
    lines = {ln["code"]: ln for ln in shown["lines"]}
    c1 = lines["C1"]
    assert (c1["expected"], c1["counted"], c1["variance"], c1["variance_value"]) == ("10", "9", "-1", "-15.00")
    assert (lines["W1"]["variance"], lines["W1"]["variance_value"]) == ("1", "3.00")
    assert lines["00042"]["counted"] == "1.25"
    assert shown["lines"][0]["code"] == "C1"  # largest value first
    assert shown["uncounted"] == [{"code": "B1", "name": "Ekmek", "unit": "piece", "expected": "5"}]

    refused = cli("count", "post", str(sid))  # no terminal to answer the question
    assert refused.exit_code != 0
    posted = cli("count", "post", str(sid), "-y")
    assert posted.exit_code == 0, posted.stderr
    assert "1 uncounted products were left as they are" in posted.stderr
    assert ledger.on_hand(shop["cola"]) == 9_000 and ledger.on_hand(shop["bread"]) == 5_000
    listed = _json(cli("count", "list", "--json"))
    assert [(c["id"], c["status"]) for c in listed] == [(sid, "posted")]
    reversed_ = _json(cli("count", "reverse", str(sid), "-y", "--json"))
    assert reversed_["movements"] == 3
    assert ledger.on_hand(shop["cola"]) == 10_000
    listed = cli("count", "list")
    assert "reversed" in listed.stdout, listed.stdout
    audit = cli("audit", "verify", "--json")
    assert json.loads(audit.stdout)["ok"] is True, audit.stdout


def test_zero_uncounted_and_cancel(cli: Any, shop: dict[str, Any]) -> None:
    sid = _json(cli("count", "open", "--name", "İçecek", "--category", "İçecek", "--json"))["id"]
    cli("count", "cancel", str(sid), "-y")
    assert m.CountSession.get_by_id(sid).status == "cancelled"
    sid = _json(cli("count", "open", "--name", "İçecek", "--category", "İçecek", "--json"))["id"]
    shown = _json(cli("count", "show", str(sid), "--json"))
    assert sorted(u["code"] for u in shown["uncounted"]) == ["C1", "W1"]  # bread is not in scope
    posted = _json(cli("count", "post", str(sid), "--zero-uncounted", "-y", "--json"))
    assert (posted["uncounted"], posted["zeroed"], posted["movements"]) == ("zero", 2, 2)
    assert ledger.on_hand(shop["cola"]) == 0 and ledger.on_hand(shop["bread"]) == 5_000


def test_blind_count_shows_expected_only_to_managers(cli: Any, shop: dict[str, Any], tmp_path: Path) -> None:
    sid = _json(cli("count", "open", "--name", "Kör", "--blind", "--product", "C1", "--json"))["id"]
    handheld = tmp_path / "el.txt"
    handheld.write_text("8690000000011;3\n")
    assert cli("count", "import", str(sid), str(handheld), "--user", "ayse").exit_code == 0
    by_counter = _json(cli("count", "show", str(sid), "--user", "ayse", "--json"))
    (line,) = by_counter["lines"]
    assert (line["counted"], line["expected"], line["variance"], line["variance_value"]) == ("3", None, None, None)
    by_admin = _json(cli("count", "show", str(sid), "--json"))
    assert by_admin["lines"][0]["expected"] == "10"


def test_a_bad_handheld_file_names_every_bad_line(cli: Any, shop: dict[str, Any], tmp_path: Path) -> None:
    sid = _json(cli("count", "open", "--name", "x", "--json"))["id"]
    bad = tmp_path / "bad.csv"
    bad.write_text("8690000000011;2\n9999999999994;1\n8690000000011;1,5\n8690000000028;-3\n8690000000028;abc\n")
    result = cli("count", "import", str(sid), str(bad))
    assert result.exit_code != 0
    for line in ("line 2", "line 3", "line 4", "line 5"):
        assert line in result.stderr
    assert "line 1" not in result.stderr
    assert m.CountEvent.select().count() == 0  # all or nothing


def test_sheets(cli: Any, shop: dict[str, Any], tmp_path: Path) -> None:
    sid = _json(cli("count", "open", "--name", "Kağıt", "--json"))["id"]
    csv_path, xlsx_path, pdf_path = tmp_path / "s.csv", tmp_path / "s.xlsx", tmp_path / "s.pdf"
    assert cli("count", "sheet", str(sid), "--format", "csv", "--output", str(csv_path)).exit_code == 0
    head, *rows = csv_path.read_text().splitlines()
    assert head == "code,barcode,name,unit,location,expected,counted"
    assert "C1,8690000000011,Kola,piece,MAGAZA,10," in rows
    assert cli("count", "sheet", str(sid), "--format", "xlsx", "--output", str(xlsx_path)).exit_code == 0
    with zipfile.ZipFile(xlsx_path) as z:  # text cells: the barcode keeps every digit
        strings = z.read("xl/sharedStrings.xml").decode()
    assert "Kola" in strings and ">8690000000011<" in strings
    done = cli("count", "sheet", str(sid), "--format", "pdf", "--output", str(pdf_path), "--json")
    assert _json(done)["rows"] == 4
    assert pdf_path.read_bytes().startswith(b"%PDF")
    wrong = cli("count", "sheet", str(sid), "--format", "doc", "--output", str(pdf_path))
    assert wrong.exit_code != 0 and "pdf, csv or xlsx" in wrong.stderr


def test_turkish_output_in_a_real_process(shop: dict[str, Any], settings: Settings, cli: Any) -> None:
    sid = _json(cli("count", "open", "--name", "Süreç", "--json"))["id"]
    env = {**os.environ, "POS_DB": settings.db_url, "POS_HOME": str(settings.home), "POS_LANG": "tr"}
    env["POS_CONFIG"] = str(settings.source)
    done = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "count", "post", str(sid), "-y"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert m.CountSession.get_by_id(sid).status == "posted"
