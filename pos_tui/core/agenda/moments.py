"""Dates and times as people type them for the agenda: ``29.10.2026``, ``29.10.2026 14:30``,
``2026-10-29``, ``2026-10-29T14:30`` (shop-local time)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from pos_tui.core.kernel.clock import SHOP_TZ, zone
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.i18n import _

_DOTTED = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def parse_day(text: str, label: str = "") -> date:
    """``29.10.2026``, ``29/10/2026`` or ``2026-10-29``."""
    value = text.strip()
    try:
        found = _DOTTED.match(value)
        if found:
            return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        return date.fromisoformat(value)
    except ValueError:
        pass
    raise ValidationError(
        _("{label}{text!r} is not a date such as 29.10.2026 or 2026-10-29").format(
            label=f"{label}: " if label else "", text=value[:30]
        )
    )


def parse_moment(text: str, tz: str = SHOP_TZ, label: str = "") -> tuple[datetime, bool]:
    """A shop-local date with an optional time → (aware UTC, whether a time was given)."""
    value = text.strip().replace("T", " ", 1) if "-" in text else text.strip()
    day_text, _sep, time_text = value.partition(" ")
    day = parse_day(day_text, label)
    if not time_text.strip():
        return datetime.combine(day, time.min, tzinfo=zone(tz)).astimezone(UTC), False
    clock = time_text.strip()
    found = _TIME.match(clock)
    try:
        at = time(int(found.group(1)), int(found.group(2))) if found else time.fromisoformat(clock)
    except ValueError:
        raise ValidationError(
            _("{label}{text!r} is not a time such as 14:30").format(
                label=f"{label}: " if label else "", text=clock[:20]
            )
        ) from None
    if at.tzinfo is not None:
        raise ValidationError(_("Give the time without a zone; it is read in the shop's time zone"))
    return datetime.combine(day, at, tzinfo=zone(tz)).astimezone(UTC), True
