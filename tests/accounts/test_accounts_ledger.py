"""The account ledger and its open items: parties, entries, journal, audit, matching."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from accounts_support import TCKN, VKN, Books, books_fixture, post, quick_pins  # noqa: F401
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_tui.core import accounts, audit
from pos_tui.core.accounts.ledger import Entry
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.store import models as m


def test_a_party_links_the_customer_and_supplier_rows_of_its_code(books: Books) -> None:
    assert books.bakkal.customer_id is not None and books.bakkal.supplier_id is None
    assert m.Customer.get_by_id(books.bakkal.customer_id).code == "BAKKAL"
    assert books.acme.supplier_id is not None and books.acme.customer_id is None
    both = accounts.update_party(accounts.PartyInput(code="BAKKAL", kind="supplier"), now=books.now)
    assert both.kind == "both" and both.supplier_id is not None
    assert m.Supplier.get_by_id(both.supplier_id).code == "BAKKAL"


def test_identity_numbers_are_checked_with_their_check_digits(books: Books) -> None:
    with pytest.raises(ValidationError, match="VKN 1234567891 is not valid"):
        accounts.add_party(accounts.PartyInput(code="X", name="X", vkn="1234567891"), now=books.now)
    with pytest.raises(ValidationError, match="exactly 11 digits"):
        accounts.add_party(accounts.PartyInput(code="X", name="X", tckn="1234"), now=books.now)
    with pytest.raises(ValidationError, match="not both"):
        accounts.add_party(accounts.PartyInput(code="X", name="X", vkn=VKN, tckn=TCKN), now=books.now)
    person = accounts.add_party(accounts.PartyInput(code="AHMET", name="Ahmet Yılmaz", tckn=TCKN), now=books.now)
    assert person.tckn == TCKN and person.vkn is None
    assert m.Party.select().where(m.Party.code == "X").count() == 0


def test_a_party_is_found_by_code_card_phone_and_tax_id(books: Books) -> None:
    assert accounts.find_party("BAKKAL").code == "BAKKAL"  # type: ignore[union-attr]
    assert accounts.find_party("+90 532 111 22 33").code == "BAKKAL"  # type: ignore[union-attr]
    assert accounts.find_party(VKN).code == "BAKKAL"  # type: ignore[union-attr]
    assert accounts.find_party("nobody") is None
    assert [p.code for p in accounts.search_parties("köşe")] == ["BAKKAL"]
    assert [p.code for p in accounts.search_parties("", kind="supplier")] == ["ACME"]
    with pytest.raises(NotFound, match="No account with the code NOPE"):
        accounts.get_party("NOPE")


def test_entries_are_journalled_numbered_and_checked_by_the_audit(books: Books) -> None:
    sale = post(books, books.bakkal, "sale", "300.00", due_days=30)
    post(books, books.bakkal, "collection", "-100.00", days=1, method="cash")
    assert accounts.balance(books.bakkal.id) == Decimal("200.00")
    assert (sale.number, sale.due) == (1, date(2026, 12, 1))
    report = audit.verify(settings=books.settings)
    assert report.ok, report.problems
    db = m.AccountEntry._meta.database
    db.execute_sql("DROP TRIGGER account_entry_no_update")  # someone with the file in hand
    m.AccountEntry.update(amount=3000).where(m.AccountEntry.number == 1).execute()
    report = audit.verify(settings=books.settings)
    assert any("account entry 1 differs from its journal entry" in p for p in report.problems), report.problems


def test_entries_are_insert_only(books: Books) -> None:
    entry = post(books, books.bakkal, "sale", "10.00")
    with pytest.raises(Exception, match="insert-only"):
        m.AccountEntry.update(amount=1).where(m.AccountEntry.id == entry.id).execute()


def test_collections_settle_the_oldest_item_first_and_an_advance_waits_for_the_next_sale(books: Books) -> None:
    post(books, books.bakkal, "sale", "100.00", due_days=30)
    post(books, books.bakkal, "sale", "50.00", days=1, due_days=30)
    post(books, books.bakkal, "collection", "-120.00", days=2)
    items = accounts.open_items(books.bakkal.id)
    assert [(i.amount, i.open) for i in items] == [(5000, 3000)]
    post(books, books.bakkal, "collection", "-100.00", days=3)  # 70,00 more than owed: an advance
    assert [(i.kind, i.open) for i in accounts.open_items(books.bakkal.id)] == [("collection", -7000)]
    post(books, books.bakkal, "sale", "40.00", days=4, due_days=30)
    assert [(i.kind, i.open) for i in accounts.open_items(books.bakkal.id)] == [("collection", -3000)]


def test_an_explicit_match_settles_its_item_and_a_cancelled_collection_settles_nothing(books: Books) -> None:
    first = post(books, books.bakkal, "sale", "100.00", due_days=30)
    second = post(books, books.bakkal, "sale", "60.00", days=1, due_days=30)
    pay = post(books, books.bakkal, "collection", "-60.00", days=2, applies_to=second.id)
    assert [(i.entry_id, i.open) for i in accounts.open_items(books.bakkal.id)] == [(first.id, 10000)]
    post(books, books.bakkal, "cancel", "60.00", days=3, cancels=pay.id)
    assert [(i.entry_id, i.open) for i in accounts.open_items(books.bakkal.id)] == [
        (first.id, 10000),
        (second.id, 6000),
    ]
    assert audit.verify(settings=books.settings).ok


def _entry(i: int, amount: int, day: int, due: int, applies: int | None, cancels: int | None) -> Entry:
    at = datetime(2026, 1, 1, 9, tzinfo=UTC) + timedelta(days=day)
    return Entry(
        i, i, 1, "x", at, at.date() + timedelta(days=due), amount, None, None, applies, cancels, None, None, None
    )


@st.composite
def ledgers(draw: st.DrawFn) -> list[Entry]:
    n = draw(st.integers(0, 25))
    out: list[Entry] = []
    cancelled: set[int] = set()
    for i in range(1, n + 1):
        if out and draw(st.integers(0, 9)) == 0:
            target = draw(st.sampled_from(out))
            if target.id not in cancelled and target.cancels is None:
                cancelled.add(target.id)
                out.append(_entry(i, -target.amount, draw(st.integers(0, 60)), 0, None, target.id))
                continue
        amount = draw(st.integers(-50_000, 50_000).filter(bool))
        applies = draw(st.sampled_from(out)).id if out and draw(st.booleans()) else None
        out.append(_entry(i, amount, draw(st.integers(0, 60)), draw(st.integers(0, 90)), applies, None))
    return out


@settings(max_examples=400, deadline=None)
@given(ledgers())
def test_open_items_add_up_to_the_balance_and_never_exceed_their_entry(items: list[Entry]) -> None:
    opened = accounts.match(items)
    assert sum(i.open for i in opened) == sum(e.amount for e in items)
    for item in opened:
        assert item.open != 0 and (item.open > 0) == (item.amount > 0) and abs(item.open) <= abs(item.amount)
    assert len({i.open > 0 for i in opened}) <= 1  # only one side stays open


def test_an_unknown_column_is_named_with_the_columns_in_the_shops_words(books: Books, tmp_path: Path) -> None:
    """The accounts import reads through the kernel's row reader (shared with goods receipts and
    price lists) and lists the Turkish column names, not the fields' code names."""
    from pos_tui.core.kernel.errors import ImportRejected

    bad = tmp_path / "cariler.csv"
    bad.write_text("kod;unvan;renk\nX1;Deneme;mavi\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        accounts.read_parties_file(bad)
    text = str(caught.value.errors[0])
    assert "renk" in text and "kod, unvan, tür" in text and "terms_days" not in text
    assert m.Party.select().where(m.Party.code == "X1").count() == 0


def test_accounts_that_share_a_tax_number_are_all_found_by_it(books: Books) -> None:
    """Branches of one company share its VKN: find_party cannot pick one, the search lists both."""
    accounts.add_party(accounts.PartyInput(code="BAKKAL2", name="Köşe Bakkalı Şube 2", vkn=VKN), now=books.now)
    assert accounts.find_party(VKN) is None
    assert [p.code for p in accounts.search_parties(VKN)] == ["BAKKAL", "BAKKAL2"]


def test_a_phone_is_shown_the_way_people_write_it() -> None:
    assert accounts.display_phone("+905426110277") == "0542 611 02 77"
    assert accounts.display_phone("+441234567890") == "+441234567890"
    assert accounts.display_phone(None) == ""


def test_a_bounced_cheque_reopens_what_it_paid_with_the_original_due_dates(books: Books) -> None:
    """The bounce cancels the cheque's entry: the customer's invoices it settled are open again as
    they were (the newcomer saw the bounce matched against a later collection instead)."""
    cheques = accounts.cheques
    opening = post(books, books.bakkal, "opening", "4250.00", due_days=0)
    cheques.receive_cheque(
        cheques.ChequeInput(party="BAKKAL", amount=Decimal("3000.00"), due=date(2026, 12, 20), bank="Z", serial="1"),
        actor=books.admin,
        terminal="T1",
        now=books.now,
    )
    post(books, books.bakkal, "collection", "-1250.00", days=1)
    assert accounts.open_items(books.bakkal.id) == []
    cheques.bounce(1, actor=books.admin, terminal="T1", now=books.now + timedelta(days=2))
    assert [(i.entry_id, i.open, i.due) for i in accounts.open_items(books.bakkal.id)] == [
        (opening.id, 300000, books.now.date())
    ]
    assert audit.verify(settings=books.settings).ok
