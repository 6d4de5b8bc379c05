"""Reading the rules file with error collection: every problem at once, each with where it is."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.money import CENT
from pos_tui.core.loyalty.program import (
    Scope,
    Window,
)
from pos_tui.i18n import _

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
EXPIRY_KINDS = ("never", "days_after_available", "end_of_month", "end_of_year")
QUALIFICATION_WINDOWS = ("previous_month", "rolling_days", "rolling_months")
PROMOTION_KINDS = ("buy_x_get_y", "second_item_percent")
BADGE_KINDS = ("first_purchase", "visits", "spend", "tier")
REWARD_KINDS = ("product", "discount")
COUPON_KINDS = ("amount", "percent")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
_MISSING = object()


class _Problems:
    """Every problem found in one file, each with its place."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, path: str, key: str | None, problem: str) -> None:
        if not path:
            self.items.append(
                _("{source}: {key}: {problem}").format(source=self.source, key=key or "-", problem=problem)
            )
        elif key is None:
            self.items.append(
                _("{source}: [{section}] {problem}").format(source=self.source, section=path, problem=problem)
            )
        else:
            self.items.append(
                _("{source}: [{section}] {key}: {problem}").format(
                    source=self.source, section=path, key=key, problem=problem
                )
            )

    def raise_any(self) -> None:
        if self.items:
            head = _("{source}: {n} problem(s) in the loyalty rules, nothing applied").format(
                source=self.source, n=len(self.items)
            )
            raise ValidationError(head + "\n" + "\n".join(self.items))


