"""``pos-admin einvoice``: e-Fatura and e-Arşiv invoices. The commands live in one module per part
(``einvoice_issue``: issue, list and validate; ``einvoice_trade``: standalone wholesale and supplier-return invoices,
customer-return documents;
``einvoice_render``: render and export; ``einvoice_send``: send, status, cancel and the sender's loop;
``einvoice_users``: GİB's registered-user list), each attaching its commands with ``register(app)``.
"""

from __future__ import annotations

from pos_tui.cli import einvoice_issue, einvoice_render, einvoice_send, einvoice_trade, einvoice_users
from pos_tui.cli.common import make_typer

app = make_typer(
    "einvoice",
    "e-Fatura and e-Arşiv: issue, list, export, render, validate, send, status, cancel, GİB's user list.",
)
for part in (einvoice_issue, einvoice_trade, einvoice_render, einvoice_send, einvoice_users):
    part.register(app)
