"""Member card numbers that never collide across the chain (docs/sync.md, "Numbers never collide").

A shop that has not joined a centre prints ``26`` + its own counter (10 digits) + an EAN-13
check digit, as always. Two joined terminals counting on their own would give out the same
numbers, so each joined terminal gets a **card block** from the centre when it joins: a number
1…999 no other terminal has, given under the register's lock and kept in the terminal's
``sync_terminal.series`` (``"card_block"``; the same again on a rejoin), and on the terminal in
``meta_entry`` (``sync_card_block``). A joined terminal prints ``26`` ``9`` + its block (3
digits) + its own counter for the block (6 digits) + the check digit: ``269`` ``004``
``000123`` ``c``. A shop's own counter would need nine billion members to reach ``269…``, so
the two kinds never meet.

A terminal that joined before blocks existed gets one on its next pull; until then it cannot
generate a card number (a pre-printed card can still be scanned).
"""

from __future__ import annotations

from peewee import Database

from pos_tui.core.sync import identity
from pos_tui.core.sync.terminals import assign_block

LOCAL_KEY = "card_block"  # meta_entry ``sync_card_block`` on the terminal


def card_block() -> int | None:
    """This terminal's card block (None: not joined, or joined before blocks were given out)."""
    if identity.identity() is None:
        return None
    value = identity.get(LOCAL_KEY)
    return int(value) if value else None


def keep_block(db: Database, terminal: str) -> int:
    """Ask the centre for ``terminal``'s block and keep it here (a pull that finds none)."""
    block = assign_block(db, terminal)
    identity.put({LOCAL_KEY: str(block)})
    return block
