"""A small shop for the stock report tests, written through the ledger and real sales.

Hand-computed figures (moving average, kernel.costing), in the order things are posted:

Product A ``1001`` (piece, min 40, category Gıda), posted in this order:
  1. 1 Oct   receipt 1 at DEPO, +20 at 10,00 (200,00)       qty 20  value 200,00  cost 10,00
  2. 2 Oct   transfer DEPO → MAGAZA 8 (out 1 / in 1)         qty 20  value 200,00
  3. 5 Oct   sale T1-1 at MAGAZA, -3 at 10,00                qty 17  value 170,00
  4. 10 Oct  receipt 2 at DEPO, +10 at 13,00 (130,00)        qty 27  value 300,00  cost 11,11
  5. 20 Oct  adjustment 1 (waste) at MAGAZA, -2 at 11,11      qty 25  value 277,78
  6. dated 3 Oct, posted 21 Oct: receipt 3 at DEPO, +5 at 12,00 (60,00)
                                                              qty 30  value 337,78  cost 11,26
  Now: DEPO 27, MAGAZA 3.

Product W ``2001`` (kg, min 5 kg): receipt 4 at MAGAZA 1 Oct 2,500 kg at 40,00 (100,00); sale T1-2
15 Oct 1,250 kg; sale T1-3 25 Oct 2,000 kg → -0,750 kg, value 0.

Product B ``1002`` (piece, no minimum, never sold): opening adjustment 2 on 1 Jul +4 worth 20,00
(cost 5,00) at MAGAZA; count difference -1 on 28 Oct → 3, value 15,00.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from pos_tui.core import catalog, stock
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import Actor, to_db
from pos_tui.core.stock import DraftLine, Movement, StockDraft, write_stock_document
from pos_tui.core.till import complete_sale
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx

_pins = itertools.count(5000)

D = Decimal


def at(month: int, day: int, hour: int = 9) -> datetime:
    """A time in 2026 (UTC; 09:00 UTC is noon in Istanbul, the same shop day)."""
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class Shop:
    admin: Actor
    a: int
    w: int
    b: int
    magaza: int
    depo: int
    receipt_ids: list[int]


def make_admin(settings: Settings, now: datetime) -> Actor:
    user = m.User.create(
        name=f"admin{next(_pins)}", role="admin", pin_tag=f"tag-{next(_pins)}", pin_hash="x", created_at=to_db(now)
    )
    role = settings.roles["admin"]
    return Actor(int(user.id), str(user.name), "admin", role.permissions, role.max_discount_pct)


def document(
    shop_admin: Actor,
    kind: str,
    when: datetime,
    location: int,
    moves: list[Movement],
    *,
    posted: datetime | None = None,
    reason: str | None = None,
    supplier: int | None = None,
) -> int:
    lines = [DraftLine(mv.product_id, abs(mv.qty), net=mv.amount or 0) for mv in moves]
    draft = StockDraft(
        kind=kind,
        at=when,
        now=posted or when,
        terminal="T1",
        user_id=shop_admin.user_id,
        location_id=location,
        lines=lines,
        movements=moves,
        reason=reason,
        supplier_id=supplier,
    )
    return write_stock_document(draft).id


def sell(actor: Actor, product_id: int, qty_milli: int, when: datetime) -> None:
    p = m.Product.get_by_id(product_id)
    price = D(p.price) / 100
    cart = Cart().add(
        product_id=p.id, code=p.code, name=p.name, unit=p.unit, kdv_rate=p.kdv_rate, price=price, qty_milli=qty_milli
    )
    total = (price * qty_milli / 1000).quantize(D("0.01"))
    complete_sale("T1", actor, [PaymentInput("cash", total)], now=when, cart=cart)


def build_shop(settings: Settings, now: datetime) -> Shop:
    admin = make_admin(settings, now)
    catalog.upsert_products(
        [
            catalog.ProductInput(
                code="1001",
                name="Ayran",
                price=D("20.00"),
                kdv_rate=1,
                min_stock=40_000,
                category="Gıda",
                barcodes=("8690000000111",),
            ),
            catalog.ProductInput(code="1002", name="Bardak", price=D("15.00"), kdv_rate=20),
            catalog.ProductInput(
                code="2001", name="Peynir", unit="kg", price=D("40.00"), kdv_rate=1, min_stock=5_000, category="Gıda"
            ),
        ],
        now=now,
        kdv_rates=settings.kdv_rates,
    )
    ids = {p.code: p.id for p in m.Product.select()}
    a, b, w = ids["1001"], ids["1002"], ids["2001"]
    magaza = stock.location_id("MAGAZA")
    depo = stock.add_location("DEPO", "Depo", terminal="T1", now=now).id
    supplier = m.Supplier.create(code="S1", name="Süt A.Ş.", created_at=to_db(now)).id
    receipts = []
    # B's opening stock (1 Jul)
    document(admin, "adjustment", at(7, 1), magaza, [Movement(b, magaza, 4000, "adjust", 2000, "opening")])
    # A and W
    receipts.append(
        document(admin, "receipt", at(10, 1), depo, [Movement(a, depo, 20_000, "receipt", 20_000)], supplier=supplier)
    )
    receipts.append(document(admin, "receipt", at(10, 1, 10), magaza, [Movement(w, magaza, 2500, "receipt", 10_000)]))
    # a transfer's legs net to zero in each document (the ledger refuses anything else): through a
    # transit location, as stock.moves does
    yolda = stock.add_location("YOLDA", "Yolda", terminal="T1", now=now).id
    m.StockLocation.update(active=False).where(m.StockLocation.id == yolda).execute()  # as stock.moves makes it
    document(
        admin,
        "transfer_out",
        at(10, 2),
        depo,
        [Movement(a, depo, -8000, "transfer_out"), Movement(a, yolda, 8000, "transfer_in")],
    )
    document(
        admin,
        "transfer_in",
        at(10, 2, 10),
        magaza,
        [Movement(a, yolda, -8000, "transfer_out"), Movement(a, magaza, 8000, "transfer_in")],
    )
    sell(admin, a, 3000, at(10, 5))
    receipts.append(
        document(admin, "receipt", at(10, 10), depo, [Movement(a, depo, 10_000, "receipt", 13_000)], supplier=supplier)
    )
    sell(admin, w, 1250, at(10, 15))
    document(admin, "adjustment", at(10, 20), magaza, [Movement(a, magaza, -2000, "adjust", None, "waste")])
    # backdated: the goods came on 3 Oct, the receipt is entered on 21 Oct
    receipts.append(
        document(
            admin,
            "receipt",
            at(10, 3),
            depo,
            [Movement(a, depo, 5000, "receipt", 6000)],
            posted=at(10, 21),
            supplier=supplier,
        )
    )
    sell(admin, w, 2000, at(10, 25))
    document(admin, "count", at(10, 28), magaza, [Movement(b, magaza, -1000, "count")])
    with write_tx():
        m.SupplierPrice.create(supplier=supplier, product=a, unit_cost=1200, at=to_db(at(10, 3)), document=receipts[3])
    return Shop(admin, a, w, b, magaza, depo, receipts)
