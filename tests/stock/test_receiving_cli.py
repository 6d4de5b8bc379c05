"""``pos-admin stock receive|return|receipts|receipt|payables``: files, JSON, every bad row named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from test_receiving_support import CAY, Goods, goods_fixture, quick_pins

from pos_tui.store import models as m

__all__ = ["goods_fixture", "quick_pins"]  # fixtures used by name

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_receive_a_turkish_csv_and_print_json(goods: Goods, cli: Callable[..., Any], tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "irsaliye.csv",
        "Barkod;Kod;Miktar;Birim_Maliyet;KDV;İskonto\n"
        f"{CAY};;10;33,33;;\n"
        ";1004;2;1.234,50;20;34,50\n"
        ";00123;1,5;20;1;\n",
    )
    result = cli(
        "stock",
        "receive",
        str(file),
        "--supplier",
        "ACME",
        "--document",
        "IRS-2026-77",
        "--date",
        "2026-11-01",
        "--due",
        "2026-12-01",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert {k: doc[k] for k in ("number", "supplier", "document", "date", "due", "location")} == {
        "number": 1,
        "supplier": "ACME",
        "document": "IRS-2026-77",
        "date": "2026-11-01",
        "due": "2026-12-01",
        "location": "MAGAZA",
    }
    assert isinstance(doc["id"], int)
    assert [(ln["code"], ln["qty"], ln["unit_cost"], ln["discount"], ln["net"]) for ln in doc["lines"]] == [
        ("1003", "10", "33.33", "0.00", "333.30"),
        ("1004", "2", "1234.50", "34.50", "2434.50"),
        ("00123", "1.5", "20.00", "0.00", "30.00"),
    ]
    assert doc["totals"] == [
        {"kdv_rate": 1, "net": "30.00", "kdv": "0.30", "gross": "30.30"},
        {"kdv_rate": 20, "net": "2767.80", "kdv": "553.56", "gross": "3321.36"},
    ]
    assert doc["total"] == "3351.66"
    shown = cli("stock", "receipt", "1", "--json")
    assert json.loads(shown.stdout)["lines"] == doc["lines"]
    listed = json.loads(cli("stock", "receipts", "--supplier", "ACME", "--json").stdout)
    assert [(r["number"], r["total"]) for r in listed] == [(1, "3351.66")]


def test_every_bad_row_is_named_and_nothing_is_written(goods: Goods, cli: Callable[..., Any], tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "bad.csv",
        "barcode,code,qty,unit_cost,kdv_rate,discount\n"
        f"{CAY},,2,10.00,,\n"  # good
        ",9999,1,1.00,,\n"  # line 3: unknown product
        ",1003,1.5,10.00,,\n"  # line 4: half a piece
        ",1004,abc,x,,\n"  # line 5: qty and unit_cost
        ",1002,1,5.00,18,\n"  # line 6: KDV rate
        ",1002,1,5.00,,9.00\n",  # line 7: discount above the line
    )
    result = cli("stock", "receive", str(file), "--supplier", "ACME", "--json")
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [
        (3, "code"),
        (4, "qty"),
        (5, "qty"),
        (5, "unit_cost"),
        (6, "kdv_rate"),
        (7, "discount"),
    ]
    assert m.StockDocument.select().count() == 0 and m.StockMovement.select().count() == 0
    plain = cli("stock", "receive", str(file), "--supplier", "ACME", env={"POS_LANG": "tr"})
    assert plain.exit_code == 1
    assert "bad.csv" in plain.stderr and "5" in plain.stderr


def test_return_with_lines_and_payables(goods: Goods, cli: Callable[..., Any], tmp_path: Path) -> None:
    file = write(tmp_path, "in.json", json.dumps([{"code": "1003", "qty": 10, "unit_cost": "50"}]))
    assert cli("stock", "receive", str(file), "--supplier", "BETA", "--document", "B-9").exit_code == 0
    result = cli("stock", "return", "1", "--line", f"{CAY}=4", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["kind"] == "supplier_return" and doc["receipt"] == 1 and doc["total"] == "240.00"
    too_many = cli("stock", "return", "1", "--line", "1003=7")
    assert too_many.exit_code == 1 and "6" in too_many.stderr
    owed = json.loads(cli("stock", "payables", "--json").stdout)
    assert [(p["kind"], p["amount"]) for p in owed] == [("receipt", "600.00"), ("supplier_return", "-240.00")]


def test_pos_admin_in_a_real_process(goods: Goods, db_path: Path, tmp_path: Path) -> None:
    file = write(tmp_path, "in.csv", f"barkod,miktar,birim_maliyet\n{CAY},3,12.00\n")
    env = {
        **os.environ,
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "tr",
        "PYTHONPATH": str(REPO),
    }
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pos_tui.cli.app",
            "stock",
            "receive",
            str(file),
            "--supplier",
            "ACME",
            "--kdv-included",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "36,00" in run.stdout  # the gross, written the Turkish way


def test_a_return_file_names_every_bad_row(goods: Goods, cli: Callable[..., Any], tmp_path: Path) -> None:
    file = write(tmp_path, "in.csv", "kod;miktar;birim_maliyet\n1003;5;10\n1004;2;3\n")
    assert cli("stock", "receive", str(file), "--supplier", "ACME").exit_code == 0
    back = write(tmp_path, "iade.csv", "satir;miktar\n1;2\n2;x\n9;1\n1;4\n")
    result = cli("stock", "return", "1", str(back), "--json")
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    # line 3: not a quantity; line 4: no receipt line 9; line 5: 2 + 4 of 5 is more than received
    assert [(e["line"], e["field"]) for e in errors] == [(3, "qty"), (4, "line"), (5, "qty")]
    assert m.StockDocument.select().count() == 1
    unknown = write(tmp_path, "bad.csv", "kod;miktar;fiyatt\n1003;1;1\n")
    refused = cli("stock", "receive", str(unknown), "--supplier", "ACME", "--json")
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["errors"][0]["field"] == "fiyatt"
