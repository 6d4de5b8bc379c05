"""Totals of posted documents: the figures shared by X and Z reports, and sales reports.

Sales and returns are both stored with positive amounts; every figure here nets them
(returns subtract). All SQL is portable (SQLite and PostgreSQL): grouping by hour is done in
Python because the hour is the shop's local hour, which depends on the time zone and its
daylight-saving history, not on the UTC timestamp the store keeps.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from peewee import JOIN, Case, Expression, fn

from pos_tui import store
from pos_tui.core import accounts
from pos_tui.core.kernel.clock import day_bounds, from_db, local, to_db
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.money import ZERO, from_kurus, qty_to_decimal
from pos_tui.core.kernel.totals import KdvTotal, SalesFigures
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import models as m

ReportBy = Literal["product", "category", "cashier", "hour"]
REPORT_BY: tuple[str, ...] = ("product", "category", "cashier", "hour")


@dataclass(frozen=True, slots=True)
class DocumentTotals(SalesFigures):
    """Totals of a set of posted documents (sales and returns).

    ``gross`` is what the sales took, ``returns`` what the returns gave back (both positive),
    ``net = gross - returns``. ``sale_payments`` / ``return_payments`` are per tender
    method; ``by_payment`` and ``by_kdv`` are net of returns.
    """

    sales_count: int = 0
    returns_count: int = 0
    gross: Decimal = ZERO
    returns: Decimal = ZERO
    first_id: int | None = None
    last_id: int | None = None
    from_at: datetime | None = None
    to_at: datetime | None = None
    sale_payments: dict[str, Decimal] = field(default_factory=dict)
    return_payments: dict[str, Decimal] = field(default_factory=dict)
    by_kdv: dict[int, KdvTotal] = field(default_factory=dict)

    def json_fields(self, tz: str) -> dict[str, Any]:
        """The figures in the JSON contract's shape: amounts as strings, times ISO with offset."""
        return self.figures_json(tz)


def _sign(kind_field: Any, value: Any) -> Case:
    """``value`` for a sale, ``-value`` for a return (portable CASE)."""
    return Case(None, [(kind_field == "return", value * -1)], value)


def document_totals(where: Expression) -> DocumentTotals:
    """Totals of the ``sale`` rows matching ``where`` (an expression over :class:`m.Sale`)."""
    S = m.Sale
    counts: dict[str, tuple[int, int]] = {}
    first_id = last_id = None
    from_at = to_at = None
    rows = store.rows(
        S.select(S.kind, fn.COUNT(S.id), fn.SUM(S.total), fn.MIN(S.id), fn.MAX(S.id), fn.MIN(S.at), fn.MAX(S.at))
        .where(where)
        .group_by(S.kind)
    )
    for kind, n, total, lo, hi, lo_at, hi_at in rows:
        counts[kind] = (n, total or 0)
        first_id = lo if first_id is None else min(first_id, lo)
        last_id = hi if last_id is None else max(last_id, hi)
        lo_at, hi_at = from_db(lo_at), from_db(hi_at)
        from_at = lo_at if from_at is None else min(from_at, lo_at)
        to_at = hi_at if to_at is None else max(to_at, hi_at)

    payments: dict[str, dict[str, Decimal]] = {"sale": {}, "return": {}}
    P = m.Payment
    for kind, method, amount in store.rows(
        P.select(S.kind, P.method, fn.SUM(P.amount)).join(S).where(where).group_by(S.kind, P.method).order_by(P.method)
    ):
        payments.setdefault(kind, {})[method] = from_kurus(amount or 0)

    K = m.SaleKdv
    kdv_k: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for rate, base, kdv in store.rows(
        K.select(K.rate, fn.SUM(_sign(S.kind, K.base)), fn.SUM(_sign(S.kind, K.kdv)))
        .join(S)
        .where(where)
        .group_by(K.rate)
        .order_by(K.rate)
    ):
        kdv_k[rate][0] += base or 0
        kdv_k[rate][1] += kdv or 0

    return DocumentTotals(
        sales_count=counts.get("sale", (0, 0))[0],
        returns_count=counts.get("return", (0, 0))[0],
        gross=from_kurus(counts.get("sale", (0, 0))[1]),
        returns=from_kurus(counts.get("return", (0, 0))[1]),
        first_id=first_id,
        last_id=last_id,
        from_at=from_at,
        to_at=to_at,
        sale_payments=payments["sale"],
        return_payments=payments["return"],
        by_kdv={rate: KdvTotal(from_kurus(b), from_kurus(k)) for rate, (b, k) in sorted(kdv_k.items())},
    )


