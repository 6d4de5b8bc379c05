"""Fixtures for catalog, import and export tests: a product factory through the real upsert,
files written in a given encoding, and pos-admin run in-process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from catalog_support import MakeProduct, WriteFile
from typer.testing import CliRunner, Result

from pos_tui.core import catalog
from pos_tui.core.staff import users
from pos_tui.settings import Settings


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo loader adds users; the smallest argon2id cost keeps that fast."""
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def make_product(db: object, settings: Settings, now: datetime) -> MakeProduct:
    """``make_product(code, name, price="10.00", **fields)`` through :func:`catalog.upsert_products`."""

    def make(code: str, name: str, price: str = "10.00", **fields: object) -> catalog.ProductInfo:
        fields.setdefault("kdv_rate", 20)
        row = catalog.ProductInput(code=code, name=name, price=Decimal(price), **fields)  # type: ignore[arg-type]
        catalog.upsert_products([row], now=now, kdv_rates=settings.kdv_rates)
        return catalog.get_product(code)

    return make


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """``write_file(name, text, encoding="utf-8")``: a file in the test's directory, bytes exact."""

    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.fixture
def cli(db: object, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """``cli(*args)``: pos-admin in-process against the test database, fresh CLI state per call.

    Click 8.2+ keeps ``result.stdout`` and ``result.stderr`` apart (``output`` mixes them)."""
    from pos_tui.cli import common
    from pos_tui.cli.app import app

    runner = CliRunner(
        env={
            "POS_DB": settings.db_url,
            "POS_HOME": str(settings.home),
            "POS_CONFIG": str(settings.source),
            "POS_LANG": "en",
        }
    )

    def run(*args: str) -> Result:
        monkeypatch.setattr(common, "STATE", common.State())
        return runner.invoke(app, list(args))

    return run
