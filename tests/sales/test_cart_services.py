"""The open cart's service functions: permissions, journal entries, park and resume."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from pos_tui.core import till
from pos_tui.core.basket import Cart
from pos_tui.core.kernel import Actor, NotFound, Override, PermissionDenied, ValidationError, to_db
from pos_tui.store import models as m

D = Decimal


@pytest.fixture
def rung_up(
    db: object, cashier: Actor, make_product: Callable[..., m.Product], add: Callable[..., Cart], now: datetime
) -> Cart:
    """Ayşe's open cart: 2 × bread at 10.00 and a cologne at 110.00."""
    bread = make_product("1001", "Ekmek", "10.00", 1)
    rose = make_product("1002", "Kolonya", "110.00", 20)
    cart = add(add(Cart(), bread, 2000), rose)
    till.save_cart("T1", cashier.user_id, cart, now=now)
    return cart


def journal(kind: str) -> list[dict[str, Any]]:
    return [
        json.loads(e.payload)
        for e in m.JournalEntry.select().where(m.JournalEntry.kind == kind).order_by(m.JournalEntry.id)
    ]


def test_the_open_cart_is_per_cashier_and_terminal(
    rung_up: Cart, cashier: Actor, supervisor: Actor, now: datetime
) -> None:
    assert till.load_open_cart("T1", cashier.user_id) == rung_up
    assert till.load_open_cart("T1", supervisor.user_id) == Cart()
    assert till.load_open_cart("T2", cashier.user_id) == Cart()
    till.save_cart("T1", cashier.user_id, Cart(), now=now)
    assert m.CartDraft.select().count() == 0


def test_void_line_is_journalled_with_its_reason(rung_up: Cart, cashier: Actor, now: datetime) -> None:
    cart = till.void_line("T1", cashier, 2, "customer changed mind", now=now)
    assert cart.total == D("20.00")
    assert till.load_open_cart("T1", cashier.user_id) == cart
    (entry,) = journal("line_void")
    assert entry["reason"] == "customer changed mind"
    assert entry["line"] == {
        "line_no": 2,
        "code": "1002",
        "barcode": None,
        "name": "Kolonya",
        "qty": "1",
        "unit_price": "110.00",
        "list_price": "110.00",
        "amount": "110.00",
    }
    assert entry["cashier"] == "ayse" and entry["supervisor"] is None


def test_void_without_permission_needs_a_supervisor_and_both_are_journalled(
    rung_up: Cart, make_user: Callable[..., Actor], supervisor: Actor, now: datetime, add: Callable[..., Cart]
) -> None:
    trainee = Actor(make_user("stajyer").user_id, "stajyer", "cashier", frozenset({"sell"}), 5)
    till.save_cart("T1", trainee.user_id, rung_up, now=now)
    with pytest.raises(PermissionDenied) as denied:
        till.void_line("T1", trainee, 1, "wrong item", now=now)
    assert denied.value.permission == "void"
    assert not journal("line_void")
    till.void_line("T1", trainee, 1, "wrong item", now=now, override=Override(supervisor, "checked the item"))
    (void,) = journal("line_void")
    (override,) = journal("override")
    assert void["supervisor"] == "mehmet"
    assert (override["action"], override["cashier"], override["supervisor"], override["reason"]) == (
        "void",
        "stajyer",
        "mehmet",
        "checked the item",
    )


def test_lowering_a_quantity_is_a_void(rung_up: Cart, cashier: Actor, now: datetime) -> None:
    cart = till.set_quantity("T1", cashier, 1, 5000, now=now)
    assert cart.line(1).qty_milli == 5000 and not journal("line_void")
    cart = till.set_quantity("T1", cashier, 1, 1000, now=now)
    (entry,) = journal("line_void")
    assert (entry["qty_from"], entry["qty_to"], entry["reason"]) == ("5", "1", "quantity lowered")


def test_discounts_within_the_cashiers_limit(rung_up: Cart, cashier: Actor, supervisor: Actor, now: datetime) -> None:
    cart = till.discount_line("T1", cashier, 2, "percent", D(10), now=now)
    assert cart.total == D("119.00")
    with pytest.raises(PermissionDenied, match="above ayse's limit of 10%"):
        till.discount_line("T1", cashier, 2, "amount", D("12.00"), now=now)  # 10.91 %
    cart = till.discount_line(
        "T1", cashier, 2, "amount", D("12.00"), now=now, override=Override(supervisor, "loyal customer")
    )
    assert cart.total == D("118.00")
    assert journal("override")[0]["details"]["percent"] == "10.91"
    cart = till.discount_cart("T1", cashier, "percent", D(5), now=now)
    assert cart.totals().cart_discount == D("5.90")
    cart = till.discount_cart("T1", cashier, "percent", D(0), now=now)
    assert cart.discount is None
    assert till.discount_line("T1", cashier, 2, "amount", D(0), now=now).line(2).discount is None


