"""Loyalty figures: the loyalty program's key figures, exactly those of ``pos-admin report loyalty
--json`` (:func:`pos_tui.core.loyalty.loyalty_report`, whose docstring defines each one) for the
period, as rows: ``key`` (the figure's path in that JSON, ``points.issued``), ``figure`` (its name)
and its value in the column of its kind: ``count``, ``points``, ``amount`` (TL) or ``percent``.
A figure without a value (an average of no receipts, a rate of nothing) is empty. Then one row per
supplier that funds points: the supplier's share of the points and what it owes the shop.

The loyalty figures are the whole chain's (the program, the members and their points are not a
terminal's): the terminal and store filters do not apply, and the notes say so when one is given.
The summary repeats the headline figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pos_tui.core import loyalty
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Column, Figure, Kind, Report
from pos_tui.core.reports.party_aging import chain_wide_notes
from pos_tui.core.reports.registry import new_report
from pos_tui.i18n import N_, _

# (path in loyalty_report's JSON, label, kind), in the table's order
FIGURES: tuple[tuple[str, str, Kind], ...] = (
    ("receipts", N_("Receipts"), "int"),
    ("members.receipts", N_("Members' receipts"), "int"),
    ("members.returns", N_("Members' returns"), "int"),
    ("members.net_sales", N_("Members' net sales"), "money"),
    ("members.average_ticket", N_("Average ticket, members"), "money"),
    ("non_members.receipts", N_("Others' receipts"), "int"),
    ("non_members.returns", N_("Others' returns"), "int"),
    ("non_members.net_sales", N_("Others' net sales"), "money"),
    ("non_members.average_ticket", N_("Average ticket, others"), "money"),
    ("enrollment_share_percent", N_("Enrollment share of receipts"), "percent"),
    ("repeat_purchase.members_buying", N_("Members who bought"), "int"),
    ("repeat_purchase.members_repeat", N_("Members who bought twice or more"), "int"),
    ("repeat_purchase.rate_percent", N_("Repeat purchase rate"), "percent"),
    ("points.issued", N_("Points issued"), "points"),
    ("points.redeemed", N_("Points redeemed"), "points"),
    ("points.redeemed_gross", N_("Points redeemed before returns"), "points"),
    ("points.restored", N_("Points given back by returns"), "points"),
    ("points.clawed_back", N_("Points taken back by returns"), "points"),
    ("points.donated", N_("Points donated"), "points"),
    ("points.adjusted_down", N_("Points adjusted down"), "points"),
    ("points.expired", N_("Points expired"), "points"),
    ("points.outstanding", N_("Points outstanding"), "points"),
    ("points.available", N_("Points available"), "points"),
    ("points.pending", N_("Points on hold"), "points"),
    ("points.debt", N_("Points owed by members"), "points"),
    ("points.redemption_rate_percent", N_("Redemption rate"), "percent"),
    ("point_value", N_("Value of a point"), "money"),
    ("liability", N_("Points liability"), "money"),
    ("customer_lifetime_value.members", N_("Members enrolled"), "int"),
    ("customer_lifetime_value.net_spend", N_("Members' net spend since enrolling"), "money"),
    ("customer_lifetime_value.average", N_("Customer lifetime value"), "money"),
    ("members_enrolled_in_period", N_("Members enrolled in the period"), "int"),
    ("supplier_owes_total", N_("Owed by suppliers"), "money"),
)
HEADLINES = (
    "receipts",
    "enrollment_share_percent",
    "members.average_ticket",
    "non_members.average_ticket",
    "points.redemption_rate_percent",
    "liability",
)
_COLUMN_OF_KIND = {"int": 2, "points": 3, "money": 4, "percent": 5}


def figure_value(doc: dict[str, Any], path: str, kind: Kind) -> Cell:
    """The value at ``path`` of ``loyalty_report``'s JSON as a report cell (amounts and percentages
    from their strings, exactly)."""
    value: Any = doc
    for part in path.split("."):
        value = value[part]
    if value is None:
        return None
    return Decimal(value) if kind in ("money", "percent") else int(value)


def build(query: ReportQuery) -> Report:
    doc = loyalty.loyalty_report(
        date_from=query.period.first,
        date_to=query.period.last,
        tz=query.tz,
        program=loyalty.active_program(),
    )
    columns = (
        Column("key", _("Code"), people=False),  # the figure's path in `report loyalty --json`: for scripts
        Column("figure", _("Figure")),
        Column("count", _("How many"), "int"),
        Column("points", _("Points"), "points"),
        Column("amount", _("Amount"), "money"),
        Column("percent", _("Percent"), "percent"),
    )
    table: list[tuple[Cell, ...]] = []
    for path, label, kind in FIGURES:
        row: list[Cell] = [path, _(label), None, None, None, None]
        row[_COLUMN_OF_KIND[kind]] = figure_value(doc, path, kind)
        table.append(tuple(row))
    for supplier in doc["supplier_settlement"]:
        table.append(
            (
                f"supplier_settlement.{supplier['code']}",
                _("Owed by supplier {code} ({name})").format(code=supplier["code"], name=supplier["name"]),
                None,
                int(supplier["supplier_points"]),
                Decimal(supplier["amount"]),
                None,
            )
        )
    kinds = {path: (label, kind) for path, label, kind in FIGURES}
    summary = tuple(
        Figure(path, _(kinds[path][0]), figure_value(doc, path, kinds[path][1]), kinds[path][1]) for path in HEADLINES
    )
    return new_report(
        "loyalty-kpis", query, columns=columns, rows=tuple(table), summary=summary, notes=chain_wide_notes(query)
    )
