"""Exact money and quantities.

Money is :class:`~decimal.Decimal` with two places in Python and integer kuruş in the
database. Quantities are integer milli-units (grams for kg, millilitres for lt, millimetres
for m, 1/1000 piece for pieces). No floats anywhere.

Rounding rule (documented in README): the only rounding is price × quantity and percentage
discounts, each rounded half-up to the kuruş *once per line*; everything derived afterwards
(cart discounts spread over lines, KDV splits, refunds) is allocated so the parts always
sum exactly to the whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.formats import foreign_digits
from pos_tui.core.kernel.formatting import format_money
from pos_tui.i18n import _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MILLI = 1000

_DIGITS_AND_SEPARATORS = re.compile(r"^[0-9.,]+$")
_THOUSANDS = {".": re.compile(r"[0-9]{1,3}(\.[0-9]{3})+"), ",": re.compile(r"[0-9]{1,3}(,[0-9]{3})+")}
# Digits before the decimal separator: 13 for amounts (below 10 trillion lira, so kuruş stay far
# inside a 64-bit column and an exact Decimal), 12 for quantities (milli-units likewise).
MONEY_DIGITS = 13
QUANTITY_DIGITS = 12
# Longer input is not a number anyone typed; refused before any parsing (and shown cut short).
_MAX_NUMBER_TEXT = 64


@lru_cache(maxsize=65_536)
def to_kurus(amount: Decimal) -> int:
    """Decimal lira → integer kuruş. Refuses amounts finer than a kuruş instead of rounding.

    Memoised: it runs for every line of a cart on every scan (loyalty evaluation, posting) and
    a till sees the same few thousand amounts over and over; Decimals are immutable and equal
    amounts are one key (``12.3`` and ``12.30`` give the same kuruş). Refusals are not cached.
    """
    q = amount.quantize(CENT)
    if q != amount:
        raise ValidationError(_("Amount {amount} has more than two decimals").format(amount=format_money(amount)))
    return int(q * 100)


def from_kurus(kurus: int) -> Decimal:
    return (Decimal(kurus) / 100).quantize(CENT)


def money(value: Decimal | int | str) -> Decimal:
    """Normalise to a two-place Decimal; refuses anything finer than a kuruş."""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return from_kurus(to_kurus(d))


def _normalise_number(text: str) -> str:
    """Accept ``12,50``, ``12.50``, ``1.234,50``, ``1,234.50``, ``1.234.567``; return a Python decimal string.

    A separator that occurs once is the decimal separator (so ``1,5`` and ``1.5`` are both
    one and a half); one that repeats groups thousands. When both occur, the last one is the
    decimal separator. Thousands groups must have exactly three digits.
    """
    if len(text) > _MAX_NUMBER_TEXT:
        raise ValueError(text)
    s = text.strip().replace("\u00a0", " ").replace("₺", "").replace("TL", "").replace(" ", "")
    sign = ""
    if s[:1] in ("+", "-"):
        sign, s = s[0], s[1:]
    if not s or not _DIGITS_AND_SEPARATORS.match(s) or not s[0].isascii() or not s[0].isdigit():
        raise ValueError(text)
    last = max(s.rfind(","), s.rfind("."))
    if last < 0:
        return sign + s
    mark = s[last]
    if s.count(mark) > 1 and ("," if mark == "." else ".") not in s:
        integer, fraction, thousands = s, "", mark
    else:
        integer, fraction, thousands = s[:last], s[last + 1 :], ("." if mark == "," else ",")
        if not fraction:
            raise ValueError(text)
    if not (integer.isascii() and integer.isdigit()) and not _THOUSANDS[thousands].fullmatch(integer):
        raise ValueError(text)
    return sign + integer.replace(thousands, "") + ("." + fraction if fraction else "")


class NumberRefused(ValidationError):
    """A number refused for its size or its digits, not its shape: ``reason`` says why
    without naming the field (an import names the field in its own column)."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(_("{what}: {reason}").format(what=what, reason=reason))
        self.reason = reason


def shown_text(text: str, limit: int = 40) -> str:
    """``text`` cut to about ``limit`` characters for an error message, so a megabyte cell does
    not become a megabyte message. Messages quote it with ``!r``, so control characters, bidi
    overrides and lone surrogates appear escaped, never acted on by the terminal. The cut counts
    what is shown, escapes included (``\\U000103d6`` is ten characters, not one)."""
    width = 0
    for i, ch in enumerate(text):
        width += 1 if ch.isprintable() and ch != "\\" else len(repr(ch)) - 2
        if width > limit:
            return text[:i] + "…"
    return text


