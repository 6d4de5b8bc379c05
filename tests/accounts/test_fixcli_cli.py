"""What a newcomer found in ``pos-admin accounts``/``cheques``/``pricelists`` on a fresh clone:
tables that cut amounts and dates at 80 columns, dates that only one group accepted, English
errors in a Turkish shop, an irreversible cancel without a question, money booked against the
wrong side of an account, and an account kind that could not be set back."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accounts_support import Books, books_fixture, post  # noqa: F401

from pos_tui.core import accounts
from pos_tui.core.kernel import ValidationError

Cli = Callable[..., Any]
TR = {"POS_LANG": "tr", "COLUMNS": "80"}
EN = {"POS_LANG": "en", "COLUMNS": "80"}


def ok(result: Any) -> Any:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


# -- 1. tables at 80 columns -----------------------------------------------------------------------


def _big_books(books: Books) -> None:
    accounts.update_party(
        accounts.PartyInput(code="BAKKAL", name="Yıldız Bakkal ve Şarküteri Gıda Ltd. Şti."), now=books.now
    )
    post(books, books.bakkal, "opening", "1381.25", days=-100, due_days=0)
    post(books, books.bakkal, "sale", "123456.78", days=-45, due_days=0)
    post(books, books.bakkal, "sale", "-12.80", days=-5, due_days=30)
    post(books, books.acme, "opening", "-9876543.21", days=-70, due_days=0)


@pytest.mark.parametrize("env", [TR, EN], ids=["tr", "en"])
def test_aging_and_statement_never_cut_an_amount_or_a_date(cli: Cli, books: Books, env: dict[str, str]) -> None:
    _big_books(books)
    aging = ok(cli("accounts", "aging", "--as-of", "2026-11-01", env=env)).stdout
    statement = ok(cli("accounts", "statement", "BAKKAL", "--from", "2026-07-01", "--to", "2026-11-01", env=env)).stdout
    entries = ok(cli("accounts", "entries", "BAKKAL", env=env)).stdout
    for text in (aging, statement, entries):
        assert "…" not in text
        assert max(len(line) for line in text.splitlines()) <= 80
    sep = "," if env is EN else "."
    dec = "." if env is EN else ","
    for amount in ("1|381|25", "123|456|78", "-9|876|543|21", "-12|80"):
        whole, cents = amount.rsplit("|", 1)
        shown = whole.replace("|", sep) + dec + cents
        assert shown in aging + statement + entries, shown
    assert "-9" + sep + "876" + sep + "543" + dec + "21" in aging
    dates = re.findall(r"\d\d\.\d\d\.\d{4}", statement)
    assert "24.07.2026" in dates and "17.09.2026" in dates  # whole dates, not 24.07.20…
    words = ("Vadesi", "gelmemiş") if env is TR else ("Not", "due")
    assert all(w in aging for w in words)


def test_a_table_that_fits_keeps_its_lines(cli: Cli, books: Books) -> None:
    post(books, books.bakkal, "opening", "10.00", due_days=0)
    shown = ok(cli("cheques", "list", env=EN)).stdout + ok(cli("accounts", "list", env=EN)).stdout
    assert "│" in shown and "BAKKAL" in shown and "10.00" in shown


# -- 2. one date reader -------------------------------------------------------------------------------


def test_accounts_accept_turkish_dates(cli: Cli, books: Books) -> None:
    post(books, books.bakkal, "sale", "100.00", days=-20, due_days=0)
    assert (
        ok(cli("accounts", "aging", "--as-of", "01.11.2026", "--json")).stdout
        == ok(cli("accounts", "aging", "--as-of", "2026-11-01", "--json")).stdout
    )
    got = json.loads(ok(cli("accounts", "statement", "BAKKAL", "--from", "01.10.2026", "--to", "01.11.2026",
                            "--format", "json")).stdout)  # fmt: skip
    assert "2026-10-01" in json.dumps(got)
    opening = json.loads(ok(cli("accounts", "opening", "ACME", "-50", "--date", "01.10.2026", "--json")).stdout)
    assert opening["amount"] == "-50.00"
    paid = cli("accounts", "collect", "BAKKAL", "10", "--date", "31.10.2026", "--json")
    assert json.loads(ok(paid).stdout)["amount"] == "10.00"


def test_a_bad_date_names_both_forms(cli: Cli, books: Books) -> None:
    bad = cli("accounts", "aging", "--as-of", "31.02.2026")
    assert bad.exit_code == 2 and "15.12.2026" in bad.stderr and "2026-12-15" in bad.stderr
    bad_tr = cli("accounts", "aging", "--as-of", "2026-02-30", env=TR)
    assert bad_tr.exit_code == 2 and bad_tr.stderr.startswith("hata:") and "tarih değil" in bad_tr.stderr


# -- 3. Turkish errors before the database is opened -------------------------------------------


def test_errors_before_the_database_are_turkish(cli: Cli, books: Books) -> None:
    both = cli("pricelists", "set", "BAYI", "1003", "--price", "10", "--percent-off", "5", env=TR)
    assert both.exit_code == 2 and both.stderr.startswith("hata:") and "error" not in both.stderr
    amount = cli("cheques", "receive", "BAKKAL", "1,2a", "--due", "15.12.2026", env=TR)
    assert amount.exit_code == 1 and amount.stderr.startswith("hata: tutar: '1,2a' bir sayı değil")
    due = cli("cheques", "receive", "BAKKAL", "12", "--due", "2027-02-30", env=TR)
    assert due.exit_code == 2 and due.stderr.startswith("hata: --due: '2027-02-30' bir tarih değil")
    money = cli("accounts", "collect", "BAKKAL", "12a", env=TR)
    assert money.exit_code != 0 and "tutar" in money.stderr and "AMOUNT" not in money.stderr


# -- 4. irreversible steps ask first; a letter is written only where asked -------------------------


def test_cancel_asks_first(cli: Cli, books: Books) -> None:
    entry = post(books, books.bakkal, "sale", "25.00", due_days=0)
    no = cli("accounts", "cancel", str(entry.number), "--reason", "x", input="h\n", env=TR)
    assert no.exit_code == 1 and "[e/H]" in no.stderr and "BAKKAL" in no.stderr
    nobody = cli("accounts", "cancel", str(entry.number), "--reason", "x")
    assert nobody.exit_code == 2 and "--yes" in nobody.stderr
    assert accounts.balance(books.bakkal.id) == Decimal("25.00")
    ok(cli("accounts", "cancel", str(entry.number), "--reason", "x", input="e\n", env=TR))
    assert accounts.balance(books.bakkal.id) == Decimal("0.00")


def test_reconcile_needs_output(cli: Cli, books: Books, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    missing = cli("accounts", "reconcile", "BAKKAL")
    assert missing.exit_code == 2 and "--output" in missing.stderr
    assert not (tmp_path / "mutabakat.pdf").exists()


# -- 5. collect from a customer, pay a supplier -------------------------------------------------


def test_core_refuses_the_wrong_side(books: Books) -> None:
    pay = accounts.payments
    with pytest.raises(ValidationError, match="supplier only"):
        pay.collect(pay.CollectionInput("ACME", Decimal("50"), "cash"), actor=books.admin, terminal="T1",
                    now=books.now)  # fmt: skip
    with pytest.raises(ValidationError, match="customer only"):
        pay.pay(pay.PaymentOutInput("BAKKAL", Decimal("100"), "cash"), actor=books.admin, terminal="T1",
                now=books.now)  # fmt: skip
    assert accounts.balance(books.acme.id) == accounts.balance(books.bakkal.id) == Decimal("0.00")


def test_cli_refuses_the_wrong_side_and_both_is_fine(cli: Cli, books: Books) -> None:
    assert cli("accounts", "collect", "ACME", "50").exit_code == 1
    assert cli("accounts", "pay", "BAKKAL", "100").exit_code == 1
    ok(cli("accounts", "update", "BAKKAL", "--kind", "both"))
    ok(cli("accounts", "pay", "BAKKAL", "100"))
    ok(cli("accounts", "collect", "BAKKAL", "40"))
    assert accounts.balance(books.bakkal.id) == Decimal("60.00")


# -- 6. the kind of an account; closing it --------------------------------------------------------


def test_update_kind_says_it_became_both_and_can_go_back(cli: Cli, books: Books) -> None:
    both = ok(cli("accounts", "update", "BAKKAL", "--kind", "supplier"))
    assert "BAKKAL is now customer and supplier" in both.stderr
    back = ok(cli("accounts", "update", "BAKKAL", "--kind", "customer", "--terms", "20", "--json"))
    got = json.loads(back.stdout)
    assert got["kind"] == "customer" and got["terms"] == 20
    assert accounts.get_party("BAKKAL").supplier_id is None


def test_both_keeps_a_side_that_has_entries_and_changes_nothing(cli: Cli, books: Books) -> None:
    ok(cli("accounts", "update", "BAKKAL", "--kind", "both"))
    ok(cli("accounts", "pay", "BAKKAL", "10"))
    refused = cli("accounts", "update", "BAKKAL", "--kind", "customer", "--terms", "20")
    assert refused.exit_code == 1 and "1 entries or cheques as a supplier" in refused.stderr
    assert "nothing was changed" in refused.stderr
    party = accounts.get_party("BAKKAL")
    assert (party.kind, party.terms_days) == ("both", 30)
    ok(cli("accounts", "update", "BAKKAL", "--kind", "supplier"))  # no sale, return or collection yet
    assert accounts.get_party("BAKKAL").kind == "supplier"


def test_close_and_reopen(cli: Cli, books: Books) -> None:
    ok(cli("accounts", "close", "BAKKAL"))
    assert cli("accounts", "collect", "BAKKAL", "5").exit_code == 1
    assert "BAKKAL" in ok(cli("accounts", "list", env=EN)).stdout and "(closed)" in ok(cli("accounts", "list")).stdout
    assert accounts.get_party("BAKKAL").active is False
    ok(cli("accounts", "reopen", "BAKKAL"))
    ok(cli("accounts", "collect", "BAKKAL", "5"))


def test_a_narrow_terminal_drops_the_names_before_cutting_an_amount(
    cli: Cli, books: Books, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pos_tui.cli import output

    monkeypatch.setattr(output.stdout, "_console", None)  # made again, for COLUMNS=70
    _big_books(books)
    shown = ok(cli("accounts", "aging", "--as-of", "2026-11-01", env={"POS_LANG": "tr", "COLUMNS": "70"})).stdout
    assert "…" not in shown and max(len(line) for line in shown.splitlines()) <= 70, shown
    assert "Şarküteri" not in shown and "BAKKAL" in shown and "-9.876.543,21" in shown and "124.825,23" in shown


def test_a_real_process_errors_in_turkish_before_the_database(books: Books, db_path: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": str(repo),
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(repo / "config" / "pos.toml"),
        "POS_LANG": "tr",
        "POS_TERMINAL": "T1",
    }
    run = [sys.executable, "-m", "pos_tui.cli.app", "cheques", "receive", "BAKKAL", "1,2a", "--due", "15.12.2026"]
    done = subprocess.run(run, env=env, capture_output=True, text=True)
    assert done.returncode == 1 and done.stderr.startswith("hata: tutar: '1,2a' bir sayı değil"), done.stderr
