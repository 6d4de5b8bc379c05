"""Discounts: what the shop gave away below its list prices, of which kind, and by whom.

One row per cashier (who posted the receipt; what a return gives back counts against the
cashier who made the return), one column per kind, all amounts net of returns (a return
subtracts the part of each kind it gives back):

- ``manual``: line and receipt discounts the cashier typed (the receipt discount is spread over
  the lines when the sale posts and the store keeps each line's total discount, so the two are
  one column): a line's discount minus its loyalty benefits;
- ``promotion``, ``stamp``, ``reward``, ``tier``, ``coupon``: the loyalty program's discounts
  (``sale_benefit``); a return gives back each kind in proportion to the returned line's
  discount (largest remainder, to the kuruş);
- ``price_override``: lines whose price was changed by hand below the list price, (list price −
  price charged) × quantity;
- ``price_list``: lines an account's price list priced below the list price, the same way.
  These two are rounded half up to the kuruş once per cashier and kind;
- ``total``: the row's sum; ``receipts``: the cashier's sale receipts with a discount (manual or
  loyalty).

The first seven columns are what the other sales reports call ``discount`` (their sum is
sales-by-day's discount); the price columns are below it: a changed price is already in gross.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from peewee import JOIN, Case, fn

from pos_tui import store
from pos_tui.core.kernel.money import CENT, ZERO, allocate, from_kurus
from pos_tui.core.reports.common import ReportQuery, sale_where
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.sales_parts import signed, users
from pos_tui.i18n import N_, _
from pos_tui.store import models as m

BENEFITS = ("promotion", "stamp", "reward", "tier", "coupon")
KINDS = ("manual", *BENEFITS, "price_override", "price_list")
LABELS = {
    "manual": N_("Line and receipt"),
    "promotion": N_("Promotions"),
    "stamp": N_("Stamps"),
    "reward": N_("Rewards"),
    "tier": N_("Tier"),
    "coupon": N_("Coupons"),
    "price_override": N_("Price changes"),
    "price_list": N_("Price lists"),
}


def _milli_kurus(value: int) -> Decimal:
    """An amount in kuruş × milli-units (price × quantity) in TL, half up to the kuruş."""
    return (Decimal(value) / 100_000).quantize(CENT, rounding=ROUND_HALF_UP)


def build(query: ReportQuery) -> Report:
    S, L, B = m.Sale, m.SaleLine, m.SaleBenefit
    Orig = m.SaleLine.alias("origin")
    where = sale_where(query)
    amounts: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(KINDS, ZERO))
    discounted: dict[int, int] = defaultdict(int)
    all_discounts: dict[int, Decimal] = defaultdict(lambda: ZERO)

    # every discount (line, receipt, loyalty), net of returns, and the receipts with one
    per_cashier = S.select(
        S.cashier,
        fn.SUM(signed(S.discount)),
        fn.COUNT(Case(None, [((S.kind == "sale") & (S.discount > 0), S.id)], None)),
    ).where(where)
    for uid, discount, n in store.rows(per_cashier.group_by(S.cashier)):
        all_discounts[uid] = from_kurus(discount or 0)
        discounted[uid] = n
        _row = amounts[uid]  # a cashier with documents has a row, discounts or not

    # the loyalty benefits of the sales
    sold = (
        B.select(S.cashier, B.kind, fn.SUM(B.amount))
        .join(S)
        .where(where & (S.kind == "sale"))
        .group_by(S.cashier, B.kind)
    )
    for uid, kind, amount in store.rows(sold):
        amounts[uid][kind if kind in BENEFITS else "promotion"] += from_kurus(amount or 0)

    # what the returns gave back of them: each returned line's discount split like its origin's
    back = (
        L.select(S.cashier, L.id, L.discount, Orig.discount, B.kind, fn.SUM(B.amount))
        .join(S, on=(L.sale == S.id))
        .switch(L)
        .join(Orig, on=(L.origin_line == Orig.id))
        .join(B, on=((B.sale == Orig.sale) & (B.line_no == Orig.line_no)))
        .where(where & (S.kind == "return") & (L.discount > 0))
        .group_by(S.cashier, L.id, L.discount, Orig.discount, B.kind)
    )
    lines: dict[tuple[int, int], tuple[int, int, dict[str, int]]] = {}
    for uid, line_id, discount, origin_discount, kind, amount in store.rows(back):
        _d, _o, parts = lines.setdefault((uid, line_id), (discount, origin_discount, {}))
        key = kind if kind in BENEFITS else "promotion"
        parts[key] = parts.get(key, 0) + (amount or 0)
    for (uid, _line), (discount, origin_discount, parts) in lines.items():
        kinds = sorted(parts)
        weights = [from_kurus(parts[k]) for k in kinds]
        weights.append(from_kurus(max(origin_discount - sum(parts.values()), 0)))  # the manual part
        for k, share in zip(kinds, allocate(from_kurus(discount), weights), strict=False):
            amounts[uid][k] -= share

    # prices below the list price: changed by hand (the line's or, on a return, its origin's
    # reason) or set by a price list
    below = (
        L.select(
            S.cashier,
            L.price_override_reason.is_null(False),
            Orig.price_override_reason.is_null(False),
            fn.SUM(signed((L.list_price - L.unit_price).cast("BIGINT") * L.qty)),
        )
        .join(S, on=(L.sale == S.id))
        .switch(L)
        .join(Orig, JOIN.LEFT_OUTER, on=(L.origin_line == Orig.id))
        .where(where & (L.unit_price < L.list_price))
        .group_by(S.cashier, L.price_override_reason.is_null(False), Orig.price_override_reason.is_null(False))
    )
    by_hand: dict[tuple[int, str], int] = defaultdict(int)
    for uid, own, origin, value in store.rows(below):
        by_hand[(uid, "price_override" if own or origin else "price_list")] += int(value or 0)
    for (uid, kind), value in by_hand.items():
        amounts[uid][kind] += _milli_kurus(value)

    for uid, row in amounts.items():
        row["manual"] = all_discounts[uid] - sum((row[k] for k in BENEFITS), ZERO)

    names = users(list(amounts))
    columns = (
        Column("cashier", _("Cashier"), "text"),
        *(Column(k, _(LABELS[k]), "money") for k in KINDS),
        Column("total", _("Total"), "money"),
        Column("receipts", _("Receipts with a discount"), "int"),
    )
    ordered = sorted(amounts.items(), key=lambda kv: (-sum(kv[1].values(), ZERO), names.get(kv[0], "")))
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (names.get(uid, f"#{uid}"), *(row[k] for k in KINDS), sum(row.values(), ZERO), discounted[uid])
        for uid, row in ordered
    )
    totals = sum_totals(columns, rows, summed=(*KINDS, "total", "receipts"))
    whole = {k: sum((row[k] for row in amounts.values()), ZERO) for k in KINDS}
    return new_report(
        "discounts",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=(
            Figure("discount", _("Discounts"), sum((whole[k] for k in ("manual", *BENEFITS)), ZERO), "money"),
            Figure("below_list", _("Below the list price"), whole["price_override"] + whole["price_list"], "money"),
            Figure("total", _("Total"), sum(whole.values(), ZERO), "money"),
            Figure("receipts", _("Receipts with a discount"), sum(discounted.values()), "int"),
        ),
        chart=Chart("bar", "cashier", ("total",), _("Discounts by cashier")),
    )
