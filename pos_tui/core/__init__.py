"""Business rules and services, one package per business area. Knows nothing of Textual, Typer or devices.

Each area's ``__init__`` is its front door: what the area is for and its public names (``__all__``),
loaded lazily. ``tui/`` and ``cli/`` import front doors only; areas depend downward only
(``pyproject.toml``'s import-linter contracts say which way):

    audit        is the database what pos_tui wrote?
    interchange  imports, exports, the demo shop
    till | cash  open carts, posting, returns, receipts | shifts, X and Z, sales figures
    loyalty      members, points, rules, engine, tiers, coupons, wallet, gift cards, jobs
    catalog | staff | basket   products and labels | users and overrides | cart values, tenders
    kernel       errors, money, clock, actors, journal, vocabulary, printable, file formats

The areas the open work adds go beside them (docs/architecture.md): ``stock`` (with counting)
above catalog and below till; ``accounts`` and ``agenda`` above till and cash; ``einvoice`` above
till and accounts; ``sync`` above everything that posts documents.
"""
