"""The cheque and note portfolio: every step (allowed and refused), the account entries and
balances after each, the journal, and the audit that recomputes the status from the events."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from accounts_support import Books, books_fixture, post, quick_pins  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_tui.core import accounts, audit
from pos_tui.core.accounts import cheques
from pos_tui.core.kernel import Override
from pos_tui.core.kernel.errors import NotFound, PermissionDenied, ValidationError
from pos_tui.store import models as m

DUE = date(2026, 12, 15)


def cheque(books: Books, party: str = "BAKKAL", amount: str = "250.00", **kw: object) -> cheques.ChequeInput:
    values: dict[str, object] = {
        "party": party,
        "amount": Decimal(amount),
        "due": DUE,
        "drawer": "Ali Veli",
        "bank": "Ziraat Bankası",
        "branch": "Kadıköy",
        "account_no": "12345",
        "serial": "A-0001",
        **kw,
    }
    return cheques.ChequeInput(**values)  # type: ignore[arg-type]


def step(books: Books, func: object, *args: object, **kw: object) -> cheques.ChequeInfo:
    return func(*args, actor=books.admin, terminal="T1", now=books.now, **kw)  # type: ignore[operator, no-any-return]


def receive(books: Books, **kw: object) -> cheques.ChequeInfo:
    return step(books, cheques.receive_cheque, cheque(books, **kw))


def balances(books: Books) -> tuple[Decimal, Decimal]:
    return accounts.balance(books.bakkal.id), accounts.balance(books.acme.id)


def verify(books: Books) -> list[str]:
    return audit.verify(settings=books.settings).problems


def test_receive_puts_it_in_the_portfolio_and_credits_the_customer(books: Books) -> None:
    post(books, books.bakkal, "sale", "400.00", due_days=30)
    got = receive(books)
    assert (got.number, got.status, got.direction, got.instrument) == (1, "portfolio", "received", "cheque")
    assert (got.amount, got.due, got.party, got.holder) == (Decimal("250.00"), DUE, "BAKKAL", None)
    assert [e.kind for e in got.events] == ["received"]
    assert balances(books) == (Decimal("150.00"), Decimal("0.00"))
    (entry,) = [e for e in accounts.entries(books.bakkal.id) if e.kind == "cheque_in"]
    assert (entry.amount, entry.method, entry.document, entry.due) == (-25000, "cheque", "cheque:1", date(2026, 11, 1))
    # the cheque settles the customer's oldest open items at once (its due is the day it came in)
    assert [(i.kind, i.open) for i in accounts.open_items(books.bakkal.id)] == [("sale", 15000)]
    journal = m.JournalEntry.get(m.JournalEntry.kind == "cheque_event")
    payload = json.loads(journal.payload)
    assert payload["kind"] == "received" and payload["instrument"]["amount"] == "250.00"
    assert payload["instrument"]["serial"] == "A-0001" and journal.ref.startswith("cheque_event:")
    assert verify(books) == []


def test_endorse_pays_the_supplier_and_bounce_brings_both_debts_back(books: Books) -> None:
    post(books, books.acme, "receipt", "-1000.00", due_days=45)
    receive(books)
    got = step(books, cheques.endorse, 1, "ACME")
    assert (got.status, got.holder) == ("endorsed", "ACME")
    assert balances(books) == (Decimal("-250.00"), Decimal("-750.00"))
    assert [c.number for c in cheques.list_cheques(party="ACME")] == [1]
    got = step(books, cheques.bounce, 1, note="karşılıksız")
    assert got.status == "bounced" and [e.kind for e in got.events] == ["received", "endorsed", "bounced"]
    assert got.events[-1].party == "ACME" and got.events[-1].note == "karşılıksız"
    assert balances(books) == (Decimal("0.00"), Decimal("-1000.00"))
    kinds = sorted((e.kind, e.amount) for e in accounts.entries(books.acme.id))
    assert kinds == [("cheque_bounce", -25000), ("cheque_endorse", 25000), ("receipt", -100000)]
    assert verify(books) == []


@pytest.mark.parametrize(
    ("path", "final"),
    [
        (["deposit", "collect"], "collected"),
        (["collect"], "collected"),
        (["deposit", "bounce"], "bounced"),
        (["bounce"], "bounced"),
    ],
)
def test_the_portfolio_paths_without_a_supplier(books: Books, path: list[str], final: str) -> None:
    funcs = {"deposit": cheques.deposit, "collect": cheques.collect_cheque, "bounce": cheques.bounce}
    receive(books)
    for name in path:
        step(books, funcs[name], 1)
    assert cheques.get_cheque(1).status == final
    expected = Decimal("0.00") if final == "bounced" else Decimal("-250.00")
    assert balances(books) == (expected, Decimal("0.00"))
    assert verify(books) == []


def test_an_issued_cheque_pays_the_supplier_and_is_paid_or_bounces(books: Books) -> None:
    got = step(books, cheques.issue_cheque, cheque(books, party="ACME", serial="B-7", drawer=None))
    assert (got.status, got.direction) == ("issued", "issued")
    assert balances(books) == (Decimal("0.00"), Decimal("250.00"))
    assert step(books, cheques.pay_cheque, 1).status == "paid"
    assert balances(books) == (Decimal("0.00"), Decimal("250.00"))
    step(books, cheques.issue_cheque, cheque(books, party="ACME", serial="B-8", amount="100.00"))
    assert step(books, cheques.bounce, 2).status == "bounced"
    assert balances(books) == (Decimal("0.00"), Decimal("250.00"))
    assert verify(books) == []


REFUSED = [
    (["deposit"], "endorse", "is deposited to the bank; the step “endorse” is not possible"),
    (["collect"], "bounce", "is collected; the step “return unpaid” is not possible"),
    (["bounce"], "collect", "is returned unpaid; the step “collect” is not possible"),
    (["endorse"], "deposit", "is endorsed; the step “deposit” is not possible"),
    (["endorse"], "collect", "is endorsed; the step “collect” is not possible"),
    (["deposit"], "deposit", "is deposited to the bank; the step “deposit” is not possible"),
    ([], "pay", "was received from a customer: it is collected, not paid"),
]


@pytest.mark.parametrize(("before", "refused", "message"), REFUSED)
def test_impossible_steps_are_refused_and_change_nothing(
    books: Books, before: list[str], refused: str, message: str
) -> None:
    funcs = {
        "deposit": lambda: step(books, cheques.deposit, 1),
        "collect": lambda: step(books, cheques.collect_cheque, 1),
        "bounce": lambda: step(books, cheques.bounce, 1),
        "endorse": lambda: step(books, cheques.endorse, 1, "ACME"),
        "pay": lambda: step(books, cheques.pay_cheque, 1),
    }
    receive(books)
    for name in before:
        funcs[name]()
    state = (cheques.get_cheque(1), m.AccountEntry.select().count(), m.JournalEntry.select().count())
    with pytest.raises(ValidationError, match=message):
        funcs[refused]()
    assert state == (cheques.get_cheque(1), m.AccountEntry.select().count(), m.JournalEntry.select().count())


def test_an_issued_cheque_cannot_be_endorsed_deposited_or_collected(books: Books) -> None:
    step(books, cheques.issue_cheque, cheque(books, party="ACME"))
    for func, args in ((cheques.endorse, (1, "ACME")), (cheques.deposit, (1,)), (cheques.collect_cheque, (1,))):
        with pytest.raises(ValidationError, match="issued by the shop to a supplier: it can only be paid"):
            step(books, func, *args)


def test_bad_input_is_refused_with_a_reason(books: Books) -> None:
    cases = [
        (cheque(books, amount="0"), "must be more than 0,00"),
        (cheque(books, amount="-5"), "must be more than 0,00"),
        (cheque(books, bank=None), "A cheque needs its bank"),
        (cheque(books, bank=" ", serial=None), "A cheque needs its bank and serial number"),
        (cheque(books, issue_date=DUE + timedelta(days=1)), "issue date 16.12.2026 is after the due date 15.12.2026"),
        (cheque(books, instrument="kupon"), "Unknown instrument 'kupon'"),
        (cheque(books, party="ACME"), "ACME is not a customer account"),
        (cheque(books, drawer="x\x1by"), "Cheque drawer has a control character"),
        (cheque(books, note="kart 4111111111111111"), "card number"),
    ]
    for data, message in cases:
        with pytest.raises(ValidationError, match=message):
            step(books, cheques.receive_cheque, data)
    with pytest.raises(NotFound, match="No account with the code NOPE"):
        step(books, cheques.receive_cheque, cheque(books, party="NOPE"))
    with pytest.raises(ValidationError, match="BAKKAL is not a supplier account"):
        step(books, cheques.issue_cheque, cheque(books))
    assert m.Cheque.select().count() == 0 and m.AccountEntry.select().count() == 0
    # a note needs no bank; the same cheque twice is refused
    note = step(books, cheques.receive_cheque, cheque(books, instrument="senet", bank=None, serial=None))
    assert note.instrument == "note"
    receive(books)
    with pytest.raises(ValidationError, match="already in the portfolio as number 2"):
        receive(books)
    with pytest.raises(ValidationError, match="not a supplier account"):
        step(books, cheques.endorse, 2, "BAKKAL")
    with pytest.raises(NotFound, match="No cheque or note with the portfolio number 9"):
        step(books, cheques.deposit, 9)
    assert verify(books) == []


def test_every_step_needs_the_accounts_permission_or_a_journalled_override(books: Books) -> None:
    with pytest.raises(PermissionDenied):
        cheques.receive_cheque(cheque(books), actor=books.ayse, terminal="T1", now=books.now)
    assert m.Cheque.select().count() == 0
    boss = replace(books.mehmet, permissions=books.mehmet.permissions | {"accounts"})
    got = cheques.receive_cheque(
        cheque(books), actor=books.ayse, terminal="T1", now=books.now, override=Override(boss, "patron onayladı")
    )
    assert got.status == "portfolio"
    with pytest.raises(PermissionDenied):
        cheques.deposit(1, actor=books.ayse, terminal="T1", now=books.now)
    cheques.deposit(1, actor=books.ayse, terminal="T1", now=books.now, override=Override(boss, "banka günü"))
    overrides = [json.loads(j.payload) for j in m.JournalEntry.select().where(m.JournalEntry.kind == "override")]
    assert [(o["action"], o["reason"]) for o in overrides] == [
        ("cheque_received", "patron onayladı"),
        ("cheque_deposited", "banka günü"),
    ]


def test_list_and_due_cheques_filter(books: Books) -> None:
    receive(books, serial="1", due=date(2026, 12, 1))
    receive(books, serial="2", due=date(2026, 12, 10))
    receive(books, serial="3", due=date(2027, 1, 5))
    step(books, cheques.issue_cheque, cheque(books, party="ACME", due=date(2026, 12, 5)))
    step(books, cheques.collect_cheque, 2)
    assert [c.number for c in cheques.list_cheques()] == [1, 4, 2, 3]
    assert [c.number for c in cheques.list_cheques(status="portfolio")] == [1, 3]
    assert [c.number for c in cheques.list_cheques(direction="issued")] == [4]
    assert [c.number for c in cheques.list_cheques(due_from=date(2026, 12, 2), due_to=date(2026, 12, 31))] == [4, 2]
    assert [c.number for c in cheques.due_cheques(date(2026, 12, 1), date(2026, 12, 31))] == [1, 4]
    with pytest.raises(ValidationError, match="Unknown status 'lost'"):
        cheques.list_cheques(status="lost")


def test_the_audit_catches_a_tampered_status_event_amount_and_entry(books: Books) -> None:
    receive(books)
    step(books, cheques.deposit, 1)
    assert verify(books) == []
    db = m.Cheque._meta.database
    m.Cheque.update(status="collected").where(m.Cheque.number == 1).execute()
    assert any("its status says collected but its events say deposited to the bank" in p for p in verify(books))
    m.Cheque.update(status="deposited").where(m.Cheque.number == 1).execute()
    m.Cheque.update(amount=99900).where(m.Cheque.number == 1).execute()
    problems = verify(books)
    assert any("differs from its journal entry" in p for p in problems)
    assert any("its account entries add up to -250.00 but its events call for -999.00" in p for p in problems)
    m.Cheque.update(amount=25000).where(m.Cheque.number == 1).execute()
    assert verify(books) == []
    db.execute_sql("DROP TRIGGER IF EXISTS cheque_event_no_update")
    m.ChequeEvent.update(kind="collected").where(m.ChequeEvent.kind == "deposited").execute()
    problems = verify(books)
    assert any("differs from its journal entry" in p for p in problems)
    assert any("its status says deposited to the bank but its events say collected" in p for p in problems)


def test_the_audit_catches_a_deleted_cheque_number(books: Books) -> None:
    receive(books, serial="1")
    m.Counter.update(value=m.Counter.value + 1).where(
        (m.Counter.scope == "accounts") & (m.Counter.name == "cheque")
    ).execute()
    assert any("portfolio numbers 1 to 2 were given but 1 are there" in p for p in verify(books))


STEPS = ("receive", "issue", "endorse", "deposit", "collect", "bounce", "pay")
EVENTS = {
    "endorse": "endorsed",
    "deposit": "deposited",
    "collect": "collected",
    "bounce": "bounced",
    "pay": "paid",
}
RUNS = iter(range(1, 10**6))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(STEPS), st.integers(0, 3), st.integers(1, 50_000)), max_size=14))
def test_any_sequence_of_steps_keeps_the_books_and_the_status(books: Books, plan: list[tuple[str, int, int]]) -> None:
    run = next(RUNS)  # the database lives through every example: each gets its own two accounts
    customer = accounts.add_party(accounts.PartyInput(code=f"C{run}", name="Müşteri", kind="customer"), now=books.now)
    supplier = accounts.add_party(accounts.PartyInput(code=f"S{run}", name="Tedarikçi", kind="supplier"), now=books.now)
    mine: list[int] = []
    expected = {customer.code: 0, supplier.code: 0}
    for name, index, kurus in plan:
        amount = f"{Decimal(kurus) / 100:.2f}"
        serial = f"{run}-{len(mine)}"
        if name in ("receive", "issue"):
            func = cheques.receive_cheque if name == "receive" else cheques.issue_cheque
            party = customer.code if name == "receive" else supplier.code
            mine.append(step(books, func, cheque(books, party=party, amount=amount, serial=serial)).number)
            expected[party] += -kurus if name == "receive" else kurus
            continue
        if index >= len(mine):
            continue
        before = cheques.get_cheque(mine[index])
        call = {
            "endorse": lambda n: step(books, cheques.endorse, n, supplier.code),
            "deposit": lambda n: step(books, cheques.deposit, n),
            "collect": lambda n: step(books, cheques.collect_cheque, n),
            "bounce": lambda n: step(books, cheques.bounce, n),
            "pay": lambda n: step(books, cheques.pay_cheque, n),
        }[name]
        if EVENTS[name] not in cheques.TRANSITIONS[before.status]:
            with pytest.raises(ValidationError):
                call(before.number)
            assert cheques.get_cheque(before.number) == before
            continue
        after = call(before.number)
        assert after.status == EVENTS[name]
        amt = int(before.amount * 100)
        if name == "endorse":
            expected[supplier.code] += amt
        elif name == "bounce" and before.direction == "issued":
            expected[supplier.code] -= amt
        elif name == "bounce":
            expected[customer.code] += amt
            if before.status == "endorsed":
                expected[supplier.code] -= amt
    for party in (customer, supplier):
        total = sum(e.amount for e in accounts.entries(party.id))
        assert total == accounts.balance_kurus(party.id) == expected[party.code]
    problems: list[str] = []
    cheques.check_cheques(lambda _jid, text: problems.append(text))
    assert problems == []
