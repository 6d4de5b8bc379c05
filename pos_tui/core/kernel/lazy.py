"""Lazy front doors (PEP 562): an area's ``__init__`` names its public API without importing it.

An area's modules load on first use of one of its names, which keeps start-up (the till's login
screen, ``pos-admin --help``) free of code it does not need yet. Lookups are not cached in the
package, so a test that patches a function in its module is seen through the front door too.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def front_door(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for ``package``: ``exports`` maps each public name to the
    module of the package that defines it; a name mapped to itself is a sub-module (a sub-area)."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        loaded = importlib.import_module(f"{package}.{module}")
        return loaded if module == name else getattr(loaded, name)

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__
