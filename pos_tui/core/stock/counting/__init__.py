"""Stock counts (sayım): sessions, scans from several terminals, handheld files, review, posting and reversal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS: dict[str, str] = {}

__all__: list[str] = []
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    pass  # the names of _EXPORTS, imported from their modules
