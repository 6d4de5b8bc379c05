"""Member cards are never bank cards: a Luhn-valid number in any major scheme's range is refused
as a barcode, RFID or magnetic card, however it is written (issue 10, section 5)."""

from __future__ import annotations

from datetime import date

import pytest

from pos_tui.core.kernel import ValidationError
from pos_tui.core.loyalty import MemberFieldError, card_for, generated_card, magstripe_id
from pos_tui.core.loyalty.members import prepare_enrollment

# Scheme test numbers (never real cards): Discover, UnionPay, JCB, Diners, Maestro and Mir were
# accepted as member cards before; Visa/Mastercard/Amex/Troy only on a magnetic stripe.
BANK_CARDS = [
    "4111111111111111",  # Visa
    "5555555555554444",  # Mastercard
    "2223003122003222",  # Mastercard 2-series
    "378282246310005",  # American Express
    "6011111111111117",  # Discover
    "6445644564456445",  # Discover 644–649
    "6200000000000005",  # UnionPay
    "3530111333300000",  # JCB
    "36227206271667",  # Diners Club
    "6759649826438453",  # Maestro
    "2200000000000004",  # Mir
    "9792000000000003",  # Troy
]


@pytest.mark.parametrize("number", BANK_CARDS)
@pytest.mark.parametrize("kind", ["barcode", "magstripe", "rfid"])
def test_a_bank_card_is_no_member_card(number: str, kind: str) -> None:
    with pytest.raises(MemberFieldError, match="bank card number") as caught:
        card_for(number, kind, None)
    assert caught.value.field == "card"


@pytest.mark.parametrize("number", ["6011-1111-1111-1117", "3530 1113 3330 0000"])
def test_a_bank_card_typed_with_dashes_or_spaces_is_no_member_card(number: str) -> None:
    with pytest.raises(MemberFieldError, match="bank card number"):
        card_for(number, "barcode", None)


@pytest.mark.parametrize("swipe", [";6011111111111117=2512?", "%B3530111333300000^YILMAZ/Z^2512?"])
def test_a_swiped_bank_card_of_any_scheme_is_refused(swipe: str) -> None:
    with pytest.raises(ValidationError, match="bank card"):
        magstripe_id(swipe)


def test_our_cards_and_ordinary_ids_are_still_member_cards() -> None:
    card = generated_card(1)
    assert card_for(card, "barcode", None) == (card, "barcode")
    assert card_for("6901234560046", "barcode", None) == ("6901234560046", "barcode")  # EAN-13 passing Luhn
    assert card_for("04A224B2C95E80", "rfid", None) == ("04A224B2C95E80", "rfid")
    assert card_for(";6012345678=2512?", "magstripe", None) == ("6012345678", "magstripe")
    assert card_for("1234567890123456", "barcode", None) == ("1234567890123456", "barcode")  # no Luhn


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "Deneme 4111 1111 1111 1111"), ("email", "4111111111111111@example.com")],
)
def test_a_card_number_in_a_members_name_or_e_mail_is_refused(field: str, value: str) -> None:
    fields = {"name": "Ayşe Kaya", "phone": "0532 123 45 67", field: value}
    with pytest.raises(MemberFieldError) as caught:
        prepare_enrollment(**fields, today=date(2026, 11, 1))
    assert caught.value.field == field and "card number" in caught.value.message
