"""Helpers for the rules, engine, pricing and coupon tests: engine lines, programs written as
TOML (the way a shop writes them), catalog rows with categories and suppliers, carts, and an
in-process ``pos-admin`` runner."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_tui.core.basket import Benefit, Cart
from pos_tui.core.kernel import MILLI, line_amount, to_db, to_kurus
from pos_tui.core.loyalty import EngineLine, MemberContext, Program, parse_program
from pos_tui.store import models as m
from pos_tui.text import fold

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "config" / "loyalty.toml"
DAY = date(2026, 11, 1)

_seq = itertools.count(1)


def line(
    no: int,
    code: str,
    price: str,
    qty: int = 1,
    *,
    category: str | None = None,
    supplier: str | None = None,
    unit: str = "piece",
    qty_milli: int | None = None,
    amount: str | None = None,
) -> EngineLine:
    """An engine line of ``qty`` pieces at ``price`` (or ``qty_milli`` of a weighed unit)."""
    milli = qty_milli if qty_milli is not None else qty * MILLI
    unit_price = Decimal(price)
    total = Decimal(amount) if amount is not None else line_amount(unit_price, milli)
    return EngineLine(no, code, category, supplier, unit, milli, unit_price, total)


def program(text: str) -> Program:
    return parse_program(text, source="test.toml")


def shipped() -> Program:
    return parse_program(SHIPPED.read_text(encoding="utf-8"), source=str(SHIPPED))


def member(tier: str | None = None, **kw: Any) -> MemberContext:
    return MemberContext(member_id=kw.pop("member_id", 1), tier_code=tier, **kw)


def by_kind(benefits: Sequence[Benefit], kind: str) -> list[Benefit]:
    return [b for b in benefits if b.kind == kind]


def total(benefits: Sequence[Benefit], kind: str | None = None) -> Decimal:
    return sum((b.amount for b in benefits if kind is None or b.kind == kind), Decimal("0.00"))


def per_line(benefits: Sequence[Benefit]) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for b in benefits:
        out[b.line_no] = out.get(b.line_no, Decimal("0.00")) + b.amount
    return out


# ---------------------------------------------------------------------------- database rows


def category_id(name: str) -> int:
    return int(m.Category.get_or_create(name=name)[0].id)


def supplier_id(code: str, now: datetime) -> int:
    row = m.Supplier.get_or_none(m.Supplier.code == code)
    if row is None:
        row = m.Supplier.create(code=code, name=code, created_at=to_db(now))
    return int(row.id)


def new_product(
    now: datetime,
    code: str,
    price: str,
    *,
    name: str | None = None,
    category: str | None = None,
    supplier: str | None = None,
    unit: str = "piece",
    kdv: int = 1,
) -> m.Product:
    label = name or f"Ürün {code}"
    return m.Product.create(
        code=code,
        name=label,
        name_key=fold(label),
        unit=unit,
        price=to_kurus(Decimal(price)),
        kdv_rate=kdv,
        category=None if category is None else category_id(category),
        supplier=None if supplier is None else supplier_id(supplier, now),
        updated_at=to_db(now),
    )


def cart_of(items: Sequence[tuple[m.Product, int]], member_id: int | None = None) -> Cart:
    cart = Cart()
    for product, qty in items:
        cart = cart.add(
            product_id=product.id,
            code=product.code,
            name=product.name,
            unit=product.unit,
            kdv_rate=product.kdv_rate,
            price=Decimal(product.price) / 100,
            qty_milli=qty * MILLI if product.unit == "piece" else qty,
            merge=False,
        )
    return cart.with_member(member_id) if member_id is not None else cart


def sale_row(now: datetime, cashier_id: int, member_id: int | None, total_kurus: int, kind: str = "sale") -> int:
    n = next(_seq)
    return int(
        m.Sale.create(
            uid=f"engine-test-{n}",
            kind=kind,
            terminal="T1",
            receipt_no=1000 + n,
            at=to_db(now),
            cashier=cashier_id,
            subtotal=total_kurus,
            total=total_kurus,
            member=member_id,
        ).id
    )


def sale_line_row(sale_id: int, no: int, product: m.Product, qty: int) -> None:
    qty_milli = qty * MILLI
    amount = product.price * qty
    m.SaleLine.create(
        sale=sale_id,
        line_no=no,
        product=product.id,
        code=product.code,
        name=product.name,
        unit=product.unit,
        qty=qty_milli,
        unit_price=product.price,
        list_price=product.price,
        total=amount,
        kdv_rate=product.kdv_rate,
        kdv=0,
    )


# ---------------------------------------------------------------------------- pos-admin in-process

Cli = Callable[..., Any]
