"""complete_sale: one transaction writes everything; gapless receipts; tenders; guards."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import peewee
import pytest

from pos_tui.core import till
from pos_tui.core.basket import AppliedPayment, Cart, Discount, PaymentInput, TenderContext, tenders
from pos_tui.core.kernel import Actor, StateError, ValidationError, canonical, to_db
from pos_tui.core.till import complete_sale, load_open_cart, sale_document, save_cart
from pos_tui.store import models as m

D = Decimal
AMOUNT = re.compile(r"^-?\d+\.\d\d$")


@pytest.fixture
def basket(make_product: Callable[..., m.Product], add: Callable[..., Cart]) -> Cart:
    bread = make_product("1001", "Ekmek", "10.00", 1, barcodes=["8690000000011"], stock=50_000)
    rose = make_product("1002", "Isparta Gülü Kolonya", "110.00", 20, stock=5_000)
    cart = add(Cart(), bread, 2000, barcode="8690000000011")
    cart = add(cart, rose)
    return cart.discount_cart(Discount("amount", D("5.00")))


def counts() -> dict[str, int]:
    return {
        model.__name__: model.select().count()
        for model in (m.Sale, m.SaleLine, m.Payment, m.SaleKdv, m.StockMovement, m.JournalEntry)
    }


def test_a_sale_writes_every_part_in_one_go(db: object, cashier: Actor, basket: Cart, now: datetime) -> None:
    result = complete_sale("T1", cashier, [PaymentInput("cash", D("200.00"))], now=now, cart=basket)
    assert (result.receipt_no, result.total, result.change) == (1, D("125.00"), D("75.00"))

    sale = m.Sale.get_by_id(result.sale_id)
    assert (sale.kind, sale.terminal, sale.subtotal, sale.discount, sale.total) == ("sale", "T1", 13000, 500, 12500)
    lines = list(sale.lines.order_by(m.SaleLine.line_no))
    assert [(ln.code, ln.qty, ln.total, ln.discount) for ln in lines] == [
        ("1001", 2000, 1923, 77),
        ("1002", 1000, 10577, 423),
    ]
    assert sum(ln.total for ln in lines) == sale.total
    kdv = {r.rate: (r.base, r.kdv) for r in sale.kdv_rows}
    assert sum(b + k for b, k in kdv.values()) == sale.total
    assert kdv == {1: (1904, 19), 20: (8814, 1763)}
    pay = sale.payments.get()
    assert (pay.method, pay.amount, pay.tendered, pay.change) == ("cash", 12500, 20000, 7500)
    stock = {p.code: p.stock for p in m.Product.select()}
    assert stock == {"1001": 48_000, "1002": 4_000}
    moves = sorted((mv.qty, mv.kind) for mv in m.StockMovement.select())
    assert moves == [(-2000, "sale"), (-1000, "sale")]
    entry = m.JournalEntry.select().where(m.JournalEntry.kind == "sale").get()
    assert entry.ref == result.uid
    assert entry.payload == canonical(sale_document(result.sale_id)) == canonical(result.document)


def test_the_document_follows_the_contract(db: object, cashier: Actor, basket: Cart, now: datetime) -> None:
    doc = complete_sale("T1", cashier, [PaymentInput("cash", D("125"))], now=now, cart=basket).document
    assert set(doc) == {
        "id",
        "receipt_no",
        "type",
        "terminal",
        "at",
        "cashier",
        "customer",
        "return_of",
        "subtotal",
        "discount",
        "total",
        "kdv",
        "lines",
        "payments",
    }
    assert doc["at"] == "2026-11-01T10:15:00+03:00"
    assert (doc["type"], doc["cashier"], doc["customer"], doc["return_of"]) == ("sale", "ayse", None, None)
    assert (doc["subtotal"], doc["discount"], doc["total"]) == ("130.00", "5.00", "125.00")
    assert doc["kdv"] == {"1": {"base": "19.04", "kdv": "0.19"}, "20": {"base": "88.14", "kdv": "17.63"}}
    first = doc["lines"][0]
    assert first == {
        "line_no": 1,
        "code": "1001",
        "barcode": "8690000000011",
        "name": "Ekmek",
        "unit": "piece",
        "qty": "2",
        "unit_price": "10.00",
        "list_price": "10.00",
        "discount": "0.77",
        "total": "19.23",
        "kdv_rate": 1,
    }
    assert doc["payments"] == [
        {"method": "cash", "amount": "125.00", "tendered": "125.00", "change": "0.00", "reference": None}
    ]
    for key in ("subtotal", "discount", "total"):
        assert AMOUNT.match(doc[key])
    json.dumps(doc)  # plain JSON, no Decimals


def test_posting_the_open_cart_removes_it(db: object, cashier: Actor, basket: Cart, now: datetime) -> None:
    save_cart("T1", cashier.user_id, basket, now=now)
    complete_sale("T1", cashier, [PaymentInput("card", D("125.00"), reference="A1B2C3")], now=now)
    assert load_open_cart("T1", cashier.user_id) == Cart()
    assert m.CartDraft.select().count() == 0
    assert m.Payment.get().reference == "A1B2C3"


def test_split_tender_with_change(db: object, cashier: Actor, basket: Cart, now: datetime) -> None:
    result = complete_sale(
        "T1", cashier, [PaymentInput("card", D("50.00")), PaymentInput("cash", D("100.00"))], now=now, cart=basket
    )
    assert result.change == D("25.00")
    assert [(p["method"], p["amount"], p["change"]) for p in result.document["payments"]] == [
        ("card", "50.00", None),
        ("cash", "75.00", "25.00"),
    ]


@pytest.mark.parametrize(
    ("payments", "message"),
    [
        ([PaymentInput("cash", D("100.00"))], "do not cover the total of 125.00; 25.00 is still to pay"),
        ([PaymentInput("card", D("125.01"))], "more than the 125.00 still to pay; only cash may be more"),
        ([PaymentInput("cash", D("-5.00"))], "must be more than zero"),
        ([PaymentInput("card", D("0"))], "must be more than zero"),
        ([PaymentInput("cash", D("200")), PaymentInput("card", D("1"))], "Nothing is left to pay"),
        ([PaymentInput("cheque", D("125"))], "Unknown payment method 'cheque'"),
        ([PaymentInput("card", D("125"), reference="4111 1111 1111 1111")], "card number"),
        ([PaymentInput("cash", D("125.001"))], "more than two decimals"),
        ([], "do not cover"),
    ],
)
def test_bad_payments_write_nothing(
    db: object, cashier: Actor, basket: Cart, now: datetime, payments: list[PaymentInput], message: str
) -> None:
    before = counts()
    with pytest.raises(ValidationError, match=re.escape(message)):
        complete_sale("T1", cashier, payments, now=now, cart=basket)
    assert counts() == before
    assert m.Counter.select().count() == 0


def test_an_empty_cart_cannot_be_sold(db: object, cashier: Actor, now: datetime) -> None:
    with pytest.raises(ValidationError, match="empty"):
        complete_sale("T1", cashier, [PaymentInput("cash", D(1))], now=now)


def test_receipt_numbers_are_gapless_per_terminal_even_after_failures(
    db: object, cashier: Actor, basket: Cart, now: datetime
) -> None:
    pay = [PaymentInput("cash", D("125.00"))]
    assert complete_sale("T1", cashier, pay, now=now, cart=basket).receipt_no == 1
    with pytest.raises(ValidationError):
        complete_sale("T1", cashier, [PaymentInput("cash", D(1))], now=now, cart=basket)

    class Exploding:
        """A tender that fails after the sale rows are written: everything must roll back."""

        def apply(self, payment: PaymentInput, remaining: Decimal, ctx: TenderContext) -> AppliedPayment:
            return AppliedPayment("boom", payment.amount)

        def post(self, applied: AppliedPayment, ctx: TenderContext) -> None:
            assert ctx.sale_id is not None and m.Sale.get_or_none(m.Sale.id == ctx.sale_id) is not None
            raise ValidationError("the gift card server said no")

    tenders.register_tender("boom", Exploding())
    try:
        before = counts()
        with pytest.raises(ValidationError, match="gift card"):
            complete_sale("T1", cashier, [PaymentInput("boom", D("125.00"))], now=now, cart=basket)
        assert counts() == before
    finally:
        tenders._TENDERS.pop("boom")
    assert complete_sale("T1", cashier, pay, now=now, cart=basket).receipt_no == 2
    assert complete_sale("T2", cashier, pay, now=now, cart=basket).receipt_no == 1
    assert complete_sale("T1", cashier, pay, now=now, cart=basket).receipt_no == 3
    numbers = [s.receipt_no for s in m.Sale.select().where(m.Sale.terminal == "T1").order_by(m.Sale.id)]
    assert numbers == [1, 2, 3]


def test_a_registered_tender_posts_its_own_rows_in_the_same_transaction(
    db: object, cashier: Actor, basket: Cart, now: datetime
) -> None:
    posted: list[tuple[int | None, str]] = []

    class Voucher:
        def apply(self, payment: PaymentInput, remaining: Decimal, ctx: TenderContext) -> AppliedPayment:
            if payment.amount > remaining:
                raise ValidationError("too much")
            return AppliedPayment("voucher", payment.amount, reference=str(payment.details["code"]))

        def post(self, applied: AppliedPayment, ctx: TenderContext) -> None:
            posted.append((ctx.sale_id, str(applied.reference)))

    tenders.register_tender("voucher", Voucher())
    try:
        result = complete_sale(
            "T1",
            cashier,
            [PaymentInput("voucher", D("25.00"), details={"code": "V-77"}), PaymentInput("cash", D("100"))],
            now=now,
            cart=basket,
        )
    finally:
        tenders._TENDERS.pop("voucher")
    assert posted == [(result.sale_id, "V-77")]
    assert [p["method"] for p in result.document["payments"]] == ["voucher", "cash"]
    with pytest.raises(ValueError):
        tenders.register_tender("not a name!", Voucher())


def test_shift_must_be_open_and_on_this_terminal(db: object, cashier: Actor, basket: Cart, now: datetime) -> None:
    shift = m.Shift.create(terminal="T1", opened_by=cashier.user_id, opened_at=to_db(now), opening_float=10000)
    pay = [PaymentInput("cash", D("125"))]
    result = complete_sale("T1", cashier, pay, now=now, cart=basket, shift_id=shift.id)
    assert m.Sale.get_by_id(result.sale_id).shift_id == shift.id
    with pytest.raises(StateError, match="not a shift of terminal T2"):
        complete_sale("T2", cashier, pay, now=now, cart=basket, shift_id=shift.id)
    m.Shift.update(closed_at=to_db(now + timedelta(hours=1)), closed_by=cashier.user_id).where(
        m.Shift.id == shift.id
    ).execute()
    with pytest.raises(StateError, match="closed"):
        complete_sale("T1", cashier, pay, now=now, cart=basket, shift_id=shift.id)


def test_a_cashier_without_sell_permission_is_refused(db: object, basket: Cart, now: datetime) -> None:
    from pos_tui.core.kernel import PermissionDenied

    nobody = Actor(999, "guest", "guest", frozenset(), 0)
    with pytest.raises(PermissionDenied):
        complete_sale("T1", nobody, [PaymentInput("cash", D("125"))], now=now, cart=basket)


@pytest.mark.parametrize("table", ["sale", "sale_line", "payment", "sale_kdv", "stock_movement", "journal_entry"])
def test_posted_rows_cannot_be_changed_or_deleted(
    db: Any, cashier: Actor, basket: Cart, now: datetime, table: str
) -> None:
    complete_sale("T1", cashier, [PaymentInput("cash", D("125"))], now=now, cart=basket)
    column = {
        "sale": "total",
        "sale_line": "total",
        "payment": "amount",
        "sale_kdv": "kdv",
        "stock_movement": "qty",
        "journal_entry": "payload",
    }[table]
    with pytest.raises(peewee.IntegrityError, match="insert-only"):
        db.execute_sql(f"UPDATE {table} SET {column} = {column}")
    with pytest.raises(peewee.IntegrityError, match="insert-only"):
        db.execute_sql(f"DELETE FROM {table}")


def test_find_get_and_list_sales(db: object, cashier: Actor, basket: Cart, now: datetime) -> None:
    pay = [PaymentInput("cash", D("125"))]
    first = complete_sale("T1", cashier, pay, now=now, cart=basket)
    second = complete_sale("T1", cashier, pay, now=now + timedelta(minutes=5), cart=basket)
    other = complete_sale("T2", cashier, pay, now=now + timedelta(minutes=9), cart=basket)
    assert till.find_sale(2, "T1") == second.document
    assert till.get_sale(first.uid) == first.document
    assert [s.uid for s in till.list_sales()] == [other.uid, second.uid, first.uid]
    assert [s.receipt_no for s in till.list_sales(terminal="T1")] == [2, 1]
    assert [s.uid for s in till.list_sales(since=now + timedelta(minutes=1), until=now + timedelta(minutes=6))] == [
        second.uid
    ]
    summary = till.list_sales(limit=1)[0]
    assert (summary.cashier, summary.total, summary.kind, summary.source) == ("ayse", D("125.00"), "sale", "till")
    from pos_tui.core.kernel import NotFound

    with pytest.raises(NotFound, match="No receipt 9 on terminal T1"):
        till.find_sale(9, "T1")
