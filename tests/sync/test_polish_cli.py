"""Issue 15 newcomer findings in ``pos-admin sync``: ``status`` says "not yet" for a push or pull that
never happened, ``push``/``pull`` lines start with a capital, ``role --name`` names the role, and
the "not joined" message names this terminal (or a placeholder), never another terminal's code."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from ops_support import as_user, closed_port_url, dropped_after, unique_role
from pull_support import seed_centre
from sync_support import set_identity

from pos_tui.cli import sync_ops
from pos_tui.core import sync
from pos_tui.core.sync import identity
from pos_tui.i18n import set_language
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database


def test_status_says_not_yet_for_what_never_happened(cli: Any, db_path: Path) -> None:
    open_database(db_path)
    try:
        set_identity("T1", "S1", closed_port_url())
    finally:
        close_database()
    human = cli("sync", "status")
    assert human.exit_code == 0, human.output
    assert "Last push: not yet · last pull: not yet" in human.stdout, human.stdout
    assert "never" not in human.stdout


def test_a_line_that_stands_alone_starts_with_a_capital() -> None:
    assert sync_ops._sentence("master data at revision 7") == "Master data at revision 7"
    set_language("tr")
    try:
        assert sync_ops._sentence("iade 3 belge") == "İade 3 belge"
        assert sync_ops._sentence("ana veriler") == "Ana veriler"
    finally:
        set_language("en")
    assert sync_ops._sentence("") == ""


def test_not_joined_names_this_terminal_or_a_placeholder(cli: Any, db: object, settings: Settings) -> None:
    assert "--terminal T2" not in identity.not_joined_text()
    assert "--terminal TERMINAL_CODE --store STORE_CODE" in identity.not_joined_text()
    with pytest.raises(sync.NotJoined, match="--terminal T7 --store STORE_CODE"):
        identity.require("T7")
    close_database()
    for args in (("status",), ("push",), ("run", "--once")):
        result = cli("sync", *args)
        expected = f"--terminal {settings.terminal_id} --store STORE_CODE"
        assert expected in result.stderr, (args, result.stderr)
        if settings.terminal_id != "T2":
            assert "--terminal T2" not in result.stderr


def test_role_takes_a_name_of_its_own(cli: Any, db: object) -> None:
    close_database()
    result = cli("sync", "role", "T2", "--name", "shop2_t2")
    assert result.exit_code == 0, result.output
    assert 'CREATE ROLE "shop2_t2"' in result.stdout and "pos_t2" not in result.stdout
    assert "the role is shop2_t2" in result.stderr
    bad = cli("sync", "role", "T2", "--name", "Shop 2")
    assert bad.exit_code != 0 and "is not a role name" in bad.stderr


@pytest.mark.postgres
def test_role_apply_with_a_name_and_pull_says_a_sentence(
    cli: Any, central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    seed_centre(central_url, settings, now)
    close_database()
    role = unique_role()
    with dropped_after(central_url, role):
        made = cli("--db", central_url, "sync", "role", "T1", "--name", role, "--apply")
        assert made.exit_code == 0, made.output
        assert f"Role {role} is ready" in made.stderr
        joined = cli("sync", "init", "--central", as_user(central_url, role), "--terminal", "T1", "--store", "S1")
        assert joined.exit_code == 0, joined.output
        pulled = cli("sync", "pull")
        assert pulled.exit_code == 0, pulled.output
        assert pulled.stderr.startswith("Master data at revision"), pulled.stderr
        status = json.loads(cli("sync", "status", "--json").stdout)
        assert status["central"].startswith(f"postgresql://{role}@")
