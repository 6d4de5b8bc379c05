"""The centre's JSON (``pos-admin central …``, ``sync reconcile|holds|release|status``) gives
every time as the shop's local time with its offset (issue 16), as the terminal's commands do
(tests/foundation/test_tz_json_cli.py). PostgreSQL at ``POS_TEST_PG_URL``.

The centre of tests/sync/central_support.py (three terminals selling on 6 December 2026, a Z at
14:00 in Istanbul), two holds on a points balance and an overdraft recorded at ``now``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tz_support import SHOP, offenders, times

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))  # the sync tests' centre and fixtures

from central_support import chain_data
from guard_support import central_sql, set_central_balance
from sync_support import central_url, set_identity  # noqa: F401 (a fixture)

from pos_tui.core import staff, sync
from pos_tui.core.sync import connection
from pos_tui.settings import Settings

pytestmark = pytest.mark.postgres
Cli = Callable[..., Any]
CARD = "2990000000017"


@pytest.fixture
def centre(db: object, settings: Settings, now: datetime, central_url: str) -> Iterator[str]:  # noqa: F811
    """The chain's centre with an admin, two holds (one three hours old) and an overdraft at
    ``now``; the local file is terminal T1, joined to it."""
    central = sync.open_central(central_url)
    central.connect()
    try:
        chain_data(central)
    finally:
        central.close()
    from sync_support import bound

    with bound(central_url):
        staff.add_user("admin", "admin", "9999", now=now, settings=settings)
    set_central_balance(central_url, "points", CARD, 500)
    cdb = connection.open_central(central_url)
    try:
        sync.hold(cdb, "SALE-OLD", "points", CARD, -100, terminal="T2", now=HELD - timedelta(hours=3))
        sync.hold(cdb, "SALE-NEW", "points", CARD, -50, terminal="T1", now=HELD)
    finally:
        cdb.close()
    central_sql(
        central_url,
        "INSERT INTO sync_overdraft (kind, ledger, key, place, balance, document, terminal, at) "
        "VALUES ('overdraft', 'wallet', %s, '', -2500, 'DOC-1', 'T3', %s)",
        (CARD, now.astimezone(UTC).replace(tzinfo=None)),
    )
    set_central_balance(central_url, "wallet", CARD, -2500)
    set_identity("T1", "S1", central_url)
    yield central_url
    connection.forget()


# The recent hold's moment: holds are taken now (the reconciliation calls one older than an hour open).
HELD = datetime.now(UTC).replace(microsecond=0)


def _json(cli: Cli, *args: str) -> Any:
    done = cli(*args, "--json")
    assert done.exit_code == 0, (args, done.stderr)
    return json.loads(done.stdout)


def test_the_centres_json_is_in_the_shops_offset(cli: Cli, centre: str, now: datetime) -> None:
    on_centre = ("--db", centre)
    outputs = {
        "central sales": _json(cli, *on_centre, "central", "sales", "--from", "06.12.2026", "--to", "07.12.2026"),
        "central x": _json(cli, *on_centre, "central", "x"),
        "central z": _json(cli, *on_centre, "central", "z"),
        "central loyalty": _json(cli, *on_centre, "central", "loyalty", "--from", "06.12.2026"),
        "central stock": _json(cli, *on_centre, "central", "stock"),
        "central terminals": _json(cli, *on_centre, "central", "terminals"),
        "sync reconcile": _json(cli, *on_centre, "sync", "reconcile"),
        "sync reconcile (terminal)": _json(cli, "sync", "reconcile"),
        "sync holds": _json(cli, *on_centre, "sync", "holds"),
        "sync release": _json(cli, *on_centre, "sync", "release", "SALE-OLD"),
        "sync status": _json(cli, "sync", "status"),
    }
    found = [f"{name}: {where}" for name, data in outputs.items() for where in offenders(data)]
    assert not found, "\n".join(found)
    seen = {name: len(list(times(data))) for name, data in outputs.items()}
    for name in ("central sales", "central x", "central z", "central terminals", "sync reconcile", "sync holds"):
        assert seen[name], f"{name} printed no time: the test checks nothing there"
    # the moments themselves, not only their offsets
    assert outputs["central z"]["z"][0]["at"] == "2026-12-06T14:00:00+03:00"
    period = outputs["central sales"]["period"]
    assert period == {"from": "2026-12-06T00:00:00+03:00", "to": "2026-12-08T00:00:00+03:00"}
    overdraft = next(r for r in outputs["sync reconcile"]["rows"] if r["kind"] == "overdraft")
    assert overdraft["at"] == "2026-11-01T10:15:00+03:00"  # now: 07:15 UTC
    holds = {h["document"]: h["at"] for h in outputs["sync holds"]["holds"]}
    assert holds == {
        "SALE-OLD": (HELD - timedelta(hours=3)).astimezone(SHOP).isoformat(),
        "SALE-NEW": HELD.astimezone(SHOP).isoformat(),
    }
