"""Imports name every bad row in one go: ``pricelists import`` (a bad value, an unknown product,
a product twice, a clash with an item already on the list, all in one report), ``accounts import
--json`` (the errors on stdout like the price lists), and a field named once in its error."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from accounts_support import Books, books_fixture  # noqa: F401

from pos_tui.core import accounts
from pos_tui.store import models as m

Cli = Callable[..., Any]


def test_pricelists_import_names_every_kind_of_bad_row_at_once(cli: Cli, books: Books, tmp_path: Path) -> None:
    prices = accounts.prices
    prices.add_price_list("TOPTAN", "Toptan", actor=books.admin, now=books.now)
    prices.set_price(
        "TOPTAN",
        prices.PriceInput("1002", price=Decimal("9.00"), valid_from=date(2026, 12, 1), valid_to=date(2026, 12, 31)),
        actor=books.admin,
        now=books.now,
        day=date(2026, 11, 1),
    )
    path = tmp_path / "toptan.csv"
    path.write_text(
        "kod;fiyat;başlangıç;bitiş\n"
        "1001;8,50;;\n"  # good
        "1003;abc;;\n"  # line 3: a bad price (found while reading)
        "9999;5,00;;\n"  # line 4: no such product
        "1004;5,00;;\n"  # good
        "1004;6,00;;\n"  # line 6: 1004 twice
        "1002;7,00;01.12.2026;15.12.2026\n",  # line 7: clashes with the item on the list
        encoding="utf-8",
    )
    result = cli("pricelists", "import", "TOPTAN", str(path), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["imported"] is False
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (3, "price"),
        (4, "code"),
        (6, "valid_from"),
        (7, "valid_from"),
    ]
    assert m.PriceListItem.select().count() == 1  # only the item that was there


def test_accounts_import_json_reports_the_errors_on_stdout(cli: Cli, books: Books, tmp_path: Path) -> None:
    path = tmp_path / "kotu.csv"
    path.write_text("kod,unvan,kredi limiti\nYENI,Yeni,100\nX1,Bir,abc\n", encoding="utf-8")
    before = accounts.count_parties()
    result = cli("accounts", "import", str(path), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["imported"] is False and report["file"] == str(path)
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(3, "credit_limit")]
    assert accounts.count_parties() == before
    good = tmp_path / "iyi.csv"
    good.write_text("kod,unvan\nYENI,Yeni\n", encoding="utf-8")
    done = json.loads(cli("accounts", "import", str(good), "--json").stdout)
    assert done["imported"] is True and done["added"] == 1


def test_the_field_is_named_once(cli: Cli, books: Books, tmp_path: Path) -> None:
    path = tmp_path / "kotu.csv"
    path.write_text("kod,unvan,kredi limiti\nX1,Bir,abc\n", encoding="utf-8")
    result = cli("accounts", "import", str(path), env={"POS_LANG": "tr"})
    assert result.exit_code == 1
    assert result.stderr.count("kredi limiti") == 1, result.stderr
    english = cli("accounts", "import", str(path), "--json")
    (error,) = json.loads(english.stdout)["errors"]
    assert "credit limit" not in error["reason"] and "'abc'" in error["reason"]
