"""Start-up imports only what the work at hand needs (issue 11).

Each check runs in a fresh interpreter, since the test process has everything loaded already:
``pos-admin --help`` loads no command module, no Peewee, no Rich; ``pos-admin products show
--json`` and the till's database opening on SQLite never load psycopg2 (Peewee would, at its
import, whenever it is installed), nor Textual; a ``postgresql://`` database gets psycopg2 when
it is opened.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pos_tui.cli.app import COMMANDS, LazyGroup, app, load

REPO = Path(__file__).resolve().parents[2]


def run_python(code: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; it prints one JSON line last."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


LOADED = "import json, sys; print(json.dumps({m: m in sys.modules for m in WATCH}))"


def pos_admin(*args: str) -> str:
    return (
        "import sys\n"
        "from pos_tui.cli.app import main\n"
        f"sys.argv = ['pos-admin', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
    )


needs_psycopg2 = pytest.mark.skipif(
    importlib.util.find_spec("psycopg2") is None, reason="psycopg2 is not installed: nothing to keep out"
)


def test_help_loads_no_command_module_and_no_database_library() -> None:
    watch = ["pos_tui.cli.products", "pos_tui.cli.dbcmd", "pos_tui.store.db", "peewee", "rich.console", "textual"]
    loaded = run_python(f"WATCH = {watch!r}\n" + pos_admin("--help") + LOADED)
    assert loaded == dict.fromkeys(watch, False)


@needs_psycopg2
def test_products_show_json_on_sqlite_loads_no_psycopg2_textual_or_rich(
    cli: Callable[..., Any], db_path: Path, tmp_path: Path
) -> None:
    products = tmp_path / "p.csv"
    products.write_text("code,barcode,name,price,kdv_rate\n42,8690000000012,Çay,12.50,20\n", encoding="utf-8")
    assert cli("init").exit_code == 0
    result = cli("import", "products", str(products))
    assert result.exit_code == 0, result.output
    watch = ["psycopg2", "textual", "rich.console", "peewee", "pos_tui.cli.users", "stdnum", "ssl"]
    env = {"POS_DB": str(db_path), "POS_HOME": str(tmp_path), "POS_LANG": "en"}
    code = f"WATCH = {watch!r}\n" + pos_admin("products", "show", "8690000000012", "--json") + LOADED
    loaded = run_python(code, env)
    assert loaded == {"psycopg2": False, "textual": False, "rich.console": False, "peewee": True,
                      "pos_tui.cli.users": False, "stdnum": False, "ssl": False}  # fmt: skip


@needs_psycopg2
def test_the_till_opens_a_sqlite_database_without_psycopg2(tmp_path: Path) -> None:
    code = (
        "import argparse\n"
        "from pos_tui.__main__ import prepare_database, settings_for\n"
        f"args = argparse.Namespace(terminal='T1', db={str(tmp_path / 'pos.sqlite3')!r}, config=None, demo=False)\n"
        "prepare_database(settings_for(args), demo=False)\n"
        "import json, sys, peewee\n"
        "print(json.dumps({'psycopg2': 'psycopg2' in sys.modules, 'peewee_driver': peewee.psycopg2 is not None}))\n"
    )
    assert run_python(code, {"POS_HOME": str(tmp_path)}) == {"psycopg2": False, "peewee_driver": False}


def test_the_sale_screens_cart_code_loads_no_loyalty(tmp_path: Path) -> None:
    """What the sale screen needs before its first paint (the open cart) leaves the loyalty engine
    to the background load after it: pricing imports it on first use."""
    code = (
        "import pos_tui.core.till.carts, pos_tui.tui.screens.sale\n"
        "import json, sys\n"
        "print(json.dumps({'loyalty': sorted(m for m in sys.modules if m.startswith('pos_tui.core.loyalty.'))}))\n"
    )
    assert run_python(code, {"POS_HOME": str(tmp_path)}) == {"loyalty": []}


@pytest.mark.postgres
@needs_psycopg2
def test_a_postgresql_database_gets_the_driver_when_opened() -> None:
    """Peewee was imported without psycopg2; opening a PostgreSQL URL hands it over, and the
    database works: the schema is created, a transaction commits, a UUID round-trips."""
    pg_url = os.environ.get("POS_TEST_PG_URL")
    if not pg_url:
        pytest.skip("POS_TEST_PG_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
    import psycopg2

    name = f"pos_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(pg_url)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        url = pg_url.rsplit("/", 1)[0] + "/" + name
        code = (
            "import json, sys, uuid\n"
            "import pos_tui\n"
            "import peewee\n"
            "before = peewee.psycopg2 is not None or 'psycopg2' in sys.modules\n"
            "from pos_tui.store import open_database, write_tx, close_database\n"
            "from pos_tui.store.migrations import CURRENT_VERSION, schema_version\n"
            f"db = open_database({url!r})\n"
            "with write_tx():\n"
            "    db.execute_sql('CREATE TABLE t (u uuid)')\n"
            "    db.execute_sql('INSERT INTO t VALUES (%s)', (uuid.UUID(int=7),))\n"
            "row = db.execute_sql('SELECT u FROM t').fetchone()\n"
            "ok = schema_version(db) == CURRENT_VERSION and row[0] == uuid.UUID(int=7)\n"
            "close_database()\n"
            "print(json.dumps({'before': before, 'after': peewee.psycopg2 is not None, 'ok': ok}))\n"
        )
        assert run_python(code) == {"before": False, "after": True, "ok": True}
    finally:
        admin.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def test_help_lists_each_command_with_its_own_help() -> None:
    """``--help`` reads the list from :data:`COMMANDS`, not from the modules: each entry says
    what the command itself says (its first sentence), and is the command that runs."""
    import typer

    root = typer.main.get_command(app)
    assert isinstance(root, LazyGroup)
    assert list(root.commands) == list(COMMANDS)
    for name in COMMANDS:
        stand_in = root.commands[name]
        command = load(name)
        assert command.name == name
        assert stand_in.get_short_help_str(200) == command.get_short_help_str(200), name
        assert root.get_command(None, name) is root.commands[name] is not stand_in
