"""Finding the times in JSON that are not the shop's local time with its offset (issue 16).

Used by tests/foundation/test_tz_json_*.py: :func:`offenders` walks decoded JSON and names every
string (and key) that looks like a date and a time but is not ``YYYY-MM-DDTHH:MM:SS`` with the
offset the shop's zone had at that moment. Plain dates (``YYYY-MM-DD``) are not times.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

SHOP = ZoneInfo("Europe/Istanbul")  # config/pos.toml's [shop] timezone
# Anything that looks like a date and a time, in any of the forms a program might print.
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?", re.I)
# The one form every JSON time takes: seconds, the T, an offset (the shop's: see :func:`shop_time`).
_SHOP_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")


def is_time(text: str) -> bool:
    """``text`` looks like a date and a time (in any form)."""
    return bool(_MOMENT.fullmatch(text.strip()))


def shop_time(text: str) -> bool:
    """``text`` is a time in the shop's zone with the offset it had then: ``+03:00`` today,
    ``+02:00`` on a winter day before Turkey kept summer time all year (September 2016)."""
    if not _SHOP_TIME.fullmatch(text):
        return False
    at = datetime.fromisoformat(text)
    return at.utcoffset() == at.astimezone(SHOP).utcoffset()


def offenders(value: Any, where: str = "$") -> Iterator[str]:
    """Every date-and-time string in ``value`` (keys too) not in the shop's offset, with its path;
    also any string with ``+00:00`` in it."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and is_time(key) and not shop_time(key):
                yield f"{where} key {key!r}"
            yield from offenders(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from offenders(item, f"{where}[{n}]")
    elif isinstance(value, str) and ((is_time(value) and not shop_time(value)) or "+00:00" in value):
        yield f"{where} = {value!r}"


def times(value: Any, where: str = "$") -> Iterator[tuple[str, str]]:
    """Every (path, string) in ``value`` that looks like a date and a time."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from times(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from times(item, f"{where}[{n}]")
    elif isinstance(value, str) and is_time(value):
        yield where, value
