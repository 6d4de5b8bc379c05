"""Member values: phones, cards, e-mail, dates and referral codes, checked and normalised."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from stdnum import ean

from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.pan import is_pan, looks_like_pan
from pos_tui.i18n import _
from pos_tui.store import models as m

CARD_KINDS = ("barcode", "magstripe", "rfid", "phone")
CONSENT_CHANNELS = ("membership", "sms", "email")
CONSENT_SOURCES = ("till", "cli", "import")
CARD_PREFIX = "26"  # GS1 "restricted circulation" prefix: our printed member cards
CHAIN_MARK = "9"  # after the prefix: a card a joined terminal numbered (docs/sync.md, card blocks)
CARD_BLOCKS = 999  # a joined terminal's card block: three digits
CARD_BLOCK_SIZE = 10**6  # the cards one block numbers: six digits
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


def normalize_mobile(text: str) -> str:
    """A Turkish mobile number in international form: ``0532 123 45 67``, ``5321234567``,
    ``+90 (532) 123-45-67``, ``0090 532…`` and ``90532…`` all give ``+905321234567``.

    The rule: after dropping spaces and punctuation and the ``+90``/``0090``/``90``/``0``
    prefix, exactly 10 digits starting with 5 must remain (members get SMS, so land lines
    and foreign numbers are refused; a customer record may still hold them: see
    :func:`pos_tui.core.interchange.imports.normalize_phone`, which takes any Turkish or foreign number).
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


def terminal_card(block: int, sequence: int) -> str:
    """The printed card number a joined terminal gives out: ``26``, ``9``, its card ``block``
    (three digits, from the centre), its own ``sequence`` in the block (six digits), an EAN-13
    check digit. A shop's own :func:`generated_card` numbers stay below ``269…`` (nine billion
    members), so the two never meet, and no two blocks do."""
    if not 0 < block <= CARD_BLOCKS:
        raise ValidationError(_("Card block {block} is not one the centre gives out").format(block=block))
    if not 0 < sequence < CARD_BLOCK_SIZE:
        raise ValidationError(
            _("This terminal's member card numbers (block {block}) are used up; scan pre-printed cards").format(
                block=block
            )
        )
    body = f"{CARD_PREFIX}{CHAIN_MARK}{block:03d}{sequence:06d}"
    return body + ean.calc_check_digit(body)


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
    if is_pan(found):
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
    else:
        value = text.upper()
    if looks_like_pan(value):  # a bank card is never a member card, whatever it is typed as
        raise MemberFieldError(_("That is a bank card number; it is never stored"), "card")
    if card_kind == "magstripe":
        return value, "magstripe"
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
    _no_card_number(value, "email")
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
    _no_card_number(value, "name")
    return value


def _no_card_number(value: str, field: str) -> None:
    """A member's personal data never holds a payment card number (docs/pan.md)."""
    if looks_like_pan(value):
        raise MemberFieldError(
            _("That looks like a card number; card numbers are never stored (write the text without it)"), field
        )


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


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
