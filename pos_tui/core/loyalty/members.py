"""Loyalty members: enrolment, cards, consent (KVKK), lookup, profile, badges, export, erasure.

A member is identified at the till by a **card** (``member.card``, unique) of one of four
kinds (``member.card_kind``):

- ``barcode``: a printed card. Left empty at enrolment, a new EAN-13 number is generated:
  the in-store prefix ``26`` (GS1 restricted circulation; the scales use 27-29), ten digits
  from the ``member/card`` counter and a check digit (python-stdnum), so a mistyped number is
  caught before it can find the wrong person.
- ``magstripe``: what a magnetic-stripe reader types. Track 2 (``;1234=…?``) or track 1
  (``%B1234^NAME^…?``) data is reduced to the card's id (the digits before the separator);
  the same reduction runs when the card is swiped at the till, so a swipe finds the member.
  Readers set to a US layout on a Turkish-Q keyboard type ``ş``/``-``/``:`` instead of
  ``;``/``=``/``?``; both are read. A bank card is refused: its number is never stored.
- ``rfid``: the digit (or hex) string a proximity reader types, given explicitly.
- ``phone``: no card at all; the normalised mobile number is the card.

Personal data (name, phone, e-mail, birth date) lives only in the ``member`` row; journal
entries carry the member's id and the card kind, never personal data, so erasing a person
(:func:`anonymize_member`) leaves nothing behind in the tamper-evident journal that would
need rewriting. Consent is one insert-only row per decision (:class:`~pos_tui.store.models.Consent`),
the latest per channel wins; membership consent is recorded at enrolment and marketing
consent (SMS, e-mail) is never a condition of membership.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from peewee import JOIN, fn
from peewee import IntegrityError as PeeweeIntegrityError
from stdnum import ean, luhn

from pos_tui import store
from pos_tui.core import journal
from pos_tui.core.actors import Actor, Override
from pos_tui.core.clock import day_bounds, from_db, iso, to_db
from pos_tui.core.errors import NotFound, PermissionDenied, StateError, ValidationError
from pos_tui.core.loyalty.ledger import SHOP_TZ, balance, shop_day
from pos_tui.core.loyalty.program import Program, Tier
from pos_tui.core.money import from_kurus
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import write_tx
from pos_tui.store.counters import next_value
from pos_tui.text import fold, words

ADMIN_TERMINAL = "admin"  # the journal's terminal for pos-admin (as in pos_tui.core.staff)
CARD_KINDS = ("barcode", "magstripe", "rfid", "phone")
CONSENT_CHANNELS = ("membership", "sms", "email")
CONSENT_SOURCES = ("till", "cli", "import")
CARD_PREFIX = "26"  # GS1 "restricted circulation" prefix: our printed member cards
REFERRAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
REFERRAL_LENGTH = 8
STAFF_KEY = "staff_member:{user_id}"  # MetaEntry key: the member ids that are this user's own cards
ANON_PREFIX = "ANON-"
OWN_CARD = "own_card"  # the permission check_attach asks for

_PHONE_NOISE = re.compile(r"[\s\-().\/]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CARD = re.compile(r"[0-9A-Z][0-9A-Z\-]{2,63}")
_RFID = re.compile(r"[0-9A-F]{4,32}")
_MAG_ID = re.compile(r"[0-9A-Z]{1,64}")
_TRACK2 = re.compile(r"[;ş]([0-9]{1,37})(?:[=\-][0-9]*)?[?:]", re.IGNORECASE)
_TRACK1 = re.compile(r"%([^?:]*)[?:]")
_TRACK1_ISO = re.compile(r"[A-Z]([0-9]{1,19})")
_PHONEISH = re.compile(r"\+?[0-9\s\-().\/]{4,}")
_CROCKFORD = str.maketrans({"I": "1", "L": "1", "O": "0", "-": None, " ": None})


@dataclass(frozen=True, slots=True)
class MemberInfo:
    """A member as services hand it out. ``anonymized`` members have no personal data left."""

    id: int
    card: str
    card_kind: str
    name: str
    phone: str | None
    email: str | None
    birth_date: date | None
    tier_code: str | None
    tier_until: date | None
    referral_code: str | None
    referred_by_id: int | None
    created_at: datetime
    anonymized: bool


@dataclass(frozen=True, slots=True)
class ConsentState:
    """The latest decision of a member for one channel."""

    channel: str
    granted: bool
    at: datetime
    source: str


@dataclass(frozen=True, slots=True)
class EarnedBadge:
    """A badge of the program the member has earned (derived from their receipts; nothing stored)."""

    code: str
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class NewMember:
    """An enrolment whose values are checked and normalised but not yet compared with the
    database (:func:`prepare_enrollment`). ``card`` None: a printed card number is generated."""

    name: str
    phone: str | None
    email: str | None
    birth_date: date | None
    card: str | None
    card_kind: str
    consent_sms: bool
    consent_email: bool
    referral: str | None
    customer_id: int | None = None


class MemberFieldError(ValidationError):
    """A bad enrolment value; ``field`` names it (imports report it per row and column)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


# ------------------------------------------------------------------------------------------
# Values: phones, cards, e-mail, dates, referral codes