def _show(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return str(value)


class _Table:
    """One TOML table being read: typed getters that record problems instead of raising, and
    a check for keys nobody asked for."""

    def __init__(self, data: object, path: str, problems: _Problems) -> None:
        self.path = path
        self.problems = problems
        if not isinstance(data, Mapping):
            problems.add(path, None, _("must be a table, not {value}").format(value=_show(data)))
            data = {}
        self.data: Mapping[str, Any] = data
        self.used: set[str] = set()

    def bad(self, key: str | None, problem: str) -> None:
        self.problems.add(self.path, key, problem)

    def raw(self, key: str) -> Any:
        self.used.add(key)
        return self.data.get(key, _MISSING)

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str, default: str | object | None = _MISSING, *, code: bool = False) -> str:
        value = self.raw(key)
        if value is _MISSING:
            if default is _MISSING:
                self.bad(key, _("missing"))
                return ""
            return cast(str, default)
        if not isinstance(value, str) or not value.strip():
            self.bad(key, _("must be a non-empty text, not {value}").format(value=_show(value)))
            return ""
        value = value.strip()
        if code and not CODE_PATTERN.match(value):
            self.bad(
                key,
                _("{value} is not a valid code (1 to 32 letters, digits, '-', '_' or '.', no spaces)").format(
                    value=_show(value)
                ),
            )
        return value

    def optional_text(self, key: str) -> str | None:
        if self.raw(key) is _MISSING:
            return None
        return self.text(key)

    def integer(self, key: str, default: int | object = _MISSING, *, minimum: int | None = None) -> int:
        value = self.raw(key)
        if value is _MISSING:
            if default is _MISSING:
                self.bad(key, _("missing"))
                return minimum or 0
            return cast(int, default)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = int(value.strip())
        if isinstance(value, Decimal) and value == value.to_integral_value():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(key, _("must be a whole number, not {value}").format(value=_show(value)))
            return minimum or 0
        if minimum is not None and value < minimum:
            self.bad(key, _("must be at least {minimum}, not {value}").format(minimum=minimum, value=value))
        return value

    def decimal(
        self,
        key: str,
        default: Decimal | object = _MISSING,
        *,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        above: Decimal | None = None,
        places: int | None = None,
    ) -> Decimal:
        value = self.raw(key)
        if value is _MISSING:
            if default is _MISSING:
                self.bad(key, _("missing"))
                return minimum or above or ZERO
            return cast(Decimal, default)
        number: Decimal | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip().replace(",", "."))
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite():
            self.bad(key, _("must be a number, not {value}").format(value=_show(value)))
            return minimum or above or ZERO
        fallback = minimum if minimum is not None else (above if above is not None else ZERO)
        if minimum is not None and maximum is not None and not minimum <= number <= maximum:
            self.bad(
                key,
                _("must be between {minimum} and {maximum}, not {value}").format(
                    minimum=_show(minimum), maximum=_show(maximum), value=_show(number)
                ),
            )
            return fallback
        if minimum is not None and number < minimum:
            self.bad(
                key, _("must be at least {minimum}, not {value}").format(minimum=_show(minimum), value=_show(number))
            )
            return fallback
        if above is not None and number <= above:
            self.bad(
                key, _("must be more than {minimum}, not {value}").format(minimum=_show(above), value=_show(number))
            )
            return fallback
        exponent = number.as_tuple().exponent
        if places is not None and isinstance(exponent, int) and -exponent > places:
            if number != number.quantize(Decimal(1).scaleb(-places)):
                self.bad(
                    key,
                    _("must have at most {places} decimals, not {value}").format(places=places, value=_show(number)),
                )
                return fallback
            number = number.quantize(Decimal(1).scaleb(-places))
        return number

    def money(self, key: str, default: Decimal | object = _MISSING, *, positive: bool = False) -> Decimal:
        if positive:
            value = self.decimal(key, default, above=ZERO, places=2)
        else:
            value = self.decimal(key, default, minimum=ZERO, places=2)
        return value.quantize(CENT)

    def percent(self, key: str, default: Decimal | object = _MISSING, *, positive: bool = False) -> Decimal:
        if positive:
            value = self.decimal(key, default, above=ZERO, places=2)
            if value > HUNDRED:
                self.bad(key, _("must be at most 100, not {value}").format(value=_show(value)))
            return value
        return self.decimal(key, default, minimum=ZERO, maximum=HUNDRED, places=2)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.bad(key, _("must be true or false, not {value}").format(value=_show(value)))
            return default
        return value

    def day(self, key: str) -> date | None:
        value = self.raw(key)
        if value is _MISSING:
            return None
        if isinstance(value, datetime):
            self.bad(key, _("must be a date (YYYY-MM-DD) without a time, not {value}").format(value=value))
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.bad(key, _("must be a date (YYYY-MM-DD), not {value}").format(value=_show(value)))
        return None

    def choice(self, key: str, choices: Iterable[str], default: str | object = _MISSING) -> str:
        options = tuple(choices)
        value = self.text(key, default)
        if value and value not in options:
            self.bad(
                key,
                _("must be one of {choices}, not {value}").format(choices=", ".join(options), value=_show(value)),
            )
            return ""
        return value

    def skip(self, *keys: str) -> None:
        """Accept ``keys`` unread (their meaning depends on a value that was already wrong)."""
        self.used.update(keys)

    def strings(self, key: str) -> frozenset[str]:
        value = self.raw(key)
        if value is _MISSING:
            return frozenset()
        if not isinstance(value, list):
            self.bad(key, _("must be a list, not {value}").format(value=_show(value)))
            return frozenset()
        out = set()
        for item in value:
            if isinstance(item, int) and not isinstance(item, bool):
                item = str(item)  # a product code written without quotes
            if not isinstance(item, str) or not item.strip():
                self.bad(key, _("must list non-empty texts, not {value}").format(value=_show(item)))
                continue
            out.add(item.strip())
        return frozenset(out)

    def weights(self, key: str) -> dict[str, Decimal]:
        """A table of name → multiplier (``"Kişisel Bakım" = 2``)."""
        sub = self.table(key)
        out: dict[str, Decimal] = {}
        for name in sub.data:
            label = name.strip()
            if not label:
                sub.bad(None, _("an empty name cannot have a multiplier"))
                continue
            out[label] = sub.decimal(name, minimum=ZERO, places=4)
        sub.used.update(sub.data)
        return out

    def table(self, key: str) -> _Table:
        value = self.raw(key)
        return _Table({} if value is _MISSING else value, f"{self.path}.{key}" if self.path else key, self.problems)

    def tables(self, key: str) -> list[_Table]:
        """An array of tables (``[[tiers]]``); each named by its ``code`` when it has one."""
        value = self.raw(key)
        if value is _MISSING:
            return []
        base = f"{self.path}.{key}" if self.path else key
        if not isinstance(value, list):
            self.bad(key, _("must be a list of tables ([[{key}]]), not {value}").format(key=key, value=_show(value)))
            return []
        out = []
        for i, item in enumerate(value, 1):
            code = item.get("code") if isinstance(item, Mapping) else None
            path = f"{base}.{code.strip()}" if isinstance(code, str) and code.strip() else f"{base}[{i}]"
            out.append(_Table(item, path, self.problems))
        return out

    def scope(self, *, required: bool = True) -> Scope:
        scope = Scope(self.strings("products"), self.strings("categories"), self.boolean("all_products", False))
        if required and not (scope.products or scope.categories or scope.all_products):
            self.bad(None, _("names no products: give products, categories or all_products = true"))
        return scope

    def window(self) -> Window:
        start, end = self.day("valid_from"), self.day("valid_to")
        if start is not None and end is not None and end < start:
            self.bad("valid_to", _("{end} is before valid_from {start}").format(end=end, start=start))
        return Window(start, end)

    def finish(self) -> None:
        for key in self.data:
            if key not in self.used:
                self.bad(key, _("unknown key"))


def _unique(tables: list[tuple[_Table, str]], kind: str) -> None:
    seen: set[str] = set()
    for table, code in tables:
        if not code:
            continue
        if code in seen:
            table.bad("code", _("{code} is used by another {kind}").format(code=_show(code), kind=kind))
        seen.add(code)
