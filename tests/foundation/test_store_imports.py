"""``store`` has no import cycle (it had ``db → migrations → models → db``)."""

from __future__ import annotations

import grimp


def test_store_has_no_import_cycle() -> None:
    graph = grimp.build_graph("pos_tui", include_external_packages=False)
    store = sorted(name for name in graph.modules if name.startswith("pos_tui.store."))
    cycles = [
        (a, b)
        for a in store
        for b in store
        if a < b and graph.chain_exists(importer=a, imported=b) and graph.chain_exists(importer=b, imported=a)
    ]
    assert cycles == []
