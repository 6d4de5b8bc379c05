"""Member card numbers that never collide across the chain (docs/sync.md, "Numbers never collide").

A shop that has not joined a centre prints ``26`` + its own counter (10 digits) + an EAN-13
check digit, as always. Two joined terminals counting on their own would give out the same
numbers, so each joined terminal gets a **card block** from the centre when it joins: a number
1…999 nobody else has, kept at the centre in ``meta_entry`` (``sync_card_block:<terminal>``,
given under a lock, the same again on a rejoin) and on the terminal in ``meta_entry``
(``sync_card_block``). A joined terminal prints ``26`` ``9`` + its block (3 digits) + its own
counter for the block (6 digits) + the check digit: ``269`` ``004`` ``000123`` ``c``. A shop's
own counter would need nine billion members to reach ``269…``, so the two kinds never meet.

A terminal that joined before blocks existed gets one on its next pull; until then it cannot
generate a card number (a pre-printed card can still be scanned).
"""

from __future__ import annotations

from peewee import Database

from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.sync import identity
from pos_tui.core.sync.connection import call, central_tx
from pos_tui.i18n import _

BLOCKS = 999  # card blocks 1…999: three digits of the card number
LOCAL_KEY = "card_block"  # meta_entry ``sync_card_block`` on the terminal
CENTRE_KEY = "sync_card_block:"  # meta_entry ``sync_card_block:<terminal>`` at the centre
CARD_BLOCK_LOCK = 0x706F730C  # pg_advisory_xact_lock: one block given at a time


def assign_block(db: Database, terminal: str) -> int:
    """The card block of ``terminal`` at the centre ``db``: the one it has, else the lowest free
    one (given under a lock, in one central transaction). ValidationError: all 999 are taken."""

    def work() -> int:
        with central_tx(db):
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (CARD_BLOCK_LOCK,))
            found = db.execute_sql(
                "SELECT key, value FROM meta_entry WHERE key LIKE %s", (CENTRE_KEY.replace("_", r"\_") + "%",)
            ).fetchall()
            blocks = {str(key).removeprefix(CENTRE_KEY): int(value) for key, value in found}
            if terminal in blocks:
                return blocks[terminal]
            used = set(blocks.values())
            free = next((n for n in range(1, BLOCKS + 1) if n not in used), None)
            if free is None:
                raise ValidationError(
                    _(
                        "The centre has given out all {count} member card blocks; no new terminal can number cards"
                    ).format(count=BLOCKS)
                )
            db.execute_sql("INSERT INTO meta_entry (key, value) VALUES (%s, %s)", (CENTRE_KEY + terminal, str(free)))
            return free

    return call(db, work)


def card_block() -> int | None:
    """This terminal's card block (None: not joined, or joined before blocks were given out)."""
    if identity.identity() is None:
        return None
    value = identity.get(LOCAL_KEY)
    return int(value) if value else None


def keep_block(db: Database, terminal: str) -> int:
    """Ask the centre for ``terminal``'s block and keep it here (join, and a pull that finds none)."""
    block = assign_block(db, terminal)
    identity.put({LOCAL_KEY: str(block)})
    return block