def test_shrinking_what_an_amount_discount_applies_to_rechecks_the_limit(
    rung_up: Cart, cashier: Actor, supervisor: Actor, now: datetime
) -> None:
    till.discount_cart("T1", cashier, "amount", D("13.00"), now=now)  # 10 % of 130
    with pytest.raises(PermissionDenied, match="discount"):
        till.void_line("T1", cashier, 1, "not wanted", now=now)  # 13 of 110 = 11.8 %
    cart = till.void_line("T1", cashier, 1, "not wanted", now=now, override=Override(supervisor, "ok"))
    assert cart.total == D("97.00")


def test_price_override_needs_permission_and_is_journalled(
    rung_up: Cart, cashier: Actor, supervisor: Actor, now: datetime
) -> None:
    with pytest.raises(PermissionDenied):
        till.override_price("T1", cashier, 2, D("99.00"), "shelf label says 99", now=now)
    cart = till.override_price(
        "T1", cashier, 2, D("99.00"), "shelf label says 99", now=now, override=Override(supervisor, "label was wrong")
    )
    assert cart.line(2).unit_price == D("99.00") and cart.line(2).list_price == D("110.00")
    (entry,) = journal("price_override")
    assert (entry["old_price"], entry["new_price"], entry["reason"], entry["supervisor"]) == (
        "110.00",
        "99.00",
        "shelf label says 99",
        "mehmet",
    )
    assert journal("override")[0]["action"] == "price_override"


def test_cancel_cart(rung_up: Cart, cashier: Actor, supervisor: Actor, now: datetime) -> None:
    with pytest.raises(PermissionDenied):
        till.cancel_cart("T1", cashier, "customer left", now=now)
    with pytest.raises(ValidationError, match="reason"):
        till.cancel_cart("T1", cashier, "", now=now, override=Override(supervisor, "ok"))
    till.cancel_cart("T1", cashier, "customer left", now=now, override=Override(supervisor, "ok"))
    assert till.load_open_cart("T1", cashier.user_id) == Cart()
    (entry,) = journal("cart_cancel")
    assert (entry["total"], entry["reason"], len(entry["lines"])) == ("130.00", "customer left", 2)


def test_park_list_and_resume(
    rung_up: Cart, cashier: Actor, supervisor: Actor, now: datetime, add: Callable[..., Cart]
) -> None:
    with pytest.raises(ValidationError, match="nothing to park"):
        till.park_cart("T1", supervisor, now)
    till.park_cart("T1", cashier, now)
    assert till.load_open_cart("T1", cashier.user_id) == Cart()
    (parked,) = till.list_parked("T1")
    assert (parked.cashier, parked.lines, parked.total) == ("ayse", 2, D("130.00"))
    assert parked.parked_at == now and till.list_parked("T2") == []

    # a second customer is rung up, then the first one comes back
    other = add(Cart(), m.Product.get(m.Product.code == "1001"), 1000)
    till.save_cart("T1", cashier.user_id, other, now=now)
    later = now + timedelta(minutes=3)
    resumed = till.resume_cart("T1", parked.draft_id, cashier, later)
    assert resumed == rung_up
    assert till.load_open_cart("T1", cashier.user_id) == rung_up
    (now_parked,) = till.list_parked("T1")
    assert now_parked.total == D("10.00") and now_parked.parked_at == later

    # any cashier of the terminal may resume a parked cart; it becomes theirs
    assert till.resume_cart("T1", now_parked.draft_id, supervisor, later) == other
    assert till.load_open_cart("T1", supervisor.user_id) == other
    assert till.list_parked("T1") == []
    with pytest.raises(NotFound):
        till.resume_cart("T1", now_parked.draft_id, cashier, later)


def test_set_customer(rung_up: Cart, cashier: Actor, now: datetime) -> None:
    customer = m.Customer.create(code="C1", name="Zeynep", name_key="zeynep", created_at=to_db(now))
    assert till.set_customer("T1", cashier, customer.id, now=now).customer_id == customer.id
    with pytest.raises(NotFound):
        till.set_customer("T1", cashier, 999, now=now)


def test_a_failed_change_leaves_the_saved_cart_alone(rung_up: Cart, cashier: Actor, now: datetime) -> None:
    with pytest.raises(ValidationError):
        till.discount_line("T1", cashier, 1, "amount", D("999.00"), now=now)
    with pytest.raises(NotFound):
        till.void_line("T1", cashier, 9, "x", now=now)
    assert till.load_open_cart("T1", cashier.user_id) == rung_up
    assert m.JournalEntry.select().count() == 0
