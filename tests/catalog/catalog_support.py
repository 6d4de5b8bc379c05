"""Helpers the catalog tests import by name (a uniquely named module: ``from conftest import``
would pick up whichever conftest.py another test directory put on ``sys.path`` first)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pos_tui.core import catalog
from pos_tui.core.catalog import internal_ean13

MakeProduct = Callable[..., catalog.ProductInfo]
WriteFile = Callable[..., Path]


def ean(n: int) -> str:
    """A valid EAN-13 in the Turkish 869 range, distinct for each ``n``."""
    return internal_ean13("869", n)
