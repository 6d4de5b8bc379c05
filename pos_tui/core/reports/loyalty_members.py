"""Members and non-members, day by day: the loyalty report's ticket figures per shop day.

A receipt is a ``sale`` document; it is a member's when it names a member. Net is what sales
charged minus what returns gave back, a return subtracting on its own day; a return is a member's
when it or the receipt it returns names a member (so the period's sums are
:func:`pos_tui.core.loyalty.loyalty_report`'s ``members`` and ``non_members``). Average basket =
net / receipts (two places, half up; empty without receipts); members' share = members' net / all
net in percent (two places, half up; empty when all net is 0). Every day of the period is a row
(zeros on a day without documents). The terminal and store filters apply to the documents."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from peewee import JOIN, SQL, Case, fn

from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.sales_parts import by_shop_day
from pos_tui.i18n import _
from pos_tui.store import models as m

CENT = Decimal("0.01")


def average(net_kurus: int, receipts: int) -> Decimal | None:
    if not receipts:
        return None
    return (Decimal(net_kurus) / 100 / receipts).quantize(CENT, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def build(query: ReportQuery) -> Report:
    S = m.Sale
    orig = m.Sale.alias("orig")
    is_member = Case(None, [(fn.COALESCE(S.member, orig.member).is_null(), 0)], 1).alias("is_member")

    def grouped(where: Any) -> Any:
        select = S.select(is_member, S.kind, fn.COUNT(S.id), fn.SUM(S.total))
        return (
            select.join(orig, JOIN.LEFT_OUTER, on=(S.return_of == orig.id))
            .where(where)
            .group_by(SQL("is_member"), S.kind)
        )

    # per day, per side (1 members, 0 others): [receipts, net kuruş]
    per_day: dict[date, dict[int, list[int]]] = defaultdict(lambda: {0: [0, 0], 1: [0, 0]})
    for shop_day, side, kind, count, total in by_shop_day(query, grouped):
        acc = per_day[shop_day][int(side)]
        if kind == "return":
            acc[1] -= int(total or 0)
        else:
            acc[0] += int(count)
            acc[1] += int(total or 0)

    def figures(sides: dict[int, list[int]]) -> tuple[Cell, ...]:
        (o_receipts, o_net), (m_receipts, m_net) = sides[0], sides[1]
        return (
            m_receipts,
            from_kurus(m_net),
            average(m_net, m_receipts),
            o_receipts,
            from_kurus(o_net),
            average(o_net, o_receipts),
            share(m_net, m_net + o_net),
        )

    columns = (
        Column("day", _("Day"), "date"),
        Column("member_receipts", _("Members' receipts"), "int"),
        Column("member_net", _("Members' net"), "money"),
        Column("member_average", _("Members' average basket"), "money"),
        Column("other_receipts", _("Others' receipts"), "int"),
        Column("other_net", _("Others' net"), "money"),
        Column("other_average", _("Others' average basket"), "money"),
        Column("member_share", _("Members' share of net"), "percent"),
    )
    rows = tuple((d, *figures(per_day[d])) for d in query.period.each_day())
    whole = {
        side: [sum(v[side][0] for v in per_day.values()), sum(v[side][1] for v in per_day.values())] for side in (0, 1)
    }
    period = figures(whole)
    summary = (
        Figure("member_receipts", _("Members' receipts"), period[0], "int"),
        Figure("member_net", _("Members' net"), period[1], "money"),
        Figure("other_net", _("Others' net"), period[4], "money"),
        Figure("member_share", _("Members' share of net"), period[6], "percent"),
    )
    return new_report(
        "loyalty-members",
        query,
        columns=columns,
        rows=rows,
        totals=(None, *period),
        summary=summary,
        chart=Chart(
            "line" if query.period.days > 1 else "bar",
            "day",
            ("member_net", "other_net"),
            _("Members' and others' net"),
        ),
    )
