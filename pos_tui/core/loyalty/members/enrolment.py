"""Enrolment: one step at the till or from ``pos-admin``, with consent recorded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from peewee import IntegrityError as PeeweeIntegrityError

from pos_tui import store
from pos_tui.core import sync
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor
from pos_tui.core.kernel.clock import SHOP_TZ, shop_day, to_db
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.journal import ADMIN_TERMINAL
from pos_tui.core.loyalty.members.rows import get_member
from pos_tui.core.loyalty.members.values import (
    CONSENT_SOURCES,
    MemberFieldError,
    MemberInfo,
    NewMember,
    _birth_date,
    _capitalized,
    _email,
    _name,
    _new_referral_code,
    card_for,
    generated_card,
    normalize_mobile,
    referral_key,
    terminal_card,
)
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import write_tx
from pos_tui.store.counters import next_value
from pos_tui.text import fold


def prepare_enrollment(
    *,
    name: str,
    phone: str | None = None,
    email: str | None = None,
    birth_date: date | None = None,
    card: str | None = None,
    card_kind: str | None = None,
    consent_sms: bool = False,
    consent_email: bool = False,
    referral: str | None = None,
    today: date,
    customer_id: int | None = None,
) -> NewMember:
    """Check and normalise an enrolment without touching the database; raises
    :class:`MemberFieldError` naming the first bad field."""
    clean_name = _name(name)
    clean_phone = None
    if phone is not None and phone.strip():
        try:
            clean_phone = normalize_mobile(phone)
        except ValidationError as exc:
            raise MemberFieldError(exc.message, "phone") from None
    try:
        clean_card, kind = card_for(card, card_kind, clean_phone)
    except MemberFieldError:
        raise
    except ValidationError as exc:
        raise MemberFieldError(exc.message, "card") from None
    clean_email = _email(email)
    if consent_sms and clean_phone is None:
        raise MemberFieldError(_("SMS consent needs a phone number"), "consent_sms")
    if consent_email and clean_email is None:
        raise MemberFieldError(_("E-mail consent needs an e-mail address"), "consent_email")
    code = None
    if referral is not None and referral.strip():
        code = referral_key(referral)
        if code is None:
            raise MemberFieldError(_("{code!r} is not a referral code").format(code=referral), "referral")
    return NewMember(
        name=clean_name,
        phone=clean_phone,
        email=clean_email,
        birth_date=_birth_date(birth_date, today),
        card=clean_card,
        card_kind=kind,
        consent_sms=bool(consent_sms),
        consent_email=bool(consent_email),
        referral=code,
        customer_id=customer_id,
    )


def _owners(column: Any, values: Iterable[str], exclude: int | None = None) -> dict[str, int]:
    """value → member id for every member (but ``exclude``) holding one of ``values`` in ``column``."""
    found: dict[str, int] = {}
    items = list(dict.fromkeys(values))
    for start in range(0, len(items), 500):
        query = m.Member.select(column, m.Member.id).where(column.in_(items[start : start + 500]))
        if exclude is not None:
            query = query.where(m.Member.id != exclude)
        for value, member_id in store.rows(query):
            found[value] = member_id
    return found


def check_new_members(plans: Sequence[NewMember], *, exclude: int | None = None) -> list[tuple[int, str, str]]:
    """Conflicts of ``plans`` with the database and with each other: ``(index, field, reason)``
    for a card or phone that already belongs to a member (or to an earlier plan), and for a
    referral code no member has. Reads only; call it inside the write transaction."""
    problems: list[tuple[int, str, str]] = []
    cards = _owners(m.Member.card, (p.card for p in plans if p.card is not None), exclude)
    phones = _owners(m.Member.phone, (p.phone for p in plans if p.phone is not None), exclude)
    referrers = _owners(m.Member.referral_code, (p.referral for p in plans if p.referral is not None))
    seen_cards: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    for index, plan in enumerate(plans):
        if plan.card is not None:
            if plan.card in cards:
                problems.append(
                    (
                        index,
                        "card",
                        _("card {card} already belongs to member #{id}").format(card=plan.card, id=cards[plan.card]),
                    )
                )
            elif plan.card in seen_cards:
                problems.append((index, "card", _("card {card} is used twice").format(card=plan.card)))
            seen_cards.setdefault(plan.card, index)
        if plan.phone is not None:
            if plan.phone in phones:
                problems.append(
                    (
                        index,
                        "phone",
                        _("phone {phone} already belongs to member #{id}").format(
                            phone=plan.phone, id=phones[plan.phone]
                        ),
                    )
                )
            elif plan.phone in seen_phones:
                problems.append((index, "phone", _("phone {phone} is used twice").format(phone=plan.phone)))
            seen_phones.setdefault(plan.phone, index)
        if plan.referral is not None and plan.referral not in referrers:
            problems.append((index, "referral", _("no member has the referral code {code}").format(code=plan.referral)))
    return problems


def _next_card() -> str:
    """The next card number of this database's counter: its own (a shop on its own), or its card
    block's (a terminal joined to a centre: unique across the chain, docs/sync.md)."""
    if sync.identity.identity() is None:
        return generated_card(next_value("member", "card"))
    block = sync.cards.card_block()
    if block is None:
        raise ValidationError(
            _(
                "This terminal has no member card block from the centre yet: run 'pos-admin sync pull' once, "
                "or scan a pre-printed card"
            )
        )
    return terminal_card(block, next_value("member", f"card:{block}"))


