"""e-Fatura or e-Arşiv: the buyer's registration in GİB's user list decides (docs/einvoice-users.md, "Routing").

A buyer with a **PK** (mailbox) alias for e-Fatura created on or before the invoice's day (a shop day;
the buyer's first registration on or before it too) gets an e-Fatura of the shop's e-Fatura profile at
that alias; anyone else (final consumers, unregistered firms, a firm registered only from tomorrow) an
e-Arşiv invoice. Of several PK aliases the ``defaultpk`` one is preferred, then the oldest.

Where the registrations come from: the shop's integrator when it can look them up live (``live``: a
callable returning the buyer's aliases, an empty list meaning "not registered", ``None`` meaning "cannot
tell"), else, and whenever the live lookup fails, the local copy of GİB's list (``einvoice users import``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pos_tui.core.einvoice.model import EARSIVFATURA, TEMELFATURA, TICARIFATURA, InvoiceParty
from pos_tui.core.einvoice.users import PK, RegisteredUser, lookup_user, registered_on
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, shop_day, to_db
from pos_tui.settings import EInvoiceSettings, Settings

log = logging.getLogger(__name__)

LIST = "list"  # the local copy of GİB's list decided
LIVE = "live"  # the integrator's live lookup decided

LiveLookup = Callable[[str], "list[Any] | None"]


@dataclass(frozen=True, slots=True)
class Route:
    """Where an invoice goes: ``profile`` (EARSIVFATURA, or the shop's e-Fatura profile) and the buyer's
    PK ``alias`` for an e-Fatura; ``via``: whose answer it is (``list`` or ``live``)."""

    profile: str
    alias: str | None = None
    via: str = LIST

    @property
    def is_efatura(self) -> bool:
        return self.profile != EARSIVFATURA


def _moment(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        return None
    return from_db(to_db(value)) if value.tzinfo is not None else from_db(value)


def _as_user(identifier: str, item: Any) -> RegisteredUser:
    """A live lookup's answer (a RegisteredUser, an object or a mapping with ``alias``/``mailbox``,
    ``kind``, ``registered_at``, ``alias_created_at``) as a RegisteredUser."""
    if isinstance(item, RegisteredUser):
        return item

    def get(*names: str) -> Any:
        for name in names:
            value = item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)
            if value is not None:
                return value
        return None

    return RegisteredUser(
        identifier=str(get("identifier") or identifier),
        mailbox=str(get("mailbox", "alias") or ""),
        title=str(get("title") or ""),
        kind=str(get("kind", "unit", "alias_type") or PK).upper(),
        registered_at=_moment(get("registered_at", "first_creation_time")),
        alias_created_at=_moment(get("alias_created_at", "creation_time")),
    )


def pick_alias(users: Iterable[RegisteredUser], *, now: datetime, tz: str = SHOP_TZ) -> str | None:
    """The PK alias an invoice dated ``now`` goes to, or None (the buyer gets an e-Arşiv invoice)."""
    day = shop_day(now, tz)
    usable = [u for u in users if u.kind == PK and u.mailbox and registered_on(u, day, tz)]
    if not usable:
        return None

    def preference(u: RegisteredUser) -> tuple[bool, bool, datetime, str]:
        since = u.since
        default = u.mailbox.lower().removeprefix("urn:mail:").startswith("defaultpk@")
        return (not default, since is None, since or now, u.mailbox)

    return min(usable, key=preference).mailbox


def live_lookup(provider: object | None) -> LiveLookup | None:
    """The live lookup of the shop's integrator driver: its ``lookup_user(identifier)`` method when it
    has one (returning the buyer's aliases, or ``None`` when it cannot tell), else None."""
    method = getattr(provider, "lookup_user", None)
    return method if callable(method) else None


def registrations(identifier: str, *, live: LiveLookup | None = None) -> tuple[list[RegisteredUser], str]:
    """The buyer's aliases and whose answer they are: the live lookup's when it answers, else the list's."""
    digits = identifier.strip().replace(" ", "")
    if live is not None:
        try:
            found = live(digits)
        except Exception as exc:  # an integrator's network or service failure: the local list decides
            log.warning("live registered-user lookup of %s failed: %s", digits, exc)
            found = None
        if found is not None:
            return [_as_user(digits, item) for item in found], LIVE
    return lookup_user(digits), LIST


def route(
    identifier: str,
    *,
    now: datetime,
    settings: EInvoiceSettings,
    tz: str = SHOP_TZ,
    live: LiveLookup | None = None,
) -> Route:
    """The profile and mailbox an invoice to ``identifier`` dated ``now`` goes to (module docstring)."""
    users, via = registrations(identifier, live=live)
    alias = pick_alias(users, now=now, tz=tz)
    if alias is None:
        return Route(EARSIVFATURA, None, via)
    return Route(settings.profile, alias, via)


def route_party(
    party: InvoiceParty, *, now: datetime, settings: Settings, live: LiveLookup | None = None, iade: bool = False
) -> tuple[InvoiceParty, Route]:
    """Route an invoice to ``party`` (:func:`route`), check its VKN/TCKN for that profile, and give the party
    its e-Fatura mailbox. ``iade``: a return invoice, never TICARIFATURA (GİB allows IADE on TEMELFATURA)."""
    from pos_tui.core.einvoice.issuing import check_identifier

    where = route(party.identifier, now=now, settings=settings.einvoice, tz=settings.shop.timezone, live=live)
    if iade and where.profile == TICARIFATURA:
        where = Route(TEMELFATURA, where.alias, where.via)
    check_identifier(party.identifier, profile=where.profile)
    return (replace(party, alias=where.alias) if where.alias else party), where
