"""The loyalty rules file (``config/loyalty.toml``): parsing, validation, stored versions.

The format is documented key by key in ``docs/loyalty-rules.md``. Parsing goes through
:mod:`tomllib` (floats read as :class:`~decimal.Decimal`, so ``1.5`` is exactly 1.5); a TOML
syntax error names the file, line and column. The parsed table is then checked as a whole and
**every** problem is reported at once, each with where it is::

    loyalty.toml: [tiers.silver] multiplier: must be at least 1, not 0.5
    loyalty.toml: [paid_memberships[1]] tier: no tier 'vip' (tiers: red, silver, gold)

Unknown keys are errors too (a misspelt key would otherwise silently do nothing).

The canonical form of a program is :func:`program_to_dict`: the same shape as the TOML file, with decimals and
dates as strings, sets as sorted lists and no empty values, so that ``program_from_dict(program_to_dict(p)) ==
p`` and two files meaning the same program have the same digest. Each applied version is a ``loyalty_rules``
row (the TOML text as applied, the canonical JSON, its sha256) and a ``loyalty_rules`` journal entry; the
newest row is the active program. Rows are insert-only: going back to an older program is applying it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "RulesVersion": "versions",
    "active_program": "versions",
    "active_rules_id": "versions",
    "active_version": "versions",
    "apply_rules": "versions",
    "canonical_json": "parsing",
    "digest_of": "parsing",
    "parse_program": "parsing",
    "program_from_dict": "parsing",
    "program_to_dict": "parsing",
    "program_to_toml": "parsing",
    "rules_source": "versions",
    "set_tier": "versions",
}

__all__ = [
    "RulesVersion",
    "active_program",
    "active_rules_id",
    "active_version",
    "apply_rules",
    "canonical_json",
    "digest_of",
    "parse_program",
    "program_from_dict",
    "program_to_dict",
    "program_to_toml",
    "rules_source",
    "set_tier",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.loyalty.rules.parsing import (
        canonical_json,
        digest_of,
        parse_program,
        program_from_dict,
        program_to_dict,
        program_to_toml,
    )
    from pos_tui.core.loyalty.rules.versions import (
        RulesVersion,
        active_program,
        active_rules_id,
        active_version,
        apply_rules,
        rules_source,
        set_tier,
    )
