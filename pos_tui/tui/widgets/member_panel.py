"""The loyalty member beside the cart: who, which tier, points, stamps, coupons, the way to the next tier.

Shown only while the cart has a member (the sale screen hides it otherwise, so a screen
without a member looks exactly as before). It is a single :class:`Static` drawing a Rich
group, five lines at most, so the sale screen still fits 80×24: name and tier; the card with
the store credit beside it (the credit kept whole); available and pending points; the bar to
the next tier; coupons, stamps and badges. The member's coupons lead the
last line: how many, and the code and last day of the one to use first (``1 coupon ABCD1234
to 05.01``, in Turkish ``1 kupon ABCD1234 son 05.01``: whole at 80 columns), so the cashier can
key it in. The figures are the member's profile
(:func:`pos_tui.core.loyalty.members.member_profile`) read when the member is attached; they do
not move while items are scanned (points are earned when the sale posts).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from rich.console import Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from pos_tui.core.kernel import format_decimal, format_money
from pos_tui.i18n import _, ngettext

BAR_WIDTH = 12


def _decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def progress_parts(profile: dict[str, Any]) -> tuple[Decimal, Decimal, str] | None:
    """``(spend, target, next tier name)`` for the bar to the next tier, or None when the
    program has no tiers or the member is already in the top one."""
    progress = profile.get("tier_progress")
    if not progress or not progress.get("next"):
        return None
    spend = _decimal(progress.get("spend")) or Decimal(0)
    needed = _decimal(progress.get("needed")) or Decimal(0)
    return spend, spend + needed, str(progress["next"]["name"])


def _short_day(text: str) -> str:
    """``2027-01-05`` as ``05.01``: the panel has no room for the year (a coupon lasts weeks)."""
    return date.fromisoformat(text).strftime("%d.%m")


def coupons_line(profile: dict[str, Any], language: str = "en") -> str:
    """``1 coupon ABCD1234 to 05.01`` for the member's coupons (:func:`member_profile`'s
    ``coupons``, the soonest to expire first): the count, and the first one usable today with
    its last day — or, when none is usable yet (a next-order coupon starts the day after its
    receipt), the first to start with its first day. "" without coupons."""
    found = profile.get("coupons") or []
    if not found:
        return ""
    count = ngettext("{n} coupon", "{n} coupons", len(found)).format(n=format_decimal(len(found), language=language))
    as_of = str(profile.get("as_of") or "")
    today = [c for c in found if not c.get("valid_from") or not as_of or c["valid_from"] <= as_of]
    if today:
        first = today[0]
        if not first.get("valid_to"):
            return "{coupons} {code}".format(coupons=count, code=first["code"])
        return _("{coupons} {code} to {day}").format(
            coupons=count, code=first["code"], day=_short_day(first["valid_to"])
        )
    first = min(found, key=lambda c: str(c.get("valid_from") or ""))
    return _("{coupons} {code} from {day}").format(
        coupons=count, code=first["code"], day=_short_day(first["valid_from"])
    )


def _pair(left: Text, right: Text) -> Table:
    """``left`` and ``right`` on one line; ``right`` is never cut, ``left`` ends in an ellipsis."""
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(left, Text.assemble(" ", right))
    return grid


def render_profile(profile: dict[str, Any], language: str = "en") -> RenderableType:
    """The panel's lines for a :func:`member_profile` dict."""
    lines: list[RenderableType] = []
    tier = profile.get("tier")
    head = Text(str(profile.get("name") or ""), style="bold", no_wrap=True, overflow="ellipsis")
    if tier:
        head.append("  ")
        head.append(str(tier["name"]), style="bold magenta")
    lines.append(head)
    card = Text(str(profile.get("card") or ""), style="dim", no_wrap=True, overflow="ellipsis")
    credit = _decimal(profile.get("store_credit"))
    if credit:  # beside the card, whole: the card gives way (ellipsis) when the line is short
        lines.append(
            _pair(card, Text(_("credit {amount}").format(amount=format_money(credit, language)), style="cyan"))
        )
    else:
        lines.append(card)

    points = profile.get("points") or {}
    available = Text(
        _("{n} points").format(n=format_decimal(int(points.get("available") or 0), language=language)),
        style="bold green",
        no_wrap=True,
        overflow="ellipsis",
    )
    if points.get("pending"):
        pending = _("+{n} pending").format(n=format_decimal(int(points["pending"]), language=language))
        lines.append(_pair(available, Text(pending, style="yellow")))
    else:
        lines.append(available)

    parts = progress_parts(profile)
    if parts is not None:
        spend, target, name = parts
        bar = Table.grid(expand=True)
        bar.add_column(width=BAR_WIDTH, no_wrap=True)
        bar.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        bar.add_row(
            ProgressBar(total=float(target) or 1.0, completed=float(spend), width=BAR_WIDTH),
            Text(
                " " + _("{amount} to {tier}").format(amount=format_money(target - spend, language), tier=name),
                style="dim",
            ),
        )
        lines.append(bar)

    extra: list[str] = []
    stamps = profile.get("stamps") or {}
    extra += [
        _("{card}: {n} stamps").format(card=card, n=format_decimal(int(count), language=language))
        for card, count in stamps.items()
    ]
    extra += [str(badge["name"]) for badge in profile.get("badges") or ()]
    coupons = coupons_line(profile, language)
    if coupons or extra:
        last = Text(no_wrap=True, overflow="ellipsis")
        if coupons:
            last.append(coupons, style="bold yellow")
            if extra:
                last.append(" · ", style="dim")
        last.append(" · ".join(extra), style="dim")
        lines.append(last)
    return Group(*lines)


class MemberPanel(Static):
    """The attached member's summary; ``show(None)`` empties it (the screen hides it)."""

    DEFAULT_CSS = """
    MemberPanel { height: auto; border-bottom: hkey $panel; }
    """

    def __init__(self, language: str = "en", *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.language = language
        self.profile: dict[str, Any] | None = None

    def show(self, profile: dict[str, Any] | None) -> None:
        self.profile = profile
        self.update("" if profile is None else render_profile(profile, self.language))