def parse_decimal(text: str, places: int, what: str = "value", *, digits: int = MONEY_DIGITS) -> Decimal:
    """Parse a user-typed number with at most ``places`` decimals (``12,50`` or ``12.50``) and at
    most ``digits`` digits before the decimal separator.

    Only the digits 0–9 count: ``١٠`` or full-width ``１０`` look like numbers to a person but a
    scanner or keyboard never sends them, so they are refused with a message that says so
    (README, "Importing"). Never raises anything but :class:`ValidationError`.
    """
    shown = shown_text(text)
    if foreign_digits(text[: _MAX_NUMBER_TEXT + 1]):
        raise NumberRefused(
            what, _("{text!r} has digits other than 0-9; type the number with the digits 0-9").format(text=shown)
        )
    try:
        d = Decimal(_normalise_number(text))
    except (ValueError, InvalidOperation):
        raise ValidationError(_("{what}: {text!r} is not a number").format(what=what, text=shown)) from None
    if not d.is_finite():
        raise ValidationError(_("{what}: {text!r} is not a number").format(what=what, text=shown))
    exponent = d.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if d.adjusted() >= digits:
        raise NumberRefused(
            what,
            _("{text!r} is too large (at most {n} digits before the decimal separator)").format(text=shown, n=digits),
        )
    if -exponent > places:
        raise ValidationError(
            _("{what}: {text!r} has more than {places} decimals").format(what=what, text=shown, places=places)
        )
    return d


def parse_money(text: str, what: str = "amount") -> Decimal:
    """Parse an amount in lira (``12,50``, ``1.234,50``, ``12.50``) to a two-place Decimal."""
    return parse_decimal(text, 2, what, digits=MONEY_DIGITS).quantize(CENT)


# One dot and three digits after it (``1.500``, ``-12.000``): in an amount of at most two decimals
# that can only group thousands, as a Turkish cashier writes one thousand five hundred.
_ONE_THOUSANDS_DOT = re.compile(r"[+-]?[0-9]{1,3}\.[0-9]{3}")


def parse_typed_money(text: str, what: str = "amount") -> Decimal:
    """An amount a person types at the till or on the command line: :func:`parse_money`, and
    ``1.500`` is one thousand five hundred (it cannot be 1,5 with three decimals). Import files
    keep :func:`parse_money`'s reading, which their fast paths are pinned to."""
    stripped = text.strip()
    if _ONE_THOUSANDS_DOT.fullmatch(stripped):
        return parse_money(stripped.replace(".", ""), what)
    return parse_money(text, what)


def parse_quantity(text: str, what: str = "quantity") -> int:
    """Parse a quantity (``3``, ``1,5``, ``0.250``) into integer milli-units."""
    return int(parse_decimal(text, 3, what, digits=QUANTITY_DIGITS) * MILLI)


def qty_to_decimal(qty_milli: int) -> Decimal:
    return (Decimal(qty_milli) / MILLI).normalize() if qty_milli % MILLI else Decimal(qty_milli // MILLI)


def line_amount(unit_price: Decimal, qty_milli: int) -> Decimal:
    """Price × quantity, rounded half-up to the kuruş (the one place a line is rounded)."""
    return (unit_price * Decimal(qty_milli) / MILLI).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount``, rounded half-up to the kuruş."""
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def split_kdv(gross: Decimal, rate: int) -> tuple[Decimal, Decimal]:
    """Split a KDV-inclusive amount into (base, kdv) that sum exactly to ``gross``."""
    base = (gross * 100 / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    return base, gross - base


def split_whole(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` (whole units, ≥ 0) split in proportion to ``weights`` (each ≥ 0), the parts adding up
    to exactly ``total``: each part its floor share, the units left to the largest remainders (ties
    to the earlier weight). All parts are 0 when the weights add up to 0. The one largest-remainder
    rule: :func:`allocate` spreads kuruş with it, the reports split percentages and stock values."""
    whole = sum(weights)
    if not weights or whole <= 0:
        return [0 for _w in weights]
    parts = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` over ``weights`` proportionally, in kuruş, summing exactly to ``total``.

    Largest-remainder method (:func:`split_whole`): each part gets its floor share, the leftover
    kuruş go to the parts with the largest remainders (ties to the earlier part); weights that add up
    to zero share equally. Used for cart discounts spread over lines and for refunds spread over
    payments.
    """
    if not weights:
        if total != 0:
            raise ValueError("cannot allocate a non-zero total over nothing")
        return []
    total_k = to_kurus(total)
    w = [to_kurus(x) for x in weights]
    if any(x < 0 for x in w):
        raise ValueError("weights must not be negative")
    if sum(w) == 0:
        w = [1] * len(w)
    sign = -1 if total_k < 0 else 1
    return [from_kurus(sign * part) for part in split_whole(abs(total_k), w)]


def floor_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_DOWN)
