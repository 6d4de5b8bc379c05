"""Loyalty members: enrolment, cards, consent (KVKK), lookup, profile, badges, export, erasure.

A member is identified at the till by a **card** (``member.card``, unique) of one of four kinds
(``member.card_kind``):

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

Personal data (name, phone, e-mail, birth date) lives only in the ``member`` row; journal entries carry the
member's id and the card kind, never personal data, so erasing a person (:func:`anonymize_member`) leaves
nothing behind in the tamper-evident journal that would need rewriting. Consent is one insert-only row per
decision (:class:`~pos_tui.store.models.Consent`), the latest per channel wins; membership consent is recorded
at enrolment and marketing consent (SMS, e-mail) is never a condition of membership.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "ConsentState": "values",
    "EarnedBadge": "values",
    "MemberFieldError": "values",
    "MemberInfo": "values",
    "MemberStanding": "consent",
    "NewMember": "values",
    "add_members": "enrolment",
    "anonymize_member": "privacy",
    "badges": "profile",
    "card_for": "values",
    "check_attach": "staff_cards",
    "check_new_members": "enrolment",
    "consent_document": "profile",
    "consenting_members": "consent",
    "consents": "consent",
    "enroll": "enrolment",
    "export_member": "privacy",
    "find_member": "lookup",
    "find_member_by_card": "lookup",
    "generated_card": "values",
    "terminal_card": "values",
    "get_member": "rows",
    "has_consent": "consent",
    "link_staff": "staff_cards",
    "magstripe_id": "values",
    "member_document": "profile",
    "member_profile": "profile",
    "member_standing": "consent",
    "normalize_mobile": "values",
    "parse_birth_date": "values",
    "prepare_enrollment": "enrolment",
    "referral_key": "values",
    "search_members": "lookup",
    "set_consent": "consent",
    "staff_member_ids": "staff_cards",
    "tier_progress": "profile",
    "update_member": "changes",
}

__all__ = [
    "ConsentState",
    "EarnedBadge",
    "MemberFieldError",
    "MemberInfo",
    "MemberStanding",
    "NewMember",
    "add_members",
    "anonymize_member",
    "badges",
    "card_for",
    "check_attach",
    "check_new_members",
    "consent_document",
    "consenting_members",
    "consents",
    "enroll",
    "export_member",
    "find_member",
    "find_member_by_card",
    "generated_card",
    "get_member",
    "has_consent",
    "link_staff",
    "magstripe_id",
    "member_document",
    "member_profile",
    "member_standing",
    "normalize_mobile",
    "parse_birth_date",
    "prepare_enrollment",
    "referral_key",
    "search_members",
    "set_consent",
    "staff_member_ids",
    "terminal_card",
    "tier_progress",
    "update_member",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.loyalty.members.changes import update_member
    from pos_tui.core.loyalty.members.consent import (
        MemberStanding,
        consenting_members,
        consents,
        has_consent,
        member_standing,
        set_consent,
    )
    from pos_tui.core.loyalty.members.enrolment import add_members, check_new_members, enroll, prepare_enrollment
    from pos_tui.core.loyalty.members.lookup import find_member, find_member_by_card, search_members
    from pos_tui.core.loyalty.members.privacy import anonymize_member, export_member
    from pos_tui.core.loyalty.members.profile import (
        badges,
        consent_document,
        member_document,
        member_profile,
        tier_progress,
    )
    from pos_tui.core.loyalty.members.rows import get_member
    from pos_tui.core.loyalty.members.staff_cards import check_attach, link_staff, staff_member_ids
    from pos_tui.core.loyalty.members.values import (
        ConsentState,
        EarnedBadge,
        MemberFieldError,
        MemberInfo,
        NewMember,
        card_for,
        generated_card,
        magstripe_id,
        normalize_mobile,
        parse_birth_date,
        referral_key,
        terminal_card,
    )