def _free_card() -> str:
    """The next generated card number nobody holds (a typed card, or a row pulled from the
    centre after a rejoin, may have taken one)."""
    while True:
        card = _next_card()
        if not m.Member.select().where(m.Member.card == card).exists():
            return card


def add_members(plans: Sequence[NewMember], *, source: str, actor: Actor | None, now: datetime) -> list[int]:
    """Write checked enrolments (:func:`check_new_members` found nothing): member rows with
    generated cards and referral codes, and their consent rows. No journal entry: callers
    journal (one ``member_enroll`` per enrolment, or one ``import`` for a file). Must run
    inside the caller's write transaction."""
    if source not in CONSENT_SOURCES:
        raise ValidationError(
            _("Unknown source {source}; one of {sources}").format(source=source, sources=", ".join(CONSENT_SOURCES))
        )
    at = to_db(now)
    actor_id = actor.user_id if actor is not None else None
    referrers = _owners(m.Member.referral_code, (p.referral for p in plans if p.referral is not None))
    taken: set[str] = set()
    ids: list[int] = []
    consent_rows: list[tuple[Any, ...]] = []
    for plan in plans:
        member_id = int(
            m.Member.insert(
                customer=plan.customer_id,
                card=plan.card if plan.card is not None else _free_card(),
                card_kind=plan.card_kind,
                phone=plan.phone,
                name=plan.name,
                name_key=fold(plan.name),
                email=plan.email,
                birth_date=plan.birth_date,
                created_at=at,
                referral_code=_new_referral_code(taken),
                referred_by=referrers.get(plan.referral) if plan.referral is not None else None,
            ).execute()
        )
        ids.append(member_id)
        for channel, granted in (("membership", True), ("sms", plan.consent_sms), ("email", plan.consent_email)):
            consent_rows.append((member_id, channel, granted, at, source, actor_id))
    for start in range(0, len(consent_rows), 500):
        m.Consent.insert_many(
            consent_rows[start : start + 500],
            fields=[
                m.Consent.member,
                m.Consent.channel,
                m.Consent.granted,
                m.Consent.at,
                m.Consent.source,
                m.Consent.actor,
            ],
        ).execute()
    return ids


def enroll(
    *,
    name: str,
    phone: str | None = None,
    email: str | None = None,
    birth_date: date | None = None,
    card: str | None = None,
    card_kind: str | None = None,
    consent_sms: bool = False,
    consent_email: bool = False,
    referral: str | None = None,
    source: str,
    actor: Actor | None,
    now: datetime,
    tz: str = SHOP_TZ,
    terminal: str = ADMIN_TERMINAL,
    customer_id: int | None = None,
) -> MemberInfo:
    """Enrol a member in one step (one transaction, journal kind ``member_enroll``).

    Records membership consent and the SMS/e-mail marketing decisions as given (with date
    and ``source``: till, cli or import). A duplicate phone or card is a ValidationError
    naming the member who has it; ``referral`` is another member's referral code.
    """
    plan = prepare_enrollment(
        name=name,
        phone=phone,
        email=email,
        birth_date=birth_date,
        card=card,
        card_kind=card_kind,
        consent_sms=consent_sms,
        consent_email=consent_email,
        referral=referral,
        today=shop_day(now, tz),
        customer_id=customer_id,
    )
    with write_tx():
        problems = check_new_members([plan])
        if problems:
            raise MemberFieldError(_capitalized(problems[0][2]), problems[0][1])
        try:
            (member_id,) = add_members([plan], source=source, actor=actor, now=now)
        except PeeweeIntegrityError:  # another terminal took the card or phone a moment ago
            raise ValidationError(_("The card or phone was just enrolled on another terminal; try again")) from None
        info = get_member(member_id)
        payload: dict[str, object] = {"member_id": member_id, "card_kind": info.card_kind, "source": source}
        if actor is not None:
            payload["user"] = actor.name
        journal.append("member_enroll", payload, terminal=terminal, now=now, ref=str(member_id))
    return info
