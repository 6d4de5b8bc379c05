"""``pos-admin customers``: loyalty members — enrol, show, search, consent, export, erase.

A member is named on the command line by what the till would scan or type: a card number
(magnetic-stripe track data included), a phone number in any spelling, a referral code, or
``#ID``. Commands that change one member take its id (``consent``, ``update``, ``export``,
``anonymize``, ``link-staff``), so a script cannot hit the wrong person by a typo. pos-admin
records consent with source ``cli``. See docs/members.md.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from pos_tui.cli.common import handle_errors, make_typer, now, parse_date, state
from pos_tui.cli.output import JsonOption, YesOption, confirm, info, print_json, table
from pos_tui.core.kernel import NotFound, card_kind_label, channel_label, format_decimal, format_money, shop_day
from pos_tui.core.loyalty import Program, coupon_terms, get_coupon, members
from pos_tui.i18n import _

app = make_typer("customers", "Loyalty members: enrol, show, search, consent, export and anonymize.")

MemberId = Annotated[int, typer.Argument(help="The member's id (see `customers show` or `search`).", min=1)]
CardKindOption = Annotated[
    str | None,
    typer.Option(
        "--card-kind",
        help="barcode (printed; generated when --card is left out), magstripe, rfid or phone (the phone is the card).",
    ),
]
BirthDateOption = Annotated[str | None, typer.Option("--birth-date", help="YYYY-MM-DD (or DD.MM.YYYY).")]


def _program() -> Program:
    """The applied loyalty program (``pos-admin loyalty apply``), or the default one."""
    from pos_tui.core.loyalty import active_program

    return active_program()


def _birth_date(value: str | None) -> date | None:
    return None if value is None else members.parse_birth_date(value)


def _find(text: str) -> members.MemberInfo:
    value = text.strip()
    if value.startswith("#") and value[1:].isdigit():
        return members.get_member(int(value[1:]))
    found = members.find_member(value)
    if found is None:
        raise NotFound(_("No member with card, phone or referral code {text}").format(text=text))
    return found


@app.command("add")
@handle_errors
def add(
    name: Annotated[str, typer.Option("--name", help="The member's name.")],
    phone: Annotated[
        str | None, typer.Option("--phone", help="Turkish mobile number, any spelling (0532 123 45 67).")
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help="E-mail address.")] = None,
    card: Annotated[
        str | None, typer.Option("--card", help="The card's number or what its reader typed; left out: a new one.")
    ] = None,
    card_kind: CardKindOption = None,
    birth_date: BirthDateOption = None,
    consent_sms: Annotated[bool, typer.Option("--consent-sms", help="The member agrees to marketing SMS.")] = False,
    consent_email: Annotated[
        bool, typer.Option("--consent-email", help="The member agrees to marketing e-mail.")
    ] = False,
    referral: Annotated[str | None, typer.Option("--referral", help="The referral code of who brought them.")] = None,
    json_: JsonOption = False,
) -> None:
    """Enrol a member. Membership consent is recorded; marketing consent only with the flags."""
    settings = state().open_db()
    member = members.enroll(
        name=name,
        phone=phone,
        email=email,
        birth_date=_birth_date(birth_date),
        card=card,
        card_kind=card_kind,
        consent_sms=consent_sms,
        consent_email=consent_email,
        referral=referral,
        source="cli",
        actor=None,
        now=now(),
        tz=settings.shop.timezone,
    )
    if json_:
        print_json(members.member_document(member, settings.shop.timezone))
    info(
        _("Enrolled member #{id} with card {card} (referral code {code}).").format(
            id=member.id, card=member.card, code=member.referral_code
        )
    )


@app.command("update")
@handle_errors
def update(
    member_id: MemberId,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help='New mobile number; "" removes it.')] = None,
    email: Annotated[str | None, typer.Option("--email", help='New e-mail address; "" removes it.')] = None,
    card: Annotated[str | None, typer.Option("--card", help="A new card's number or reader output.")] = None,
    new_card: Annotated[bool, typer.Option("--new-card", help="Generate a new printed card (a lost card).")] = False,
    card_kind: CardKindOption = None,
    birth_date: Annotated[
        str | None, typer.Option("--birth-date", help='YYYY-MM-DD (or DD.MM.YYYY); "" removes it.')
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Change a member's details; what is not given stays as it is."""
    settings = state().open_db()
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name
    if phone is not None:
        changes["phone"] = phone or None
    if email is not None:
        changes["email"] = email or None
    if birth_date is not None:
        changes["birth_date"] = _birth_date(birth_date) if birth_date else None
    if new_card:
        changes["card"] = None
    elif card is not None:
        changes["card"] = card
    if card_kind is not None:
        changes["card_kind"] = card_kind
    member = members.update_member(member_id, **changes, actor=None, now=now(), tz=settings.shop.timezone)
    if json_:
        print_json(members.member_document(member, settings.shop.timezone))
    info(_("Updated member #{id}.").format(id=member.id))


