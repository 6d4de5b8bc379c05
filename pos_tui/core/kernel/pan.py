"""Payment card numbers (PANs): the one detector every stored text goes through.

PCI DSS: a shop that is not a card processor never stores a card number, not in a payment
reference, a note, a reason or a member card. :func:`find_pans` finds what looks like one in
anything a person typed or a file brought; :func:`refuse_pan` is the check a service calls
before it writes a free-text value; :func:`is_pan` answers for a value that is a number
already (a member card, a magnetic stripe id).

What counts as a card number:

- Every Unicode decimal digit counts as its digit (full-width ``４``, Arabic-Indic ``٤``…),
  after NFKC; letters are hard boundaries (``GC`` + 12 digits is a gift card code).
- Digit groups joined by separator runs (up to 16 characters that are neither letters
  nor digits: space, ``.``, ``/``, ``_``, ``-``, a single ``*``…) are read as one number, so
  ``4111.1111.1111.1111`` and ``411111*111111*1111`` are found. Any run of consecutive groups
  with 13–19 digits in all is a candidate.
- A candidate is a PAN when it passes the Luhn check (:func:`luhn_ok`, python-stdnum's rule) and its prefix
  and length fall in a payment-card range of :data:`CARD_RANGES`.
- A mask is no card number: two or more mask characters (``*``, ``X``, ``x``, ``•``, ``#``)
  in a row end a number, so a terminal's ``411111******1111`` or ``4111 11XX XXXX 1111`` is
  accepted (it only has 10 digits left anyway) and is never joined with the digits around it.
- A 13- or 14-digit candidate that is a valid GTIN (EAN-13 / GTIN-14 check digit) is taken
  for a product barcode: barcodes from Germany (``400``–``440``) are in the Visa range and from
  Portugal, Poland or China (``560``, ``590``, ``690``–``699``) in the Maestro range, and one in
  ten of them passes Luhn, while 13-digit Visa and 14-digit Diners cards are all but gone. This
  is the one deliberate blind spot (documented in docs/pan.md). Turkish ``868``/``869``
  barcodes are in no card range at all.

python-stdnum has the Luhn check (too slow for every cell of a million-row import, so
:func:`luhn_ok` repeats it) but no table of card ranges, hence :data:`CARD_RANGES`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from pos_tui.core.kernel.errors import ValidationError
from pos_tui.i18n import _

# Payment-card issuer ranges: (scheme, first prefix, last prefix, lengths). Prefixes of the same
# length are compared as numbers. Source: ISO/IEC 7812 issuer ranges as published by the schemes
# and collected in Wikipedia's "Payment card number" article (IIN ranges table, 2024), plus
# Troy (Turkey, BKM) 9792 and Mir (Russia, NSPK) 2200–2204.
CARD_RANGES: tuple[tuple[str, str, str, frozenset[int]], ...] = (
    ("Visa", "4", "4", frozenset({13, 16, 19})),
    ("Mastercard", "51", "55", frozenset({16})),
    ("Mastercard", "2221", "2720", frozenset({16})),
    ("American Express", "34", "34", frozenset({15})),
    ("American Express", "37", "37", frozenset({15})),
    ("Discover", "6011", "6011", frozenset(range(16, 20))),
    ("Discover", "644", "649", frozenset(range(16, 20))),
    ("Discover", "65", "65", frozenset(range(16, 20))),
    ("UnionPay", "62", "62", frozenset(range(16, 20))),
    ("JCB", "3528", "3589", frozenset(range(16, 20))),
    ("Diners Club", "300", "305", frozenset(range(14, 20))),
    ("Diners Club", "36", "36", frozenset(range(14, 20))),
    ("Diners Club", "38", "39", frozenset(range(16, 20))),
    ("Maestro", "50", "50", frozenset(range(12, 20))),
    ("Maestro", "56", "69", frozenset(range(12, 20))),
    ("Troy", "9792", "9792", frozenset({16})),
    ("Mir", "2200", "2204", frozenset(range(16, 20))),
)

MIN_DIGITS = 13
MAX_DIGITS = 19
MASK_CHARS = "*Xx•#"  # what terminals mask with; X and x are letters, so only * • # need _MASK_PAIR
_MAX_SEPARATOR = 16  # padding between groups (`4111    1111…`); a longer run ends a number

_DIGITS = re.compile(r"[0-9]+")
_MASK_PAIR = re.compile(r"[*•#]{2}")


@dataclass(frozen=True, slots=True)
class FoundPan:
    """A card number found in a text: ``start``/``end`` index the original text, ``digits`` is
    the number itself (never show it: :meth:`masked` is what a report may print)."""

    start: int
    end: int
    digits: str
    scheme: str

    @property
    def masked(self) -> str:
        """First 6 and last 4 digits, the middle as ``*`` (what a terminal prints)."""
        return self.digits[:6] + "*" * (len(self.digits) - 10) + self.digits[-4:]


def scheme_of(digits: str) -> str | None:
    """The card scheme whose range and length ``digits`` falls in, or None (no Luhn check)."""
    for scheme, low, high, lengths in CARD_RANGES:
        if len(digits) in lengths and low <= digits[: len(low)] <= high:
            return scheme
    return None


_DOUBLED = tuple((2 * d) // 10 + (2 * d) % 10 for d in range(10))


def luhn_ok(digits: str) -> bool:
    """The Luhn check of ASCII ``digits``, the same answer as python-stdnum's ``luhn.is_valid``
    (a test holds them together) at a fraction of its cost: imports run it on every cell."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        total += _DOUBLED[d] if i % 2 else d
    return total % 10 == 0


