"""A joined terminal's redemptions, checked with the centre before the sale posts (docs/sync-guard.md).

:func:`guard_sale` runs *before* the sale's local write transaction (the network is never waited
for while the SQLite write lock is held): it works out what the sale will take — points (its points
payments and the points its rewards cost), store credit, gift-card money, a sale on account — and
asks :func:`pos_tui.core.sync.check_redemption` for each, under the sale's uid. Online the centre
holds the amounts (two terminals can never overdraw one member together); offline the offline bound
applies. If anything is refused, the holds already taken are given back. When the posting then
fails, :func:`unguard` gives them back too.

A database that never joined a centre pays one indexed read per sale and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from pos_tui.core import sync
from pos_tui.core.accounts.parties import find_party, get_party
from pos_tui.core.accounts.payments.tender import ON_ACCOUNT, over_limit_message
from pos_tui.core.basket.cart import Cart
from pos_tui.core.basket.tenders import PaymentInput
from pos_tui.core.kernel.actors import Actor, Override
from pos_tui.core.kernel.errors import NotFound, PermissionDenied
from pos_tui.core.kernel.money import to_kurus
from pos_tui.core.loyalty import giftcards
from pos_tui.core.loyalty.tenders import GIFT_CARD, POINTS, STORE_CREDIT, loyalty_program
from pos_tui.settings import SyncSettings
from pos_tui.store import fast
from pos_tui.store import models as m

GUARDED_METHODS = frozenset({POINTS, STORE_CREDIT, GIFT_CARD, ON_ACCOUNT})

Key = tuple[str, str, str]  # (ledger, key, place)


def _member_card(member_id: int | None) -> str | None:
    if member_id is None:
        return None
    row = fast.select_first(m.Member, ("card",), {"id": member_id})
    return None if row is None else str(row[0])


def _account_code(payment: PaymentInput, cart: Cart) -> str | None:
    text = str(payment.details.get("account") or payment.reference or "").strip()
    if not text:
        return None
    party = find_party(text)
    if party is None:
        try:
            party = get_party(text)
        except NotFound:
            return None
    if cart.account is not None and party.id != cart.account.party_id:
        return None  # the tender refuses it in the posting
    return party.code


def sale_redemptions(cart: Cart, payments: Sequence[PaymentInput]) -> dict[Key, int]:
    """What a sale of ``cart`` paid with ``payments`` takes, per (ledger, key, place), signed as it
    moves the balance (points, store credit, gift cards < 0; on account > 0). What cannot be read
    (an unknown card, points that are not a whole number) is left out: the tender refuses it in
    the posting, as without a centre."""
    out: dict[Key, int] = {}

    def add(ledger: str, key: str | None, amount: int) -> None:
        if key and amount:
            out[(ledger, key, "")] = out.get((ledger, key, ""), 0) + amount

    card = _member_card(cart.member_id)
    reward_points = sum(b.points for b in cart.benefits if b.kind == "reward")
    if reward_points > 0:
        add(sync.POINTS, card, -reward_points)
    value: Decimal | None = None
    for p in payments:
        if p.method not in GUARDED_METHODS or p.amount <= 0:
            continue
        if p.method == POINTS:
            value = value if value is not None else loyalty_program().points.value
            points = p.amount / value
            if points == points.to_integral_value():
                add(sync.POINTS, card, -int(points))
        elif p.method == STORE_CREDIT:
            add(sync.WALLET, card, -to_kurus(p.amount))
        elif p.method == GIFT_CARD:
            code = str(p.details.get("code") or p.reference or "").strip()
            if code:
                add(sync.GIFT_CARD, giftcards.normalize_code(code), -to_kurus(p.amount))
        else:
            add(sync.ACCOUNT, _account_code(p, cart), to_kurus(p.amount))
    return {k: v for k, v in out.items() if v}


def _may_pass_limit(actor: Actor | None, override: Override | None) -> bool:
    """What lets a sale past an account's credit limit at the till lets it past the centre's too."""
    if actor is None:
        return False
    return actor.can("credit_limit") or (override is not None and override.supervisor.can("credit_limit"))


def guard_sale(
    cart: Cart,
    payments: Sequence[PaymentInput],
    *,
    document: str,
    now: datetime,
    settings: SyncSettings | None,
    tz: str,
    actor: Actor | None = None,
    override: Override | None = None,
) -> bool:
    """Check the sale ``document`` (its uid) with the centre before it posts; True when anything
    was held or allowed offline (then :func:`unguard` it if the posting fails). Refusals:
    :class:`pos_tui.core.sync.CentreRefused`, :class:`pos_tui.core.sync.OfflineLimit`, and for a
    sale on account past the centre's credit limit :class:`PermissionDenied` (``credit_limit``),
    which a supervisor's PIN lets through as at the till."""
    if not any(p.method in GUARDED_METHODS for p in payments) and not any(b.points for b in cart.benefits):
        return False
    if not joined():
        return False
    wanted = sale_redemptions(cart, payments)
    if not wanted:
        return False
    unbounded = _may_pass_limit(actor, override)
    try:
        for (ledger, key, place), delta in sorted(wanted.items()):
            try:
                sync.check_redemption(
                    ledger,
                    key,
                    delta,
                    document=document,
                    now=now,
                    settings=settings,
                    place=place,
                    tz=tz,
                    unbounded=unbounded and ledger == sync.ACCOUNT,
                )
            except sync.CentreRefused as exc:
                if ledger == sync.ACCOUNT and actor is not None and exc.limit is not None:
                    message = over_limit_message(get_party(key), exc.limit, exc.balance, exc.delta)
                    raise PermissionDenied(message, "credit_limit") from None
                raise
            except sync.OfflineLimit as exc:
                a = exc.allowance
                if ledger == sync.ACCOUNT and actor is not None and not unbounded and a.limit - a.today >= exc.asked:
                    # only the credit limit stops it (not the daily offline limit): a supervisor may pass it
                    raise PermissionDenied(exc.message, "credit_limit") from None
                raise
    except BaseException:
        sync.cancel_holds(document, now=now)
        raise
    finally:
        sync.finished()  # the sale runs in a worker thread: leave no connection behind
    return True


def joined() -> bool:
    """Has this database joined a centre (then every sale is checked with :func:`guard_sale`)?"""
    return sync.joined()


def unguard(document: str, *, now: datetime) -> None:
    """The sale ``document`` did not post: give back what :func:`guard_sale` held (later, by
    :func:`pos_tui.core.sync.release_orphans`, when the centre cannot be reached now)."""
    try:
        sync.cancel_holds(document, now=now)
    finally:
        sync.finished()