def normalize_mobile(text: str) -> str:
    """A Turkish mobile number in international form: ``0532 123 45 67``, ``5321234567``,
    ``+90 (532) 123-45-67``, ``0090 532…`` and ``90532…`` all give ``+905321234567``.

    The rule: after dropping spaces and punctuation and the ``+90``/``0090``/``90``/``0``
    prefix, exactly 10 digits starting with 5 must remain (members get SMS, so land lines
    and foreign numbers are refused; a customer record may still hold them: see
    :func:`pos_tui.core.imports.normalize_phone`, which takes any Turkish or foreign number).
    """
    raw = _PHONE_NOISE.sub("", text.strip())
    international = raw.startswith(("+", "00"))
    if international:
        raw = raw[1:] if raw.startswith("+") else raw[2:]
    if raw.isascii() and raw.isdigit():
        if international:
            national = raw[2:] if raw.startswith("90") else ""
        elif len(raw) == 12 and raw.startswith("90"):
            national = raw[2:]
        elif len(raw) == 11 and raw.startswith("0"):
            national = raw[1:]
        else:
            national = raw
        if len(national) == 10 and national.startswith("5"):
            return "+90" + national
    raise ValidationError(
        _("{text!r} is not a Turkish mobile number (10 digits starting with 5, such as 0532 123 45 67)").format(
            text=text
        )
    )


def generated_card(sequence: int) -> str:
    """The printed card number for ``sequence``: ``26``, ten digits, an EAN-13 check digit."""
    if not 0 < sequence < 10**10:
        raise ValidationError(_("The member card number range is used up"))
    body = f"{CARD_PREFIX}{sequence:010d}"
    return body + ean.calc_check_digit(body)


def _payment_card(digits: str) -> bool:
    """Looks like a bank card number (Visa, Mastercard, Amex, Troy) with a valid Luhn digit."""
    if not digits.isdigit() or not 13 <= len(digits) <= 19 or not luhn.is_valid(digits):
        return False
    return (
        digits[0] == "4"
        or digits[:2] in {"34", "37", "51", "52", "53", "54", "55"}
        or digits.startswith(("9792", "222", "223", "224", "225", "226", "227", "2720"))
    )


def magstripe_id(text: str) -> str | None:
    """The card id in magnetic-stripe reader output, or None when ``text`` is no track data.

    Track 2 (``;6012345678=2512?``): the digits before the separator. Track 1
    (``%B6012345678^YILMAZ/ZEYNEP^2512?``): the primary number without the format code; a
    non-ISO track 1 (``%ABC123?``) is taken whole. When a reader sends both tracks, track 2
    wins. Raises ValidationError for a partial swipe or a bank card.
    """
    s = text.strip()
    if not s or s[0] not in "%;şŞ":
        return None
    found: str | None = None
    track2 = _TRACK2.search(s)
    if track2 is not None:
        found = track2.group(1)
    else:
        track1 = _TRACK1.search(s)
        if track1 is not None:
            body = track1.group(1).strip()
            primary = re.split(r"[\^&]", body, maxsplit=1)[0].strip().upper()
            iso_format = _TRACK1_ISO.fullmatch(primary)
            if iso_format is not None and len(primary) < len(body):
                primary = iso_format.group(1)
            found = primary.replace(" ", "")
    if not found or not _MAG_ID.fullmatch(found):
        raise ValidationError(_("The card could not be read; swipe it again"))
    if _payment_card(found):
        raise ValidationError(_("That is a bank card; swipe the loyalty card (bank card numbers are never stored)"))
    return found


def card_for(card: str | None, card_kind: str | None, phone: str | None) -> tuple[str | None, str]:
    """The card to store and its kind, from what was typed or scanned (None: generate one).

    ``card_kind`` None: magnetic-stripe data is a ``magstripe`` card, anything else a
    ``barcode``; no card and no kind is a generated ``barcode``. ``phone`` must already be
    normalised; a ``phone`` card is that number.
    """
    text = None if card is None else card.strip()
    text = text or None
    if card_kind is None:
        card_kind = "magstripe" if text is not None and text[0] in "%;şŞ" else "barcode"
    if card_kind not in CARD_KINDS:
        raise MemberFieldError(
            _("Unknown card kind {kind}; choose one of {kinds}").format(kind=card_kind, kinds=", ".join(CARD_KINDS)),
            "card_kind",
        )
    if card_kind == "phone":
        if phone is None:
            raise MemberFieldError(_("A phone card needs the member's phone number"), "phone")
        if text is not None and normalize_mobile(text) != phone:
            raise MemberFieldError(_("A phone card is the member's own phone number"), "card")
        return phone, "phone"
    if text is None:
        if card_kind != "barcode":
            raise MemberFieldError(
                _("Scan or type the card (a {kind} card cannot be generated)").format(kind=card_kind), "card"
            )
        return None, "barcode"
    if card_kind == "magstripe":
        found = magstripe_id(text)
        value = found if found is not None else text.upper()
        if not _MAG_ID.fullmatch(value):
            raise MemberFieldError(
                _("{card!r} is not a magnetic card id (letters and digits)").format(card=text), "card"
            )
        if _payment_card(value):
            raise MemberFieldError(_("That is a bank card number; it is never stored"), "card")
        return value, "magstripe"
    value = text.upper()
    if card_kind == "rfid":
        if not _RFID.fullmatch(value):
            raise MemberFieldError(
                _("{card!r} is not an RFID card id (4 to 32 digits or hex letters A-F)").format(card=text), "card"
            )
        return value, "rfid"
    if not _CARD.fullmatch(value) or value.startswith(ANON_PREFIX):
        raise MemberFieldError(
            _("{card!r} is not a card number (3 to 64 letters, digits or dashes)").format(card=text), "card"
        )
    if len(value) == 13 and value.isdigit() and value.startswith(CARD_PREFIX) and not ean.is_valid(value):
        raise MemberFieldError(_("Card {card}: bad check digit; scan it again").format(card=value), "card")
    return value, "barcode"


