"""A small shop for the sales reports' tests: two cashiers, two terminals, four products, and
sales, returns, voids and cancels made through the till's own services at given local times
(a uniquely named module: the test modules import it by name; it holds no tests itself).

The week of the tests is Monday 2 to Sunday 8 November 2026, Istanbul time (UTC+3, no DST)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from pos_tui.core import till
from pos_tui.core.basket import Cart, Discount, PaymentInput
from pos_tui.core.cash import ZReport, z_report
from pos_tui.core.kernel import Actor, to_db, to_kurus
from pos_tui.core.loyalty import create_coupon, price_cart
from pos_tui.core.reports import Period, Report, ReportQuery, run_report
from pos_tui.core.till import ReturnLineInput, SaleResult, complete_sale, create_return
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.text import fold

TZ = "Europe/Istanbul"
D = Decimal
WEEK = Period(date(2026, 11, 2), date(2026, 11, 8))


@dataclass(frozen=True)
class Shop:
    ayse: Actor  # cashier
    mehmet: Actor  # supervisor
    bread: m.Product  # Ekmek 10.00, KDV 1, category Fırın
    milk: m.Product  # Süt 32.50, KDV 1, category Süt
    cheese: m.Product  # Peynir 240.00 per kg, KDV 10, category Süt
    soap: m.Product  # Deterjan 85.00, KDV 20, no category
    settings: Settings


def at(day: int, hour: int, minute: int = 0, *, month: int = 11, year: int = 2026) -> datetime:
    """Istanbul local ``day.month.year hour:minute`` as an aware UTC time."""
    return datetime.combine(date(year, month, day), time(hour, minute), ZoneInfo(TZ)).astimezone(UTC)


def make_shop(settings: Settings, now: datetime) -> Shop:
    def user(name: str, role: str, tag: str) -> Actor:
        row = m.User.create(name=name, role=role, pin_tag=tag, pin_hash="not-a-hash", created_at=to_db(now))
        r = settings.roles[role]
        return Actor(int(row.id), name, role, r.permissions, r.max_discount_pct)

    def product(code: str, name: str, price: str, kdv: int, category: str | None, unit: str = "piece") -> m.Product:
        cat = m.Category.get_or_create(name=category)[0] if category else None
        return m.Product.create(
            code=code,
            name=name,
            name_key=fold(name),
            unit=unit,
            price=to_kurus(D(price)),
            kdv_rate=kdv,
            category=cat,
            stock=1_000_000,
            updated_at=to_db(now),
        )

    return Shop(
        ayse=user("ayse", "cashier", "tag-ayse"),
        mehmet=user("mehmet", "supervisor", "tag-mehmet"),
        bread=product("1001", "Ekmek", "10.00", 1, "Fırın"),
        milk=product("1002", "Süt", "32.50", 1, "Süt"),
        cheese=product("2001", "Peynir", "240.00", 10, "Süt", unit="kg"),
        soap=product("3001", "Deterjan", "85.00", 20, None),
        settings=settings,
    )


def ring(*items: tuple[m.Product, int]) -> Cart:
    """A cart of ``(product, qty_milli)`` lines at their catalog prices, one line each."""
    cart = Cart()
    for p, qty in items:
        cart = cart.add(
            product_id=p.id,
            code=p.code,
            name=p.name,
            unit=p.unit,
            kdv_rate=p.kdv_rate,
            price=D(p.price) / 100,
            qty_milli=qty,
            weighed=p.unit == "kg",
            merge=False,
        )
    return cart


def sell(
    actor: Actor,
    when: datetime,
    cart: Cart,
    *,
    terminal: str = "T1",
    pay: Sequence[tuple[str, str]] = (),
    cart_discount: str | None = None,
    coupons: Sequence[str] = (),
) -> SaleResult:
    """Post ``cart`` (a ``cart_discount`` percentage, ``coupons``) paid by ``pay``
    ``(method, amount)`` (default: cash, the whole total) through :func:`complete_sale`."""
    if cart_discount is not None:
        cart = cart.discount_cart(Discount("percent", D(cart_discount)))
    if coupons:
        cart = price_cart(cart.with_coupons(coupons), now=when, tz=TZ)
    payments = [PaymentInput(method, D(amount)) for method, amount in pay] or [PaymentInput("cash", cart.total)]
    return complete_sale(terminal, actor, payments, now=when, cart=cart, tz=TZ)


def give_back(
    actor: Actor, sale: SaleResult, lines: Sequence[tuple[int, int]], when: datetime, *, terminal: str = "T1"
) -> SaleResult:
    """Return ``(line_no, qty_milli)`` of ``sale``, refunded by its own methods."""
    return create_return(
        terminal,
        actor,
        sale.uid,
        [ReturnLineInput(n, q) for n, q in lines],
        now=when,
        reason="customer brought it back",
        tz=TZ,
    )


def week_of_sales(shop: Shop) -> dict[str, SaleResult]:
    """The week every concrete test reads (net 279,50):

    - Mon 09:10 ayse T1: 3 Ekmek + 1 Süt = 62,50, cash;
    - Mon 18:30 mehmet T2: 0,5 kg Peynir (120,00) + 1 Deterjan (85,00) − 10 % = 184,50, card;
    - Tue 23:30 ayse T1: 2 Süt = 65,00, card (20:30 UTC: local hour 23, not 20);
    - Wed 00:30 ayse T1: 1 Süt of Tuesday's receipt back = −32,50 to the card (21:30 UTC on
      Tuesday: the local day is Wednesday).
    """
    s = shop
    first = sell(s.ayse, at(2, 9, 10), ring((s.bread, 3000), (s.milk, 1000)))
    second = sell(
        s.mehmet,
        at(2, 18, 30),
        ring((s.cheese, 500), (s.soap, 1000)),
        terminal="T2",
        pay=[("card", "184.50")],
        cart_discount="10",
    )
    third = sell(s.ayse, at(3, 23, 30), ring((s.milk, 2000)), pay=[("card", "65.00")])
    back = give_back(s.ayse, third, [(1, 1000)], at(4, 0, 30))
    return {"first": first, "second": second, "third": third, "back": back}


def query(
    period: Period = WEEK, *, terminal: str | None = None, store: str | None = None, **options: str
) -> ReportQuery:
    return ReportQuery(period, TZ, at(8, 23), terminal=terminal, store=store, options=options)


def run(name: str, q: ReportQuery | None = None) -> Report:
    return run_report(name, q or query())


def column(report: Report, key: str) -> list[object]:
    return report.values(key)


def total(report: Report, key: str) -> object:
    assert report.totals is not None
    return report.totals[report.column(key)]


def by(report: Report, label: str) -> dict[str, object]:
    """Each row as a dict, keyed by its ``label`` column."""
    keys = [c.key for c in report.columns]
    return {str(row[report.column(label)]): dict(zip(keys, row, strict=True)) for row in report.rows}


def summary(report: Report) -> dict[str, object]:
    return {f.key: f.value for f in report.summary}


def open_cart(actor: Actor, cart: Cart, when: datetime, terminal: str = "T1") -> None:
    """Put ``cart`` on ``terminal`` as ``actor``'s open cart (as the till does after each scan)."""
    till.save_cart(terminal, actor.user_id, cart, now=when, tz=TZ)


