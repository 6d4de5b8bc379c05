"""Coupons: codes worth an amount or a percentage off, and personal offers from purchase history.

A coupon is open (anyone may use it) or personal (``member_id``), optionally limited to one
product, with a minimum spend, validity dates (shop days, inclusive) and a number of uses
(``max_uses``; empty is unlimited). :func:`check_coupon` says why a code cannot be used, in
the cashier's words; the engine (:mod:`pos_tui.core.loyalty.engine`) computes the discount;
the sale's posting calls :func:`record_use` inside the sale's transaction, which counts the
uses under a lock so two tills can never use a single-use coupon twice.

Generated codes use an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B), so a
code read aloud or typed from a slip is hard to get wrong.

:func:`generate_offers` makes the "discount on your favourite product" coupons: for every
member who bought in the last ``days`` days, the product they bought most of (not one the
program excludes, e.g. tobacco) gets a personal, single-use coupon. A member who already holds
an offer coupon valid today gets no new one, so running it again in the same period creates
nothing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from peewee import JOIN, Case, fn

from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, require
from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds, from_db, iso, shop_day, to_db
from pos_tui.core.kernel.errors import NotFound, StateError, ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.journal import ADMIN_TERMINAL
from pos_tui.core.kernel.money import ZERO, from_kurus, money, to_kurus
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.core.loyalty.engine import CouponOffer
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
GENERATED_LENGTH = 8
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")
KINDS = ("amount", "percent")


@dataclass(frozen=True, slots=True)
class CouponInfo:
    id: int
    code: str
    kind: str
    amount: Decimal | None
    percent: Decimal | None
    min_spend: Decimal
    valid_from: date | None
    valid_to: date | None
    max_uses: int | None
    uses: int
    member_id: int | None
    product_code: str | None
    source: str
    note: str | None
    created_at: datetime
    active: bool
    max_discount: Decimal | None = None  # schema 12: a percent coupon takes at most this much off
    origin_sale: str | None = None  # uid of the sale that issued it (next-order coupons)
    rule: str | None = None  # the next-order rule that issued it

    def to_dict(self, tz: str = SHOP_TZ) -> dict[str, Any]:
        """The coupon as JSON; ``created_at`` in the shop's zone ``tz`` with its offset."""
        return {
            "id": self.id,
            "code": self.code,
            "kind": self.kind,
            "amount": None if self.amount is None else str(self.amount),
            "percent": None if self.percent is None else format(self.percent.normalize(), "f"),
            "min_spend": str(self.min_spend),
            "valid_from": None if self.valid_from is None else self.valid_from.isoformat(),
            "valid_to": None if self.valid_to is None else self.valid_to.isoformat(),
            "max_uses": self.max_uses,
            "uses": self.uses,
            "member_id": self.member_id,
            "product": self.product_code,
            "source": self.source,
            "note": self.note,
            "created_at": iso(self.created_at, tz),
            "active": self.active,
            "max_discount": None if self.max_discount is None else str(self.max_discount),
            "origin_sale": self.origin_sale,
            "rule": self.rule,
        }


def normalise_code(code: str) -> str:
    """Codes are case-insensitive: stored and compared in upper case, spaces removed."""
    return "".join(code.split()).upper()


