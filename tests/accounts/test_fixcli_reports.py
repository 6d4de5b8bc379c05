"""Reports and words a newcomer tripped over: the forecast's period, the X report's accounts
lines and Turkish times, Turkish role and cheque status words, and the bounce of the shop's
own cheque."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from accounts_support import Books, books_fixture, post, quick_pins  # noqa: F401
from money_support import cart_of, sell

from pos_tui.core import accounts, cash
from pos_tui.core.basket import PaymentInput

Cli = Callable[..., Any]
D = Decimal


def ok(result: Any) -> Any:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def test_forecast_prints_its_period_and_what_falls_due_later(cli: Cli, books: Books) -> None:
    post(books, books.bakkal, "sale", "100.00", due_days=10)  # 11.11.2026
    post(books, books.bakkal, "sale", "250.00", due_days=90)  # 30.01.2027: after the 8 weeks
    got = ok(cli("accounts", "forecast", "--from", "01.11.2026"))
    assert "01.11.2026 – 27.12.2026" in got.stdout
    assert "100.00" in got.stdout and "Due after 27.12.2026 (not in the total): 250.00 in 1 items." in got.stdout
    assert "8 weeks" in got.stderr
    wide = ok(cli("accounts", "forecast", "--from", "01.11.2026", "--to", "31.01.2027"))
    assert "Due after" not in wide.stdout and "8 weeks" not in wide.stderr and "350.00" in wide.stdout


def test_report_x_text_has_the_accounts_money_and_turkish_times(cli: Cli, books: Books) -> None:
    shift = cash.open_shift("T1", books.ayse, D("100.00"), now=books.now)
    sell(books, cart_of(("1003", 1)), [PaymentInput("cash", D("200.00"))], shift_id=shift.id)
    pay = accounts.payments
    later = books.now + timedelta(minutes=5)
    pay.collect(pay.CollectionInput("BAKKAL", D("50.00"), "cash"), actor=books.ayse, terminal="T1", now=later,
                shift_id=shift.id)  # fmt: skip
    cash.pay_supplier_cash("T1", books.admin, "ACME", D("40.00"), now=later)
    text = ok(cli("report", "x")).stdout
    assert "Collections" in text and "Supplier payments" in text
    assert re.search(r"Collections\s+\S+\s+Cash\s+\S+\s+50\.00", text), text
    assert re.search(r"Supplier payments\s+\S+\s+Cash\s+\S+\s+40\.00", text), text
    assert "01.11.2026 10:15" in text  # the sale's time in the shop's zone, not 2026-11-01T10:15:00+03:00
    assert not re.search(r"\d{4}-\d\d-\d\d", text), text
    data = json.loads(ok(cli("report", "x", "--json")).stdout)
    assert data["accounts"] == {"collections": {"cash": "50.00"}, "supplier_payments": {"cash": "40.00"}}


def test_agenda_role_in_turkish(cli: Cli, books: Books) -> None:
    for word, code in (("kasiyer", "cashier"), ("Yönetici", "supervisor"), ("sistem yöneticisi", "admin"),
                       ("sorumlu", "supervisor"), ("cashier", "cashier")):  # fmt: skip
        got = json.loads(ok(cli("agenda", "add", "Kasa sayımı", "--role", word, "--json")).stdout)
        assert got["role"] == code, word
    bad = cli("agenda", "add", "x", "--role", "patron", env={"POS_LANG": "tr"})
    assert bad.exit_code != 0 and "'cashier' (kasiyer)" in bad.stderr


def test_cheques_status_in_turkish_and_the_bounce_of_the_shops_own(cli: Cli, books: Books) -> None:
    ok(cli("cheques", "receive", "BAKKAL", "100", "--due", "15.12.2026", "--serial", "A1", "--bank", "Ziraat"))
    ok(cli("cheques", "issue", "ACME", "2000", "--due", "20.12.2026", "--serial", "B1", "--bank", "Akbank"))
    for words, numbers in (("portföyde", [1]), ("keşide", [2]), ("portfolio,keşide edildi", [1, 2])):
        got = json.loads(ok(cli("cheques", "list", "--status", words, "--json")).stdout)
        assert [c["number"] for c in got] == numbers, words
    assert cli("cheques", "list", "--status", "yok").exit_code != 0
    bounced = ok(cli("cheques", "bounce", "2"))
    assert "the shop owes ACME 2,000.00 again" in bounced.stderr, bounced.stderr
    assert accounts.balance(books.acme.id) == D("0.00")  # issuing paid 2.000,00 down; the bounce undoes it
    assert json.loads(ok(cli("cheques", "list", "--status", "karşılıksız", "--json")).stdout)[0]["number"] == 2
