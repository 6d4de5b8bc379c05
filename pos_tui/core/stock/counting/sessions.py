"""Count sessions (sayım): open one with its scope, list them, read one, cancel one.

A session counts one stock location. Its scope is the whole location (no categories and no
products given), or the products of some categories, or a list of products, or both (a product
is in scope when it is in one of the categories or on the list). A **blind** session hides the
expected quantities from the counters: only users with ``count_manage`` see them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from pos_tui import store
from pos_tui.core.catalog import get_product
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import from_db, to_db
from pos_tui.core.kernel.errors import NotFound, StateError, ValidationError
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.core.stock.locations import location_id
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

OPEN = "open"
POSTED = "posted"
CANCELLED = "cancelled"
STATUSES = (OPEN, POSTED, CANCELLED)


@dataclass(frozen=True, slots=True)
class Scope:
    """Category ids and product ids of a session; both empty: everything at the location."""

    categories: tuple[int, ...] = ()
    products: tuple[int, ...] = ()

    @property
    def everything(self) -> bool:
        return not self.categories and not self.products

    def to_json(self) -> str:
        return journal.canonical({"categories": list(self.categories), "products": list(self.products)})

    @classmethod
    def from_json(cls, text: str | None) -> Scope:
        return _parsed_scope(text or "{}")

    @property
    def product_set(self) -> frozenset[int]:
        return _sets(self)[0]

    @property
    def category_set(self) -> frozenset[int]:
        return _sets(self)[1]


@lru_cache(maxsize=64)
def _parsed_scope(text: str) -> Scope:
    """A session's scope, parsed once (every scan checks it)."""
    raw: dict[str, Any] = json.loads(text)
    return Scope(tuple(int(i) for i in raw.get("categories", ())), tuple(int(i) for i in raw.get("products", ())))


@lru_cache(maxsize=64)
def _sets(scope: Scope) -> tuple[frozenset[int], frozenset[int]]:
    return frozenset(scope.products), frozenset(scope.categories)


@dataclass(frozen=True, slots=True)
class CountInfo:
    """A count session as screens and the CLI see it."""

    id: int
    name: str
    status: str
    blind: bool
    location_id: int
    location: str
    scope: Scope
    category_names: tuple[str, ...]
    product_codes: tuple[str, ...]
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    closed_by: str | None
    document_id: int | None
    note: str | None
    reversal_id: int | None = None  # the reversal document, once a posted count was reversed

    def record(self) -> dict[str, Any]:
        """The session for ``--json`` (times ISO, UTC)."""
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "blind": self.blind,
            "location": self.location,
            "categories": list(self.category_names),
            "products": list(self.product_codes),
            "opened_at": self.opened_at.isoformat(),
            "opened_by": self.opened_by,
            "closed_at": None if self.closed_at is None else self.closed_at.isoformat(),
            "closed_by": self.closed_by,
            "document": self.document_id,
            "reversal": self.reversal_id,
            "note": self.note,
        }


def _category_ids(names: list[str]) -> tuple[int, ...]:
    C = m.Category
    ids: list[int] = []
    for name in names:
        wanted = name.strip()
        row = fast.select_first(C, ("id",), {"name": wanted})
        if row is None:
            raise NotFound(_("No category {name}").format(name=wanted))
        if int(row[0]) not in ids:
            ids.append(int(row[0]))
    return tuple(ids)


def open_count(
    name: str,
    *,
    actor: Actor,
    now: datetime,
    terminal: str,
    location: str | None = None,
    categories: list[str] | None = None,
    products: list[str] | None = None,
    blind: bool = False,
    note: str | None = None,
    override: Override | None = None,
) -> CountInfo:
    """Open a count (permission ``count_manage``) at ``location`` (default: the terminal's).
    ``products`` are codes or barcodes. Journalled as ``count_open``."""
    used = require(actor, "count_manage", override)
    name = name.strip()
    if not name or len(name) > 128:
        raise ValidationError(_("A count's name must have 1 to 128 characters"))
    refuse_pan(name)
    refuse_pan(note)
    product_ids: list[int] = []
    for code in products or []:
        pid = get_product(code).id
        if pid not in product_ids:
            product_ids.append(pid)
    with write_tx():
        loc = location_id(location, terminal)
        scope = Scope(_category_ids(categories or []), tuple(product_ids))
        session_id = fast.insert_one(
            m.CountSession,
            {
                "name": name,
                "status": OPEN,
                "blind": blind,
                "location": loc,
                "scope": scope.to_json(),
                "opened_at": to_db(now),
                "opened_by": actor.user_id,
                "note": (note or "").strip() or None,
            },
        )
        info = get_count(session_id)
        payload = {**info.record(), "override": None if used is None else used.supervisor.name}
        journal.append("count_open", payload, terminal=terminal, now=now, ref=f"count:{session_id}")
    return info