def new_code() -> str:
    """A random code from the unambiguous alphabet (25^8 ≈ 1.5·10^11 codes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(GENERATED_LENGTH))


_COLUMNS = (
    m.Coupon.id,
    m.Coupon.code,
    m.Coupon.kind,
    m.Coupon.amount,
    m.Coupon.percent_bp,
    m.Coupon.min_spend,
    m.Coupon.valid_from,
    m.Coupon.valid_to,
    m.Coupon.max_uses,
    m.Coupon.member,
    m.Product.code,
    m.Coupon.source,
    m.Coupon.note,
    m.Coupon.created_at,
    m.Coupon.active,
    m.Coupon.max_discount,
    m.Coupon.origin_sale,
    m.Coupon.rule,
)


def _info(row: Sequence[Any], uses: int) -> CouponInfo:
    cid, code, kind, amount, bp, min_spend, vf, vt, max_uses, member, product, source, note, created, active = row[:15]
    cap, origin, rule = row[15:18]
    return CouponInfo(
        id=int(cid),
        code=str(code),
        kind=str(kind),
        amount=None if amount is None else from_kurus(int(amount)),
        percent=None if bp is None else Decimal(int(bp)) / 100,
        min_spend=from_kurus(int(min_spend or 0)),
        valid_from=vf,
        valid_to=vt,
        max_uses=None if max_uses is None else int(max_uses),
        uses=uses,
        member_id=None if member is None else int(member),
        product_code=product,
        source=str(source),
        note=note,
        created_at=from_db(created),
        active=bool(active),
        max_discount=None if cap is None else from_kurus(int(cap)),
        origin_sale=origin,
        rule=rule,
    )


def _select() -> Any:
    return m.Coupon.select(*_COLUMNS).join(m.Product, JOIN.LEFT_OUTER, on=(m.Coupon.product == m.Product.id))


def _uses(coupon_ids: Sequence[int]) -> dict[int, int]:
    if not coupon_ids:
        return {}
    U = m.CouponUse
    query: Any = U.select(U.coupon, fn.COUNT(U.id)).where(U.coupon.in_(list(coupon_ids))).group_by(U.coupon)
    return {int(c): int(n) for c, n in query.tuples()}


def _by_code(code: str) -> Any:
    """The coupon of ``code`` and its use count, in one statement (a coupon is checked on
    every change of a cart it is on: rendered once, see :func:`fast.select_rendered`)."""
    U = m.CouponUse
    uses = U.select(fn.COUNT(U.id)).where(U.coupon == m.Coupon.id)
    return _select().select_extend(uses.alias("uses")).where(m.Coupon.code == code)


# Columns of _COLUMNS the driver returns unconverted (dates and datetimes are text on SQLite):
# converted with the field's own python_value, as Peewee would.
_CONVERTED = ((6, m.Coupon.valid_from), (7, m.Coupon.valid_to), (13, m.Coupon.created_at))


def get_coupon(code: str) -> CouponInfo:
    code = normalise_code(code)
    rows = fast.select_rendered("coupons.by_code", _by_code, code)
    if not rows:
        raise NotFound(_("No coupon with code {code}").format(code=code))
    row = list(rows[0])
    for index, column in _CONVERTED:
        row[index] = column.python_value(row[index])
    return _info(row[:-1], int(row[-1]))


def create_coupon(
    code: str | None,
    *,
    kind: str,
    amount: Decimal | None = None,
    percent: Decimal | None = None,
    min_spend: Decimal = ZERO,
    valid_from: date | None = None,
    valid_to: date | None = None,
    max_uses: int | None = 1,
    member_id: int | None = None,
    product_code: str | None = None,
    note: str | None = None,
    source: str = "admin",
    actor: Actor | None = None,
    now: datetime,
    terminal: str = ADMIN_TERMINAL,
    max_discount: Decimal | None = None,
    origin_sale: str | None = None,
    rule: str | None = None,
    read_back: bool = True,
) -> CouponInfo:
    """Create a coupon (permission ``admin`` when an ``actor`` is given). ``code`` None draws a
    new random code. ``kind`` amount takes ``amount`` TRY, ``percent`` takes ``percent``
    (0–100, two decimals), at most ``max_discount`` TRY when given. ``origin_sale`` / ``rule``:
    the sale uid and next-order rule that issued it. Journalled as ``coupon``.

    ``read_back`` False (a next-order coupon issued inside a sale's posting, for a member the sale
    already names) skips checking the member and reading the new coupon back: the answer is built
    from what was written, field for field what :func:`get_coupon` would read (``uses`` 0,
    ``active``)."""
    if actor is not None:
        require(actor, "admin")
    values = _validate(kind, amount, percent, min_spend, valid_from, valid_to, max_uses)
    if max_discount is not None:
        if kind != "percent":
            raise ValidationError(_("Only a percent coupon has a maximum discount"))
        cap = to_kurus(money(max_discount))
        if cap <= 0:
            raise ValidationError(_("A coupon's maximum discount must be more than zero"))
        values["max_discount"] = cap
    with write_tx():
        product_id = None
        if product_code is not None:
            found = fast.select_first(m.Product, ("id",), {"code": product_code.strip()})
            if found is None:
                raise NotFound(_("No product with code {code}").format(code=product_code))
            product_id = int(found[0])
        if read_back and member_id is not None and fast.select_first(m.Member, ("id",), {"id": member_id}) is None:
            raise NotFound(_("No member with id {id}").format(id=member_id))
        if code is None:
            code = new_code()
            while fast.select_first(m.Coupon, ("id",), {"code": code}) is not None:
                code = new_code()
        else:
            code = normalise_code(code)
            if not CODE_RE.match(code):
                raise ValidationError(
                    _("Coupon code {code!r} must be 3 to 32 characters: letters A to Z, digits or '-'").format(
                        code=code
                    )
                )
            if fast.select_first(m.Coupon, ("id",), {"code": code}) is not None:
                raise ValidationError(_("Coupon code {code} is already used").format(code=code))
        refuse_pan(note)
        coupon_id = fast.insert_one(
            m.Coupon,
            {
                **values,
                "code": code,
                "member": member_id,
                "product": product_id,
                "source": source,
                "note": (note or "").strip() or None,
                "created_at": to_db(now),
                "active": True,
                "origin_sale": origin_sale,
                "rule": rule,
            },
        )
        payload = {
            "id": coupon_id,
            "code": code,
            "kind": kind,
            "amount": None if values["amount"] is None else str(from_kurus(values["amount"])),
            "percent_bp": values["percent_bp"],
            "min_spend": str(from_kurus(values["min_spend"])),
            "valid_from": None if valid_from is None else valid_from.isoformat(),
            "valid_to": None if valid_to is None else valid_to.isoformat(),
            "max_uses": max_uses,
            "member_id": member_id,
            "product": product_code,
            "source": source,
            "user": None if actor is None else actor.name,
            **({"max_discount": str(from_kurus(values["max_discount"]))} if "max_discount" in values else {}),
            **({"origin_sale": origin_sale, "rule": rule} if origin_sale is not None else {}),
        }
        journal.append("coupon", payload, terminal=terminal, now=now, ref=code)
    if read_back or product_code is not None:
        return get_coupon(code)
    return CouponInfo(
        id=coupon_id,
        code=code,
        kind=kind,
        amount=None if values["amount"] is None else from_kurus(values["amount"]),
        percent=None if values["percent_bp"] is None else Decimal(values["percent_bp"]) / 100,
        min_spend=from_kurus(values["min_spend"]),
        valid_from=valid_from,
        valid_to=valid_to,
        max_uses=max_uses,
        uses=0,
        member_id=member_id,
        product_code=None,
        source=source,
        note=(note or "").strip() or None,
        created_at=from_db(to_db(now)),
        active=True,
        max_discount=None if "max_discount" not in values else from_kurus(values["max_discount"]),
        origin_sale=origin_sale,
        rule=rule,
    )


def _validate(
    kind: str,
    amount: Decimal | None,
    percent: Decimal | None,
    min_spend: Decimal,
    valid_from: date | None,
    valid_to: date | None,
    max_uses: int | None,
) -> dict[str, Any]:
    if kind not in KINDS:
        raise ValidationError(_("A coupon is worth an amount or a percent, not {kind!r}").format(kind=kind))
    amount_k = bp = None
    if kind == "amount":
        if amount is None or percent is not None:
            raise ValidationError(_("An amount coupon needs an amount (and no percent)"))
        amount_k = to_kurus(money(amount))
        if amount_k <= 0:
            raise ValidationError(_("A coupon's amount must be more than zero"))
    else:
        if percent is None or amount is not None:
            raise ValidationError(_("A percent coupon needs a percent (and no amount)"))
        if percent <= 0 or percent > 100:
            raise ValidationError(_("A coupon's percent must be more than 0 and at most 100"))
        scaled = percent * 100
        if scaled != scaled.to_integral_value():
            raise ValidationError(_("A coupon's percent has at most two decimals"))
        bp = int(scaled)
    spend = to_kurus(money(min_spend))
    if spend < 0:
        raise ValidationError(_("The minimum spend cannot be negative"))
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise ValidationError(
            _("The coupon would end ({end}) before it starts ({start})").format(end=valid_to, start=valid_from)
        )
    if max_uses is not None and max_uses < 1:
        raise ValidationError(_("A coupon must be usable at least once"))
    return {
        "kind": kind,
        "amount": amount_k,
        "percent_bp": bp,
        "min_spend": spend,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "max_uses": max_uses,
    }


def _offer(info: CouponInfo) -> CouponOffer:
    return CouponOffer(
        code=info.code,
        kind=info.kind,
        amount=info.amount or ZERO,
        percent=info.percent or ZERO,
        min_spend=info.min_spend,
        product_code=info.product_code,
        max_amount=info.max_discount,
    )


def _refuse(info: CouponInfo, *, member_id: int | None, day: date, cart_total: Decimal | None) -> str | None:
    """Why ``info`` cannot be used now, or None."""
    code = info.code
    if not info.active:
        return _("Coupon {code} has been withdrawn").format(code=code)
    if info.valid_from is not None and day < info.valid_from:
        return _("Coupon {code} is valid from {day}").format(code=code, day=info.valid_from.isoformat())
    if info.valid_to is not None and day > info.valid_to:
        return _("Coupon {code} expired on {day}").format(code=code, day=info.valid_to.isoformat())
    if info.max_uses is not None and info.uses >= info.max_uses:
        if info.max_uses == 1:
            return _("Coupon {code} has already been used").format(code=code)
        return _("Coupon {code} has been used {n} times, its limit").format(code=code, n=info.uses)
    if info.member_id is not None:
        if member_id is None:
            return _("Coupon {code} is personal: attach the member's card first").format(code=code)
        if member_id != info.member_id:
            return _("Coupon {code} belongs to another member").format(code=code)
    if cart_total is not None and cart_total < info.min_spend:
        return _("Coupon {code} needs a receipt of at least {minimum}; this one is {total}").format(
            code=code, minimum=format_money(info.min_spend), total=format_money(cart_total)
        )
    return None


def check_coupon(code: str, *, member_id: int | None, day: date, cart_total: Decimal | None = None) -> CouponOffer:
    """The coupon as the engine applies it, or a specific error: unknown (NotFound),
    withdrawn, not yet valid, expired, used up, personal to another member, minimum spend not
    met (skipped when ``cart_total`` is None: the engine checks it on the receipt after the
    other benefits)."""
    info = get_coupon(code)
    reason = _refuse(info, member_id=member_id, day=day, cart_total=cart_total)
    if reason is not None:
        raise ValidationError(reason)
    return _offer(info)


def record_use(code: str, sale_id: int, member_id: int | None, amount: Decimal, now: datetime) -> int:
    """Record that sale ``sale_id`` used coupon ``code`` for ``amount`` off; returns the use's id.

    Call it inside the sale's transaction. The coupon row is locked (PostgreSQL ``FOR
    UPDATE``; on SQLite the write transaction already excludes other writers) before its uses
    are counted, so two tills can never both take a coupon's last use: the second gets a
    :class:`StateError` and its sale rolls back."""
    code = normalise_code(code)
    with write_tx():
        found = fast.select_first(m.Coupon, ("id", "max_uses", "active"), {"code": code}, for_update=True)
        if found is None:
            raise NotFound(_("No coupon with code {code}").format(code=code))
        coupon_id, max_uses, active = found
        if not active:
            raise StateError(_("Coupon {code} has been withdrawn").format(code=code))
        if max_uses is not None:
            used = m.CouponUse.select(fn.COUNT(m.CouponUse.id)).where(m.CouponUse.coupon == coupon_id).scalar() or 0
            if used >= max_uses:
                raise StateError(_("Coupon {code} has already been used up").format(code=code))
        return fast.insert_one(
            m.CouponUse,
            {"coupon": coupon_id, "sale": sale_id, "member": member_id, "at": to_db(now), "amount": to_kurus(amount)},
        )


def list_coupons(
    *,
    member_id: int | None = None,
    usable_on: date | None = None,
    source: str | None = None,
    limit: int | None = None,
) -> list[CouponInfo]:
    """Coupons, newest first: a member's own (``member_id``), those from one ``source``
    (admin | offer | import), or only those usable on ``usable_on`` (active, valid that day,
    not used up)."""
    query = _select()
    if member_id is not None:
        query = query.where(m.Coupon.member == member_id)
    if source is not None:
        query = query.where(m.Coupon.source == source)
    if usable_on is not None:
        query = query.where(
            m.Coupon.active
            & (m.Coupon.valid_from.is_null() | (m.Coupon.valid_from <= usable_on))
            & (m.Coupon.valid_to.is_null() | (m.Coupon.valid_to >= usable_on))
        )
    query = query.order_by(m.Coupon.id.desc())
    rows = list(query.tuples())
    uses = _uses([r[0] for r in rows])
    out = [_info(r, uses.get(r[0], 0)) for r in rows]
    if usable_on is not None:
        out = [c for c in out if c.max_uses is None or c.uses < c.max_uses]
    return out[:limit] if limit is not None else out


def generate_offers(
    *,
    now: datetime,
    kind: str = "percent",
    value: Decimal = Decimal(10),
    valid_days: int = 30,
    min_spend: Decimal = ZERO,
    days: int = 90,
    limit: int | None = None,
    actor: Actor | None = None,
    tz: str = SHOP_TZ,
    terminal: str = ADMIN_TERMINAL,
) -> list[CouponInfo]:
    """Personal coupons from purchase history: each member's most bought product (units sold
    minus returned over the last ``days`` shop days; ties go to the product they spent more
    on, then the lower product code) gets a single-use coupon limited to it, worth ``value``
    (percent or TRY by ``kind``), valid for ``valid_days`` days from today. Anonymised members,
    products the program excludes from earning, and members holding an offer coupon valid
    today are skipped, so a second run in the same period creates nothing. At most ``limit``
    coupons (members in id order). Returns the coupons created."""
    from pos_tui.core.loyalty.rules.versions import active_program

    if actor is not None:
        require(actor, "admin")
    if valid_days < 1:
        raise ValidationError(_("An offer must be valid for at least one day"))
    if days < 1:
        raise ValidationError(_("Look back at least one day"))
    _validate(
        kind,
        value if kind == "amount" else None,
        value if kind == "percent" else None,
        min_spend,
        None,
        None,
        1,
    )
    today = shop_day(now, tz)
    since = to_db(day_bounds(today - timedelta(days=days - 1), tz)[0])
    until = to_db(day_bounds(today, tz)[1])
    excluded = active_program().earning.excluded
    S, L, P, C, Me = m.Sale, m.SaleLine, m.Product, m.Category, m.Member
    sign = Case(None, [(S.kind == "return", -1)], 1)
    query: Any = (
        L.select(S.member, P.code, C.name, P.name, fn.SUM(L.qty * sign), fn.SUM(L.total * sign))
        .join(S, on=(L.sale == S.id))
        .join(Me, on=(S.member == Me.id))
        .switch(L)
        .join(P, on=(L.product == P.id))
        .join(C, JOIN.LEFT_OUTER, on=(P.category == C.id))
        .where(S.member.is_null(False) & Me.anonymized_at.is_null() & (S.at >= since) & (S.at < until))
        .group_by(S.member, P.code, C.name, P.name)
        .tuples()
    )
    best: dict[int, tuple[tuple[int, int, str], str, str]] = {}
    for member, code, category, name, qty, spent in query:
        if not qty or qty <= 0 or excluded.matches(code, category):
            continue
        rank = (-int(qty), -int(spent or 0), code)  # most units, then most spent, then lowest code
        held = best.get(member)
        if held is None or rank < held[0]:
            best[member] = (rank, code, name)
    if not best:
        return []
    holding = {
        c.member_id
        for c in list_coupons(source="offer", usable_on=today)
        if c.member_id is not None and c.valid_from is not None and c.valid_from <= today
    }
    created: list[CouponInfo] = []
    with write_tx():
        for member in sorted(best):
            if member in holding:
                continue
            if limit is not None and len(created) >= limit:
                break
            _rank, code, name = best[member]
            info = create_coupon(
                None,
                kind=kind,
                amount=value if kind == "amount" else None,
                percent=value if kind == "percent" else None,
                min_spend=min_spend,
                valid_from=today,
                valid_to=today + timedelta(days=valid_days - 1),
                max_uses=1,
                member_id=member,
                product_code=code,
                note=_("Your favourite: {product}").format(product=name),
                source="offer",
                actor=None,
                now=now,
                terminal=terminal,
            )
            created.append(info)
    return created
