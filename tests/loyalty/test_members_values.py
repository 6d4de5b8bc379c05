"""Members' values without the database: phone numbers, card numbers, magnetic-stripe
reader output, referral codes and birth dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from pos_tui.core.kernel import ValidationError
from pos_tui.core.loyalty import (
    REFERRAL_ALPHABET,
    MemberFieldError,
    card_for,
    generated_card,
    magstripe_id,
    normalize_mobile,
    parse_birth_date,
    prepare_enrollment,
    referral_key,
)

MOBILE = st.from_regex(r"5[0-9]{9}", fullmatch=True)
PREFIXES = st.sampled_from(["", "0", "90", "+90", "0090", "+90 ", "0 ", "+ 90 ", "(0)"])


def _spell(national: str, style: int) -> str:
    a, b, c, d = national[:3], national[3:6], national[6:8], national[8:]
    return [
        national,
        f"{a} {b} {c} {d}",
        f"({a}) {b}-{c}-{d}",
        f"{a}.{b}.{c}.{d}",
        f"{a}/{b} {c}{d}",
        f" {a}{b} {c}{d} ",
    ][style]


@given(MOBILE, PREFIXES, st.integers(0, 5))
def test_every_spelling_of_a_mobile_number_gives_one_form(national: str, prefix: str, style: int) -> None:
    text = prefix + _spell(national, style)
    if prefix == "(0)":
        text = "0" + _spell(national, style)
    assert normalize_mobile(text) == "+90" + national


@given(st.from_regex(r"[1-46-9][0-9]{9}", fullmatch=True), PREFIXES)
def test_land_lines_and_other_numbers_are_not_mobiles(national: str, prefix: str) -> None:
    with pytest.raises(ValidationError, match="not a Turkish mobile number"):
        normalize_mobile(prefix + national)


@given(st.from_regex(r"5[0-9]{0,8}|5[0-9]{10,13}", fullmatch=True))
def test_a_wrong_number_of_digits_is_refused(digits: str) -> None:
    with pytest.raises(ValidationError):
        normalize_mobile(digits)


@pytest.mark.parametrize("text", ["", "telefon", "+49 30 1234567", "0532 123 45 6x", "٥٣٢١٢٣٤٥٦٧"])
def test_not_phone_numbers(text: str) -> None:
    with pytest.raises(ValidationError):
        normalize_mobile(text)


@given(st.integers(1, 10**10 - 1))
def test_generated_cards_are_valid_ean13_with_the_in_store_prefix(sequence: int) -> None:
    card = generated_card(sequence)
    assert len(card) == 13 and card.startswith("26") and ean.is_valid(card)
    assert int(card[2:12]) == sequence


def test_the_card_range_has_an_end() -> None:
    with pytest.raises(ValidationError):
        generated_card(10**10)


@pytest.mark.parametrize(
    ("swiped", "card"),
    [
        (";6012345678=2512101?", "6012345678"),  # track 2
        (";6012345678?", "6012345678"),
        ("%B6012345678^YILMAZ/ZEYNEP^2512?", "6012345678"),  # ISO track 1: the format code goes
        ("%B6012345678^YILMAZ/ZEYNEP^2512?;6012345678=2512?", "6012345678"),  # both tracks
        ("%ABC123?", "ABC123"),  # a shop's own track 1 content
        ("%abc123?", "ABC123"),
        ("ş6012345678-2512:", "6012345678"),  # a US-layout reader on a Turkish-Q keyboard
    ],
)
def test_magnetic_stripe_reader_output(swiped: str, card: str) -> None:
    assert magstripe_id(swiped) == card


def test_a_partial_swipe_or_a_bank_card_is_refused() -> None:
    assert magstripe_id("2600000000017") is None  # not track data at all
    for partial in (";6012345678", "%B6012", ";?"):
        with pytest.raises(ValidationError, match="swipe it again"):
            magstripe_id(partial)
    with pytest.raises(ValidationError, match="bank card"):
        magstripe_id(";4111111111111111=2512?")
    with pytest.raises(ValidationError, match="bank card"):
        card_for("4111111111111111", "magstripe", None)


def test_card_kinds() -> None:
    phone = "+905321234567"
    assert card_for(None, None, phone) == (None, "barcode")  # generated later
    assert card_for("  abc-123 ", None, None) == ("ABC-123", "barcode")
    assert card_for(";777=1?", None, None) == ("777", "magstripe")
    assert card_for("777", "magstripe", None) == ("777", "magstripe")
    assert card_for("04a1b2c3", "rfid", None) == ("04A1B2C3", "rfid")
    assert card_for(None, "phone", phone) == (phone, "phone")
    assert card_for("0532 123 45 67", "phone", phone) == (phone, "phone")
    bad = [
        (None, "rfid", None, "card"),  # an RFID card cannot be generated
        ("zz-not-hex", "rfid", None, "card"),
        (None, "phone", None, "phone"),
        ("0533 000 00 00", "phone", phone, "card"),
        ("2600000000018", "barcode", None, "card"),  # our prefix: the check digit is checked
        ("ANON-12", "barcode", None, "card"),
        ("a b", "barcode", None, "card"),
        ("x", "chip", None, "card_kind"),
    ]
    for card, kind, with_phone, field in bad:
        with pytest.raises(MemberFieldError) as caught:
            card_for(card, kind, with_phone)
        assert caught.value.field == field, (card, kind)


@given(st.text(alphabet=REFERRAL_ALPHABET, min_size=8, max_size=8))
def test_referral_codes_read_back_however_typed(code: str) -> None:
    typed = code.lower().replace("1", "l").replace("0", "o")
    assert referral_key(typed) == code
    assert referral_key(code[:4] + "-" + code[4:]) == code


def test_not_referral_codes() -> None:
    assert referral_key("ABCDEFG") is None
    assert referral_key("ABCDEFGU") is None  # U is not in the alphabet
    assert referral_key("05321234567") is None


def test_birth_dates() -> None:
    assert parse_birth_date("1990-05-17") == date(1990, 5, 17)
    assert parse_birth_date("17.05.1990") == date(1990, 5, 17)
    assert parse_birth_date("7/5/1990") == date(1990, 5, 7)
    for bad in ("1990-02-30", "31.02.1990", "dün", "05/1990"):
        with pytest.raises(MemberFieldError):
            parse_birth_date(bad)


def test_enrolment_values_are_checked_before_the_database() -> None:
    today = date(2026, 11, 1)
    plan = prepare_enrollment(
        name="  Zeynep   Yılmaz ", phone="0532 123 45 67", email=" Zeynep@Example.COM ", consent_sms=True, today=today
    )
    assert (plan.name, plan.phone, plan.email, plan.card, plan.card_kind) == (
        "Zeynep Yılmaz",
        "+905321234567",
        "zeynep@example.com",
        None,
        "barcode",
    )
    cases = [
        ({"name": " "}, "name"),
        ({"name": "A", "phone": "0216 123 45 67"}, "phone"),
        ({"name": "A", "email": "not-an-address"}, "email"),
        ({"name": "A", "birth_date": date(2026, 11, 2)}, "birth_date"),
        ({"name": "A", "birth_date": date(1850, 1, 1)}, "birth_date"),
        ({"name": "A", "consent_sms": True}, "consent_sms"),
        ({"name": "A", "consent_email": True}, "consent_email"),
        ({"name": "A", "referral": "nope"}, "referral"),
        ({"name": "A", "card": ";4111111111111111=2512?"}, "card"),
    ]
    for values, field in cases:
        with pytest.raises(MemberFieldError) as caught:
            prepare_enrollment(**values, today=today)
        assert caught.value.field == field, values