def product_coupon(code: str, product: m.Product, amount: str, now: datetime) -> str:
    """An amount coupon for anyone, on ``product``'s line (a loyalty benefit of kind ``coupon``)."""
    create_coupon(code, kind="amount", amount=D(amount), product_code=product.code, now=now)
    return code


def take_z(shop: Shop, terminal: str, when: datetime) -> ZReport:
    """A real Z of ``terminal`` (taken by mehmet, who has ``reports``)."""
    return z_report(terminal, shop.mehmet, now=when, settings=shop.settings)


def agreement(q: ReportQuery) -> dict[str, dict[str, object]]:
    """Every sales report's headline totals of ``q``, side by side: what the cross-report
    agreement compares (``net``, ``gross``, ``discount``, ``receipts`` and ``kdv`` where a report
    has them)."""
    day = run("sales-by-day", q)
    out: dict[str, dict[str, object]] = {
        "sales-by-day": {k: total(day, k) for k in ("net", "gross", "discount", "receipts", "returns", "kdv")}
    }
    for name in ("sales-by-cashier", "sales-by-terminal"):
        r = run(name, q)
        out[name] = {k: total(r, k) for k in ("net", "gross", "discount", "receipts", "returns")}
    for name in ("sales-by-product", "sales-by-category"):
        r = run(name, q)
        out[name] = {k: total(r, k) for k in ("net", "gross", "discount")}
    out["sales-by-payment"] = {"net": total(run("sales-by-payment", q), "net")}
    heat = run("sales-heatmap", q)
    out["sales-heatmap"] = {"net": total(heat, "total"), "receipts": summary(heat)["receipts"]}
    basket = run("basket", q)
    out["basket"] = {"net": total(basket, "net"), "receipts": total(basket, "receipts")}
    this = run("sales-compare", q).rows[0]
    out["sales-compare"] = {"net": this[3], "receipts": this[4]}
    disc = summary(run("discounts", q))
    out["discounts"] = {"discount": disc["discount"]}
    return out


def assert_agree(figures: dict[str, dict[str, object]], **expected: object) -> None:
    """Each figure is the same in every report that has it, and equals ``expected`` where given."""
    keys = {k for f in figures.values() for k in f}
    for key in keys:
        seen = {name: f[key] for name, f in figures.items() if key in f}
        values = set(seen.values())
        assert len(values) == 1, (key, seen)
        if key in expected:
            assert values == {expected[key]}, (key, seen, expected[key])
