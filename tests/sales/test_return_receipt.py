"""Returns against a receipt: partial lines, limits, refunds by method, exact money."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_tui.core.basket import Cart, Discount, PaymentInput
from pos_tui.core.kernel import Actor, NotFound, Override, PermissionDenied, ValidationError, canonical
from pos_tui.core.till import ReturnLineInput, SaleResult, complete_sale, create_return, returnable_lines, sale_document
from pos_tui.store import models as m

D = Decimal


@pytest.fixture
def sold(
    db: object, cashier: Actor, make_product: Callable[..., m.Product], add: Callable[..., Cart], now: datetime
) -> SaleResult:
    """3 × 10.00 (KDV 1) + 1.25 kg × 40.00 (KDV 10) − 10% cart discount = 72.00, paid 40 card + 32 cash."""
    bread = make_product("1001", "Ekmek", "10.00", 1, stock=10_000)
    cheese = make_product("2001", "Beyaz Peynir", "40.00", 10, unit="kg", stock=10_000)
    cart = add(add(Cart(), bread, 3000), cheese, 1250, weighed=True)
    cart = cart.discount_cart(Discount("percent", D(10)))
    return complete_sale(
        "T1", cashier, [PaymentInput("card", D("40.00")), PaymentInput("cash", D("50.00"))], now=now, cart=cart
    )


def test_partial_return_refunds_by_the_original_methods(sold: SaleResult, cashier: Actor, now: datetime) -> None:
    assert sold.total == D("72.00")
    later = now + timedelta(days=2)
    ret = create_return("T1", cashier, ("T1", sold.receipt_no), [ReturnLineInput(1, 1000)], now=later, reason="stale")
    doc = ret.document
    assert (doc["type"], doc["return_of"], doc["total"], doc["receipt_no"]) == ("return", sold.uid, "9.00", 2)
    assert doc["lines"][0]["qty"] == "1" and doc["lines"][0]["discount"] == "1.00"
    assert doc["payments"] == [
        {"method": "card", "amount": "9.00", "tendered": None, "change": None, "reference": None}
    ]
    origin = m.SaleLine.get((m.SaleLine.sale == sold.sale_id) & (m.SaleLine.line_no == 1))
    back = m.SaleLine.get(m.SaleLine.sale == ret.sale_id)
    assert back.origin_line_id == origin.id
    assert m.Sale.get_by_id(ret.sale_id).note == "stale"
    assert m.Product.get(m.Product.code == "1001").stock == 10_000 - 3000 + 1000
    move = m.StockMovement.get(m.StockMovement.sale == ret.sale_id)
    assert (move.kind, move.qty) == ("return", 1000)
    entry = m.JournalEntry.get((m.JournalEntry.kind == "return") & (m.JournalEntry.ref == ret.uid))
    assert entry.payload == canonical(sale_document(ret.sale_id))

    left = {r.line_no: (r.remaining_milli, r.remaining_amount) for r in returnable_lines(sold.uid)}
    assert left == {1: (2000, D("18.00")), 2: (1250, D("45.00"))}


def test_refund_spills_to_the_next_method_when_the_first_is_used_up(
    sold: SaleResult, cashier: Actor, now: datetime
) -> None:
    first = create_return("T1", cashier, sold.uid, [ReturnLineInput(2, 1000)], now=now, reason="r")
    assert first.document["payments"][0]["method"] == "card" and first.total == D("36.00")
    second = create_return(
        "T1", cashier, sold.uid, [ReturnLineInput(1, 3000), ReturnLineInput(2, 250)], now=now, reason="r"
    )
    assert second.total == D("36.00")
    assert [(p["method"], p["amount"]) for p in second.document["payments"]] == [("card", "4.00"), ("cash", "32.00")]
    assert first.total + second.total == sold.total


def test_refund_in_cash_when_asked(sold: SaleResult, cashier: Actor, now: datetime) -> None:
    ret = create_return("T1", cashier, sold.uid, [ReturnLineInput(2, 500)], now=now, reason="r", refund_method="cash")
    assert [(p["method"], p["amount"]) for p in ret.document["payments"]] == [("cash", "18.00")]


def test_never_more_than_sold_minus_returned(sold: SaleResult, cashier: Actor, now: datetime) -> None:
    create_return("T1", cashier, sold.uid, [ReturnLineInput(1, 2000)], now=now, reason="r")
    message = "Line 1 (Ekmek): 2 asked back, but 3 were sold and 2 already returned, so at most 1 can be returned"
    before = m.Sale.select().count()
    with pytest.raises(ValidationError, match=re.escape(message)):
        create_return("T1", cashier, sold.uid, [ReturnLineInput(1, 2000)], now=now, reason="r")
    assert m.Sale.select().count() == before
    with pytest.raises(ValidationError, match="no line 7"):
        create_return("T1", cashier, sold.uid, [ReturnLineInput(7, 1000)], now=now, reason="r")
    with pytest.raises(ValidationError, match="listed twice"):
        create_return("T1", cashier, sold.uid, [ReturnLineInput(2, 100), ReturnLineInput(2, 100)], now=now, reason="r")
    with pytest.raises(ValidationError, match="whole quantity"):
        create_return("T1", cashier, sold.uid, [ReturnLineInput(1, 500)], now=now, reason="r")
    with pytest.raises(ValidationError, match="reason"):
        create_return("T1", cashier, sold.uid, [ReturnLineInput(1, 1000)], now=now, reason=" ")
    with pytest.raises(ValidationError, match="at least one line"):
        create_return("T1", cashier, sold.uid, [], now=now, reason="r")
    with pytest.raises(NotFound):
        create_return("T1", cashier, ("T1", 99), [ReturnLineInput(1, 1000)], now=now, reason="r")


def test_a_return_cannot_itself_be_returned(sold: SaleResult, cashier: Actor, now: datetime) -> None:
    ret = create_return("T1", cashier, sold.uid, [ReturnLineInput(1, 1000)], now=now, reason="r")
    with pytest.raises(ValidationError, match="is a return"):
        create_return("T1", cashier, ret.uid, [ReturnLineInput(1, 1000)], now=now, reason="r")


def test_return_permission_and_override_is_journalled(
    sold: SaleResult, make_user: Callable[..., Actor], supervisor: Actor, now: datetime
) -> None:
    trainee = Actor(make_user("stajyer").user_id, "stajyer", "cashier", frozenset({"sell"}), 0)
    with pytest.raises(PermissionDenied):
        create_return("T1", trainee, sold.uid, [ReturnLineInput(1, 1000)], now=now, reason="r")
    create_return(
        "T1",
        trainee,
        sold.uid,
        [ReturnLineInput(1, 1000)],
        now=now,
        reason="r",
        override=Override(supervisor, "customer has the receipt"),
    )
    entry = m.JournalEntry.get(m.JournalEntry.kind == "override")
    assert '"supervisor":"mehmet"' in entry.payload and '"cashier":"stajyer"' in entry.payload


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(
        st.tuples(st.integers(1, 99_999), st.integers(1, 7), st.sampled_from([0, 1, 10, 20])), min_size=1, max_size=4
    ),
    discount_pct=st.integers(0, 60),
    card_share=st.integers(0, 100),
    returns=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 7), st.booleans()), max_size=12),
)
def test_all_returns_together_give_back_exactly_the_sale(
    make_product: Callable[..., m.Product],
    add: Callable[..., Cart],
    cashier: Actor,
    now: datetime,
    lines: list[tuple[int, int, int]],
    discount_pct: int,
    card_share: int,
    returns: list[tuple[int, int, bool]],
) -> None:
    tag = str(m.Sale.select().count())  # the database lives across examples: unique product codes
    cart = Cart()
    for i, (price_k, pieces, rate) in enumerate(lines):
        product = make_product(f"P{tag}-{i}", f"Item {i}", str(D(price_k) / 100), rate)
        cart = add(cart, product, pieces * 1000)
    if discount_pct:
        cart = cart.discount_cart(Discount("percent", D(discount_pct)))
    total = cart.total
    card = (total * card_share / 100).quantize(D("0.01"))
    payments = [PaymentInput("card", card)] if card > 0 else []
    if total - card > 0:
        payments.append(PaymentInput("cash", total - card))
    sale = complete_sale("T1", cashier, payments, now=now, cart=cart)

    refunded = D(0)
    for line_idx, qty, cash in returns:
        left = {r.line_no: r.remaining_milli for r in returnable_lines(sale.uid)}
        line_no = line_idx % len(lines) + 1
        want = min(qty * 1000, left[line_no])
        if want == 0:
            continue
        ret = create_return(
            "T1",
            cashier,
            sale.uid,
            [ReturnLineInput(line_no, want)],
            now=now,
            reason="r",
            refund_method="cash" if cash else "original",
        )
        assert ret.total >= 0
        refunded += ret.total
    rest = [ReturnLineInput(r.line_no, r.remaining_milli) for r in returnable_lines(sale.uid) if r.remaining_milli]
    if rest:
        refunded += create_return("T1", cashier, sale.uid, rest, now=now, reason="the rest").total
    assert refunded == sale.total
    assert all(r.remaining_amount == 0 and r.remaining_milli == 0 for r in returnable_lines(sale.uid))
    returned = m.Sale.select().where(m.Sale.return_of == sale.sale_id)
    card_back = sum(
        p.amount for r in returned for p in m.Payment.select().where(m.Payment.sale == r.id) if p.method == "card"
    )
    assert card_back <= int(card * 100)
    for r in returned:
        assert sum(ln.total for ln in r.lines) == r.total
        assert sum(k.base + k.kdv for k in r.kdv_rows) == r.total
        assert sum(p.amount for p in r.payments) == r.total
