"""The card number (PAN) detector: every separator, every Unicode digit, masks as a terminal
prints them, and the card ranges of the major schemes (issue 10, section 5)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.pan import find_pans, is_pan, looks_like_pan, luhn_ok, refuse_pan, scheme_of

# Test numbers the schemes publish for integration tests (never real cards).
TEST_PANS = {
    "4111111111111111": "Visa",
    "4012888888881881": "Visa",
    "5555555555554444": "Mastercard",
    "2223003122003222": "Mastercard",
    "378282246310005": "American Express",
    "6011111111111117": "Discover",
    "6445644564456445": "Discover",
    "6200000000000005": "UnionPay",
    "3530111333300000": "JCB",
    "36227206271667": "Diners Club",
    "6759649826438453": "Maestro",
    "2200000000000004": "Mir",
}

# Every Unicode decimal digit block, by its zero.
ZEROS = sorted({ord(c) - unicodedata.digit(c) for c in map(chr, range(0x110000)) if unicodedata.category(c) == "Nd"})
SEPARATORS = [" ", "-", ".", "/", "_", "*", " - ", "\u00a0", "\u200b", ",", ":", "·", "|", "\t", "\u3000"]


def with_luhn(body: str) -> str:
    return body + luhn.calc_check_digit(body)


def test_scheme_test_numbers_are_cards() -> None:
    for number, scheme in TEST_PANS.items():
        assert is_pan(number), number
        assert scheme_of(number) == scheme


@pytest.mark.parametrize(
    "text",
    [
        "4111.1111.1111.1111",
        "4111/1111/1111/1111",
        "4111_1111_1111_1111",
        "4111    1111    1111    1111",
        "4111....1111....1111....1111",
        "４１１１１１１１１１１１１１１１",
        "411111*111111*1111",
        "٤١١١١١١١١١١١١١١١",
        "ref 4111 1111 1111 1111 ok",
        "onay 123456, kart 5555-5555-5555-4444",
        "Troy " + with_luhn("979200000000000"),
    ],
)
def test_the_forms_of_issue_10_are_found(text: str) -> None:
    assert looks_like_pan(text)
    with pytest.raises(ValidationError, match="card number"):
        refuse_pan(text)


@pytest.mark.parametrize(
    "text",
    [
        "411111******1111",
        "4111 11XX XXXX 1111",
        "411111xxxxxx1111",
        "5555 55•• •••• 4444",
        "411111######1111",
        "411111******1111 onay 123456",
        "GC123456789012",  # our gift card code: 12 digits
        "2600000000017",  # our member card (EAN-13, prefix 26)
        "8690123456789",  # a Turkish product barcode: no card range
        "4006381330060",  # a German barcode: Visa range, passes Luhn, but a valid EAN-13
        "6901234560046",  # a Chinese barcode: Maestro range, passes Luhn, but a valid EAN-13
        "TR33 0006 1005 1978 6457 8413 26",  # an IBAN
        "12345678901234567890123",  # too long: no card
        "1234567890123456",  # no card range, no Luhn
        "4111111111111112",  # wrong check digit
        "fiş 12, 2026-05-17, 1234",
        "",
    ],
)
def test_masks_codes_and_ordinary_numbers_are_no_cards(text: str) -> None:
    assert not looks_like_pan(text)
    refuse_pan(text)


def test_ranges_need_their_length_and_prefix() -> None:
    assert not is_pan(with_luhn("555555555555555555"))  # Mastercard is 16 digits only
    assert not is_pan(with_luhn("3782822463100"))  # Amex is 15 digits
    assert is_pan(with_luhn("622126000000000"))
    assert not is_pan(with_luhn("710000000000000"))  # 7: no payment card scheme
    assert not is_pan(with_luhn("2100000000000000"))  # below Mir and Mastercard 2-series


def test_a_found_number_is_only_ever_shown_masked() -> None:
    (found,) = find_pans("x 4111-1111-1111-1111 y")
    assert found.masked == "411111******1111"
    assert found.scheme == "Visa"
    assert (found.start, found.end) == (2, 21)


@given(
    number=st.sampled_from(sorted(TEST_PANS)),
    zero=st.sampled_from(ZEROS),
    separators=st.lists(st.sampled_from(SEPARATORS), min_size=18, max_size=18),
    cut=st.lists(st.booleans(), min_size=18, max_size=18),
    before=st.sampled_from(["", "ref ", "onay: ", "kart=", "(", "123456 "]),
    after=st.sampled_from(["", " tamam", ".", ")", " 654321"]),
)
def test_any_separators_and_any_digits_still_find_the_card(
    number: str, zero: int, separators: list[str], cut: list[bool], before: str, after: str
) -> None:
    digits = [chr(zero + int(d)) for d in number]
    text = digits[0] + "".join((separators[i] if cut[i] else "") + d for i, d in enumerate(digits[1:]))
    assert looks_like_pan(before + text + after)


@given(
    number=st.sampled_from(sorted(TEST_PANS)),
    mask=st.sampled_from(["*", "X", "x", "•", "#"]),
    zero=st.sampled_from(ZEROS),
    around=st.sampled_from(["", " ", " onay 123456 ", "-"]),
)
def test_a_masked_number_is_never_a_card(number: str, mask: str, zero: int, around: str) -> None:
    digits = "".join(chr(zero + int(d)) for d in number)
    masked = digits[:6] + mask * (len(number) - 10) + digits[-4:]
    assert not looks_like_pan(around + masked + around)


@given(st.text(max_size=60))
def test_any_text_is_answered(text: str) -> None:
    found = find_pans(text)
    assert all(is_pan(f.digits) and "*" in f.masked for f in found)


@given(st.from_regex(r"[0-9]{1,25}", fullmatch=True))
def test_our_luhn_is_python_stdnums(digits: str) -> None:
    assert luhn_ok(digits) == luhn.is_valid(digits)