def account_money(where: Expression) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """(collections, supplier payments) by method of the account entries matching ``where`` (an
    expression over :class:`m.AccountEntry`): what customers paid on their accounts and what was
    paid to suppliers, both as positive amounts."""
    E = m.AccountEntry
    collections: dict[str, Decimal] = {}
    payments: dict[str, Decimal] = {}
    query = (
        E.select(E.kind, E.method, fn.SUM(E.amount))
        .where(where & E.kind.in_([accounts.COLLECTION, accounts.PAYMENT]))
        .group_by(E.kind, E.method)
        .order_by(E.method)
    )
    for kind, method, amount in store.rows(query):
        if kind == accounts.COLLECTION:
            collections[method or "cash"] = from_kurus(-(amount or 0))
        else:
            payments[method or "cash"] = from_kurus(amount or 0)
    return collections, payments


# --- sales reports ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One row of a sales report. Amounts are net of returns.

    ``gross`` is before discounts, ``net = gross - discount`` is what was charged; ``qty``
    is in the product's unit (mixed units when grouped by anything but product);
    ``count`` is the number of sale documents involved and ``returns_count`` of returns.
    """

    key: str
    label: str
    qty: Decimal
    gross: Decimal
    discount: Decimal
    net: Decimal
    count: int
    returns_count: int

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "qty": str(self.qty),
            "gross": f"{self.gross:.2f}",
            "discount": f"{self.discount:.2f}",
            "net": f"{self.net:.2f}",
            "count": self.count,
            "returns_count": self.returns_count,
        }


def _row(key: str, label: str, qty: int, discount: int, net: int, count: int, returns: int) -> ReportRow:
    return ReportRow(
        key,
        label,
        qty_to_decimal(qty),
        from_kurus(net + discount),
        from_kurus(discount),
        from_kurus(net),
        count,
        returns,
    )


def sales_report(
    by: str, from_day: date, to_day: date, *, settings: Settings, terminal: str | None = None
) -> list[ReportRow]:
    """Sales from ``from_day`` to ``to_day`` (local days, both included) grouped ``by``
    product, category, cashier or hour (the shop's local hour of the document).

    Rows are sorted by net amount, largest first (by hour: in hour order).
    """
    if by not in REPORT_BY:
        raise ValidationError(
            _("Cannot group a sales report by {by}; choose one of {choices}").format(
                by=by, choices=", ".join(REPORT_BY)
            )
        )
    if to_day < from_day:
        raise ValidationError(
            _("The report ends ({to}) before it starts ({start})").format(
                to=to_day.isoformat(), start=from_day.isoformat()
            )
        )
    tz = settings.shop.timezone
    start = day_bounds(from_day, tz)[0]
    end = day_bounds(to_day, tz)[1]
    S, L = m.Sale, m.SaleLine
    where = (S.at >= to_db(start)) & (S.at < to_db(end))
    if terminal is not None:
        where &= S.terminal == terminal
    qty = fn.SUM(_sign(S.kind, L.qty))
    discount = fn.SUM(_sign(S.kind, L.discount))
    net = fn.SUM(_sign(S.kind, L.total))
    sales = fn.COUNT(fn.DISTINCT(Case(None, [(S.kind == "sale", S.id)], None)))
    returns = fn.COUNT(fn.DISTINCT(Case(None, [(S.kind == "return", S.id)], None)))

    if by == "hour":
        return _by_hour(where, tz)
    if by == "product":
        P = m.Product
        query = (
            L.select(P.code, P.name, qty, discount, net, sales, returns)
            .join(S)
            .switch(L)
            .join(P)
            .where(where)
            .group_by(P.id, P.code, P.name)
        )
        rows = [_row(code, name, *rest) for code, name, *rest in store.rows(query)]
    elif by == "category":
        P, C = m.Product, m.Category
        query = (
            L.select(C.name, qty, discount, net, sales, returns)
            .join(S)
            .switch(L)
            .join(P)
            .join(C, JOIN.LEFT_OUTER)
            .where(where)
            .group_by(C.name)
        )
        none = _("(no category)")
        rows = [_row(name or "", name or none, *rest) for name, *rest in store.rows(query)]
    else:
        U = m.User
        query = (
            L.select(U.name, qty, discount, net, sales, returns)
            .join(S)
            .join(U, on=(S.cashier == U.id))
            .where(where)
            .group_by(U.id, U.name)
        )
        rows = [_row(name, name, *rest) for name, *rest in store.rows(query)]
    return sorted(rows, key=lambda r: (-r.net, r.key))


def _by_hour(where: Expression, tz: str) -> list[ReportRow]:
    S, L = m.Sale, m.SaleLine
    per_doc = store.rows(
        L.select(S.at, S.kind, fn.SUM(L.qty), fn.SUM(L.discount), fn.SUM(L.total))
        .join(S)
        .where(where)
        .group_by(S.id, S.at, S.kind)
    )
    acc: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for at, kind, qty, discount, total in per_doc:
        hour = local(from_db(at), tz).hour
        sign = -1 if kind == "return" else 1
        a = acc[hour]
        a[0] += sign * qty
        a[1] += sign * discount
        a[2] += sign * total
        a[3 if kind == "sale" else 4] += 1
    return [_row(f"{h:02d}", f"{h:02d}:00–{h:02d}:59", *acc[h]) for h in sorted(acc)]
