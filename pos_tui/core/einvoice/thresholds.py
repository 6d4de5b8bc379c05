"""Date-effective amounts: the invoice threshold and the e-Arşiv obligation (docs/einvoice-users.md,
"Thresholds"; the sources are in config/pos.toml and docs/einvoice-rules.md §2).

- **Invoice threshold** (*fatura düzenleme sınırı*, VUK 232): above it (KDV included) a sale must be
  invoiced; the till suggests an invoice. ``[[einvoice.invoice_limits]]``.
- **e-Arşiv obligation** (VUK 509 IV.2.4.3): a shop that is *not* an e-Arşiv user (``earsiv_user =
  false``) must still issue an invoice above ``[[einvoice.earsiv_limits]]`` as an e-Arşiv invoice (on
  GİB's portal), not on paper. A shop that is an e-Arşiv user issues every invoice electronically, so
  the check never applies to it.

Both are "more than the amount", KDV included; the amount in force on a day is the one with the latest
start not after it (``EInvoiceSettings.limit_on``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pos_tui.settings import EInvoiceSettings, Settings


def _einvoice(settings: Settings | EInvoiceSettings) -> EInvoiceSettings:
    return settings.einvoice if isinstance(settings, Settings) else settings


def invoice_required(total: Decimal, day: date, settings: Settings | EInvoiceSettings) -> Decimal | None:
    """The invoice threshold in force on ``day`` when ``total`` (KDV included) is above it, else None
    (below it, or no threshold configured for that day)."""
    s = _einvoice(settings)
    limit = s.limit_on(day)
    return limit if limit is not None and total > limit else None


def earsiv_required(total: Decimal, day: date, settings: Settings | EInvoiceSettings) -> Decimal | None:
    """For a shop that is not an e-Arşiv user: the e-Arşiv obligation amount in force on ``day`` when
    ``total`` is above it (the invoice must be an e-Arşiv one, issued on GİB's portal), else None.
    Always None for an e-Arşiv user (every invoice of it is electronic anyway)."""
    s = _einvoice(settings)
    if s.earsiv_user:
        return None
    limit = s.limit_on(day, s.earsiv_limits)
    return limit if limit is not None and total > limit else None
