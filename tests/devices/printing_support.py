"""Helpers for the receipt, printer and print-queue tests: sale documents in the posted shape,
settings in either language, and real posted sales through the sale engine (imported by the
test modules; plain functions, so pytest fixtures stay in the test modules)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pos_tui.cli import common
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import Actor, Printable, to_db, to_kurus
from pos_tui.core.loyalty import members, price_cart, rules
from pos_tui.core.till import ReturnLineInput, SaleResult, complete_sale, create_return
from pos_tui.settings import Settings, load_settings
from pos_tui.store import models as m
from pos_tui.text import fold

REPO = Path(__file__).resolve().parents[2]

SALE: dict[str, Any] = {
    "id": "0b7c2a1e-0000-4000-8000-000000000042",
    "receipt_no": 42,
    "type": "sale",
    "terminal": "T1",
    "at": "2026-11-01T10:15:00+03:00",
    "cashier": "ayse",
    "customer": None,
    "return_of": None,
    "subtotal": "160.00",
    "discount": "15.00",
    "total": "145.00",
    "kdv": {"1": {"base": "49.50", "kdv": "0.50"}, "20": {"base": "79.17", "kdv": "15.83"}},
    "lines": [
        {
            "line_no": 1,
            "code": "1001",
            "barcode": "8690000000011",
            "name": "TOZ ŞEKER 1 KG",
            "unit": "piece",
            "qty": "2",
            "unit_price": "25.00",
            "list_price": "25.00",
            "discount": "0.00",
            "total": "50.00",
            "kdv_rate": 1,
        },
        {
            "line_no": 2,
            "code": "2001",
            "barcode": None,
            "name": "Gül Şampuanı ığdır",
            "unit": "piece",
            "qty": "1",
            "unit_price": "110.00",
            "list_price": "110.00",
            "discount": "15.00",
            "total": "95.00",
            "kdv_rate": 20,
        },
    ],
    "payments": [
        {"method": "card", "amount": "45.00", "tendered": None, "change": None, "reference": "1234"},
        {"method": "cash", "amount": "100.00", "tendered": "200.00", "change": "100.00", "reference": None},
    ],
}


def sale_doc(**changes: Any) -> dict[str, Any]:
    """A copy of :data:`SALE` with top-level keys replaced."""
    doc = copy.deepcopy(SALE)
    doc.update(changes)
    return doc


def member_doc() -> dict[str, Any]:
    """:data:`SALE` with a member card and a reward benefit of 10.00 (100 points) on line 2."""
    return sale_doc(
        member="2990000123456",
        benefits=[
            {
                "line_no": 2,
                "kind": "reward",
                "code": "R1",
                "label": "Hoş geldin ödülü",
                "amount": "10.00",
                "points": 100,
            }
        ],
    )


def return_doc() -> dict[str, Any]:
    """A return of line 1 of :data:`SALE`, refunded in cash."""
    return sale_doc(
        id="0b7c2a1e-0000-4000-8000-000000000043",
        receipt_no=43,
        type="return",
        return_of=SALE["id"],
        subtotal="50.00",
        discount="0.00",
        total="50.00",
        kdv={"1": {"base": "49.50", "kdv": "0.50"}},
        lines=[dict(SALE["lines"][0])],
        payments=[{"method": "cash", "amount": "50.00", "tendered": None, "change": None, "reference": None}],
    )


def settings_in(language: str, tmp_path: Path) -> Settings:
    """The repository's pos.toml (a Turkish shop) with the UI in ``language``."""
    return load_settings(
        {"POS_HOME": str(tmp_path), "POS_LANG": language, "POS_CONFIG": str(REPO / "config" / "pos.toml")}
    )


def texts(job: Printable) -> list[str]:
    return [line.text for line in job.lines]


def joined(job: Printable) -> str:
    """Every line's text in one string, whitespace collapsed (for phrases wrapped over lines)."""
    return " ".join(" ".join(texts(job)).split())


# --------------------------------------------------------------------------- posted sales


