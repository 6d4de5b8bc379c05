"""``pos-admin accounts``: customer and supplier accounts (cari). The commands live in one module per
part (``accounts_parties``: add, update, list, import, show, opening balances and corrections;
``accounts_money``: collections and payments; ``accounts_reports``: statements, aging, forecast and
reconciliation letters), each attaching its commands with ``register(app)``.
"""

from __future__ import annotations

from pos_tui.cli import accounts_money, accounts_parties, accounts_reports
from pos_tui.cli.common import make_typer

app = make_typer(
    "accounts", "Customer and supplier accounts (cari): add, import, show, collect, pay, statements, aging."
)
for part in (accounts_parties, accounts_money, accounts_reports):
    part.register(app)
