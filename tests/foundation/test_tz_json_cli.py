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
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result
from tz_support import SHOP, offenders, times

from pos_tui.cli import common, output

REPO = Path(__file__).resolve().parents[2]


def test_the_walker_finds_what_it_must() -> None:
    good = {"at": "2026-11-01T10:15:00+03:00", "day": "2026-11-01", "n": 3, "note": "10:15"}
    good["winter"] = "2016-01-04T09:00:00+02:00"  # Istanbul before it kept summer time all year
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
        self.started = self.sold = datetime.now(UTC)  # when the shop was made, when its sales were

    def run(self, *args: str, input: str | None = None) -> Result:
        from pos_tui.cli.app import app

        common.STATE = common.State()
        for console in (output.stdout, output.stderr):
            console._console = None  # type: ignore[attr-defined]
        return CliRunner(env=self.env).invoke(app, list(args), input=input)

    def paths(self, args: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(a.format(home=self.home, repo=REPO) for a in args)

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self.run(*args, input=input)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)


def _sales(home: Path, sold: datetime) -> Path:
    at = sold.isoformat().replace("+00:00", "Z")
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
    ("customers", "update", "1", "--email", "ahmet@example.com"),
    ("customers", "consent", "1", "--channel", "sms", "--grant"),
    ("stock", "receive", "{home}/goods.csv", "--supplier", "TED-MGT", "--document", "MGT-1"),
    ("stock", "transfer", "receive", "2"),
    ("count", "import", "2", "{home}/handheld.txt"),  # 1 is the demo's own count, posted
    ("count", "post", "2", "--yes"),
    ("count", "reverse", "2", "--yes"),
    ("cheques", "endorse", "1", "--to", "TED-RCD"),
    ("accounts", "pay", "TED-RCD", "100"),
    ("agenda", "reopen", "2"),
    ("agenda", "export", "--ics", "{home}/agenda.ics"),
    ("stores", "add", "S9", "Kadıköy"),
    ("einvoice", "wholesale", "C0001", "--line", "1001:2"),
    ("einvoice", "send", "1"),
    ("einvoice", "run", "--once"),
    ("einvoice", "users", "import", "{repo}/fixtures/demo_einvoice_users.csv"),
    ("messages", "send", "--dry-run"),
    ("loyalty", "run"),
    ("report", "x"),
    ("report", "z", "--yes"),
]
# Files written for people and scripts: the command (its output file is {home}/NAME) and NAME.
FILES: list[tuple[tuple[str, ...], str]] = [
    (("export", "sales", "-f", "json", "-o", "{home}/sales.json"), "sales.json"),
    (("export", "sales", "-f", "jsonl", "-o", "{home}/sales-out.jsonl"), "sales-out.jsonl"),
    (("export", "products", "-f", "json", "-o", "{home}/products.json"), "products.json"),
    (("customers", "export", "1", "-o", "{home}/member.json"), "member.json"),
    (("messages", "export", "--format", "json", "--status", "queued", "-o", "{home}/messages.json"), "messages.json"),
    (("accounts", "statement", "C0001", "--format", "json", "-o", "{home}/statement.json"), "statement.json"),
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
    shop.started = datetime.now(UTC).replace(microsecond=0)
    shop.sold = shop.started - timedelta(hours=2)
    shop.ok("demo")
    shop.ok("import", "sales", str(_sales(shop.home, shop.sold)))
    (shop.home / "goods.csv").write_text("code,qty,unit_cost\n1001,5,36.00\n", encoding="utf-8")
    (shop.home / "handheld.txt").write_text("8690084041017;90\n", encoding="utf-8")
    shop.outputs = {" ".join(args): shop.json(*shop.paths(args)) for args in WRITES}
    for args, _name in FILES:
        shop.ok(*shop.paths(args))
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
    ("receipt", "show", "3"),
    ("products", "search", "çay"),
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
    ("count", "show", "2"),
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
    ("einvoice", "status", "2"),
    ("einvoice", "users", "list"),
    ("einvoice", "users", "lookup", "3760124554"),
    ("sync", "status"),
    ("stores", "list"),
]


@pytest.mark.parametrize("args", READS, ids=[" ".join(a) for a in READS])
def test_every_time_in_json_has_the_shops_offset(shop: Shop, args: tuple[str, ...]) -> None:
    found = list(offenders(shop.json(*args)))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", [name for _args, name in FILES])
def test_every_time_in_an_exported_file_has_the_shops_offset(shop: Shop, name: str) -> None:
    text = (shop.home / name).read_text(encoding="utf-8")
    data = [json.loads(line) for line in text.splitlines() if line] if name.endswith(".jsonl") else json.loads(text)
    assert data, f"{name} is empty: the test would check nothing"
    found = list(offenders(data))
    assert not found, "\n".join(found)


# Keys of the times that say when something happened (not when it is due).
_HAPPENED = {"at", "created_at", "issued_at", "opened_at", "closed_at", "sent_at", "received_at", "done_at", "date"}


def test_the_times_are_the_moments_they_name(shop: Shop) -> None:
    """The right offset on the wrong moment (a UTC time labelled ``+03:00``, a local one shifted
    twice) is three hours off: what the run made is stamped now, its sales two hours ago."""
    seen = 0
    for out in shop.outputs.values():
        for where, text in times(out):
            at = datetime.fromisoformat(text)
            if where.rsplit(".", 1)[-1].split("[")[0] in _HAPPENED and abs(at - shop.started) < timedelta(days=1):
                seen += 1
                assert min(abs(at - shop.started), abs(at - shop.sold)) < timedelta(minutes=10), (where, text)
    assert seen >= 20
    assert shop.outputs["agenda add Call the tea supplier --due 2030-05-04T14:30"]["due"] == "2030-05-04T14:30:00+03:00"
    assert shop.outputs["agenda snooze 1 --until 05.05.2030 09:00"]["snoozed_until"] == "2030-05-05T09:00:00+03:00"
    sales = json.loads((shop.home / "sales.json").read_text(encoding="utf-8"))
    assert {doc["at"] for doc in sales if doc["terminal"] == "T1"} == {shop.sold.astimezone(SHOP).isoformat()}
    # the demo's sales history (T2): past days in the shop's hours, each at the shop's offset
    past = [datetime.fromisoformat(doc["at"]) for doc in sales if doc["terminal"] == "T2"]
    assert len(past) > 100 and all(at < shop.started and 8 <= at.astimezone(SHOP).hour < 21 for at in past)
    # GİB's list gives Istanbul times without an offset; they come back as written, in the offset of their day.
    lokanta = shop.json("einvoice", "users", "lookup", "3760124554")["aliases"][0]
    assert lokanta["registered_at"] == "2019-03-12T10:15:00+03:00"
    rize = shop.json("einvoice", "users", "lookup", "7341005829")["aliases"][0]
    assert rize["registered_at"] == "2016-01-04T09:00:00+02:00"  # winter time, before 2016's change


def test_a_real_process_in_another_zone_prints_the_shops_time(shop: Shop) -> None:
    """``pos-admin`` as a process on a machine whose own clock is set to São Paulo (-03:00)."""
    env = {**os.environ, **shop.env, "PYTHONPATH": str(REPO), "TZ": "America/Sao_Paulo"}
    run = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "loyalty", "coupons", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    coupons = json.loads(run.stdout)
    assert coupons and list(offenders(coupons)) == []
    made = {c["code"]: c["created_at"] for c in coupons}["TZ10"]
    assert abs(datetime.fromisoformat(made) - shop.started) < timedelta(minutes=10)
