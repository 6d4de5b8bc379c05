"""Who is at the till right now: plain state the screens read (no Textual, no I/O)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pos_tui.core.kernel import Actor
from pos_tui.settings import Settings

if TYPE_CHECKING:
    from pos_tui.core.cash import ShiftInfo


@dataclass
class Session:
    """The terminal's settings and clock, and the logged-in cashier and open shift.

    ``clock`` returns an aware datetime; tests pass a fixed one so screens and snapshots
    are deterministic.
    """

    settings: Settings
    clock: Callable[[], datetime]
    actor: Actor | None = None
    shift: ShiftInfo | None = None
    # The invoice the cashier asked for at payment (pos_tui.tui.invoicing.InvoiceRequest), kept with the
    # open cart until its sale is posted (then issued) or the cart is emptied.
    invoice_request: Any = None

    @property
    def terminal(self) -> str:
        return self.settings.terminal_id

    @property
    def tz(self) -> str:
        """The shop's configured time zone: core calls from the till take it with ``now``, so
        the shop day (coupons, promotions, member benefits) is the shop's, not a default."""
        return self.settings.shop.timezone

    @property
    def language(self) -> str:
        return self.settings.language

    def now(self) -> datetime:
        return self.clock()

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise RuntimeError("no cashier is logged in")
        return self.actor
