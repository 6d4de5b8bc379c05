"""e-Fatura or e-Arşiv: the buyer's registration in GİB's user list decides (docs/einvoice.md, "Routing").

A buyer whose VKN/TCKN is in the local copy of GİB's registered-user list (``einvoice_user``, registered
on or before the invoice day) gets an e-Fatura of the shop's e-Fatura profile, at its first PK alias;
anyone else (final consumers, unregistered firms) an e-Arşiv invoice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_tui import store
from pos_tui.core.einvoice.model import EARSIVFATURA
from pos_tui.core.kernel.clock import to_db
from pos_tui.settings import EInvoiceSettings
from pos_tui.store import models as m


@dataclass(frozen=True, slots=True)
class Route:
    profile: str
    alias: str | None = None

    @property
    def is_efatura(self) -> bool:
        return self.profile != EARSIVFATURA


def route(identifier: str, *, now: datetime, settings: EInvoiceSettings) -> Route:
    """The profile and mailbox an invoice to ``identifier`` on ``now`` goes to."""
    U = m.EInvoiceUser
    query = (
        U.select(U.mailbox)
        .where(
            (U.identifier == identifier)
            & (U.kind == "PK")
            & ((U.registered_at.is_null()) | (U.registered_at <= to_db(now)))
        )
        .order_by(U.alias_created_at, U.id)
        .limit(1)
    )
    rows = list(store.rows(query))
    if not rows:
        return Route(EARSIVFATURA)
    return Route(settings.profile, str(rows[0][0]))
