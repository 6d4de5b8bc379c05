"""``pos-admin einvoice``: standalone wholesale and supplier-return invoices, customer-return documents (stub: its
owner fills it in)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``einvoice`` group."""
