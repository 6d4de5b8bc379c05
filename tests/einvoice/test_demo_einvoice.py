"""The demo shop's invoices never reach a real integrator."""

from __future__ import annotations

from pathlib import Path

from einvoice_support import Shop, consumer_draft, issue

from pos_tui.core import einvoice
from pos_tui.core.einvoice import providers
from pos_tui.store import models as m


def test_the_demo_shops_database_only_ever_reaches_the_simulator(shop: Shop, tmp_path: Path) -> None:
    """`pos --demo` and `pos-admin demo` mark the database; a folder driver (or any driver) configured
    for the shop then gives way to the simulator in $POS_HOME/demo-einvoice, for the till and the CLI."""
    from pos_tui.store import fast

    assert isinstance(providers.load_provider(shop.settings.einvoice, tmp_path), providers.FolderProvider)
    fast.insert_many(m.MetaEntry, ("key", "value"), [(providers.DEMO_MARK, "1")])
    demo = providers.load_provider(shop.settings.einvoice, tmp_path)
    assert isinstance(demo, providers.SimulatorProvider)
    inv = issue(shop, consumer_draft(shop.settings))
    demo.send(einvoice.outgoing(inv.id))
    assert (tmp_path / providers.DEMO_OUTBOX).is_dir() and not (tmp_path / "einvoice").exists()
