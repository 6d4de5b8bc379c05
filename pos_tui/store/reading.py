"""Reading helpers shared by every area of ``core``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def rows(query: Any) -> Iterator[tuple[Any, ...]]:
    """Stream the rows of a select as plain tuples.

    Peewee's type hints describe model instances, not tuples, hence ``Any`` in and a precise
    type out. The rows are not cached on the query (``.iterator()``): a report over 100,000
    lines never holds them all; wrap in ``list()`` to walk them twice.
    """
    return iter(query.tuples().iterator())
