"""Collections and supplier payments: core and ``pos-admin accounts collect|pay``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from accounts_support import Books, books_fixture, post, quick_pins  # noqa: F401

from pos_tui.core import accounts, audit
from pos_tui.core.kernel import Override, PermissionDenied, ValidationError
from pos_tui.core.kernel.printable import Printable
from pos_tui.settings import Settings
from pos_tui.store import models as m

D = Decimal
Cli = Callable[..., Any]


def _collect(books: Books, amount: str, **kw: Any) -> accounts.payments.CollectionResult:
    data = accounts.payments.CollectionInput("BAKKAL", D(amount), kw.pop("method", "cash"), **kw)
    return accounts.payments.collect(data, actor=books.ayse, terminal="T1", now=books.now + timedelta(days=1))


def test_a_collection_lowers_the_balance_and_settles_the_oldest_item(books: Books) -> None:
    post(books, books.bakkal, "sale", "300.00", due_days=30)
    second = post(books, books.bakkal, "sale", "200.00", days=0, due_days=60)
    result = _collect(books, "250.00", note="elden")
    assert (result.party_code, result.amount, result.method, result.balance_after) == (
        "BAKKAL",
        D("250.00"),
        "cash",
        D("250.00"),
    )
    entry = accounts.entry_by_number(result.entry_number)
    assert (entry.kind, entry.amount, entry.method, entry.note) == ("collection", -25000, "cash", "elden")
    assert [(i.amount, i.open) for i in accounts.open_items(books.bakkal.id)] == [(30000, 5000), (20000, 20000)]
    # explicitly against the second sale
    _collect(books, "100.00", method="transfer", applies_to=second.number)
    assert [i.open for i in accounts.open_items(books.bakkal.id)] == [5000, 10000]
    assert audit.verify(settings=books.settings).ok


def test_collections_refuse_bad_input(books: Books) -> None:
    with pytest.raises(ValidationError, match="more than zero"):
        _collect(books, "0")
    with pytest.raises(ValidationError, match="not 'cheque'"):
        _collect(books, "10", method="cheque")
    acme_entry = post(books, books.acme, "receipt", "-50.00")
    with pytest.raises(ValidationError, match="belongs to another account"):
        _collect(books, "10", applies_to=acme_entry.number)
    with pytest.raises(ValidationError, match="future"):
        _collect(books, "10", at=books.now + timedelta(days=5))
    assert m.AccountEntry.select().where(m.AccountEntry.kind == "collection").count() == 0


def test_collect_needs_the_permission(books: Books) -> None:
    import dataclasses

    clerk = dataclasses.replace(books.ayse, permissions=books.ayse.permissions - {"collect"})
    data = accounts.payments.CollectionInput("BAKKAL", D("10"))
    with pytest.raises(PermissionDenied):
        accounts.payments.collect(data, actor=clerk, terminal="T1", now=books.now)
    accounts.payments.collect(data, actor=clerk, terminal="T1", now=books.now, override=Override(books.mehmet, "ok"))
    assert m.JournalEntry.select().where(m.JournalEntry.kind == "override").count() == 1


def test_a_payment_to_a_supplier_needs_accounts_and_reduces_what_is_owed(books: Books) -> None:
    post(books, books.acme, "receipt", "-1000.00", due_days=45)
    data = accounts.payments.PaymentOutInput("ACME", D("400.00"), "transfer", note="EFT")
    with pytest.raises(PermissionDenied):
        accounts.payments.pay(data, actor=books.ayse, terminal="T1", now=books.now)
    result = accounts.payments.pay(data, actor=books.admin, terminal="T1", now=books.now)
    assert result.balance_after == D("-600.00")
    assert accounts.entry_by_number(result.entry_number).amount == 40000
    with pytest.raises(ValidationError, match="cheque is issued"):
        accounts.payments.pay(
            accounts.payments.PaymentOutInput("ACME", D("1"), "cheque"), actor=books.admin, terminal="T1", now=books.now
        )
    with pytest.raises(ValidationError, match="not 'card'"):
        accounts.payments.pay(
            accounts.payments.PaymentOutInput("ACME", D("1"), "card"), actor=books.admin, terminal="T1", now=books.now
        )
    assert audit.verify(settings=books.settings).ok


def test_the_collection_slip(books: Books) -> None:
    post(books, books.bakkal, "sale", "300.00")
    result = _collect(books, "120.50")
    job = accounts.payments.collection_slip(result, books.settings, width=32)
    assert isinstance(job, Printable)
    text = "\n".join(line.text for line in job.lines)
    assert "COLLECTION RECEIPT" in text and "BAKKAL" in text and "Köşe Bakkalı Ltd." in text
    assert "120.50 TL" in text and "179.50 TL owed" in text and "ayse" in text and "02.11.2026" in text
    assert all(len(line.text) <= 32 for line in job.lines)


def test_cli_collect_and_pay(cli: Cli, books: Books) -> None:
    post(books, books.bakkal, "sale", "500.00")
    post(books, books.acme, "receipt", "-900.00")
    got = cli("accounts", "collect", "BAKKAL", "1.234,50", "--method", "card", "--note", "POS", "--json")
    assert got.exit_code == 0, got.output
    data = json.loads(got.stdout)
    assert (data["account"], data["amount"], data["method"], data["balance"], data["kind"]) == (
        "BAKKAL",
        "1234.50",
        "card",
        "-734.50",
        "collection",
    )
    got = cli("accounts", "pay", "ACME", "300.00", "--method", "transfer", "--date", "2026-11-15")
    assert got.exit_code == 0, got.output
    assert "Payment no. 4: 300.00 TL to ACME" in got.stderr and "ACME is owed 600.00 TL" in got.stderr
    entry = accounts.entry_by_number(4)
    assert entry.at.date().isoformat() == "2026-11-15"
    bad = cli("accounts", "collect", "NOPE", "10", "--method", "cash")
    assert bad.exit_code == 1 and "NOPE" in bad.stderr
    bad = cli("accounts", "collect", "BAKKAL", "abc")
    assert bad.exit_code != 0 and "abc" in bad.stderr
    bad = cli("accounts", "pay", "ACME", "10", "--method", "cheque")
    assert bad.exit_code == 2 and "cheque portfolio" in bad.stderr
    bad = cli("accounts", "collect", "BAKKAL", "10", "--till")
    assert bad.exit_code == 1 and "no shift is open" in bad.stderr
    from pos_tui.core import cash

    cash.open_shift("T1", books.ayse, D("50.00"), now=books.now)
    got = cli("accounts", "collect", "BAKKAL", "25", "--method", "cash", "--till", "--json")
    assert got.exit_code == 0, got.output
    bad = cli("accounts", "pay", "ACME", "75.01", "--method", "cash", "--till")
    assert bad.exit_code == 1 and "cannot pay out 75.01" in bad.stderr
    got = cli("accounts", "pay", "ACME", "75", "--method", "cash", "--till", "--json")
    assert got.exit_code == 0, got.output
    x = cash.take_x_report("T1", books.admin, now=books.now)
    assert (x.cash_collections, x.cash_supplier_payments, x.expected_cash) == (D("25.00"), D("75.00"), D("0.00"))
    assert audit.verify(settings=books.settings).ok


def test_a_real_process_in_turkish(books: Books, settings: Settings) -> None:
    post(books, books.bakkal, "sale", "500.00")
    env = {**os.environ, "POS_DB": settings.db_url, "POS_HOME": str(settings.home), "POS_LANG": "tr"}
    env["POS_CONFIG"] = str(settings.source)
    env["POS_TERMINAL"] = "T1"
    done = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "accounts", "collect", "BAKKAL", "200,00", "--method", "cash"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "BAKKAL" in done.stderr and "200,00" in done.stderr
    assert accounts.balance(books.bakkal.id) == D("300.00")
