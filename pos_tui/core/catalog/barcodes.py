"""Barcodes: GTIN check digits, internal codes and in-store scale labels.

Three kinds of code reach the till:

* **GTINs** printed by manufacturers: EAN-13, EAN-8 and UPC-A (12 digits). Their last digit
  is a check digit (:func:`gtin_check_digit`, pinned to python-stdnum's ``ean``). A mistyped or misread
  GTIN must never silently become a different product, so a digit string of a GTIN length
  (8, 12 or 13) with a wrong check digit is refused.
* **Internal codes** a shop makes up (``KOL-400``, ``1001``): letters, digits and a few
  separators; digit strings of any other length are internal codes too.
* **Scale labels**: EAN-13s whose prefix (``27``, ``28``, ``29`` by default, configured in
  ``pos.toml``) says they carry a PLU and a weight in grams or a price in kuruş. The check
  digit is always validated: a bad one is an error, never a wrong line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pos_tui.core.kernel.errors import ValidationError
from pos_tui.i18n import _
from pos_tui.settings import ScaleLabelMask

GTIN_LENGTHS = (8, 12, 13)
MAX_LENGTH = 64

_DIGITS = re.compile(r"[0-9]+")
# Code 128 scanners send any printable ASCII; shops use letters, digits and a few separators.
_INTERNAL = re.compile(r"[0-9A-Za-z][0-9A-Za-z._/+-]*")


def is_digits(code: str) -> bool:
    """True for ASCII digits only (``str.isdigit`` also accepts ``²`` and Arabic-Indic digits)."""
    return _DIGITS.fullmatch(code) is not None


def gtin_check_digit(body: str) -> str:
    """The GTIN check digit of the digit string ``body``: what ``stdnum.ean.calc_check_digit``
    gives (``tests/catalog`` checks they agree on every input), a few times faster, because an
    import checks a million barcodes: weights 3, 1, 3… from the right, as whole-string sums.
    (It also keeps ``stdnum``, which imports ``ssl`` and ``pydoc``, out of every start: 35 ms.)"""
    total = 3 * sum(map(int, body[-1::-2])) + sum(map(int, body[-2::-2]))
    return str(-total % 10)


def is_gtin_length(code: str) -> bool:
    """A digit string as long as an EAN-8, UPC-A or EAN-13: it must carry a valid check digit."""
    return len(code) in GTIN_LENGTHS and is_digits(code)


def check_digit(body: str) -> str:
    """The GTIN check digit of ``body`` (the code without its last digit)."""
    if not is_digits(body):
        raise ValueError(f"not a digit string: {body!r}")
    return gtin_check_digit(body)


def has_valid_check_digit(code: str) -> bool:
    """True when ``code`` is a digit string whose last digit is the GTIN check digit of the rest."""
    return len(code) >= 2 and is_digits(code) and gtin_check_digit(code[:-1]) == code[-1]


def barcode_kind(code: str) -> str:
    """``ean13``, ``upca``, ``ean8`` for well-formed GTIN lengths (check digit not checked here),
    otherwise ``internal``."""
    if is_gtin_length(code):
        return {13: "ean13", 12: "upca", 8: "ean8"}[len(code)]
    return "internal"


def normalize_barcode(code: str) -> str:
    """Validate a barcode for storing on a product; returns it without surrounding spaces.

    GTIN lengths must have a valid check digit; other codes must be printable internal codes
    (letters, digits and ``. _ / + -``, starting with a letter or digit, at most 64 long).
    Raises :class:`ValidationError` saying why.
    """
    text = code.strip()
    if not text:
        raise ValidationError(_("barcode is empty"))
    if len(text) > MAX_LENGTH:
        raise ValidationError(_("barcode {code} is longer than {n} characters").format(code=text, n=MAX_LENGTH))
    if is_gtin_length(text):
        expected = gtin_check_digit(text[:-1])
        if expected != text[-1]:
            raise ValidationError(
                _("barcode {code}: bad check digit (expected {digit})").format(code=text, digit=expected)
            )
        return text
    if _INTERNAL.fullmatch(text) is None:
        raise ValidationError(
            _("barcode {code} has characters a scanner cannot send; use letters, digits and . _ / + -").format(
                code=text
            )
        )
    return text


def make_ean13(body: str) -> str:
    """Complete a 12-digit ``body`` with its check digit (for in-store barcodes, e.g. prefix ``2``)."""
    if len(body) != 12 or not is_digits(body):
        raise ValueError(f"an EAN-13 body has 12 digits, not {body!r}")
    return body + gtin_check_digit(body)


def internal_ean13(prefix: str, number: int) -> str:
    """An in-store EAN-13: ``prefix`` (``2`` … ``29``), ``number`` zero-padded, check digit.

    GS1 reserves prefixes 20-29 for in-store use, so these never clash with a manufacturer's
    code. Pick a prefix that is not one of the scale-label masks.
    """
    width = 12 - len(prefix)
    if not is_digits(prefix) or width < 1 or number < 0 or len(str(number)) > width:
        raise ValueError(f"number {number} does not fit after prefix {prefix!r} in an EAN-13")
    return make_ean13(f"{prefix}{number:0{width}d}")


@dataclass(frozen=True, slots=True)
class ScaleLabel:
    """A parsed scale label. Exactly one of ``grams`` and ``price_kurus`` is set."""

    code: str
    mask: ScaleLabelMask
    plu: str
    grams: int | None
    price_kurus: int | None


def matching_mask(code: str, masks: Sequence[ScaleLabelMask]) -> ScaleLabelMask | None:
    """The mask whose prefix starts this 13-digit code, or None (the longest prefix wins)."""
    if len(code) != 13 or not is_digits(code):
        return None
    found = [mask for mask in masks if code.startswith(mask.prefix)]
    return max(found, key=lambda mask: len(mask.prefix)) if found else None


def parse_scale_label(code: str, masks: Sequence[ScaleLabelMask]) -> ScaleLabel | None:
    """Read a scale label; None when ``code`` matches no mask.

    Raises :class:`ValidationError` on a bad check digit, a zero weight or a zero price:
    a damaged label must be refused, not sold as something else.
    """
    mask = matching_mask(code, masks)
    if mask is None:
        return None
    if not has_valid_check_digit(code):
        raise ValidationError(_("Scale label {code}: bad check digit").format(code=code))
    start = len(mask.prefix)
    plu = code[start : start + mask.plu_digits]
    value = int(code[start + mask.plu_digits : start + mask.plu_digits + mask.value_digits])
    if value == 0:
        what = _("weight") if mask.kind == "weight" else _("price")
        raise ValidationError(_("Scale label {code}: the {what} is zero").format(code=code, what=what))
    if mask.kind == "weight":
        return ScaleLabel(code, mask, plu, grams=value, price_kurus=None)
    return ScaleLabel(code, mask, plu, grams=None, price_kurus=value)


def make_scale_label(mask: ScaleLabelMask, plu: str | int, value: int) -> str:
    """Print a scale label: ``mask.prefix`` + PLU + grams (or kuruş) + check digit.

    Used for shelf labels, tests and demos; a scale does the same in its firmware.
    """
    plu_text = f"{int(plu):0{mask.plu_digits}d}" if isinstance(plu, int) else plu.zfill(mask.plu_digits)
    value_text = f"{value:0{mask.value_digits}d}"
    if len(plu_text) != mask.plu_digits or not is_digits(plu_text):
        raise ValueError(f"PLU {plu!r} does not fit in {mask.plu_digits} digits")
    if len(value_text) != mask.value_digits or value < 0:
        raise ValueError(f"value {value} does not fit in {mask.value_digits} digits")
    return make_ean13(mask.prefix + plu_text + value_text)
