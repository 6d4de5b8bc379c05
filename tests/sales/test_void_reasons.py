"""A void's reason is words: a bare number (``9`` when the till lists four reasons) is refused by
the service, so nothing meaningless reaches the journal whichever front end sent it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import pytest

from pos_tui.core import till
from pos_tui.core.basket import Cart
from pos_tui.core.kernel import Actor, ValidationError
from pos_tui.store import models as m


@pytest.fixture
def rung_up(
    db: object, cashier: Actor, make_product: Callable[..., m.Product], add: Callable[..., Cart], now: datetime
) -> Cart:
    bread = make_product("1001", "Ekmek", "10.00", 1)
    cart = add(Cart(), bread, 3000)
    till.save_cart("T1", cashier.user_id, cart, now=now)
    return cart


def voids() -> list[str]:
    entries = m.JournalEntry.select().where(m.JournalEntry.kind == "line_void").order_by(m.JournalEntry.id)
    return [json.loads(e.payload)["reason"] for e in entries]


@pytest.mark.parametrize("reason", ["9", " 12 ", "3.", "-"])
def test_a_bare_number_is_not_a_void_reason(rung_up: Cart, cashier: Actor, now: datetime, reason: str) -> None:
    with pytest.raises(ValidationError, match="not a reason"):
        till.void_line("T1", cashier, 1, reason, now=now)
    with pytest.raises(ValidationError, match="not a reason"):
        till.set_quantity("T1", cashier, 1, 1000, now=now, reason=reason)
    assert voids() == []
    assert till.load_open_cart("T1", cashier.user_id) == rung_up


def test_an_empty_void_reason_is_refused(rung_up: Cart, cashier: Actor, now: datetime) -> None:
    with pytest.raises(ValidationError, match="A reason is needed"):
        till.void_line("T1", cashier, 1, "  ", now=now)
    assert voids() == []


def test_words_are_a_reason_even_with_a_number_in_them(rung_up: Cart, cashier: Actor, now: datetime) -> None:
    till.set_quantity("T1", cashier, 1, 2000, now=now, reason="1 adet kırık")
    till.void_line("T1", cashier, 1, "Hasarlı", now=now)
    assert voids() == ["1 adet kırık", "Hasarlı"]
