"""Enrolment, duplicates, consent history, referral codes, changes, lookup and the
own-card rule, on a real database."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from stdnum import ean

from pos_tui.core.kernel import Actor, NotFound, Override, PermissionDenied, StateError, ValidationError
from pos_tui.core.loyalty import REFERRAL_ALPHABET
from pos_tui.core.loyalty import members as mb
from pos_tui.store import models as m
from pos_tui.store.counters import next_value


def _enroll(now: datetime, **values: object) -> mb.MemberInfo:
    values.setdefault("name", "Zeynep Yılmaz")
    values.setdefault("source", "till")
    values.setdefault("actor", None)
    return mb.enroll(now=now, **values)  # type: ignore[arg-type]


def test_enrol_with_a_generated_card(db: object, now: datetime, cashier: Actor) -> None:
    first = _enroll(
        now, phone="0532 123 45 67", email="Zeynep@Example.com", birth_date=date(1990, 5, 17), actor=cashier
    )
    second = _enroll(now, name="Ali Veli")
    assert first.card == "2600000000017" and ean.is_valid(first.card)
    assert second.card == "2600000000024" and ean.is_valid(second.card)
    assert (first.card_kind, first.phone, first.email, first.birth_date) == (
        "barcode",
        "+905321234567",
        "zeynep@example.com",
        date(1990, 5, 17),
    )
    assert first.referral_code is not None and len(first.referral_code) == 8
    assert first.referral_code != second.referral_code
    assert set(first.referral_code) <= set(REFERRAL_ALPHABET)
    row = m.Member.get_by_id(first.id)
    assert row.name_key == "zeynep yilmaz"
    assert first == mb.get_member(first.id)


def test_the_journal_holds_no_personal_data(db: object, now: datetime, cashier: Actor) -> None:
    member = _enroll(now, phone="05321234567", email="z@example.com", consent_sms=True, actor=cashier, terminal="T1")
    entry = m.JournalEntry.select().where(m.JournalEntry.kind == "member_enroll").get()
    payload = json.loads(entry.payload)
    assert payload == {"member_id": member.id, "card_kind": "barcode", "source": "till", "user": "ayse"}
    assert (entry.ref, entry.terminal) == (str(member.id), "T1")
    text = " ".join(e.payload for e in m.JournalEntry.select())
    for personal in ("Zeynep", "5321234567", "z@example.com", member.card):
        assert personal not in text


def test_a_typed_card_that_a_generated_number_would_take_is_skipped(db: object, now: datetime) -> None:
    typed = _enroll(now, card="2600000000017")
    generated = _enroll(now, name="Ali")
    assert typed.card == "2600000000017" and generated.card == "2600000000024"


def test_card_kinds(db: object, now: datetime) -> None:
    mag = _enroll(now, name="A", card="%B6012345678^A/B^2512?")
    rfid = _enroll(now, name="B", card="04a1b2c3", card_kind="rfid")
    phone = _enroll(now, name="C", phone="+90 533 111 22 33", card_kind="phone")
    assert (mag.card, mag.card_kind) == ("6012345678", "magstripe")
    assert (rfid.card, rfid.card_kind) == ("04A1B2C3", "rfid")
    assert (phone.card, phone.card_kind, phone.phone) == ("+905331112233", "phone", "+905331112233")


def test_duplicates_name_the_member_who_has_them(db: object, now: datetime) -> None:
    first = _enroll(now, phone="0532 123 45 67", card=";777=1?")
    with pytest.raises(ValidationError, match=rf"Phone \+905321234567 already belongs to member #{first.id}"):
        _enroll(now, name="Other", phone="5321234567")
    with pytest.raises(ValidationError, match=rf"Card 777 already belongs to member #{first.id}"):
        _enroll(now, name="Other", card="777", card_kind="magstripe")
    with pytest.raises(ValidationError, match="already belongs"):
        _enroll(now, name="Other", phone="0532 123 45 67", card_kind="phone")
    assert m.Member.select().count() == 1
    assert m.Consent.select().count() == 3  # nothing half-written
    assert m.JournalEntry.select().where(m.JournalEntry.kind == "member_enroll").count() == 1


def test_membership_and_marketing_consent_are_recorded_apart(db: object, now: datetime, cashier: Actor) -> None:
    member = _enroll(now, phone="05321234567", email="z@example.com", consent_sms=True, actor=cashier)
    states = mb.consents(member.id)
    assert {c: (s.granted, s.source) for c, s in states.items()} == {
        "membership": (True, "till"),
        "sms": (True, "till"),
        "email": (False, "till"),
    }
    assert states["sms"].at == now
    assert mb.has_consent(member.id, "sms") and not mb.has_consent(member.id, "email")
    rows = m.Consent.select().where(m.Consent.member == member.id)
    assert {r.actor_id for r in rows} == {cashier.user_id}

    later = now + timedelta(days=3)
    recorded = mb.set_consent(member.id, "sms", False, source="cli", actor=None, now=later)
    assert (recorded.granted, recorded.at, recorded.source) == (False, later, "cli")
    mb.set_consent(member.id, "email", True, source="till", actor=cashier, now=later + timedelta(hours=1))
    assert not mb.has_consent(member.id, "sms") and mb.has_consent(member.id, "email")
    assert mb.consents(member.id, before=now + timedelta(days=1))["sms"].granted  # as it was then
    history = [
        (c.channel, c.granted) for c in m.Consent.select().where(m.Consent.member == member.id).order_by(m.Consent.id)
    ]
    assert history == [
        ("membership", True),
        ("sms", True),
        ("email", False),
        ("sms", False),
        ("email", True),
    ]
    assert mb.consenting_members("email") == {member.id}
    assert mb.consenting_members("sms") == set()
    kinds = [e.kind for e in m.JournalEntry.select().order_by(m.JournalEntry.id)]
    assert kinds.count("member_consent") == 2


def test_consent_needs_a_channel_an_address_and_a_source(db: object, now: datetime) -> None:
    member = _enroll(now)
    with pytest.raises(ValidationError, match="Unknown consent channel"):
        mb.set_consent(member.id, "whatsapp", True, source="cli", actor=None, now=now)
    with pytest.raises(ValidationError, match="Unknown source"):
        mb.set_consent(member.id, "sms", False, source="web", actor=None, now=now)
    with pytest.raises(ValidationError, match="no phone number"):
        mb.set_consent(member.id, "sms", True, source="cli", actor=None, now=now)
    with pytest.raises(ValidationError, match="no e-mail"):
        mb.set_consent(member.id, "email", True, source="cli", actor=None, now=now)
    with pytest.raises(NotFound):
        mb.set_consent(999, "sms", False, source="cli", actor=None, now=now)


def test_referral_code_links_the_new_member(db: object, now: datetime) -> None:
    friend = _enroll(now, name="Friend")
    assert friend.referral_code is not None
    typed = friend.referral_code.lower().replace("0", "o").replace("1", "l")
    newcomer = _enroll(now, name="New", referral=typed)
    assert newcomer.referred_by_id == friend.id
    with pytest.raises(ValidationError, match="No member has the referral code"):
        _enroll(now, name="Other", referral="ZZZZZZZZ" if friend.referral_code != "ZZZZZZZZ" else "YYYYYYYY")


def test_find_by_card_swipe_phone_and_referral_code(db: object, now: datetime) -> None:
    printed = _enroll(now, phone="0532 123 45 67")
    mag = _enroll(now, name="Mag", card=";6012345678=2512?")
    rfid = _enroll(now, name="Rfid", card="04A1B2C3", card_kind="rfid")
    phone = _enroll(now, name="Phone", phone="0533 111 22 33", card_kind="phone")
    assert mb.find_member(printed.card) == printed
    assert mb.find_member(f"  {printed.card} ") == printed
    assert mb.find_member("%B6012345678^MAG^2512?") == mag  # swiped again, track 1 this time
    assert mb.find_member("ş6012345678-2512:") == mag
    assert mb.find_member("04a1b2c3") == rfid
    assert mb.find_member("+90 (532) 123-45-67") == printed
    assert mb.find_member("5331112233") == phone
    assert printed.referral_code is not None
    assert mb.find_member(printed.referral_code.lower()) == printed
    assert mb.find_member("2600000000999") is None
    assert mb.find_member("") is None
    with pytest.raises(ValidationError, match="bank card"):
        mb.find_member(";4111111111111111=2512?")


def test_turkish_aware_name_search(db: object, now: datetime) -> None:
    isparta = _enroll(now, name="İSPARTA Gülü Çağlar")
    ismail = _enroll(now, name="Ismail Şahin", phone="0532 987 65 43")
    _enroll(now, name="Ayşe-Nur Öztürk")
    for query in ("ISPARTA", "ısparta", "Isparta", "isparta", "isp", "gulu", "GÜL çağ"):
        assert [x.id for x in mb.search_members(query)] == [isparta.id], query
    assert [x.name for x in mb.search_members("nur")] == ["Ayşe-Nur Öztürk"]  # a word after a dash
    assert [x.name for x in mb.search_members("sahin ism")] == ["Ismail Şahin"]
    assert mb.search_members("parta") == []  # words match from their start
    assert [x.id for x in mb.search_members("987 65")] == [ismail.id]  # phone digits
    assert [x.name for x in mb.search_members("i", limit=2)] == ["Ismail Şahin", "İSPARTA Gülü Çağlar"]  # by name
    assert mb.search_members("  ") == [] and mb.search_members("12") == []


def test_update_member(db: object, now: datetime, cashier: Actor) -> None:
    member = _enroll(now, phone="0532 123 45 67", email="z@example.com", consent_sms=True, consent_email=True)
    other = _enroll(now, name="Other", phone="0533 000 00 00")
    later = now + timedelta(days=1)
    changed = mb.update_member(member.id, name="Zeynep Kaya", email=None, actor=cashier, now=later, source="till")
    assert (changed.name, changed.email, changed.card) == ("Zeynep Kaya", None, member.card)
    assert m.Member.get_by_id(member.id).name_key == "zeynep kaya"
    assert not mb.has_consent(member.id, "email")  # no address: the e-mail consent lapsed
    assert mb.has_consent(member.id, "sms")
    with pytest.raises(ValidationError, match=f"already belongs to member #{other.id}"):
        mb.update_member(member.id, phone="0533 000 00 00", actor=None, now=later)
    with pytest.raises(ValidationError, match=f"already belongs to member #{other.id}"):
        mb.update_member(member.id, card=other.card, actor=None, now=later)
    lost = mb.update_member(member.id, card=None, actor=None, now=later)  # a lost card: a new number
    assert lost.card != member.card and ean.is_valid(lost.card) and lost.card_kind == "barcode"
    assert mb.find_member(member.card) is None and mb.find_member(lost.card) == lost
    by_phone = mb.update_member(member.id, card_kind="phone", actor=None, now=later)
    assert (by_phone.card, by_phone.card_kind) == ("+905321234567", "phone")
    moved = mb.update_member(member.id, phone="0534 444 44 44", actor=None, now=later)
    assert moved.card == "+905344444444"  # a phone card follows the phone
    with pytest.raises(ValidationError, match="needs the member's phone"):
        mb.update_member(member.id, phone=None, actor=None, now=later)
    swiped = mb.update_member(member.id, card=";999=1?", actor=None, now=later)
    assert (swiped.card, swiped.card_kind) == ("999", "magstripe")
    unchanged = mb.update_member(member.id, name="Zeynep Kaya", actor=None, now=later)
    assert unchanged == swiped
    updates = [json.loads(e.payload) for e in m.JournalEntry.select().where(m.JournalEntry.kind == "member_update")]
    assert updates[0] == {"member_id": member.id, "fields": ["email", "name"], "user": "ayse"}
    assert len(updates) == 5


def test_own_card_needs_a_supervisor(db: object, now: datetime, cashier: Actor, supervisor: Actor) -> None:
    own = _enroll(now, name="Ayşe (cashier)")
    customer = _enroll(now, name="Customer")
    assert mb.check_attach(own.id, cashier) is None  # not linked yet
    assert mb.link_staff(own.id, "ayse", now=now) == frozenset({own.id})
    second = _enroll(now, name="Ayşe's second card")
    assert mb.link_staff(second.id, "ayse", now=now) == frozenset({own.id, second.id})
    assert mb.staff_member_ids(cashier.user_id) == frozenset({own.id, second.id})
    with pytest.raises(PermissionDenied) as denied:
        mb.check_attach(own.id, cashier)
    assert denied.value.permission == "own_card"
    assert mb.check_attach(customer.id, cashier) is None
    override = Override(supervisor, "her own shopping, checked")
    assert mb.check_attach(own.id, cashier, override) is override
    with pytest.raises(PermissionDenied):
        mb.check_attach(own.id, cashier, Override(cashier, "myself"))
    mb.link_staff(customer.id, "mehmet", now=now)
    with pytest.raises(PermissionDenied):
        mb.check_attach(customer.id, supervisor)  # a supervisor's own card too
    with pytest.raises(NotFound):
        mb.link_staff(own.id, "nobody", now=now)
    links = [json.loads(e.payload) for e in m.JournalEntry.select().where(m.JournalEntry.kind == "member_staff_link")]
    assert links[0] == {"member_id": own.id, "user": "ayse"}


def test_anonymized_members_are_gone_from_lookup(db: object, now: datetime) -> None:
    member = _enroll(now, phone="0532 123 45 67", card=";777=1?")
    assert member.referral_code is not None
    mb.anonymize_member(member.id, actor=None, now=now)
    for text in ("777", "05321234567", member.referral_code, f"ANON-{member.id}"):
        assert mb.find_member(text) is None
    assert mb.search_members("zeynep") == []
    with pytest.raises(StateError, match="anonymized"):
        mb.update_member(member.id, name="Back", actor=None, now=now)
    with pytest.raises(StateError):
        mb.set_consent(member.id, "membership", True, source="cli", actor=None, now=now)
    with pytest.raises(StateError):
        mb.anonymize_member(member.id, actor=None, now=now)
    again = _enroll(now, name="Zeynep again", phone="0532 123 45 67", card=";777=1?")  # the card is free again
    assert again.card == "777" and again.id != member.id


def test_card_counter_is_the_member_card_sequence(db: object, now: datetime) -> None:
    from pos_tui.store import write_tx

    with write_tx():
        assert next_value("member", "card") == 1
    assert _enroll(now).card == mb.generated_card(2)


def test_a_card_reader_finds_cards_only(db: object, now: datetime) -> None:
    """An RFID number that looks like a phone selects nobody by phone: only a card matches."""
    phone_owner = _enroll(now, name="Phone Owner", phone="05321234567")
    rfid = _enroll(now, name="Rfid Owner", phone="05329999999", card="0004567890", card_kind="rfid")
    assert mb.find_member_by_card("5321234567") is None
    assert mb.find_member("5321234567") == phone_owner  # typed at the till, a phone is fine
    assert mb.find_member_by_card(" 0004567890 ") == rfid
    assert mb.find_member_by_card("") is None
