"""pos-admin stock show|card|levels|low|idle|shrinkage|negative: JSON fields as named, CSV, Turkish tables."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_reports_support import Shop, at, build_shop

from pos_tui.settings import Settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(db: object, settings: Settings) -> Shop:
    return build_shop(settings, at(11, 1, 7))


Cli = Callable[..., Any]


def ok(result: Any) -> Any:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def test_show_json_has_the_issue_fields(cli: Cli, shop: Shop) -> None:
    doc = json.loads(ok(cli("stock", "show", "1001", "--json")).stdout)
    assert {"code", "name", "on_hand", "by_location", "avg_cost", "value", "last_purchase"} <= set(doc)
    assert (doc["on_hand"], doc["by_location"], doc["avg_cost"], doc["value"]) == (
        "30",
        {"DEPO": "27", "MAGAZA": "3"},
        "11.26",
        "337.78",
    )
    assert doc["last_purchase"] == {
        "supplier": "S1",
        "supplier_name": "Süt A.Ş.",
        "unit_cost": "12.00",
        "date": "2026-10-03",
    }
    assert (doc["min_stock"], doc["unit"], doc["negative"]) == ("40", "piece", False)


def test_show_in_turkish(cli: Cli, shop: Shop) -> None:
    out = ok(cli("stock", "show", "2001", env={"POS_LANG": "tr"})).stdout
    assert "-0,750 kg" in out and "5,000 kg" in out  # on hand and the minimum, the Turkish way
    result = cli("stock", "show", "9999", env={"POS_LANG": "tr"})
    assert result.exit_code == 1 and "9999" in result.stderr


def test_card_json_exactly_as_named(cli: Cli, shop: Shop) -> None:
    doc = json.loads(ok(cli("stock", "card", "1001", "--from", "2026-10-04", "--to", "2026-10-15", "--json")).stdout)
    assert {"code", "opening", "movements", "closing"} <= set(doc)
    assert (doc["code"], doc["opening"], doc["closing"]) == ("1001", "25", "32")
    assert [set(r) >= {"at", "kind", "document", "qty_in", "qty_out", "balance", "unit_cost"} for r in doc["movements"]]
    assert [(r["document"], r["qty_out"], r["balance"]) for r in doc["movements"]] == [
        ("T1-1", "3", "22"),
        ("receipt 3", "0", "32"),
    ]


def test_a_card_without_movements_is_still_json(cli: Cli, shop: Shop) -> None:
    doc = json.loads(ok(cli("stock", "card", "1002", "--from", "2026-11-02", "--json")).stdout)
    assert (doc["opening"], doc["movements"], doc["closing"]) == ("3", [], "3")
    assert "No movements in this period" in ok(cli("stock", "card", "1002", "--from", "2026-11-02")).stderr
    assert "No stock on hand 01.01.2026" in ok(cli("stock", "levels", "--as-of", "2026-01-01")).stderr


def test_card_csv_and_location(cli: Cli, shop: Shop) -> None:
    out = ok(cli("stock", "card", "1001", "--location", "MAGAZA", "--csv")).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["kind"], r["balance"]) for r in rows] == [("transfer_in", "8"), ("sale", "5"), ("adjust", "3")]
    both = cli("stock", "card", "1001", "--json", "--csv")
    assert both.exit_code == 2


def test_card_table_limits_with_a_note(cli: Cli, shop: Shop) -> None:
    result = ok(cli("stock", "card", "1001", "--limit", "2"))
    assert "Opening balance: 22" in result.stdout and "Closing balance: 30" in result.stdout
    assert "last 2 of 9 movements" in result.stderr
    assert "receipt 3" in result.stdout and "T1-1" not in result.stdout
    bad = cli("stock", "card", "1001", "--from", "2026-13-01")
    assert bad.exit_code == 2 and "--from" in bad.stderr


def test_levels_json_csv_and_as_of(cli: Cli, shop: Shop) -> None:
    doc = json.loads(ok(cli("stock", "levels", "--as-of", "2026-10-04", "--json")).stdout)
    a = {r["location"]: (r["qty"], r["value"]) for r in doc["rows"] if r["code"] == "1001"}
    assert a == {"DEPO": ("17", "204.00"), "MAGAZA": ("8", "96.00")}
    grouped = json.loads(ok(cli("stock", "levels", "--by", "location", "--json")).stdout)
    assert grouped["rows"] == [
        {"key": "DEPO", "products": 1, "lines": 1, "value": "304.00", "negative": 0},
        {"key": "MAGAZA", "products": 2, "lines": 2, "value": "48.78", "negative": 1},
    ]
    assert grouped["totals"] == {"products": 2, "lines": 3, "value": "352.78", "negative": 1}
    rows = list(csv.DictReader(io.StringIO(ok(cli("stock", "levels", "--csv")).stdout)))
    assert [(r["code"], r["location"], r["qty"]) for r in rows][-1] == ("2001", "MAGAZA", "-0.75")
    assert cli("stock", "levels", "--by", "colour").exit_code == 2
    assert cli("stock", "levels", "--category", "Yok").exit_code == 1


def test_levels_table_in_turkish(cli: Cli, shop: Shop) -> None:
    out = ok(cli("stock", "levels", env={"POS_LANG": "tr"})).stdout
    assert "304,00" in out and "352,78" in out and "-0,750 kg" in out


def test_low_idle_negative_shrinkage(cli: Cli, shop: Shop) -> None:
    env = {"POS_NOW": ""}
    low = json.loads(ok(cli("stock", "low", "--json", env=env)).stdout)
    assert [r["code"] for r in low["rows"]] == ["2001", "1001"] and set(low["rows"][0]) >= {"suggestion", "daily_sales"}
    low_csv = list(csv.DictReader(io.StringIO(ok(cli("stock", "low", "--csv", "--location", "DEPO")).stdout)))
    assert {r["code"]: r["suggestion"] for r in low_csv} == {"1001": "13", "2001": "5"}
    idle = json.loads(ok(cli("stock", "idle", "--days", "20", "--json")).stdout)
    assert [r["code"] for r in idle["rows"]] == ["1001", "1002"]  # the clock is today: both long unsold
    neg = json.loads(ok(cli("stock", "negative", "--json")).stdout)
    assert neg["rows"] == [
        {
            "code": "2001",
            "name": "Peynir",
            "unit": "kg",
            "category": "Gıda",
            "location": "MAGAZA",
            "qty": "-0.75",
            "unit_cost": "40.00",
            "value": "0.00",
        }
    ]
    shrink = json.loads(ok(cli("stock", "shrinkage", "--by", "month", "--json")).stdout)
    assert shrink["rows"][0]["key"] == "2026-10" and shrink["rows"][0]["lost_value"] == "27.22"
    table = ok(cli("stock", "shrinkage", env={"POS_LANG": "tr"})).stdout
    assert "22,22" in table
    assert "No negative stock" in ok(cli("stock", "negative", "--location", "DEPO")).stderr


def test_a_real_process(shop: Shop, settings: Settings, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_DB": settings.db_url,
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "en",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "stock", "card", "8690000000111", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert (doc["code"], len(doc["movements"]), doc["closing"]) == ("1001", 9, "30")
