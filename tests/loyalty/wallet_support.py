"""Helpers for the wallet, gift card and loyalty tender tests (a uniquely named module):
products, a member cart posted through the real sale engine, returns, and the script of one
terminal for the two-process wallet test."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from pos_tui.core.kernel import Actor, to_db, to_kurus
from pos_tui.settings import DEFAULT_ROLES
from pos_tui.store import models as m
from pos_tui.text import fold

D = Decimal
_seq = itertools.count(1)

# One terminal of the wallet concurrency test: ``python -c WALLET_TERMINAL DB MEMBER TRIES NOW``
# opens the database, says "ready", waits for a line on stdin, then spends 1.00 of store
# credit TRIES times and prints how many payments succeeded and how many were refused.
WALLET_TERMINAL = """
import sys
from datetime import datetime
from decimal import Decimal
from pos_tui.core.loyalty.wallet import InsufficientCredit, spend
from pos_tui.store import open_database

path, member, tries, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), datetime.fromisoformat(sys.argv[4])
open_database(path)
print("ready", flush=True)
sys.stdin.readline()  # both terminals start spending together
got = refused = 0
for _ in range(tries):
    try:
        spend(member, Decimal("1.00"), now=now)
    except InsufficientCredit:
        refused += 1
    else:
        got += 1
print(got, refused, flush=True)
"""


def product(now: datetime, name: str, price: str, kdv_rate: int = 20) -> m.Product:
    """A piece product at ``price`` TRY with a fresh code."""
    code = f"9{next(_seq):05d}"
    return m.Product.create(
        code=code,
        name=name,
        name_key=fold(name),
        unit="piece",
        price=to_kurus(D(price)),
        kdv_rate=kdv_rate,
        updated_at=to_db(now),
    )


def cart_of(items: Sequence[tuple[m.Product, int]], member_id: int | None = None) -> object:
    """A cart of ``(product, pieces)`` with the member attached."""
    from pos_tui.core.basket import Cart

    cart = Cart()
    for p, pieces in items:
        cart = cart.add(
            product_id=p.id,
            code=p.code,
            name=p.name,
            unit=p.unit,
            kdv_rate=p.kdv_rate,
            price=D(p.price) / 100,
            qty_milli=pieces * 1000,
        )
    return cart.with_member(member_id) if member_id is not None else cart


def sell(
    cashier: Actor,
    items: Sequence[tuple[m.Product, int]],
    payments: Sequence[object],
    *,
    now: datetime,
    member_id: int | None = None,
    shift_id: int | None = None,
) -> object:
    """Post a sale of ``items`` through :func:`pos_tui.core.till.posting.post_cart`; ``payments`` are
    ``PaymentInput``s or ``(method, amount)`` pairs."""
    from pos_tui.core.basket import PaymentInput
    from pos_tui.core.till import post_cart

    inputs = [p if isinstance(p, PaymentInput) else PaymentInput(p[0], D(p[1])) for p in payments]  # type: ignore[index]
    return post_cart(
        cart_of(items, member_id),  # type: ignore[arg-type]
        inputs,
        terminal="T1",
        cashier_id=cashier.user_id,
        now=now,
        shift_id=shift_id,
    )


def give_back(
    cashier: Actor,
    uid: str,
    lines: Sequence[tuple[int, int]],
    *,
    now: datetime,
    refund_method: str = "original",
    refunds: Sequence[object] | None = None,
) -> object:
    """Return ``(line_no, pieces)`` of receipt ``uid`` through :func:`pos_tui.core.till.returns.post_return`."""
    from pos_tui.core.till import ReturnLineInput, post_return

    return post_return(
        uid,
        [ReturnLineInput(n, q * 1000) for n, q in lines],
        terminal="T1",
        cashier_id=cashier.user_id,
        now=now,
        reason="customer changed their mind",
        refund_method=refund_method,
        refunds=refunds,  # type: ignore[arg-type]
    )


def manager(now: datetime, name: str = "müdür") -> Actor:
    """A supervisor (who has ``points_adjust``), made directly with the model."""
    user = m.User.create(name=name, role="supervisor", pin_tag=f"w-{next(_seq)}", pin_hash="x", created_at=to_db(now))
    role = DEFAULT_ROLES["supervisor"]
    return Actor(int(user.id), name, "supervisor", role.permissions, role.max_discount_pct)


def payments_of(sale_id: int) -> list[tuple[str, int, str | None]]:
    P = m.Payment
    return list(P.select(P.method, P.amount, P.reference).where(P.sale == sale_id).order_by(P.id).tuples())
