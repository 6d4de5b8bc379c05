"""The property (issue 14, section 6): for random carts — random prices, KDV rates 0/1/10/20, pieces and
weights, line discounts and a receipt discount — posted as real sales, the invoice validates with GİB's
XSD and schematron and its totals equal the posted sale's to the kuruş (docs/einvoice-cases.md)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from cases_support import D, buyer, check_against_sales
from einvoice_support import TCKN, Shop
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from money_support import sell

from pos_tui.core import einvoice
from pos_tui.core.basket import Cart, Discount, PaymentInput
from pos_tui.core.kernel import to_db
from pos_tui.core.till import SaleResult
from pos_tui.store import models as m
from pos_tui.text import fold

_codes = itertools.count(1)

# (price in kuruş, KDV rate, weighed?, quantity: pieces or grams, line discount: None | (percent?, value))
discounts = st.one_of(
    st.none(),
    st.tuples(st.just(True), st.integers(1, 100)),  # percent
    st.tuples(st.just(False), st.integers(1, 50_000)),  # amount in kuruş (capped at the line)
)
lines = st.tuples(
    st.integers(1, 500_000),
    st.sampled_from([0, 1, 10, 20]),
    st.booleans(),
    st.integers(1, 9_999),
    discounts,
)


def _product(shop: Shop, price: int, rate: int, weighed: bool) -> m.Product:
    code = f"H{next(_codes):06d}"
    name = f"Ürün {code}"
    return m.Product.create(
        code=code,
        name=name,
        name_key=fold(name),
        unit="kg" if weighed else "piece",
        price=price,
        kdv_rate=rate,
        updated_at=to_db(shop.now),
    )


Item = tuple[int, int, bool, int, tuple[bool, int] | None]
carts = st.tuples(
    st.lists(lines, min_size=1, max_size=6),
    st.one_of(st.none(), st.integers(1, 90), st.integers(-5_000, -1)),
)


def _post(shop: Shop, items: list[Item], cart_discount: int | None) -> SaleResult:
    """Post a sale of ``items`` (fresh products) with their line discounts and the receipt discount."""
    cart = Cart()
    for price, rate, weighed, qty, discount in items:
        product = _product(shop, price, rate, weighed)
        milli = qty if weighed else (qty % 7 + 1) * 1000
        cart = cart.add(
            product_id=product.id,
            code=product.code,
            name=product.name,
            unit=product.unit,
            kdv_rate=rate,
            price=D(price) / 100,
            qty_milli=milli,
            merge=False,
        )
        line_no = len(cart.lines)
        if discount is not None:
            percent, value = discount
            amount = min(D(value) / 100, cart.line(line_no).gross)
            if percent:
                cart = cart.discount_line(line_no, Discount("percent", D(value)))
            elif amount > 0:
                cart = cart.discount_line(line_no, Discount("amount", amount))
    if cart_discount is not None and cart.discount_base > 0:
        if cart_discount > 0:
            cart = cart.discount_cart(Discount("percent", D(cart_discount)))
        else:
            cart = cart.discount_cart(Discount("amount", min(D(-cart_discount) / 100, cart.discount_base)))
    total = cart.total
    return sell(shop.books, cart, [PaymentInput("cash", total)] if total else [], actor=shop.books.admin)


def _check(invoice: einvoice.IssuedInvoice, sales: list[SaleResult]) -> None:
    x = check_against_sales(invoice, [s.sale_id for s in sales])  # validates; totals, KDV per rate, lines
    assert x.tax_inclusive == sum((s.total for s in sales), Decimal(0))
    weighed = [ln for ln in x.lines if ln.unit == "KGM"]
    assert all(len(ln.quantity.partition(".")[2]) in (0, 3) for ln in weighed)
    # 351 on the 0 % subtotal and on any rate whose KDV rounded to 0 (GİB wants a reason on every KDV of 0)
    assert {r for r, code in x.exemptions.items() if code == "351"} == {
        r for r, (_b, t) in x.subtotals.items() if not t
    }
    assert x.allowance_total == 0 and sum((ln.allowance for ln in x.lines), Decimal(0)) == invoice_allowance(invoice)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cart=carts)
def test_random_carts_are_invoiced_to_the_kurus_and_valid(shop: Shop, cart: tuple[list[Item], int | None]) -> None:
    sale = _post(shop, *cart)
    invoice = einvoice.invoice_sales(
        [sale.sale_id],
        actor=shop.books.ayse,
        terminal="T1",
        now=shop.now,
        settings=shop.settings,
        customer=buyer(TCKN, "Ayşe Yılmaz"),
    )
    _check(invoice, [sale])


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(several=st.lists(carts, min_size=2, max_size=4))
def test_random_periodic_invoices_sum_their_sales_to_the_kurus(
    shop: Shop, several: list[tuple[list[Item], int | None]]
) -> None:
    """Several sales on one invoice: the KDV rows summed per rate over the sales, each rate's base spread
    over the lines of every sale."""
    sales = [_post(shop, *cart) for cart in several]
    invoice = einvoice.invoice_sales(
        [s.sale_id for s in sales],
        actor=shop.books.admin,
        terminal="T1",
        now=shop.now,
        settings=shop.settings,
        account="BAKKAL",
    )
    assert invoice.source == "sales"
    _check(invoice, sales)


def invoice_allowance(invoice: einvoice.IssuedInvoice) -> Decimal:
    (kurus,) = next(iter(m.EInvoice.select(m.EInvoice.allowance_total).where(m.EInvoice.id == invoice.id).tuples()))
    return D(kurus) / 100