@dataclass
class Shop:
    """A till user and two products in the test database, selling through the real engine."""

    till: Actor
    goods: dict[str, m.Product]
    settings: Settings

    def sell(
        self,
        items: Sequence[tuple[str, int]],
        payments: Sequence[tuple[str, str]],
        *,
        now: datetime,
        member: int | None = None,
        shift_id: int | None = None,
    ) -> SaleResult:
        """Post ``[(code, units)]`` paid ``[(method, "amount")]`` (priced for ``member`` when given)."""
        cart = Cart(member_id=member)
        for code, units in items:
            p = self.goods[code]
            cart = cart.add(
                product_id=p.id,
                code=p.code,
                name=p.name,
                unit=p.unit,
                kdv_rate=p.kdv_rate,
                price=Decimal(p.price) / 100,
                qty_milli=units * 1000,
                merge=False,
            )
        if member is not None:
            cart = price_cart(cart, now=now)
        return complete_sale(
            "T1",
            self.till,
            [PaymentInput(method, Decimal(amount)) for method, amount in payments],
            now=now,
            cart=cart,
            shift_id=shift_id,
            tz=self.settings.shop.timezone,
        )

    def give_back(self, sale: SaleResult, line_no: int, units: int, *, now: datetime) -> SaleResult:
        """Return ``units`` of line ``line_no`` of ``sale``, refunded the way it was paid."""
        return create_return(
            "T1",
            self.till,
            sale.uid,
            [ReturnLineInput(line_no, units * 1000)],
            now=now,
            reason="changed mind",
            tz=self.settings.shop.timezone,
        )


def open_shop(settings: Settings, now: datetime) -> Shop:
    """ayse (a supervisor, so she may open the drawer without a sale), sugar (1 % KDV, 25.00)
    and a shampoo (20 %, 110.00). Needs the ``db`` fixture."""
    r = settings.roles["supervisor"]
    user = m.User.create(name="ayse", role="supervisor", pin_tag="t-ayse", pin_hash="x", created_at=to_db(now))
    till = Actor(user.id, "ayse", "supervisor", r.permissions, r.max_discount_pct)
    goods = {}
    for code, name, price, rate in (("1001", "TOZ ŞEKER 1 KG", "25.00", 1), ("2001", "Gül Şampuanı", "110.00", 20)):
        goods[code] = m.Product.create(
            code=code,
            name=name,
            name_key=fold(name),
            price=to_kurus(Decimal(price)),
            kdv_rate=rate,
            updated_at=to_db(now),
        )
    return Shop(till, goods, settings)


def enroll_member(now: datetime) -> int:
    """A member earning 10 % in points, with every second shampoo 50 % off for members."""
    rules.apply_rules(
        """
[earning]
percent = 10
[[promotions]]
code = "ikinci"
name = "2. ürün %50"
kind = "second_item_percent"
percent = 50
products = ["2001"]
members_only = true
""",
        now=now,
    )
    return members.enroll(name="Zeynep Yılmaz", phone="05321234567", source="cli", actor=None, now=now).id


# --------------------------------------------------------------------------- CLI

Cli = Callable[..., Any]


def make_cli(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """``cli(*args, devices=None)``: pos-admin in-process against the test database, with a fresh
    CLI state per call as a real process has; ``devices`` is the text of the devices.toml to use
    (default: an empty one, so no printer). The caller closes the database afterwards."""
    runner = CliRunner()

    def run(*args: str, devices: str | None = None) -> Any:
        from pos_tui.cli.app import app

        path = tmp_path / "devices.toml"
        path.write_text(devices or "", encoding="utf-8")
        env = {
            "POS_DB": str(db_path),
            "POS_HOME": str(tmp_path),
            "POS_CONFIG": str(REPO / "config" / "pos.toml"),
            "POS_LANG": "en",
            "POS_TERMINAL": "T1",
            "POS_DEVICES": str(path),
        }
        monkeypatch.setattr(common, "STATE", common.State())
        return runner.invoke(app, list(args), env=env)

    return run
