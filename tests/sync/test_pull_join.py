"""Joining a terminal: what the centre refuses (an unknown store, a terminal code or an invoice
series another terminal has, a centre that cannot be reached or is not at this schema), and
what a rejoin keeps."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from pull_support import central, local, seed_centre
from sync_support import PG_URL, _admin, bound, set_identity

from pos_tui.core.kernel.errors import StateError, ValidationError
from pos_tui.core.sync import (
    CentralUnreachable,
    identity,
    join,
    list_terminals,
    open_central,
    register_terminal,
    terminal_state,
)
from pos_tui.settings import Settings

pytestmark = pytest.mark.postgres


def _identity(path: Path) -> list[tuple[object, ...]]:
    return local(path, "SELECT key, value FROM meta_entry WHERE key IN ('sync_terminal', 'sync_central') ORDER BY key")


def test_an_unknown_store_is_refused_naming_the_known_ones(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    with pytest.raises(ValidationError, match=r"'S9'.*S1, S2"):
        join(central_url, "T2", "S9", now, settings)
    assert _identity(db_path) == []
    assert central(central_url, "SELECT COUNT(*) FROM sync_terminal") == [(0,)]


def test_a_terminal_code_that_joined_is_refused_and_a_rejoin_keeps_its_high_water(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    centre = open_central(central_url)
    register_terminal(centre, "T2", "S1", {"efatura": "FT2", "earsiv": "AT2"}, now)
    central(central_url, "UPDATE sync_terminal SET high_water = 41, head_hash = 'abc' WHERE terminal = 'T2'")

    with pytest.raises(ValidationError, match=r"T2.*--rejoin"):
        join(central_url, "T2", "S1", now, settings)
    assert _identity(db_path) == []

    with bound(central_url):  # a till of S2 sells from a location of S2 (the join checks it)
        from pos_tui.core.stock import locations

        locations.add_location("KDK", "Kadıköy mağaza", terminal="admin", now=now, store_code="S2")
        locations.assign_terminal("T2", "KDK", terminal="admin", now=now)
    result = join(central_url, "T2", "S2", now, settings, rejoin=True)

    assert (result.rejoined, result.high_water, result.store) == (True, 41, "S2")
    state = terminal_state(centre, "T2")
    assert state is not None and (state.high_water, state.head_hash, state.store) == (41, "abc", "S2")
    assert identity.int_value("high_water") == 41
    assert [t.terminal for t in list_terminals(centre)] == ["T2"]
    centre.close()


def test_an_invoice_series_another_terminal_uses_is_refused(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    centre = open_central(central_url)
    register_terminal(centre, "T1", "S1", {"efatura": "FT2", "earsiv": "AT1"}, now)
    centre.close()
    with pytest.raises(ValidationError, match=r"FT2.*T1"):
        join(central_url, "T2", "S1", now, settings)
    assert _identity(db_path) == []
    # a terminal with no series in pos.toml joins, and is told it cannot issue e-invoices
    bare = dataclasses.replace(settings, einvoice=dataclasses.replace(settings.einvoice, series={}))
    result = join(central_url, "T7", "S1", now, bare)
    assert result.series == {} and any("T7" in note for note in result.notes)


def test_an_unreachable_centre_writes_nothing(db: object, db_path: Path, settings: Settings, now: datetime) -> None:
    with pytest.raises(CentralUnreachable):
        join("postgresql://pos@127.0.0.1:1/nowhere", "T2", "S1", now, settings)
    assert _identity(db_path) == []


def test_a_database_that_is_not_a_pos_tui_centre_is_refused(
    db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    if not PG_URL:
        pytest.skip("POS_TEST_PG_URL is not set")
    name = f"pos_empty_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        with pytest.raises(StateError, match="no pos_tui centre"):
            join(PG_URL.rsplit("/", 1)[0] + "/" + name, "T2", "S1", now, settings)
    finally:
        from pos_tui.core.sync import connection

        connection.forget()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    assert _identity(db_path) == []


def test_a_terminal_of_another_centre_is_refused_unless_it_rejoins(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    set_identity("T2", "S1", "postgresql://t2:secret@elsewhere/shop")
    with pytest.raises(StateError, match=r"T2.*elsewhere.*--rejoin") as refused:
        join(central_url, "T2", "S1", now, settings)
    assert "secret" not in str(refused.value)

    result = join(central_url, "T2", "S1", now, settings, rejoin=True)

    assert result.rows > 0
    assert identity.require().central == central_url
    # joining again the same way is a rejoin of itself, not a refusal
    assert join(central_url, "T2", "S1", now, settings).rejoined
