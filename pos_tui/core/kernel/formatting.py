"""How numbers read to a person, in the shop's language: the one place that formats them.

Screens, dialogs, ``pos-admin`` tables and messages, receipts and X/Z reports all call these
functions, so a Turkish shop reads ``2.441,29``, ``1,500 kg`` and ``%50`` everywhere and an
English one ``2,441.29``, ``1.500 kg`` and ``50%``. Machine outputs (JSON, CSV exports, journal
payloads) do not come here: they keep plain ``str(Decimal)``.

The formatter is exact: it works on the digits of the :class:`~decimal.Decimal` (never a
float) and never rounds. An amount finer than a kuruş shows every digit it has, so a
rounding bug shows up instead of being hidden. Everything read back by
:func:`pos_tui.core.kernel.money.parse_money` / :func:`~pos_tui.core.kernel.money.parse_quantity` in the same
language gives the same value.

``language`` defaults to the process's language (:func:`pos_tui.i18n.current_language`, set
from the shop's settings at start-up).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from pos_tui.core.kernel.clock import zone
from pos_tui.core.kernel.vocabulary import unit_label
from pos_tui.i18n import current_language

MILLI = 1000

# language → (decimal mark, thousands separator)
_MARKS = {"tr": (",", "."), "en": (".", ",")}


def _marks(language: str | None) -> tuple[str, str]:
    return _MARKS.get(language or current_language(), _MARKS["en"])


def format_decimal(value: Decimal | int, *, places: int = 0, grouping: bool = True, language: str | None = None) -> str:
    """``value`` with at least ``places`` decimals (more when it has more: nothing is rounded).

    ``format_decimal(Decimal("2441.29"), places=2)`` is ``2.441,29`` in Turkish and ``2,441.29``
    in English. ``grouping=False`` leaves out the thousands separator (quantities: ``1.234``
    alone would read back as one and a bit).
    """
    d = Decimal(value)
    if not d.is_finite():
        raise ValueError(f"cannot format {value!r}")
    mark, thousands = _marks(language)
    sign, digits, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    scale = max(-exponent, 0)
    if exponent > 0:
        text += "0" * exponent
    text = text.rjust(scale + 1, "0")
    integer, fraction = text[: len(text) - scale], text[len(text) - scale :]
    integer = integer.lstrip("0") or "0"
    fraction = fraction.ljust(places, "0")
    if grouping:
        groups = []
        while len(integer) > 3:
            integer, tail = integer[:-3], integer[-3:]
            groups.append(tail)
        integer = thousands.join([integer, *reversed(groups)])
    negative = sign == 1 and any(digits)
    return ("-" if negative else "") + integer + (mark + fraction if fraction else "")


def format_money(amount: Decimal | int, language: str | None = None) -> str:
    """``Decimal("1234.5")`` → ``1.234,50`` (tr) or ``1,234.50`` (en). No currency sign.

    Two decimals, or every decimal the amount has when it is finer than a kuruş (``1,005``).
    """
    return format_decimal(amount, places=2, language=language)


def format_quantity(qty_milli: int, unit: str | None = None, *, places: int = 0, language: str | None = None) -> str:
    """A quantity in milli-units as a person reads it: ``1,5 kg`` (tr), ``1.5 kg`` (en).

    Pieces (and ``unit=None``) show the number alone: ``3``, ``0,5``. Other units add the
    unit's label; ``places`` gives them at least that many decimals, for columns and scale
    readings that show a weight to the gram (``places=3``: ``1,500 kg``). Never grouped (``1.234`` alone would
    read back as one and a bit), never rounded.
    """
    number = (Decimal(qty_milli) / MILLI).normalize() if qty_milli % MILLI else Decimal(qty_milli // MILLI)
    if unit is None or unit == "piece":
        return format_decimal(number, grouping=False, language=language)
    return f"{format_decimal(number, places=places, grouping=False, language=language)} {unit_label(unit)}"


def format_percent(value: Decimal | int, language: str | None = None) -> str:
    """A percentage where the language puts the sign: ``%10`` (tr), ``10%`` (en).

    Trailing zeros of the fraction are dropped (``12.50`` → ``%12,5``); nothing is rounded.
    """
    d = Decimal(value)
    if d.is_finite() and d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    elif d.is_finite():
        d = d.normalize()
    number = format_decimal(abs(d), grouping=False, language=language)
    sign = "-" if d < 0 else ""
    return f"{sign}%{number}" if (language or current_language()) == "tr" else f"{sign}{number}%"


def format_moment(at: datetime, tz: str) -> str:
    """A moment as a person in the shop reads it, in the shop's zone: ``06.12.2026 10:43``."""
    return at.astimezone(zone(tz)).strftime("%d.%m.%Y %H:%M")


def column_groups(count: int, repeat: int, fits: Callable[[list[int]], bool]) -> list[list[int]]:
    """Columns ``0..count-1`` of a table too wide for its page or terminal, in groups printed one under
    the other: each group ``fits``, in order, starts with the first ``repeat`` columns (the labels:
    a weekday, a day), and the groups hold about as many columns each (a column that fits with the
    labels alone still makes a group of its own). The CLI's tables and the reports' PDF use it."""
    labels = list(range(repeat))
    groups: list[list[int]] = []
    current = list(labels)
    for c in range(repeat, count):
        if len(current) > repeat and not fits([*current, c]):
            groups.append(current)
            current = list(labels)
        current.append(c)
    groups.append(current)
    rest = list(range(repeat, count))
    step = -(-len(rest) // len(groups))
    even = [labels + rest[n : n + step] for n in range(0, len(rest), step)]
    return even if len(even) == len(groups) and all(fits(g) for g in even) else groups