def _email(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    value = text.strip().lower()
    if len(value) > 255 or not _EMAIL.fullmatch(value):
        raise MemberFieldError(_("{text!r} is not an e-mail address").format(text=text), "email")
    return value


def parse_birth_date(text: str) -> date:
    """``1990-05-17``, ``17.05.1990`` or ``17/05/1990`` (the Turkish day-first order)."""
    value = text.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", value)
    if match is not None:
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise MemberFieldError(_("{text!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)").format(text=text), "birth_date")


def _birth_date(value: date | None, today: date) -> date | None:
    if value is None:
        return None
    if value > today:
        raise MemberFieldError(_("The birth date {date} is in the future").format(date=value.isoformat()), "birth_date")
    if value.year < 1900:
        raise MemberFieldError(_("The birth date {date} is too far back").format(date=value.isoformat()), "birth_date")
    return value


def _name(text: str) -> str:
    value = " ".join(text.split())
    if not value:
        raise MemberFieldError(_("A member needs a name"), "name")
    if len(value) > 255:
        raise MemberFieldError(_("The name is longer than 255 characters"), "name")
    return value


def referral_key(text: str) -> str | None:
    """A typed referral code in stored form (upper case; I/L read as 1, O as 0, dashes
    dropped), or None when it cannot be one."""
    value = text.strip().upper().translate(_CROCKFORD)
    if len(value) == REFERRAL_LENGTH and all(c in REFERRAL_ALPHABET for c in value):
        return value
    return None


def _new_referral_code(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(REFERRAL_ALPHABET) for _ in range(REFERRAL_LENGTH))
        if code not in taken and not m.Member.select().where(m.Member.referral_code == code).exists():
            taken.add(code)
            return code


# ------------------------------------------------------------------------------------------
# Rows → values


def _fk(row: Any, field: str) -> int | None:
    """The id a foreign key holds, without loading the row it points at."""
    value = row.__data__.get(field)
    return None if value is None else int(value)


def _info(row: m.Member) -> MemberInfo:
    return MemberInfo(
        id=row.id,
        card=row.card,
        card_kind=row.card_kind,
        name=row.name,
        phone=row.phone,
        email=row.email,
        birth_date=row.birth_date,
        tier_code=row.tier_code,
        tier_until=row.tier_until,
        referral_code=row.referral_code,
        referred_by_id=_fk(row, "referred_by"),
        created_at=from_db(row.created_at),
        anonymized=row.anonymized_at is not None,
    )


def _row(member_id: int) -> m.Member:
    row = m.Member.get_or_none(m.Member.id == member_id)
    if row is None:
        raise NotFound(_("No member with id {id}").format(id=member_id))
    return row


def _live_row(member_id: int) -> m.Member:
    row = _row(member_id)
    if row.anonymized_at is not None:
        raise StateError(_("Member #{id} was anonymized; their data is gone").format(id=member_id))
    return row


def get_member(member_id: int) -> MemberInfo:
    """The member ``member_id`` (anonymized ones too); NotFound otherwise."""
    return _info(_row(member_id))


# ------------------------------------------------------------------------------------------
# Enrolment


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


def _free_card() -> str:
    """The next generated card number nobody holds (a typed card may have taken one)."""
    while True:
        card = generated_card(next_value("member", "card"))
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


# ------------------------------------------------------------------------------------------
# Changes


class _Keep(Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP  # "leave this field as it is" in update_member


def update_member(
    member_id: int,
    *,
    name: str | _Keep = KEEP,
    phone: str | _Keep | None = KEEP,
    email: str | _Keep | None = KEEP,
    birth_date: date | _Keep | None = KEEP,
    card: str | _Keep | None = KEEP,
    card_kind: str | _Keep | None = KEEP,
    actor: Actor | None,
    now: datetime,
    source: str = "cli",
    tz: str = SHOP_TZ,
    terminal: str = ADMIN_TERMINAL,
) -> MemberInfo:
    """Change a member's details; fields left at :data:`KEEP` stay, None clears an optional
    one. ``card=None`` gives a new generated card (a lost card); a phone card follows the
    phone. The same checks as enrolment (a duplicate card or phone names its member);
    clearing the phone or e-mail revokes that marketing consent. Journal kind
    ``member_update`` with the names of the changed fields, never their values."""
    with write_tx():
        row = _live_row(member_id)
        plan = prepare_enrollment(
            name=row.name if name is KEEP else name,
            phone=row.phone if phone is KEEP else phone,
            email=row.email if email is KEEP else email,
            birth_date=row.birth_date if birth_date is KEEP else birth_date,
            card_kind="barcode",  # the card is worked out below, against the stored one
            today=shop_day(now, tz),
        )
        kind: str | None
        if card is KEEP:
            kind = row.card_kind if card_kind is KEEP else card_kind
            if kind == row.card_kind and kind != "phone":
                new_card: str | None = row.card
            else:
                new_card, kind = _card_value(None, kind, plan.phone)
        else:
            if card_kind is not KEEP:
                kind = card_kind
            elif card is None or row.card_kind == "phone" or card.strip()[:1] in "%;şŞ":
                kind = None  # a new printed card, or read the kind from what was swiped
            else:
                kind = row.card_kind
            new_card, kind = _card_value(card, kind, plan.phone)
        changes: dict[str, Any] = {}
        if plan.name != row.name:
            changes.update(name=plan.name, name_key=fold(plan.name))
        for field in ("phone", "email", "birth_date"):
            if getattr(plan, field) != getattr(row, field):
                changes[field] = getattr(plan, field)
        if kind != row.card_kind:
            changes["card_kind"] = kind
        if new_card is not None and new_card != row.card:
            changes["card"] = new_card
        problems = check_new_members(
            [
                NewMember(
                    plan.name,
                    changes.get("phone"),
                    None,
                    None,
                    changes.get("card"),
                    kind or "barcode",
                    False,
                    False,
                    None,
                )
            ],
            exclude=member_id,
        )
        if problems:
            raise MemberFieldError(_capitalized(problems[0][2]), problems[0][1])
        if new_card is None:
            changes["card"] = _free_card()
        if changes:
            m.Member.update(**changes).where(m.Member.id == member_id).execute()
            if plan.phone is None:
                _revoke_without_address(member_id, "sms", source, actor, now)
            if plan.email is None:
                _revoke_without_address(member_id, "email", source, actor, now)
            payload: dict[str, object] = {
                "member_id": member_id,
                "fields": sorted(k for k in changes if k != "name_key"),
            }
            if actor is not None:
                payload["user"] = actor.name
            journal.append("member_update", payload, terminal=terminal, now=now, ref=str(member_id))
        return get_member(member_id)


def _card_value(card: str | None, kind: str | None, phone: str | None) -> tuple[str | None, str]:
    try:
        return card_for(card, kind, phone)
    except MemberFieldError:
        raise
    except ValidationError as exc:
        raise MemberFieldError(exc.message, "card") from None


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _revoke_without_address(member_id: int, channel: str, source: str, actor: Actor | None, now: datetime) -> None:
    """A consent for a channel the member no longer has an address for lapses."""
    state = consents(member_id).get(channel)
    if state is not None and state.granted:
        m.Consent.insert(
            member=member_id,
            channel=channel,
            granted=False,
            at=to_db(now),
            source=source,
            actor=actor.user_id if actor is not None else None,
        ).execute()


# ------------------------------------------------------------------------------------------
# Consent (KVKK)


def set_consent(
    member_id: int,
    channel: str,
    granted: bool,
    *,
    source: str,
    actor: Actor | None,
    now: datetime,
    terminal: str = ADMIN_TERMINAL,
) -> ConsentState:
    """Record a decision for one channel (membership, sms, email): a new insert-only row, so
    the history stays; journal kind ``member_consent``. Marketing consent needs an address
    for its channel."""
    if channel not in CONSENT_CHANNELS:
        raise ValidationError(
            _("Unknown consent channel {channel}; one of {channels}").format(
                channel=channel, channels=", ".join(CONSENT_CHANNELS)
            )
        )
    if source not in CONSENT_SOURCES:
        raise ValidationError(
            _("Unknown source {source}; one of {sources}").format(source=source, sources=", ".join(CONSENT_SOURCES))
        )
    with write_tx():
        row = _live_row(member_id)
        if granted and channel == "sms" and row.phone is None:
            raise ValidationError(_("Member #{id} has no phone number for SMS").format(id=member_id))
        if granted and channel == "email" and row.email is None:
            raise ValidationError(_("Member #{id} has no e-mail address").format(id=member_id))
        at = to_db(now)
        m.Consent.insert(
            member=member_id,
            channel=channel,
            granted=bool(granted),
            at=at,
            source=source,
            actor=actor.user_id if actor is not None else None,
        ).execute()
        payload: dict[str, object] = {
            "member_id": member_id,
            "channel": channel,
            "granted": bool(granted),
            "source": source,
        }
        if actor is not None:
            payload["user"] = actor.name
        journal.append("member_consent", payload, terminal=terminal, now=now, ref=str(member_id))
    return ConsentState(channel, bool(granted), from_db(at), source)


def consents(member_id: int, *, before: datetime | None = None) -> dict[str, ConsentState]:
    """The latest decision per channel (recorded before ``before``, when given)."""
    c = m.Consent
    query = c.select(c.channel, c.granted, c.at, c.source).where(c.member == member_id)
    if before is not None:
        query = query.where(c.at < to_db(before))
    latest: dict[str, ConsentState] = {}
    for channel, granted, at, source in store.rows(query.order_by(c.at, c.id)):
        latest[channel] = ConsentState(channel, bool(granted), from_db(at), source)
    return latest


def has_consent(member_id: int, channel: str) -> bool:
    """Whether the member's latest decision for ``channel`` is yes (never for an erased member)."""
    state = consents(member_id).get(channel)
    if state is None or not state.granted:
        return False
    return m.Member.select().where((m.Member.id == member_id) & m.Member.anonymized_at.is_null()).exists()


def consenting_members(channel: str) -> set[int]:
    """Every non-anonymized member whose latest decision for ``channel`` is yes, in one
    pass (the message jobs run over every member)."""
    c = m.Consent
    query = (
        c.select(c.member, c.granted)
        .join(m.Member, on=(c.member == m.Member.id))
        .where((c.channel == channel) & m.Member.anonymized_at.is_null())
        .order_by(c.member, c.at, c.id)
    )
    latest: dict[int, bool] = {}
    for member_id, granted in store.rows(query):
        latest[member_id] = bool(granted)
    return {member_id for member_id, granted in latest.items() if granted}


# ------------------------------------------------------------------------------------------
# Lookup


def _live() -> Any:
    return m.Member.select().where(m.Member.anonymized_at.is_null())


def find_member(text: str) -> MemberInfo | None:
    """The member a scanned or typed text names: a card of any kind (magnetic-stripe track
    data included), a phone number in any spelling, or a referral code. Anonymized members
    are never found. Raises ValidationError only for an unreadable swipe or a bank card."""
    value = text.strip()
    if not value:
        return None
    track = magstripe_id(value)
    if track is not None:
        row = _live().where(m.Member.card == track).first()
        return None if row is None else _info(row)
    row = _live().where(m.Member.card.in_(list(dict.fromkeys((value, value.upper()))))).first()
    if row is None and (code := referral_key(value)) is not None:
        row = _live().where(m.Member.referral_code == code).first()
    if row is None:
        try:
            phone = normalize_mobile(value)
        except ValidationError:
            phone = None
        if phone is not None:
            row = _live().where((m.Member.phone == phone) | (m.Member.card == phone)).first()
    return None if row is None else _info(row)


def find_member_by_card(card: str) -> MemberInfo | None:
    """The member whose card is exactly ``card`` (what a card reader read), never a phone or a
    referral code: an RFID number that happens to look like a phone must not pick the member
    with that phone. Magnetic-stripe track data is reduced to its card number first."""
    value = card.strip()
    if not value:
        return None
    value = magstripe_id(value) or value
    row = _live().where(m.Member.card.in_(list(dict.fromkeys((value, value.upper()))))).first()
    return None if row is None else _info(row)


def search_members(text: str, limit: int = 20) -> list[MemberInfo]:
    """Members whose name has, for every word of ``text``, a word starting with it
    (Turkish-aware: ``ISPARTA``, ``ısparta`` and ``isparta`` match alike), or, when ``text``
    is a number, whose phone contains its digits. Ordered by name."""
    value = text.strip()
    if not value or limit <= 0:
        return []
    query = _live()
    if _PHONEISH.fullmatch(value):
        digits = re.sub(r"\D", "", value)
        if len(digits) < 4:
            return []
        rows = query.where(m.Member.phone.contains(digits)).order_by(m.Member.name_key, m.Member.id).limit(limit)
        return [_info(row) for row in rows]
    wanted = words(value)
    if not wanted:
        return []
    for word in wanted:  # a cheap filter; the word-prefix check below is exact
        query = query.where(m.Member.name_key.contains(word))
    found: list[MemberInfo] = []
    for row in query.order_by(m.Member.name_key, m.Member.id).iterator():
        have = words(row.name_key)
        if all(any(h.startswith(w) for h in have) for w in wanted):
            found.append(_info(row))
            if len(found) == limit:
                break
    return found


# ------------------------------------------------------------------------------------------
# Staff's own cards (fraud control)


def _staff_ids(value: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in (value or "").split(",") if part.strip().isdigit())


def _staff_links() -> list[tuple[Any, ...]]:
    """Every ``(key, value)`` of the staff-card mapping."""
    return list(
        store.rows(
            m.MetaEntry.select(m.MetaEntry.key, m.MetaEntry.value).where(m.MetaEntry.key.startswith("staff_member:"))
        )
    )


def staff_member_ids(user_id: int) -> frozenset[int]:
    """The members that are user ``user_id``'s own cards (``pos-admin customers link-staff``)."""
    row = m.MetaEntry.get_or_none(m.MetaEntry.key == STAFF_KEY.format(user_id=user_id))
    return _staff_ids(None if row is None else row.value)


def link_staff(
    member_id: int, user_name: str, *, now: datetime, actor: Actor | None = None, terminal: str = ADMIN_TERMINAL
) -> frozenset[int]:
    """Mark member ``member_id`` as the own card of user ``user_name`` (journal kind
    ``member_staff_link``); returns all of that user's member ids. Stored as the MetaEntry
    ``staff_member:<user id>`` (comma-separated member ids), which needs no schema change."""
    with write_tx():
        _live_row(member_id)
        user = m.User.get_or_none(m.User.name == user_name)
        if user is None:
            raise NotFound(_("No user named {name}").format(name=user_name))
        key = STAFF_KEY.format(user_id=user.id)
        ids = staff_member_ids(user.id) | {member_id}
        value = ",".join(str(i) for i in sorted(ids))
        m.MetaEntry.insert(key=key, value=value).on_conflict(
            conflict_target=[m.MetaEntry.key], update={m.MetaEntry.value: value}
        ).execute()
        payload: dict[str, object] = {"member_id": member_id, "user": user.name}
        if actor is not None:
            payload["by"] = actor.name
        journal.append("member_staff_link", payload, terminal=terminal, now=now, ref=str(member_id))
    return ids


def check_attach(member_id: int, actor: Actor, override: Override | None = None) -> Override | None:
    """Refuse a cashier attaching their own member card to a sale they ring up.

    Raises PermissionDenied (permission ``own_card``) when ``member_id`` is one of the
    actor's own cards (:func:`staff_member_ids`), unless ``override`` comes from another user
    who holds ``own_card`` or, while roles do not list that permission yet, ``points_adjust``
    (the loyalty manager's permission), and whose own card it is not either. Returns the
    override that was used, for the caller to journal (kind ``override``), or None.
    """
    if member_id not in staff_member_ids(actor.user_id):
        return None
    if override is not None:
        supervisor = override.supervisor
        if (
            supervisor.user_id != actor.user_id
            and (supervisor.can(OWN_CARD) or supervisor.can("points_adjust"))
            and member_id not in staff_member_ids(supervisor.user_id)
        ):
            return override
    raise PermissionDenied(
        _("{name} may not attach their own member card to a sale; a supervisor's PIN is needed").format(
            name=actor.name
        ),
        OWN_CARD,
    )


# ------------------------------------------------------------------------------------------
# Profile, badges


def _end_of(day: date, tz: str) -> datetime:
    """Naive UTC of the end of shop day ``day`` (how stored times compare)."""
    return to_db(day_bounds(day, tz)[1])


def _tier_at(member: m.Member, end: datetime) -> str | None:
    """The member's tier code at naive-UTC ``end``, from the tier history when there is one."""
    changes = list(
        store.rows(
            m.TierChange.select(m.TierChange.at, m.TierChange.from_code, m.TierChange.to_code)
            .where(m.TierChange.member == member.id)
            .order_by(m.TierChange.at, m.TierChange.id)
        )
    )
    if not changes:
        return member.tier_code
    before = [change for change in changes if change[0] < end]
    return before[-1][2] if before else changes[0][1]


def _tiers_reached(member: m.Member, end: datetime) -> set[str]:
    codes = {
        code
        for (code,) in store.rows(
            m.TierChange.select(m.TierChange.to_code).where(
                (m.TierChange.member == member.id) & (m.TierChange.at < end) & m.TierChange.to_code.is_null(False)
            )
        )
    }
    current = _tier_at(member, end)
    if current is not None:
        codes.add(current)
    return codes


def badges(member_id: int, program: Program, *, as_of: date, tz: str = SHOP_TZ) -> list[EarnedBadge]:
    """The program's badges the member has earned by the end of ``as_of``, in program order.

    ``first_purchase``: at least one receipt; ``visits``: receipts (sales, not returns) ≥
    threshold; ``spend``: what the member's sales paid minus what was returned of them (a
    return counts against the member of the receipt it returns, as for tiers), TRY ≥
    threshold; ``tier``: the member reached that tier (or a higher one of the program) at
    some point. Derived from the posted sales in two aggregate queries; nothing is stored.
    """
    member = _row(member_id)
    if not program.badges:
        return []
    end = _end_of(as_of, tz)
    s = m.Sale
    visits, paid = next(
        store.rows(
            s.select(fn.COUNT(s.id), fn.COALESCE(fn.SUM(s.total), 0)).where(
                (s.member == member_id) & (s.kind == "sale") & (s.at < end)
            )
        )
    )
    orig = m.Sale.alias("orig")
    returned = (
        s.select(fn.COALESCE(fn.SUM(s.total), 0))
        .join(orig, JOIN.LEFT_OUTER, on=(s.return_of == orig.id))
        .where(
            (s.kind == "return")
            & (s.at < end)
            & ((orig.member == member_id) | (s.return_of.is_null() & (s.member == member_id)))
        )
        .scalar()
    )
    visits = int(visits)
    net = int(paid) - int(returned or 0)
    spend = from_kurus(net)
    order = {tier.code: index for index, tier in enumerate(program.tiers)}
    reached = _tiers_reached(member, end) if any(b.kind == "tier" for b in program.badges) else set()
    highest = max((order[c] for c in reached if c in order), default=-1)
    earned: list[EarnedBadge] = []
    for badge in program.badges:
        if badge.kind == "first_purchase":
            ok = visits >= 1
        elif badge.kind == "visits":
            ok = visits >= 1 and Decimal(visits) >= badge.threshold
        elif badge.kind == "spend":
            ok = visits >= 1 and spend >= badge.threshold
        else:
            ok = badge.tier in reached or (badge.tier in order and highest >= order[badge.tier])
        if ok:
            earned.append(EarnedBadge(badge.code, badge.name, badge.kind))
    return earned


def _tier_json(tier: Tier | None) -> dict[str, str] | None:
    return None if tier is None else {"code": tier.code, "name": tier.name}


def tier_progress(member_id: int, program: Program, *, as_of: date, tz: str = SHOP_TZ) -> dict[str, Any] | None:
    """The progress bar to the next tier (:func:`pos_tui.core.loyalty.tiers.progress`) as
    JSON; None when the program has no tiers."""
    if not program.tiers:
        return None
    from pos_tui.core.loyalty.tiers import progress  # imported here: tiers may come to use members

    p = progress(member_id, program, as_of=as_of, tz=tz)
    return {
        "current": _tier_json(p.current),
        "next": _tier_json(p.next),
        "spend": f"{p.spend:.2f}",
        "needed": None if p.needed is None else f"{p.needed:.2f}",
        "window_start": p.window_start.isoformat(),
        "window_end": p.window_end.isoformat(),
    }


def _consent_json(states: dict[str, ConsentState], tz: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for channel in CONSENT_CHANNELS:
        state = states.get(channel)
        out[channel] = {
            "granted": bool(state and state.granted),
            "at": iso(state.at, tz) if state else None,
            "source": state.source if state else None,
        }
    return out


def member_document(member: MemberInfo, tz: str = SHOP_TZ) -> dict[str, Any]:
    """A member's record as JSON (``pos-admin customers add/update/search --json``): the
    counterpart of a sale's :func:`pos_tui.core.sales.sale_document`; ``created_at`` carries
    the offset of ``tz``, the shop's time zone."""
    return {
        "id": member.id,
        "card": member.card,
        "card_kind": member.card_kind,
        "name": member.name,
        "phone": member.phone,
        "email": member.email,
        "birth_date": member.birth_date.isoformat() if member.birth_date else None,
        "tier_code": member.tier_code,
        "referral_code": member.referral_code,
        "referred_by": member.referred_by_id,
        "created_at": iso(member.created_at, tz),
        "anonymized": member.anonymized,
    }


def consent_document(member_id: int, recorded: ConsentState, tz: str = SHOP_TZ) -> dict[str, Any]:
    """One recorded consent decision as JSON (``pos-admin customers consent --json``)."""
    return {
        "member_id": member_id,
        "channel": recorded.channel,
        "granted": recorded.granted,
        "at": iso(recorded.at, tz),
        "source": recorded.source,
    }


def member_profile(member_id: int, *, as_of: date, program: Program, tz: str = SHOP_TZ) -> dict[str, Any]:
    """Everything the customer panel and ``pos-admin customers show --json`` show, as of the
    end of shop day ``as_of`` (points, stamps, store credit, consent and tier are what they
    were then). Amounts are two-decimal strings."""
    member = _row(member_id)
    end = _end_of(as_of, tz)
    points = balance(member_id, as_of=as_of, tz=tz)
    stamps = {
        card: int(total)
        for card, total in store.rows(
            m.StampEntry.select(m.StampEntry.card, fn.SUM(m.StampEntry.stamps))
            .where((m.StampEntry.member == member_id) & (m.StampEntry.at < end))
            .group_by(m.StampEntry.card)
            .order_by(m.StampEntry.card)
        )
    }
    credit = (
        m.WalletEntry.select(fn.COALESCE(fn.SUM(m.WalletEntry.amount), 0))
        .where((m.WalletEntry.member == member_id) & (m.WalletEntry.at < end))
        .scalar()
    )
    code = _tier_at(member, end)
    tier = program.tier(code)
    return {
        "id": member.id,
        "card": member.card,
        "card_kind": member.card_kind,
        "name": member.name,
        "phone": member.phone,
        "email": member.email,
        "birth_date": member.birth_date.isoformat() if member.birth_date else None,
        "created_at": iso(from_db(member.created_at), tz),
        "anonymized": member.anonymized_at is not None,
        "as_of": as_of.isoformat(),
        "tier": None if code is None else {"code": code, "name": tier.name if tier is not None else code},
        "tier_until": member.tier_until.isoformat() if member.tier_until else None,
        "points": {"available": points.available, "pending": points.pending, "total": points.total},
        "expiring": [{"points": p, "on": day.isoformat()} for p, day in points.expiring],
        "stamps": stamps,
        "store_credit": f"{from_kurus(int(credit or 0)):.2f}",
        "consent": _consent_json(consents(member_id, before=from_db(end)), tz),
        "badges": [{"code": b.code, "name": b.name} for b in badges(member_id, program, as_of=as_of, tz=tz)],
        "referral_code": member.referral_code,
        "tier_progress": tier_progress(member_id, program, as_of=as_of, tz=tz),
    }


# ------------------------------------------------------------------------------------------
# KVKK: access (export) and erasure (anonymize)


def _when(value: datetime | None, tz: str) -> str | None:
    return None if value is None else iso(from_db(value), tz)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _money(kurus: int | None) -> str | None:
    return None if kurus is None else f"{from_kurus(int(kurus)):.2f}"


def export_member(member_id: int, *, tz: str = SHOP_TZ) -> dict[str, Any]:
    """Everything held about the person (a KVKK data access request): the member row, the
    linked customer record, consent history, points entries, stamps, store credit, gift
    cards, coupons, tier history, NPS answers, messages and their receipts (summaries; the
    full receipt is ``export sales``). Other members' data is never included (referrals
    are counted, not listed)."""
    member = _row(member_id)
    customer = None
    customer_id = _fk(member, "customer")
    if customer_id is not None:
        c = m.Customer.get_by_id(customer_id)
        customer = {
            "code": c.code,
            "name": c.name,
            "phone": c.phone,
            "email": c.email,
            "tax_id": c.tax_id,
            "tax_office": c.tax_office,
            "address": c.address,
        }
    gift_cards = []
    for card in m.GiftCard.select().where(m.GiftCard.member == member_id).order_by(m.GiftCard.id):
        entries = list(m.GiftCardEntry.select().where(m.GiftCardEntry.card == card.id).order_by(m.GiftCardEntry.id))
        gift_cards.append(
            {
                "code": card.code,
                "issued_at": _when(card.issued_at, tz),
                "expires_on": _day(card.expires_on),
                "active": card.active,
                "balance": _money(sum(e.amount for e in entries)),
                "entries": [
                    {"at": _when(e.at, tz), "kind": e.kind, "amount": _money(e.amount), "sale_id": _fk(e, "sale")}
                    for e in entries
                ],
            }
        )
    staff = [int(key.split(":", 1)[1]) for key, value in _staff_links() if member_id in _staff_ids(value)]
    return {
        "member": {
            "id": member.id,
            "card": member.card,
            "card_kind": member.card_kind,
            "name": member.name,
            "phone": member.phone,
            "email": member.email,
            "birth_date": _day(member.birth_date),
            "tier_code": member.tier_code,
            "tier_until": _day(member.tier_until),
            "referral_code": member.referral_code,
            "referred_by_id": _fk(member, "referred_by"),
            "referred_members": m.Member.select().where(m.Member.referred_by == member_id).count(),
            "created_at": _when(member.created_at, tz),
            "anonymized_at": _when(member.anonymized_at, tz),
            "staff_user_ids": sorted(staff),
        },
        "customer": customer,
        "consents": [
            {"channel": c.channel, "granted": c.granted, "at": _when(c.at, tz), "source": c.source}
            for c in m.Consent.select().where(m.Consent.member == member_id).order_by(m.Consent.at, m.Consent.id)
        ],
        "points": [
            {
                "id": e.id,
                "at": _when(e.at, tz),
                "kind": e.kind,
                "points": e.points,
                "lot_id": _fk(e, "lot"),
                "sale_id": _fk(e, "sale"),
                "available_from": _day(e.available_from),
                "expires_on": _day(e.expires_on),
                "reason": e.reason,
            }
            for e in m.PointsEntry.select().where(m.PointsEntry.member == member_id).order_by(m.PointsEntry.id)
        ],
        "stamps": [
            {"at": _when(e.at, tz), "card": e.card, "stamps": e.stamps, "kind": e.kind, "sale_id": _fk(e, "sale")}
            for e in m.StampEntry.select().where(m.StampEntry.member == member_id).order_by(m.StampEntry.id)
        ],
        "wallet": [
            {
                "at": _when(e.at, tz),
                "kind": e.kind,
                "amount": _money(e.amount),
                "sale_id": _fk(e, "sale"),
                "reason": e.reason,
            }
            for e in m.WalletEntry.select().where(m.WalletEntry.member == member_id).order_by(m.WalletEntry.id)
        ],
        "gift_cards": gift_cards,
        "coupons": [
            {
                "code": c.code,
                "kind": c.kind,
                "amount": _money(c.amount),
                "percent": None if c.percent_bp is None else str(Decimal(c.percent_bp) / 100),
                "min_spend": _money(c.min_spend),
                "valid_from": _day(c.valid_from),
                "valid_to": _day(c.valid_to),
                "max_uses": c.max_uses,
                "active": c.active,
                "created_at": _when(c.created_at, tz),
            }
            for c in m.Coupon.select().where(m.Coupon.member == member_id).order_by(m.Coupon.id)
        ],
        "coupon_uses": [
            {"code": code, "sale_id": sale_id, "at": _when(at, tz), "amount": _money(amount)}
            for code, sale_id, at, amount in store.rows(
                m.CouponUse.select(m.Coupon.code, m.CouponUse.sale, m.CouponUse.at, m.CouponUse.amount)
                .join(m.Coupon)
                .where(m.CouponUse.member == member_id)
                .order_by(m.CouponUse.id)
            )
        ],
        "tier_changes": [
            {
                "at": _when(t.at, tz),
                "from": t.from_code,
                "to": t.to_code,
                "reason": t.reason,
                "valid_until": _day(t.valid_until),
                "sale_id": _fk(t, "sale"),
            }
            for t in m.TierChange.select().where(m.TierChange.member == member_id).order_by(m.TierChange.id)
        ],
        "nps": [
            {"at": _when(n.at, tz), "score": n.score, "source": n.source, "sale_id": _fk(n, "sale")}
            for n in m.NpsResponse.select().where(m.NpsResponse.member == member_id).order_by(m.NpsResponse.id)
        ],
        "messages": [
            {
                "at": _when(msg.created_at, tz),
                "kind": msg.kind,
                "channel": msg.channel,
                "subject": msg.subject,
                "body": msg.body,
                "status": msg.status,
                "sent_at": _when(msg.sent_at, tz),
            }
            for msg in m.Message.select().where(m.Message.member == member_id).order_by(m.Message.id)
        ],
        "sales": [
            {
                "id": s.id,
                "uid": s.uid,
                "kind": s.kind,
                "terminal": s.terminal,
                "receipt_no": s.receipt_no,
                "at": _when(s.at, tz),
                "total": _money(s.total),
                "discount": _money(s.discount),
                "return_of_id": _fk(s, "return_of"),
                "source": s.source,
            }
            for s in m.Sale.select().where(m.Sale.member == member_id).order_by(m.Sale.id)
        ],
    }


def anonymize_member(
    member_id: int,
    *,
    actor: Actor | None,
    now: datetime,
    source: str = "cli",
    terminal: str = ADMIN_TERMINAL,
) -> MemberInfo:
    """Erase the person (KVKK): name and search key emptied, phone, e-mail, birth date and
    referral code cleared, the card becomes ``ANON-<id>`` (the old card is free again), the
    link to a customer record and to a staff user is dropped, consents are revoked, queued
    messages are deleted and sent ones lose their text. Receipts, the points ledger, stamps,
    wallet and every total stay as they were: they no longer name anyone. Journal kind
    ``member_anonymize``; an anonymized member is never found again."""
    if source not in CONSENT_SOURCES:
        raise ValidationError(
            _("Unknown source {source}; one of {sources}").format(source=source, sources=", ".join(CONSENT_SOURCES))
        )
    with write_tx():
        _live_row(member_id)
        at = to_db(now)
        m.Member.update(
            name="",
            name_key="",
            phone=None,
            email=None,
            birth_date=None,
            card=f"{ANON_PREFIX}{member_id}",
            referral_code=None,
            customer=None,
            anonymized_at=at,
        ).where(m.Member.id == member_id).execute()
        actor_id = actor.user_id if actor is not None else None
        m.Consent.insert_many(
            [(member_id, channel, False, at, source, actor_id) for channel in CONSENT_CHANNELS],
            fields=[
                m.Consent.member,
                m.Consent.channel,
                m.Consent.granted,
                m.Consent.at,
                m.Consent.source,
                m.Consent.actor,
            ],
        ).execute()
        m.Message.delete().where((m.Message.member == member_id) & (m.Message.status == "queued")).execute()
        m.Message.update(subject="", body="").where(m.Message.member == member_id).execute()
        for key, value in _staff_links():
            ids = _staff_ids(value)
            if member_id in ids:
                rest = ids - {member_id}
                if rest:
                    m.MetaEntry.update(value=",".join(str(i) for i in sorted(rest))).where(
                        m.MetaEntry.key == key
                    ).execute()
                else:
                    m.MetaEntry.delete().where(m.MetaEntry.key == key).execute()
        payload: dict[str, object] = {"member_id": member_id}
        if actor is not None:
            payload["user"] = actor.name
        journal.append("member_anonymize", payload, terminal=terminal, now=now, ref=str(member_id))
        return get_member(member_id)
