"""Every time in ``pos-admin``'s JSON is the shop's local time with its offset (issue 16).

The demo shop (Europe/Istanbul, ``+03:00``) with a few sales, a return, coupons, gift cards,
agenda entries, account entries, a cheque, a count, NPS answers and e-invoices; then every
``--json`` command that reads, and the JSON files the exports write, are walked: each string
that is a date and a time must be ``YYYY-MM-DDTHH:MM:SS+03:00`` (no ``+00:00``, no ``Z``,
no naive time, no space for the ``T``). Plain dates (``YYYY-MM-DD``) stay plain.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from pos_tui.cli import common, output

REPO = Path(__file__).resolve().parents[2]
# Anything that looks like a date and a time, in any of the forms a program might print.
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?", re.I)
# The one form every JSON time takes: seconds, the T, an offset (the shop's: see :func:`shop_time`).
_SHOP_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
SHOP = ZoneInfo("Europe/Istanbul")


def shop_time(text: str) -> bool:
    """``text`` is a time in the shop's zone with the offset it had then: ``+03:00`` today,
    ``+02:00`` on a winter day before Turkey kept summer time all year (September 2016)."""
    if not _SHOP_TIME.fullmatch(text):
        return False
    at = datetime.fromisoformat(text)
    return at.utcoffset() == at.astimezone(SHOP).utcoffset()


def offenders(value: Any, where: str = "$") -> Iterator[str]:
    """Every date-and-time string in ``value`` (keys too) not in the shop's offset, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _MOMENT.fullmatch(key) and not shop_time(key):
                yield f"{where} key {key!r}"
            yield from offenders(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from offenders(item, f"{where}[{n}]")
    elif isinstance(value, str):
        if (_MOMENT.fullmatch(value.strip()) and not shop_time(value)) or "+00:00" in value:
            yield f"{where} = {value!r}"


def test_the_walker_finds_what_it_must() -> None:
    good = {"at": "2026-11-01T10:15:00+03:00", "day": "2026-11-01", "n": 3, "note": "10:15", "w": "2016-01-04T09:00:00+02:00"}
    assert list(offenders(good)) == []
    bad = {
        "a": "2026-11-01T07:15:00+00:00",
        "b": ["2026-11-01T07:15:00Z"],
        "c": {"d": "2026-11-01 07:15:00"},
        "e": "2026-11-01T10:15:00.123456+03:00",
        "f": "2026-11-01T10:15:00+02:00",
        "2026-11-01T07:15:00": 1,
    }
    assert sorted(offenders(bad)) == [
        "$ key '2026-11-01T07:15:00'",
        "$.a = '2026-11-01T07:15:00+00:00'",
        "$.b[0] = '2026-11-01T07:15:00Z'",
        "$.c.d = '2026-11-01 07:15:00'",
        "$.e = '2026-11-01T10:15:00.123456+03:00'",
        "$.f = '2026-11-01T10:15:00+02:00'",
    ]


class Shop:
    """A demo database and a way to run ``pos-admin`` on it in-process."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {
            "POS_DB": str(home / "pos.sqlite3"),
            "POS_HOME": str(home),
            "POS_CONFIG": str(REPO / "config" / "pos.toml"),
            "POS_LANG": "en",
            "POS_TERMINAL": "T1",
            "COLUMNS": "120",
        }
        self.outputs: dict[str, Any] = {}

    def run(self, *args: str, input: str | None = None) -> Result:
        from pos_tui.cli.app import app

        common.STATE = common.State()
        for console in (output.stdout, output.stderr):
            console._console = None  # type: ignore[attr-defined]
        return CliRunner(env=self.env).invoke(app, list(args), input=input)

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self.run(*args, input=input)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)


def _sales(home: Path, now: datetime) -> Path:
    at = (now - timedelta(hours=2)).astimezone(UTC).astimezone().isoformat(timespec="seconds")
    at = (now - timedelta(hours=2)).astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    docs = [
        {
            "id": "tz-1",
            "at": at,
            "terminal": "T1",
            "cashier": "ayse",
            "customer": "0532 412 33 21",
            "lines": [{"code": "1001", "qty": "2"}, {"code": "50", "qty": "3"}],
            "payments": [{"method": "cash", "amount": "200.00"}],
        },
        {
            "id": "tz-2",
            "at": at,
            "terminal": "T1",
            "cashier": "ayse",
            "lines": [{"code": "1003", "qty": "1"}],
            "payments": [{"method": "card", "amount": "254.90"}],
        },
        {
            "id": "tz-3",
            "at": at,
            "terminal": "T1",
            "cashier": "ayse",
            "return_of": "tz-1",
            "lines": [{"code": "50", "qty": "1"}],
        },
    ]
    path = home / "sales.jsonl"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")
    return path


# Commands that write, run once each on the shop (in this order) with ``--json``; their output is checked too.
WRITES: list[tuple[str, ...]] = [
    ("loyalty", "coupons", "add", "TZ10", "--amount", "10", "--member", "0532 412 33 21"),
    ("loyalty", "offers", "generate", "--limit", "1"),
    ("giftcards", "issue", "--amount", "50", "--code", "TZGIFT1", "--method", "card"),
    ("giftcards", "topup", "TZGIFT1", "--amount", "20", "--method", "card"),
    ("agenda", "add", "Call the tea supplier", "--due", "2030-05-04T14:30"),
    ("agenda", "add", "Stocktake", "--due", "04.05.2030", "--all-day"),
    ("agenda", "snooze", "1", "--until", "05.05.2030 09:00"),
    ("agenda", "done", "2"),
    ("accounts", "collect", "C0001", "100"),
    ("accounts", "opening", "C0002", "250"),
    ("cheques", "receive", "C0001", "500", "--due", "2030-12-15", "--serial", "A1", "--bank", "Ziraat"),
    ("count", "open", "--name", "Raf 4", "--product", "1001"),
    ("nps", "add", "--score", "9", "--member", "0532 412 33 21"),
    ("wallet", "adjust", "0532 412 33 21", "--amount", "5", "--reason", "goodwill"),
    ("stock", "adjust", "1001", "-1", "--reason", "waste"),
    ("stock", "transfer", "send", "--from", "MAGAZA", "--to", "DEPO", "--line", "1001=1"),
    ("einvoice", "issue", "2", "--account", "C0001"),
    ("customers", "add", "--name", "Deniz Ak", "--phone", "0532 999 88 77"),
    ("customers", "consent", "1", "--channel", "sms", "--grant"),
    ("loyalty", "run"),
    ("report", "z", "--yes"),
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    from pos_tui.i18n import set_language
    from pos_tui.store import close_database

    set_language("en")
    saved = common.STATE, os.environ.get("TZ")
    # The machine's own zone is neither UTC nor the shop's: a naive time taken as the machine's
    # local time (``datetime.astimezone()`` on a naive value) shows up as a wrong offset.
    os.environ["TZ"] = "America/Sao_Paulo"
    time.tzset()
    shop = Shop(tmp_path_factory.mktemp("tzshop"))
    shop.ok("demo")
    shop.ok("import", "sales", str(_sales(shop.home, datetime.now(UTC))))
    shop.outputs = {" ".join(args): shop.json(*args) for args in WRITES}
    yield shop
    close_database()
    common.STATE = saved[0]
    if saved[1] is None:
        os.environ.pop("TZ")
    else:
        os.environ["TZ"] = saved[1]
    time.tzset()
    for console in (output.stdout, output.stderr):
        console._console = None  # type: ignore[attr-defined]


@pytest.mark.parametrize("args", WRITES, ids=[" ".join(a) for a in WRITES])
def test_what_a_command_that_writes_prints(shop: Shop, args: tuple[str, ...]) -> None:
    found = list(offenders(shop.outputs[" ".join(args)]))
    assert not found, "\n".join(found)


# Every --json command that reads (and a few that write), with arguments that find something in the shop above.
READS: list[tuple[str, ...]] = [
    ("users", "list"),
    ("products", "show", "1001"),
    ("report", "x"),
    ("report", "sales"),
    ("report", "loyalty"),
    ("report", "nps"),
    ("report", "donations"),
    ("report", "suppliers"),
    ("audit", "verify"),
    ("loyalty", "show"),
    ("loyalty", "tiers", "list"),
    ("loyalty", "coupons", "list"),
    ("giftcards", "show", "TZGIFT1"),
    ("giftcards", "list"),
    ("wallet", "show", "0532 412 33 21"),
    ("customers", "show", "0532 412 33 21"),
    ("customers", "search", "Ahmet"),
    ("messages", "list"),
    ("receipt", "show", "1"),
    ("stock", "receipts"),
    ("stock", "receipt", "1"),
    ("stock", "payables"),
    ("stock", "show", "1001"),
    ("stock", "card", "1001"),
    ("stock", "levels"),
    ("stock", "low"),
    ("stock", "idle"),
    ("stock", "shrinkage"),
    ("stock", "negative"),
    ("stock", "locations", "list"),
    ("stock", "transfer", "list"),
    ("stock", "transfer", "show", "1"),
    ("count", "list"),
    ("count", "show", "1"),
    ("accounts", "list"),
    ("accounts", "show", "C0001"),
    ("accounts", "entries", "C0001"),
    ("accounts", "aging"),
    ("accounts", "forecast"),
    ("pricelists", "show", "TOPTAN"),
    ("pricelists", "list"),
    ("cheques", "list"),
    ("cheques", "show", "1"),
    ("agenda", "list"),
    ("einvoice", "list"),
    ("einvoice", "status", "1"),
    ("einvoice", "users", "list"),
    ("einvoice", "users", "lookup", "3760124554"),
    ("sync", "status"),
    ("stores", "list"),
]


@pytest.mark.parametrize("args", READS, ids=[" ".join(a) for a in READS])
def test_every_time_in_json_has_the_shops_offset(shop: Shop, args: tuple[str, ...]) -> None:
    found = list(offenders(shop.json(*args)))
    assert not found, "\n".join(found)
