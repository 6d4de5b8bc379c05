"""A sale to an account with a price list: lines re-priced (and later scans), overrides kept,
clearing restores catalog prices, the draft keeps the account, the posted sale records the
account's customer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from accounts_support import Books, books_fixture, quick_pins  # noqa: F401 (fixtures)

from pos_tui.core import accounts, till
from pos_tui.core.accounts import prices
from pos_tui.core.basket import Benefit, Cart, PaymentInput, SaleAccount
from pos_tui.core.basket.codec import CartCodec
from pos_tui.core.kernel import ValidationError
from pos_tui.core.loyalty.engine import Evaluation
from pos_tui.core.loyalty.pricing import without_price_benefits_on_account_lines
from pos_tui.store import models as m

D = Decimal


@pytest.fixture(name="toptan")
def toptan_fixture(books: Books) -> Books:
    prices.add_price_list("TOPTAN", "Toptan", actor=books.admin, now=books.now)
    day = books.now.date()
    for product, kw in (("1001", {"price": D("8.00")}), ("*", {"percent_off": D("10")})):
        prices.set_price("TOPTAN", prices.PriceInput(product, **kw), actor=books.admin, now=books.now, day=day)  # type: ignore[arg-type]
    accounts.update_party(accounts.PartyInput(code="BAKKAL", price_list="TOPTAN"), now=books.now)
    return books


def _add(books: Books, code: str) -> Cart:
    return till.add_item("T1", books.mehmet, code, now=books.now, masks=books.settings.scale_labels)


def _prices(cart: Cart) -> list[tuple[str, Decimal, Decimal, Decimal | None]]:
    return [(ln.code, ln.unit_price, ln.list_price, ln.account_price) for ln in cart.lines]


def test_setting_the_account_reprices_and_clearing_restores(toptan: Books) -> None:
    b = toptan
    _add(b, "1001")
    _add(b, "1002")
    cart = till.override_price("T1", b.mehmet, 2, D("30.00"), "Hasarlı ambalaj", now=b.now)
    cart = till.set_account("T1", b.mehmet, "BAKKAL", now=b.now)
    assert cart.account is not None and cart.account.price_list == "TOPTAN"
    assert cart.customer_id == b.bakkal.customer_id
    # line 1 from its own item; line 2 was priced by hand and keeps that price
    assert _prices(cart) == [("1001", D("8.00"), D("10.00"), D("8.00")), ("1002", D("30.00"), D("32.50"), None)]
    cart = _add(b, "1003")  # scanned later: the list-wide rule
    assert _prices(cart)[-1] == ("1003", D("108.00"), D("120.00"), D("108.00"))
    assert cart.total == D("8.00") + D("30.00") + D("108.00")
    # the draft keeps the account: a restart finds it
    fresh = CartCodec().decode(m.CartDraft.get().data)
    assert fresh == till.load_open_cart("T1", b.mehmet.user_id) and fresh.account == cart.account
    cart = till.set_account("T1", b.mehmet, None, now=b.now)
    assert cart.account is None and cart.customer_id is None
    assert _prices(cart) == [
        ("1001", D("10.00"), D("10.00"), None),
        ("1002", D("30.00"), D("32.50"), None),
        ("1003", D("120.00"), D("120.00"), None),
    ]


def test_an_account_without_a_list_only_names_the_customer(books: Books) -> None:
    _add(books, "1001")
    cart = till.set_account("T1", books.mehmet, "BAKKAL", now=books.now)
    assert _prices(cart) == [("1001", D("10.00"), D("10.00"), None)]
    assert cart.customer_id == books.bakkal.customer_id


def test_a_supplier_or_unknown_account_is_refused(books: Books) -> None:
    with pytest.raises(ValidationError, match="supplier"):
        till.set_account("T1", books.mehmet, "ACME", now=books.now)
    with pytest.raises(Exception, match="No account"):
        till.set_account("T1", books.mehmet, "NOPE", now=books.now)


def test_the_posted_sale_records_the_accounts_customer(toptan: Books) -> None:
    b = toptan
    _add(b, "1001")
    cart = till.set_account("T1", b.mehmet, "BAKKAL", now=b.now)
    result = till.complete_sale("T1", b.mehmet, [PaymentInput("cash", cart.total)], now=b.now)
    sale = m.Sale.get_by_id(result.sale_id)
    assert sale.customer_id == b.bakkal.customer_id
    line = m.SaleLine.get(m.SaleLine.sale == sale)
    assert line.unit_price == 800  # kuruş: the account's price was charged


def test_the_same_item_twice_merges_at_the_account_price(toptan: Books) -> None:
    b = toptan
    till.set_account("T1", b.mehmet, "BAKKAL", now=b.now)
    _add(b, "1001")
    cart = _add(b, "1001")
    assert [(ln.qty_milli, ln.unit_price) for ln in cart.lines] == [(2000, D("8.00"))]


def test_price_benefits_do_not_stack_on_account_lines() -> None:
    cart = Cart().add(product_id=1, code="A", name="A", unit="piece", kdv_rate=20, price=D("10"), account_price=D("8"))
    cart = cart.add(product_id=2, code="B", name="B", unit="piece", kdv_rate=20, price=D("10"))
    benefits = (
        Benefit(1, D("1"), "promotion", "P", "P"),
        Benefit(1, D("1"), "coupon", "C", "C"),
        Benefit(2, D("1"), "promotion", "P", "P"),
        Benefit(1, D("1"), "tier", "T", "T"),
    )
    got = without_price_benefits_on_account_lines(cart, Evaluation(benefits=benefits, free_units={1: 1, 2: 1}))
    assert [(x.line_no, x.kind) for x in got.benefits] == [(1, "coupon"), (2, "promotion")]
    assert dict(got.free_units) == {2: 1}


def test_a_dated_price_applies_on_the_shop_day_of_the_sale(toptan: Books) -> None:
    b = toptan
    day = b.now.date()
    prices.set_price(
        "TOPTAN",
        prices.PriceInput(
            "1001", price=D("7.00"), valid_from=day.replace(day=1) if day.day > 1 else day, valid_to=date(2099, 1, 1)
        ),
        actor=b.admin,
        now=b.now,
        day=day,
    )
    till.set_account("T1", b.mehmet, "BAKKAL", now=b.now)
    assert _add(b, "1001").lines[-1].unit_price == D("7.00")


def test_a_promotion_applies_to_catalog_lines_but_not_to_account_lines(books: Books) -> None:
    from pos_tui.core.catalog import get_product
    from pos_tui.core.loyalty import pricing, rules

    program = rules.program_from_dict(
        {
            "promotions": [
                {"code": "3al2", "name": "3 al 2 öde", "kind": "buy_x_get_y", "buy": 2, "get": 1, "products": ["1001"]}
            ]
        }
    )
    ekmek = get_product("1001")
    plain = Cart().add_product(ekmek, 3000)
    quoted = pricing.quote(plain, now=books.now, program=program)
    assert [(b.kind, b.amount) for b in quoted.cart.benefits] == [("promotion", D("10.00"))]
    account = plain.with_account(SaleAccount(1, "BAKKAL", "Bakkal", None, 1, "TOPTAN"), {ekmek.id: D("8.00")})
    quoted = pricing.quote(account, now=books.now, program=program)
    assert quoted.cart.benefits == () and quoted.cart.total == D("24.00")


def test_account_prices_recheck_an_amount_discount_against_the_limit(toptan: Books) -> None:
    from pos_tui.core.kernel import PermissionDenied

    b = toptan
    till.add_item("T1", b.ayse, "1001", now=b.now, masks=())
    limit = b.ayse.max_discount_pct
    amount = (D("10.00") * limit / 100).quantize(D("0.01"))  # right at the cashier's limit on 10,00
    till.discount_line("T1", b.ayse, 1, "amount", amount, now=b.now)
    with pytest.raises(PermissionDenied):  # on 8,00 the same amount is above the limit
        till.set_account("T1", b.ayse, "BAKKAL", now=b.now)
    assert till.load_open_cart("T1", b.ayse.user_id).account is None
