"""Check digits (EAN-13, EAN-8, UPC-A), internal codes and scale-label parsing, without a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from pos_tui.core.catalog import (
    barcode_kind,
    check_digit,
    has_valid_check_digit,
    internal_ean13,
    make_ean13,
    make_scale_label,
    normalize_barcode,
    parse_scale_label,
)
from pos_tui.core.catalog.barcodes import gtin_check_digit
from pos_tui.core.kernel import ValidationError
from pos_tui.settings import DEFAULT_SCALE_LABELS, ScaleLabelMask

WEIGHT_27, WEIGHT_28, PRICE_29 = DEFAULT_SCALE_LABELS
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@given(st.sampled_from([7, 11, 12]).flatmap(lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)))
def test_any_gtin_completed_with_its_check_digit_validates(body: str) -> None:
    code = body + ean.calc_check_digit(body)
    assert has_valid_check_digit(code)
    assert normalize_barcode(code) == code
    assert barcode_kind(code) == {8: "ean8", 12: "upca", 13: "ean13"}[len(code)]


@given(
    st.sampled_from([7, 11, 12]).flatmap(lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)),
    st.data(),
)
def test_any_single_digit_change_is_rejected(body: str, data: st.DataObject) -> None:
    code = body + ean.calc_check_digit(body)
    position = data.draw(st.integers(0, len(code) - 1))
    replacement = data.draw(digits.filter(lambda d: d != code[position]))
    damaged = code[:position] + replacement + code[position + 1 :]
    assert not has_valid_check_digit(damaged)
    with pytest.raises(ValidationError, match="bad check digit"):
        normalize_barcode(damaged)


def test_known_real_world_codes() -> None:
    assert normalize_barcode(" 4006381333931 ") == "4006381333931"  # EAN-13, spaces trimmed
    assert normalize_barcode("73513537") == "73513537"  # EAN-8
    assert normalize_barcode("036000291452") == "036000291452"  # UPC-A
    with pytest.raises(ValidationError, match=r"bad check digit \(expected 1\)"):
        normalize_barcode("4006381333932")


@pytest.mark.parametrize("code", ["KOL-400", "1001", "12345", "123456789", "12345678901234", "A1.b_2/3+x"])
def test_internal_codes_are_accepted(code: str) -> None:
    assert normalize_barcode(code) == code
    assert barcode_kind(code) == "internal" or len(code) == 14


@pytest.mark.parametrize("code", ["", "   ", "KOL 400", "-KOL", "Ürün1", "١٢٣٤٥٦٧٨", "x" * 65])
def test_codes_a_scanner_cannot_send_are_refused(code: str) -> None:
    with pytest.raises(ValidationError):
        normalize_barcode(code)


def test_in_store_ean13() -> None:
    assert internal_ean13("2", 1) == make_ean13("200000000001")
    assert has_valid_check_digit(internal_ean13("869", 123456789))
    with pytest.raises(ValueError):
        internal_ean13("869", 10**9)
    with pytest.raises(ValueError):
        make_ean13("12345")


@pytest.mark.parametrize("mask", [WEIGHT_27, WEIGHT_28])
def test_weight_labels_carry_plu_and_grams(mask: ScaleLabelMask) -> None:
    code = make_scale_label(mask, 42, 1250)
    assert code.startswith(mask.prefix + "00042" + "01250")
    label = parse_scale_label(code, DEFAULT_SCALE_LABELS)
    assert label is not None
    assert (label.plu, label.grams, label.price_kurus) == ("00042", 1250, None)


def test_price_label_carries_kurus() -> None:
    label = parse_scale_label(make_scale_label(PRICE_29, "123", 4599), DEFAULT_SCALE_LABELS)
    assert label is not None
    assert (label.plu, label.grams, label.price_kurus) == ("00123", None, 4599)


@given(st.sampled_from(DEFAULT_SCALE_LABELS), st.integers(0, 99999), st.integers(1, 99999), st.data())
def test_damaged_scale_labels_never_parse(mask: ScaleLabelMask, plu: int, value: int, data: st.DataObject) -> None:
    code = make_scale_label(mask, plu, value)
    label = parse_scale_label(code, DEFAULT_SCALE_LABELS)
    assert label is not None and int(label.plu) == plu
    position = data.draw(st.integers(2, 12))  # keep the prefix so the mask still matches
    replacement = data.draw(digits.filter(lambda d: d != code[position]))
    damaged = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError, match="bad check digit"):
        parse_scale_label(damaged, DEFAULT_SCALE_LABELS)


def test_zero_weight_or_price_is_refused() -> None:
    with pytest.raises(ValidationError, match="weight is zero"):
        parse_scale_label(make_scale_label(WEIGHT_27, 42, 0), DEFAULT_SCALE_LABELS)
    with pytest.raises(ValidationError, match="price is zero"):
        parse_scale_label(make_scale_label(PRICE_29, 42, 0), DEFAULT_SCALE_LABELS)


def test_codes_outside_the_masks_are_not_labels() -> None:
    assert parse_scale_label(make_ean13("869000000001"), DEFAULT_SCALE_LABELS) is None
    assert parse_scale_label("27000420125", DEFAULT_SCALE_LABELS) is None  # 11 digits
    assert parse_scale_label(make_ean13("270004201250"), ()) is None  # no masks configured


def test_configured_masks_are_used() -> None:
    four_digit_plu = ScaleLabelMask("21", 4, "weight", 6)
    code = make_scale_label(four_digit_plu, 7, 123456)
    label = parse_scale_label(code, (four_digit_plu,))
    assert label is not None and (label.plu, label.grams) == ("0007", 123456)


@given(st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_check_digit_equals_stdnum(body: str) -> None:
    """The fast check digit is python-stdnum's, for every length (GTINs and longer bodies)."""
    assert check_digit(body) == ean.calc_check_digit(body)
    assert has_valid_check_digit(body + ean.calc_check_digit(body))


@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8) | st.text(alphabet="0123456789", min_size=12, max_size=13)
)
def test_normalize_barcode_accepts_exactly_the_stdnum_valid_gtins(code: str) -> None:
    if ean.is_valid(code):
        assert normalize_barcode(f" {code} ") == code
    else:
        with pytest.raises(ValidationError, match=f"expected {ean.calc_check_digit(code[:-1])}"):
            normalize_barcode(code)


@given(st.text(alphabet="0123456789", max_size=20))
def test_the_fast_check_digit_is_the_librarys(body: str) -> None:
    assert gtin_check_digit(body) == ean.calc_check_digit(body)
