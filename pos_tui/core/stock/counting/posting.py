"""Review, post and reverse a count.

Review: per counted product its expected quantity (frozen at its first count event, see
:mod:`~pos_tui.core.stock.counting.events`), the quantity counted, the variance and its value at
the product's moving average cost, the largest absolute value first; a variance worth at least
the threshold is flagged for a recount. The products in scope that nobody counted and that have
stock on hand at the location are listed apart, with what is on hand now.

Post (permission ``count_manage``): one ``count`` movement per product with a variance, all in
one stock document of kind ``count`` written through the ledger (one transaction, journalled).
Uncounted products need an explicit choice, never a silent one: ``leave`` them as they are, or
``zero`` them (their expected quantity is then what is on hand at posting, and the movement takes
it all out). Reverse: a posted count is undone by a new document of kind ``reversal`` that
refers to it and moves every quantity back, at the value the count moved it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from peewee import fn

from pos_tui import store
from pos_tui.core.kernel import costing, journal
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import NotFound, StateError, ValidationError
from pos_tui.core.kernel.money import from_kurus, qty_to_decimal, to_kurus
from pos_tui.core.stock.counting.sessions import POSTED, CountInfo, Scope, get_count, require_open, status_label
from pos_tui.core.stock.ledger import COUNT, DraftLine, Movement, StockDraft, write_stock_document
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

Uncounted = Literal["leave", "zero"]
UNCOUNTED_CHOICES = ("leave", "zero")
DEFAULT_THRESHOLD = Decimal("100.00")  # lira: a variance worth this much is worth a second look


@dataclass(frozen=True, slots=True)
class ReviewLine:
    """A product in the review. Quantities in milli-units, money in kuruş."""

    product_id: int
    code: str
    name: str
    unit: str
    expected: int
    counted: int
    cost: int  # kuruş per unit, the moving average now
    stock: int = 0  # the product's on hand and stock value now (all locations): the cost state
    stock_value: int = 0

    @property
    def variance(self) -> int:
        return self.counted - self.expected

    @property
    def variance_value(self) -> int:
        """What posting the variance now moves: the cost rule on the product's state, so the
        review and the posting agree to the kuruş."""
        return costing.move(costing.CostState(self.stock, self.stock_value, self.cost), self.variance).value

    def record(self, *, show_expected: bool = True) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "expected": str(qty_to_decimal(self.expected)) if show_expected else None,
            "counted": str(qty_to_decimal(self.counted)),
            "variance": str(qty_to_decimal(self.variance)) if show_expected else None,
            "variance_value": f"{from_kurus(self.variance_value):.2f}" if show_expected else None,
        }


@dataclass(frozen=True, slots=True)
class Review:
    session: CountInfo
    lines: tuple[ReviewLine, ...]  # counted products, largest absolute variance value first
    uncounted: tuple[ReviewLine, ...]  # in scope, not counted, on hand now != 0 (counted = 0)
    threshold: int  # kuruş

    def flagged(self, line: ReviewLine) -> bool:
        return line.variance != 0 and abs(line.variance_value) >= self.threshold

    @property
    def variance_value(self) -> int:
        return sum(line.variance_value for line in self.lines)

    @property
    def uncounted_value(self) -> int:
        return -sum(line.variance_value for line in self.uncounted)  # what zeroing them takes out


def _counted(session_id: int) -> list[ReviewLine]:
    E, L, P = m.CountEvent, m.CountLine, m.Product
    totals = {
        int(pid): int(total)
        for pid, total in store.rows(
            E.select(E.product, fn.SUM(E.qty)).where(E.session == session_id).group_by(E.product)
        )
    }
    query = (
        L.select(L.product, P.code, P.name, P.unit, P.cost, L.expected, P.stock, P.stock_value)
        .join(P, on=(L.product == P.id))
        .where(L.session == session_id)
    )
    lines = [
        ReviewLine(pid, code, name, unit, int(expected), totals.get(pid, 0), int(cost), int(stock), int(value))
        for pid, code, name, unit, cost, expected, stock, value in store.rows(query)
    ]
    lines.sort(key=lambda ln: (-abs(ln.variance_value), -abs(ln.variance), ln.code))
    return lines


def _uncounted(location: int, scope: Scope, counted: set[int]) -> list[ReviewLine]:
    """Products in scope with stock on hand at ``location`` now and no count."""
    S, P = m.StockLevel, m.Product
    query = (
        S.select(S.product, P.code, P.name, P.unit, P.cost, S.qty, P.category, P.stock, P.stock_value)
        .join(P, on=(S.product == P.id))
        .where((S.location == location) & (S.qty != 0))
        .order_by(P.code)
    )
    wanted_products, wanted_categories = scope.product_set, scope.category_set
    return [
        ReviewLine(pid, code, name, unit, int(qty), 0, int(cost), int(stock), int(value))
        for pid, code, name, unit, cost, qty, category, stock, value in store.rows(query)
        if pid not in counted
        and (scope.everything or pid in wanted_products or (category is not None and category in wanted_categories))
    ]


def _review(info: CountInfo, threshold: Decimal) -> Review:
    if threshold < 0:
        raise ValidationError(_("A recount threshold cannot be negative"))
    lines = _counted(info.id)
    uncounted = _uncounted(info.location_id, info.scope, {ln.product_id for ln in lines})
    return Review(info, tuple(lines), tuple(uncounted), to_kurus(threshold))


def review_count(session_id: int, *, actor: Actor, threshold: Decimal = DEFAULT_THRESHOLD) -> Review:
    """The review of a count. Any user with ``count`` may read it; the expected quantities of
    a blind count are for ``count_manage`` only (see :func:`may_see_expected`)."""
    require(actor, "count")
    return _review(get_count(session_id), threshold)


def may_see_expected(info: CountInfo, actor: Actor) -> bool:
    """Whether ``actor`` may see expected quantities (and so variances) of ``info``."""
    return not info.blind or actor.can("count_manage")


@dataclass(frozen=True, slots=True)
class PostResult:
    session_id: int
    document_id: int | None  # None: nothing differed, no document was needed
    number: int | None
    movements: int
    counted: int  # products counted
    zeroed: int  # uncounted products set to zero
    left: int  # uncounted products left as they are
    value: int  # kuruş, the value the movements changed (signed)


def post_count(
    session_id: int,
    *,
    uncounted: Uncounted,
    actor: Actor,
    now: datetime,
    terminal: str,
    override: Override | None = None,
) -> PostResult:
    """Post an open count (permission ``count_manage``): the variances, and the uncounted
    products left or set to zero as ``uncounted`` says. One transaction; the session is posted
    even when nothing differed (then without a document)."""
    used = require(actor, "count_manage", override)
    if uncounted not in UNCOUNTED_CHOICES:
        raise ValidationError(_("Say what to do with uncounted products: leave or zero"))
    with write_tx():
        location, _blind, _scope = require_open(session_id, lock=True)
        info = get_count(session_id)
        review = _review(info, DEFAULT_THRESHOLD)
        changes = [(ln.product_id, ln.variance) for ln in review.lines if ln.variance]
        zeroed = [(ln.product_id, -ln.expected) for ln in review.uncounted] if uncounted == "zero" else []
        changes.sort()
        zeroed.sort()
        movements = [Movement(pid, location, qty, COUNT) for pid, qty in changes + zeroed]
        doc_id = number = None
        value = 0
        if movements:
            posted = write_stock_document(
                StockDraft(
                    kind="count",
                    at=now,
                    now=now,
                    terminal=terminal,
                    user_id=actor.user_id,
                    location_id=location,
                    lines=[DraftLine(mv.product_id, abs(mv.qty)) for mv in movements],
                    movements=movements,
                    note=info.name,
                    data={
                        "count": session_id,
                        "name": info.name,
                        "blind": info.blind,
                        "uncounted": uncounted,
                        "counted": len(review.lines),
                        "zeroed": len(zeroed),
                        "override": None if used is None else used.supervisor.name,
                    },
                )
            )
            doc_id, number = posted.id, posted.number
            value = sum(p.value for p in posted.movements)
        else:
            payload = {"id": session_id, "uncounted": uncounted, "counted": len(review.lines), "by": actor.name}
            journal.append("count_post", payload, terminal=terminal, now=now, ref=f"count:{session_id}")
        fast.update_where(
            m.CountSession,
            {"status": POSTED, "closed_at": to_db(now), "closed_by": actor.user_id, "document": doc_id},
            {"id": session_id},
        )
    return PostResult(
        session_id,
        doc_id,
        number,
        len(movements),
        len(review.lines),
        len(zeroed),
        len(review.uncounted) - len(zeroed),
        value,
    )


@dataclass(frozen=True, slots=True)
class ReverseResult:
    session_id: int
    document_id: int
    number: int
    movements: int
    value: int  # kuruş, signed


def reverse_count(
    session_id: int, *, actor: Actor, now: datetime, terminal: str, override: Override | None = None
) -> ReverseResult:
    """Reverse a posted count (permission ``count_manage``) by a ``reversal`` document that
    refers to the count's document and moves every quantity back at the value the count moved
    it (so with nothing between them stock and value are as before the count). Once only."""
    used = require(actor, "count_manage", override)
    SM, L, D = m.StockMovement, m.StockDocumentLine, m.StockDocument
    with write_tx():
        row = fast.select_first(m.CountSession, ("status", "document", "name"), {"id": session_id}, for_update=True)
        if row is None:
            raise NotFound(_("No stock count {id}").format(id=session_id))
        status, doc_id, name = row
        if status != POSTED:
            raise StateError(
                _("Stock count {id} is {status}; only a posted count can be reversed").format(
                    id=session_id, status=status_label(status)
                )
            )
        if doc_id is None:
            raise StateError(_("Stock count {id} changed no stock; there is nothing to reverse").format(id=session_id))
        if fast.select_first(D, ("id",), {"kind": "reversal", "refers_to": doc_id}) is not None:
            raise StateError(_("Stock count {id} is already reversed").format(id=session_id))
        location = fast.select_first(D, ("location",), {"id": doc_id})
        assert location is not None
        moved = list(
            store.rows(
                SM.select(SM.product, SM.location, SM.qty, SM.value).where(SM.document == doc_id).order_by(SM.id)
            )
        )
        line_ids = [i for (i,) in store.rows(L.select(L.id).where(L.document == doc_id).order_by(L.line_no))]
        movements = [
            Movement(pid, loc, -qty, COUNT, amount=abs(value) if value else None) for pid, loc, qty, value in moved
        ]
        posted = write_stock_document(
            StockDraft(
                kind="reversal",
                at=now,
                now=now,
                terminal=terminal,
                user_id=actor.user_id,
                location_id=int(location[0]),
                lines=[
                    DraftLine(mv.product_id, abs(mv.qty), refers_to=line_ids[i] if i < len(line_ids) else None)
                    for i, mv in enumerate(movements)
                ],
                movements=movements,
                refers_to=doc_id,
                note=name,
                data={"count": session_id, "override": None if used is None else used.supervisor.name},
            )
        )
    return ReverseResult(session_id, posted.id, posted.number, len(movements), sum(p.value for p in posted.movements))