@app.command("show")
@handle_errors
def show(
    card_or_phone: Annotated[str, typer.Argument(help="Card, phone, referral code, or #ID.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Show the member as of this day (YYYY-MM-DD).")] = None,
    json_: JsonOption = False,
) -> None:
    """A member's tier, points (available, pending, expiring), stamps, store credit, consent, badges,
    and the coupons they still can use (JSON ``coupons``: the soonest to expire first)."""
    settings = state().open_db()
    tz = settings.shop.timezone
    member = _find(card_or_phone)
    day = parse_date(as_of, "--as-of") or shop_day(now(), tz)
    profile = members.member_profile(member.id, as_of=day, program=_program(), tz=tz)
    if json_:
        print_json(profile)
        return
    tier = profile["tier"]
    points = profile["points"]
    rows: list[tuple[str, Any]] = [
        (_("Member"), f"#{profile['id']}"),
        (_("Name"), profile["name"]),
        (_("Card"), f"{profile['card']} ({card_kind_label(profile['card_kind'])})"),
        (_("Phone"), profile["phone"] or "-"),
        (_("E-mail"), profile["email"] or "-"),
        (_("Birth date"), profile["birth_date"] or "-"),
        (_("Tier"), tier["name"] if tier else "-"),
        (_("Points available"), format_decimal(points["available"])),
        (_("Points pending"), format_decimal(points["pending"])),
        (_("Store credit"), format_money(Decimal(profile["store_credit"]))),
        (_("Referral code"), profile["referral_code"] or "-"),
    ]
    rows += [(_("Expiring on {day}").format(day=e["on"]), format_decimal(e["points"])) for e in profile["expiring"]]
    rows += [(_("Stamps: {card}").format(card=code), count) for code, count in profile["stamps"].items()]
    rows += [
        (_("Consent: {channel}").format(channel=channel_label(channel)), _("yes") if state_["granted"] else _("no"))
        for channel, state_ in profile["consent"].items()
    ]
    if profile["badges"]:
        rows.append((_("Badges"), ", ".join(b["name"] for b in profile["badges"])))
    rows += [
        (_("Coupon {code}").format(code=c["code"]), coupon_terms(get_coupon(c["code"]), code=False))
        for c in profile["coupons"]
    ]
    table([_("Field"), _("Value")], rows, title=_("As of {day}").format(day=day.isoformat()))


@app.command("search")
@handle_errors
def search(
    text: Annotated[str, typer.Argument(help="Words of the name (Turkish letters optional) or digits of the phone.")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="At most this many members.")] = 20,
    json_: JsonOption = False,
) -> None:
    """Find members by name or phone digits."""
    settings = state().open_db()
    found = members.search_members(text, limit=limit)
    if json_:
        print_json([members.member_document(member, settings.shop.timezone) for member in found])
        return
    if not found:
        info(_("No member matches {text}.").format(text=text))
        return
    table(
        [_("Id"), _("Name"), _("Phone"), _("Card"), _("Tier")],
        [(f"#{x.id}", x.name, x.phone or "-", x.card, x.tier_code or "-") for x in found],
    )


@app.command("consent")
@handle_errors
def consent(
    member_id: MemberId,
    channel: Annotated[str, typer.Option("--channel", help="membership, sms or email.")],
    granted: Annotated[bool, typer.Option("--grant/--revoke", help="Record a yes (--grant) or a no (--revoke).")],
    json_: JsonOption = False,
) -> None:
    """Record a consent decision (KVKK); the history is kept."""
    settings = state().open_db()
    recorded = members.set_consent(member_id, channel, granted, source="cli", actor=None, now=now())
    if json_:
        print_json(members.consent_document(member_id, recorded, settings.shop.timezone))
    message = (
        _("Member #{id}: {channel} consent granted.") if granted else _("Member #{id}: {channel} consent revoked.")
    )
    info(message.format(id=member_id, channel=channel_label(channel)))


@app.command("export")
@handle_errors
def export(
    member_id: MemberId,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the JSON here instead of stdout.", dir_okay=False)
    ] = None,
) -> None:
    """Everything held about the member, as JSON (a KVKK data access request)."""
    settings = state().open_db()
    data = members.export_member(member_id, tz=settings.shop.timezone)
    if output is None:
        print_json(data)
        return
    output.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    info(_("Wrote the data of member #{id} to {file}.").format(id=member_id, file=output))


@app.command("anonymize")
@handle_errors
def anonymize(member_id: MemberId, yes: YesOption = False) -> None:
    """Erase the person (KVKK); receipts, points and totals stay. Cannot be undone."""
    state().open_db()
    confirm(_("Erase the personal data of member #{id}? This cannot be undone.").format(id=member_id), yes=yes)
    members.anonymize_member(member_id, actor=None, now=now())
    info(_("Anonymized member #{id}.").format(id=member_id))


@app.command("link-staff")
@handle_errors
def link_staff(
    member_id: MemberId,
    user: Annotated[str, typer.Argument(help="The user (staff) whose own card this is.")],
) -> None:
    """Mark a member card as a staff user's own: they cannot attach it to sales they ring up."""
    state().open_db()
    members.link_staff(member_id, user, now=now())
    info(_("Member #{id} is now {user}'s own card.").format(id=member_id, user=user))
