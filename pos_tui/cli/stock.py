"""``pos-admin stock``: locations, goods receipts and supplier returns, adjustments, transfers and
stock reports. The commands live in one module per part (``stock_moves``, ``stock_receiving``,
``stock_reports``), each attaching its commands with ``register(app)``.
"""

from __future__ import annotations

from pos_tui.cli import stock_moves, stock_receiving, stock_reports
from pos_tui.cli.common import make_typer

app = make_typer("stock", "Stock: locations, goods receipts, supplier returns, adjustments, transfers and reports.")
for part in (stock_moves, stock_receiving, stock_reports):
    part.register(app)