def _names(ids: tuple[int, ...], model: Any, field: str) -> tuple[str, ...]:
    if not ids:
        return ()
    found = dict(store.rows(model.select(model.id, getattr(model, field)).where(model.id.in_(list(ids)))))
    return tuple(str(found[i]) for i in ids if i in found)


def _infos(where: Any | None = None) -> list[CountInfo]:
    S, U, L, D = m.CountSession, m.User, m.StockLocation, m.StockDocument
    users = dict(store.rows(U.select(U.id, U.name)))
    locations = dict(store.rows(L.select(L.id, L.code)))
    query = S.select(
        S.id,
        S.name,
        S.status,
        S.blind,
        S.location,
        S.scope,
        S.opened_at,
        S.opened_by,
        S.closed_at,
        S.closed_by,
        S.document,
        S.note,
    ).order_by(S.id.desc())
    if where is not None:
        query = query.where(where)
    infos = []
    for sid, name, status, blind, loc, scope_text, opened_at, opened_by, closed_at, closed_by, doc, note in store.rows(
        query
    ):
        scope = Scope.from_json(scope_text)
        reversal = None
        if doc is not None:
            row = fast.select_first(D, ("id",), {"kind": "reversal", "refers_to": doc})
            reversal = None if row is None else int(row[0])
        infos.append(
            CountInfo(
                id=sid,
                name=name,
                status=status,
                blind=bool(blind),
                location_id=loc,
                location=locations[loc],
                scope=scope,
                category_names=_names(scope.categories, m.Category, "name"),
                product_codes=_names(scope.products, m.Product, "code"),
                opened_at=from_db(opened_at),
                opened_by=users.get(opened_by, "?"),
                closed_at=None if closed_at is None else from_db(closed_at),
                closed_by=None if closed_by is None else users.get(closed_by, "?"),
                document_id=doc,
                note=note,
                reversal_id=reversal,
            )
        )
    return infos


def list_counts(status: str | None = None) -> list[CountInfo]:
    """Sessions, newest first; ``status`` (open | posted | cancelled) filters."""
    if status is not None and status not in STATUSES:
        raise ValidationError(_("Unknown count status {status}").format(status=status))
    return _infos(None if status is None else m.CountSession.status == status)


def get_count(session_id: int) -> CountInfo:
    found = _infos(m.CountSession.id == session_id)
    if not found:
        raise NotFound(_("No stock count {id}").format(id=session_id))
    return found[0]


def require_open(session_id: int, *, lock: bool = False) -> tuple[int, bool, Scope]:
    """(location id, blind, scope) of open session ``session_id``, else NotFound / StateError."""
    row = fast.select_first(
        m.CountSession, ("status", "location", "blind", "scope"), {"id": session_id}, for_update=lock
    )
    if row is None:
        raise NotFound(_("No stock count {id}").format(id=session_id))
    status, loc, blind, scope = row
    if status != OPEN:
        raise StateError(_("Stock count {id} is {status}, not open").format(id=session_id, status=status_label(status)))
    return int(loc), bool(blind), Scope.from_json(scope)


def status_label(status: str, *, reversed_: bool = False) -> str:
    """The status in the shop's words; a posted count that was reversed says so."""
    if status == POSTED and reversed_:
        return _("reversed")
    labels = {OPEN: _("open"), POSTED: _("posted"), CANCELLED: _("cancelled")}
    return labels.get(status, status)


def cancel_count(
    session_id: int, *, actor: Actor, now: datetime, terminal: str, override: Override | None = None
) -> CountInfo:
    """Cancel an open count (permission ``count_manage``): nothing is posted; its events stay."""
    used = require(actor, "count_manage", override)
    with write_tx():
        require_open(session_id, lock=True)
        fast.update_where(
            m.CountSession,
            {"status": CANCELLED, "closed_at": to_db(now), "closed_by": actor.user_id},
            {"id": session_id},
        )
        payload = {
            "id": session_id,
            "by": actor.name,
            "override": None if used is None else used.supervisor.name,
        }
        journal.append("count_cancel", payload, terminal=terminal, now=now, ref=f"count:{session_id}")
        return get_count(session_id)


def in_scope(scope: Scope, product_id: int, category_id: int | None) -> bool:
    if scope.everything:
        return True
    return product_id in scope.product_set or (category_id is not None and category_id in scope.category_set)