def is_pan(digits: str) -> bool:
    """``digits`` (ASCII digits only, nothing else) is a payment card number: 13–19 digits,
    Luhn-valid, in a card range, and not a product barcode (see the module docstring)."""
    if not (digits.isascii() and digits.isdigit() and MIN_DIGITS <= len(digits) <= MAX_DIGITS):
        return False
    if scheme_of(digits) is None or not luhn_ok(digits):
        return False
    from stdnum import ean  # rarely reached; importing it costs every start 35 ms (ssl, pydoc)

    return not (len(digits) in (13, 14) and ean.is_valid(digits))


def _normalise(text: str) -> tuple[str, list[int] | None]:
    """``text`` with every character NFKC-normalised and every Unicode digit as its ASCII digit,
    and for each character of the result the index of the original character it came from
    (None: the same index, as for ASCII text, which NFKC leaves as it is)."""
    if text.isascii():
        return text, None
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            if c.isdigit() and not c.isascii():
                try:
                    c = str(unicodedata.digit(c))
                except ValueError:
                    c = "\N{REPLACEMENT CHARACTER}"
            out.append(c)
            where.append(i)
    return "".join(out), where


def _joins(between: str) -> bool:
    """The characters between two digit groups let them be one number: a short run of
    punctuation or spaces, no letter, no mask (two mask characters in a row)."""
    return (
        len(between) <= _MAX_SEPARATOR
        and not any(ch.isalnum() for ch in between)
        and _MASK_PAIR.search(between) is None
    )


def _chains(text: str) -> Iterator[list[tuple[int, int]]]:
    """Chains of digit groups (start, end in ``text``) that may form one number."""
    chain: list[tuple[int, int]] = []
    for match in _DIGITS.finditer(text):
        if chain and not _joins(text[chain[-1][1] : match.start()]):
            yield chain
            chain = []
        chain.append(match.span())
    if chain:
        yield chain


def find_pans(text: str) -> list[FoundPan]:
    """Every card number in ``text`` (see the module docstring for what counts), in order."""
    if len(text) < MIN_DIGITS or sum(map(str.isnumeric, text)) < MIN_DIGITS:
        return []  # most stored text (names, codes, reasons) has too few digits to hold a card
    if text.isascii() and text.isdigit():  # a bare number (a barcode cell): one candidate
        return [FoundPan(0, len(text), text, scheme_of(text) or "")] if is_pan(text) else []
    norm, where = _normalise(text)
    found: list[FoundPan] = []
    for chain in _chains(norm):
        for first in range(len(chain)):
            digits = ""
            for last in range(first, len(chain)):
                start, end = chain[last]
                digits += norm[start:end]
                if len(digits) > MAX_DIGITS:
                    break
                if len(digits) >= MIN_DIGITS and is_pan(digits):
                    scheme = scheme_of(digits) or ""
                    begin, stop = chain[first][0], end - 1
                    if where is not None:
                        begin, stop = where[begin], where[stop]
                    found.append(FoundPan(begin, stop + 1, digits, scheme))
    return found


def looks_like_pan(text: str | None) -> bool:
    """``text`` holds something that looks like a payment card number."""
    return bool(text) and bool(find_pans(text or ""))


def refuse_pan(text: str | None) -> None:
    """Raise ValidationError when ``text`` holds a card number: call it on every free-text
    value before it is stored (a reference, a note, a reason, an address)."""
    if looks_like_pan(text):
        raise ValidationError(
            _("That looks like a card number; card numbers are never stored (write the text without it)")
        )
