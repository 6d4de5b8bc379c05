"""A year of a busy shop, for the report benchmarks (issue 17 §5): 300,000 receipts in a real schema.

The file is made with pos_tui's own schema (:func:`pos_tui.store.open_database`), its users (PINs
through ``staff.add_user``) and loyalty program (``config/loyalty.toml`` applied through the core),
then filled with bulk inserts through Python's ``sqlite3`` (``executemany`` in chunks of 50,000 rows,
one transaction; the outbox's capture triggers dropped meanwhile and put back): posting 300,000
sales through the till (about 6 ms each) would take half an hour. What is written is what the
services write, self-consistent, so every report runs its normal path:

- 2 stores (``S1`` with the default location ``MAGAZA`` and terminals ``T1``, ``T2``; ``S2`` with
  ``SUBE`` and ``T3``), 5 cashiers, a supervisor and an admin;
- ~2,000 products in 40 categories from 30 suppliers, KDV 1/10/20 by category, 3 % sold by the
  kilogram; popularity is Zipf-like (so an ABC analysis finds its A products); prices and costs
  rise 2 % a month;
- the receipts spread over the days with a weekday × hour-of-day profile (shop hours 08–22, busier
  evenings and weekends, December busier), 1–8 distinct products each (3.4 on average), some line
  discounts (half of them a member's promotion, as a ``sale_benefit``); per document the
  ``sale_kdv`` rows split each rate's sum as the till does (base + KDV = total), every line its
  own KDV; payments in cash (with what was handed over and the change), by card, split, on a
  customer's account (with its account entry and due date) or partly with points;
- about 2 % returns of earlier receipts (1–14 days before; some lines, some of the quantity),
  refunded in the original's method, their points clawed back;
- ~20 % of receipts by members: an ``earn`` lot (1 % of what was paid, held 15 days, valid a year)
  and a ``sale_loyalty`` row each; members spend their available points now and then;
- every stock movement (sale, return, goods receipt, adjustment, count) valued by the moving
  average cost of :mod:`pos_tui.core.kernel.costing`, in the order they happen, with the product's
  stock, value and cost caches and the stock levels per location set to where they end;
- goods receipts: each supplier delivers once a week to each store, restocking what runs low
  (supplier's account entry with a due date 30–60 days on, the last purchase prices); monthly
  collections from account customers and payments to suppliers (part of what is owed, so aging
  has open items); waste and damage adjustments; a monthly count of one category at ``MAGAZA``;
- two shifts per terminal and day (08–15, 15–22), closed with the cash counted.

Not written: journal entries (nothing a report reads; ``pos-admin audit verify`` would complain),
Z closures, e-invoices, transfers, supplier returns, gift cards, wallet, stamps, coupons.

Deterministic for a size and seed. The file is kept in ``results/cache/`` under a name made of the
schema version, :data:`GENERATOR_VERSION` and the size, with ``facts.json`` (row counts, checks,
the generation time) beside it; a second run reuses it.

    python3 -m benchmarks.year_shop [--receipts 300000] [--days 365] [--rebuild]
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import shutil
import sqlite3
import time
from collections import defaultdict, deque
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import BRANDS, NOUNS, PLACES, RESULTS, SIZES, VARIANTS, ean13

GENERATOR_VERSION = 2  # 2: no ANALYZE (a shop's database has no statistics)
"""Bump when what :func:`build_shop` writes changes: a cached file of the old shape is never reused."""

TZ = "Europe/Istanbul"
UTC_OFFSET = timedelta(hours=3)  # Istanbul keeps UTC+3 all year (since 2016): local → stored UTC
ADMIN, SUPERVISOR = "patron", "sefmudur"
CASHIERS = ("ayse", "mehmet", "zeynep", "emre", "elif")
PINS = {
    ADMIN: "7391",
    SUPERVISOR: "6284",
    "ayse": "4821",
    "mehmet": "5832",
    "zeynep": "3947",
    "emre": "8163",
    "elif": "2579",
}
TERMINALS = ("T1", "T2", "T3")
TERMINAL_SHARE = (0.45, 0.3, 0.25)
OPEN_HOUR, CLOSE_HOUR = 8, 22
HOUR_WEIGHT = {8: 2, 9: 3, 10: 4, 11: 5, 12: 7, 13: 7, 14: 5, 15: 5, 16: 6, 17: 8, 18: 10, 19: 10, 20: 8, 21: 5}
WEEKDAY_WEIGHT = (0.9, 0.85, 0.9, 0.95, 1.1, 1.35, 1.2)  # Monday … Sunday
MONTH_WEIGHT = (0.95, 0.9, 1.0, 1.0, 1.0, 1.05, 1.05, 1.05, 1.0, 1.0, 1.0, 1.2)
LINES = (1, 2, 3, 4, 5, 6, 7, 8)
LINES_WEIGHT = (20, 20, 18, 14, 11, 8, 5, 4)  # mean about 3.5
RETURN_SHARE = 0.02
MEMBER_SHARE = 0.2
DISCOUNT_SHARE = 0.06
INFLATION = 0.02  # prices and costs, per month

# fmt: off
CATEGORIES: tuple[tuple[str, int], ...] = (
    ("Süt Ürünleri", 1), ("Peynir", 1), ("Şarküteri", 10), ("Et ve Tavuk", 1), ("Balık", 1), ("Meyve", 1),
    ("Sebze", 1), ("Ekmek ve Unlu Mamuller", 1), ("Kahvaltılık", 1), ("Bakliyat", 1), ("Makarna ve Pirinç", 1),
    ("Un ve Şeker", 1), ("Yağlar", 1), ("Salça ve Soslar", 10), ("Baharat", 10), ("Konserve", 10),
    ("Dondurulmuş", 10), ("Atıştırmalık", 10), ("Çikolata ve Şekerleme", 10), ("Bisküvi ve Kek", 10),
    ("Kuruyemiş", 10), ("Çay", 10), ("Kahve", 10), ("Su", 10), ("Gazlı İçecek", 20), ("Meyve Suyu", 10),
    ("Bebek", 10), ("Kişisel Bakım", 20), ("Ağız Bakımı", 20), ("Saç Bakımı", 20), ("Kağıt Ürünleri", 20),
    ("Çamaşır", 20), ("Bulaşık", 20), ("Ev Temizliği", 20), ("Evcil Hayvan", 20), ("Mutfak Gereçleri", 20),
    ("Kırtasiye", 20), ("Pil ve Ampul", 20), ("Tütün", 20), ("Alkollü İçecek", 20),
)
# fmt: on
SUPPLIER_WORDS = ("Anadolu", "Ege", "Marmara", "Karadeniz", "Akdeniz", "Trakya", "Toros", "Kapadokya", "Fırat", "Dicle")
SUPPLIER_KINDS = ("Gıda", "Dağıtım", "Toptan")
FIRST_NAMES = (
    "Ayşe",
    "Fatma",
    "Emine",
    "Hatice",
    "Zeynep",
    "Elif",
    "Meryem",
    "Şerife",
    "Mehmet",
    "Mustafa",
    "Ahmet",
    "Ali",
    "Hüseyin",
    "Hasan",
    "İbrahim",
    "İsmail",
    "Osman",
    "Yusuf",
    "Ömer",
    "Çağrı",
)
LAST_NAMES = (
    "Yılmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Çelik",
    "Yıldız",
    "Yıldırım",
    "Öztürk",
    "Aydın",
    "Özdemir",
    "Arslan",
    "Doğan",
    "Kılıç",
    "Aslan",
    "Çetin",
    "Kara",
    "Koç",
    "Kurt",
    "Özkan",
    "Şimşek",
)


@dataclass(frozen=True, slots=True)
class ShopSize:
    """How big the shop is. :data:`YEAR` is the issue's; :func:`tiny` the tests'."""

    receipts: int = 300_000
    days: int = 365
    products: int = 2000
    suppliers: int = 30
    members: int = 4000
    customers: int = 60
    first_day: date = date(2025, 1, 1)
    seed: int = 17

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)

    @property
    def key(self) -> str:
        return (
            f"r{self.receipts}_d{self.days}_p{self.products}_s{self.suppliers}_m{self.members}_c{self.customers}"
            f"_{self.first_day:%Y%m%d}_x{self.seed}"
        )


YEAR = ShopSize()


def tiny(receipts: int = 500, days: int = 31) -> ShopSize:
    """A small shop of the same shape: for tests and ``--quick`` runs."""
    return ShopSize(
        receipts=receipts, days=days, products=150, suppliers=6, members=80, customers=5, first_day=date(2025, 12, 1)
    )


def shop_now(size: ShopSize) -> datetime:
    """The moment the reports are made: the last day, after closing (aware, local)."""
    from pos_tui.core.kernel.clock import zone

    return datetime.combine(size.last_day, datetime.min.time(), tzinfo=zone(TZ)).replace(hour=23, minute=30)


def _schema_version() -> int:
    from pos_tui.store.migrations import CURRENT_VERSION

    return CURRENT_VERSION


def shop_dir(size: ShopSize) -> Path:
    return RESULTS / "cache" / f"year_shop_s{_schema_version()}_g{GENERATOR_VERSION}_{size.key}"


def ensure_shop(size: ShopSize = YEAR, *, rebuild: bool = False, log: Any = print) -> tuple[Path, dict[str, Any]]:
    """The shop's database (built now unless a finished one of this schema, generator and size is
    cached) and its facts (``facts.json``: sizes, row counts, checks, generation seconds)."""
    folder = shop_dir(size)
    db, facts_file = folder / "shop.sqlite3", folder / "facts.json"
    if not rebuild and db.is_file() and facts_file.is_file():
        facts = json.loads(facts_file.read_text(encoding="utf-8"))
        facts["reused"] = True
        log(f"year_shop: reusing {db} (made in {facts['generation_s']} s)")
        return db, facts
    if folder.exists():
        shutil.rmtree(folder)
    building = folder.with_name(folder.name + ".building")
    if building.exists():
        shutil.rmtree(building)
    building.mkdir(parents=True)
    log(f"year_shop: generating {size.receipts:,} receipts over {size.days} days into {folder} …")
    t = time.perf_counter()
    facts = build_shop(building / "shop.sqlite3", size)
    facts["generation_s"] = round(time.perf_counter() - t, 1)
    facts["checks"] = check_shop(building / "shop.sqlite3")
    bad = {k: v for k, v in facts["checks"]["violations"].items() if v}
    if bad:
        raise SystemExit(f"year_shop: the generated shop is inconsistent: {bad}")
    facts["file_mb"] = round((building / "shop.sqlite3").stat().st_size / 1e6, 1)
    (building / "facts.json").write_text(json.dumps(facts, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    building.replace(folder)
    facts["reused"] = False
    log(f"year_shop: generated in {facts['generation_s']} s, {facts['file_mb']} MB; rows: {facts['checks']['rows']}")
    return db, facts


# --------------------------------------------------------------------------- helpers


def _div(numerator: int, denominator: int) -> int:
    """Rounded half away from zero, in integers (as kernel.costing and money.split_kdv round)."""
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return q if numerator >= 0 else -q


def split_kdv(total: int, rate: int) -> tuple[int, int]:
    """``(base, kdv)`` of a KDV-inclusive kuruş amount, as :func:`pos_tui.core.kernel.money.split_kdv`."""
    base = _div(total * 100, 100 + rate)
    return base, total - base


def stored(local: datetime) -> str:
    """A naive local time as the database stores it: naive UTC text."""
    return (local - UTC_OFFSET).isoformat(" ")


def _fold(text: str) -> str:
    from pos_tui.text import fold

    return fold(text)


def _search_key(text: str) -> str:
    from pos_tui.text import search_key

    return search_key(text)


class Ids:
    """The next id of each table (ids are given here, so rows can point at each other unread)."""

    def __init__(self) -> None:
        self._next: dict[str, int] = defaultdict(lambda: 1)

    def __call__(self, table: str) -> int:
        n = self._next[table]
        self._next[table] = n + 1
        return n

    def start(self, table: str, value: int) -> None:
        self._next[table] = value


# Column lists of the bulk inserts (the schema's own names; see pos_tui/store/models.py).
COLUMNS: dict[str, tuple[str, ...]] = {
    "sale": (
        "id",
        "uid",
        "kind",
        "terminal",
        "receipt_no",
        "at",
        "cashier_id",
        "customer_id",
        "shift_id",
        "return_of_id",
        "subtotal",
        "discount",
        "total",
        "source",
        "note",
        "member_id",
    ),
    "sale_line": (
        "id",
        "sale_id",
        "line_no",
        "product_id",
        "code",
        "barcode",
        "name",
        "unit",
        "qty",
        "unit_price",
        "list_price",
        "discount",
        "total",
        "kdv_rate",
        "kdv",
        "origin_line_id",
        "price_override_reason",
    ),
    "payment": ("sale_id", "method", "amount", "tendered", "change", "reference"),
    "sale_kdv": ("sale_id", "rate", "base", "kdv"),
    "sale_benefit": ("sale_id", "line_no", "kind", "code", "label", "amount", "points"),
    "stock_movement": (
        "product_id",
        "at",
        "qty",
        "kind",
        "sale_id",
        "note",
        "location_id",
        "unit_cost",
        "value",
        "reason",
        "document_id",
        "terminal",
        "user_id",
    ),
    "stock_document": (
        "id",
        "kind",
        "number",
        "at",
        "posted_at",
        "terminal",
        "user_id",
        "location_id",
        "other_location_id",
        "supplier_id",
        "supplier_doc",
        "due_date",
        "refers_to_id",
        "reason",
        "note",
        "data",
    ),
    "stock_document_line": (
        "id",
        "document_id",
        "line_no",
        "product_id",
        "qty",
        "unit_cost",
        "discount",
        "net",
        "kdv_rate",
        "kdv",
        "refers_to_id",
    ),
    "points_entry": (
        "id",
        "member_id",
        "at",
        "kind",
        "points",
        "lot_id",
        "sale_id",
        "available_from",
        "expires_on",
        "reason",
        "actor_id",
    ),
    "sale_loyalty": ("sale_id", "member_id", "rules_id", "tier_code", "base", "points", "bonus", "data"),
    "account_entry": (
        "id",
        "number",
        "party_id",
        "kind",
        "at",
        "posted_at",
        "due",
        "amount",
        "currency",
        "method",
        "document",
        "sale_id",
        "stock_document_id",
        "terminal",
        "user_id",
        "shift_id",
    ),
    "shift": (
        "id",
        "terminal",
        "opened_by_id",
        "opened_at",
        "opening_float",
        "closed_by_id",
        "closed_at",
        "counted_cash",
        "expected_cash",
        "variance",
    ),
    "count_session": (
        "id",
        "name",
        "status",
        "blind",
        "location_id",
        "scope",
        "opened_at",
        "opened_by_id",
        "closed_at",
        "closed_by_id",
        "document_id",
        "note",
    ),
    "count_line": ("session_id", "product_id", "expected", "at"),
    "count_event": ("uid", "session_id", "product_id", "qty", "zone", "user_id", "terminal", "at"),
}


class Sink:
    """Rows per table, flushed with ``executemany`` in chunks inside the open transaction."""

    CHUNK = 50_000

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        self.rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        rows = self.rows[table]
        rows.append(row)
        if len(rows) >= self.CHUNK:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.rows):
            rows = self.rows[name]
            if not rows:
                continue
            cols = COLUMNS[name]
            quoted = ", ".join(f'"{c}"' for c in cols)
            self.con.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({", ".join("?" * len(cols))})', rows)
            self.counts[name] += len(rows)
            rows.clear()


@dataclass(slots=True)
class Item:
    id: int
    code: str
    barcode: str | None
    name: str
    unit: str
    price0: int  # kuruş, KDV included, at the start
    cost0: int  # kuruş per unit excluding KDV, at the start
    kdv: int
    category: int
    supplier: int
    weight: float
    daily: float = 0.0  # expected milli-units sold per day, whole shop


@dataclass(slots=True)
class SoldLine:
    id: int
    line_no: int
    item: Item
    qty: int
    unit_price: int
    discount: int
    total: int


@dataclass(slots=True)
class SoldDoc:
    id: int
    day: date
    terminal: str
    lines: list[SoldLine]
    method: str
    member: int | None
    total: int
    lot: int | None  # the earn entry
    earned: int


# --------------------------------------------------------------------------- the build


def build_shop(path: Path, size: ShopSize) -> dict[str, Any]:
    """Write the shop into the new file ``path`` (module docstring); its facts."""
    from pos_tui.core import staff
    from pos_tui.core.loyalty import rules
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database
    from pos_tui.store.outbox import CAPTURED, sqlite_capture_sql

    rnd = random.Random(size.seed)
    start = datetime.combine(size.first_day - timedelta(days=2), datetime.min.time()).replace(hour=9)  # local
    made = (start - UTC_OFFSET).replace(tzinfo=UTC)
    open_database(path)
    settings = load_settings({"POS_DB": str(path), "POS_HOME": str(path.parent)})
    for name, role in ((ADMIN, "admin"), (SUPERVISOR, "supervisor"), *((c, "cashier") for c in CASHIERS)):
        staff.add_user(name, role, PINS[name], now=made, settings=settings)
    program = (Path(__file__).resolve().parent.parent / "config" / "loyalty.toml").read_text(encoding="utf-8")
    rules_id = rules.apply_rules(program, source="loyalty.toml", now=made).id
    close_database()

    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-200000")
    users = dict(con.execute('SELECT name, id FROM "user"'))
    for table in CAPTURED:  # a terminal's outbox capture: nothing to send here, and it doubles the writes
        con.execute(f"DROP TRIGGER IF EXISTS sync_capture_{table}")
    con.execute("BEGIN")
    sink = Sink(con)
    ids = Ids()
    built = _Builder(size, rnd, con, sink, ids, users, int(rules_id), start)
    built.master_data()
    for n in range(size.days):
        built.day(size.first_day + timedelta(days=n))
        if n % 30 == 29:
            sink.flush()
    built.finish()
    sink.flush()
    con.execute("COMMIT")
    for statement in sqlite_capture_sql():
        con.execute(statement)
    # no ANALYZE: nothing in pos_tui runs it, so a shop's SQLite plans without statistics, and the
    # benchmark must plan the same way (with them, some report queries got other plans)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return {
        "size": {**asdict(size), "first_day": size.first_day.isoformat(), "last_day": size.last_day.isoformat()},
        "schema_version": _schema_version(),
        "generator_version": GENERATOR_VERSION,
        "tz": TZ,
        "now": shop_now(size).isoformat(),
        "users": {name: {"role": role, "pin": PINS[name]} for name, role in built.roles.items()},
        "written": dict(sorted(sink.counts.items())),
        "stores": {"S1": ["T1", "T2"], "S2": ["T3"]},
    }


class _Builder:
    """The simulation, day by day (see the module docstring)."""

    def __init__(
        self,
        size: ShopSize,
        rnd: random.Random,
        con: sqlite3.Connection,
        sink: Sink,
        ids: Ids,
        users: dict[str, int],
        rules_id: int,
        start: datetime,
    ) -> None:
        from pos_tui.core.kernel import costing

        self.size, self.rnd, self.con, self.sink, self.ids = size, rnd, con, sink, ids
        self.users, self.rules_id, self.start = users, rules_id, start
        self.costing = costing
        self.roles = {ADMIN: "admin", SUPERVISOR: "supervisor", **dict.fromkeys(CASHIERS, "cashier")}
        self.cashiers = [users[c] for c in CASHIERS]
        self.admin, self.supervisor = users[ADMIN], users[SUPERVISOR]
        self.state: dict[int, Any] = {}  # product id -> CostState
        self.level: dict[tuple[int, int], int] = defaultdict(int)  # (product, location) -> milli-units
        self.receipt_no: dict[str, int] = defaultdict(int)
        self.doc_number: dict[str, int] = defaultdict(int)
        self.entry_number = 0
        self.recent: deque[SoldDoc] = deque()
        self.returned: set[int] = set()
        self.lots: dict[int, list[list[Any]]] = defaultdict(list)  # member -> [[lot id, left, from, until]]
        self.balances: dict[int, int] = defaultdict(int)  # party id -> balance (kuruş)
        self.last_price: dict[tuple[int, int], tuple[int, str, int]] = {}  # (supplier, product) -> price row
        self.member_created: list[datetime] = []
        self.per_day = self._receipts_per_day()

    # ------------------------------------------------------------------ master data

    def master_data(self) -> None:
        con, rnd, size = self.con, self.rnd, self.size
        made = stored(self.start)
        con.execute("INSERT INTO store (code, name, created_at) VALUES ('S2', 'Şube', ?)", (made,))
        con.execute(
            "INSERT INTO stock_location (code, name, is_default, active, created_at, store) "
            "VALUES ('SUBE', 'Şube', 0, 1, ?, 'S2')",
            (made,),
        )
        self.locations = dict(con.execute("SELECT code, id FROM stock_location"))
        con.execute("INSERT INTO terminal_location (terminal, location_id) VALUES ('T3', ?)", (self.locations["SUBE"],))
        self.location_of = {
            "T1": self.locations["MAGAZA"],
            "T2": self.locations["MAGAZA"],
            "T3": self.locations["SUBE"],
        }
        con.executemany(
            "INSERT INTO category (id, name) VALUES (?, ?)",
            [(i + 1, name) for i, (name, _rate) in enumerate(CATEGORIES)],
        )
        suppliers = []
        self.supplier_terms: dict[int, int] = {}
        for i in range(size.suppliers):
            name = f"{SUPPLIER_WORDS[i % len(SUPPLIER_WORDS)]} {SUPPLIER_KINDS[i % 3]}"
            if i >= len(SUPPLIER_WORDS):
                name += f" {i // len(SUPPLIER_WORDS) + 1}"
            suppliers.append((i + 1, f"TED-{i + 1:03d}", name, f"{1000000000 + i * 7919}", made))
            self.supplier_terms[i + 1] = (30, 45, 60)[i % 3]
        con.executemany("INSERT INTO supplier (id, code, name, vkn, created_at) VALUES (?, ?, ?, ?, ?)", suppliers)
        # the products: a category's suppliers are two or three of the thirty
        cat_suppliers = {
            c + 1: rnd.sample(range(1, size.suppliers + 1), min(3, size.suppliers)) for c in range(len(CATEGORIES))
        }
        self.items: list[Item] = []
        ranks = list(range(size.products))
        rnd.shuffle(ranks)
        rows = []
        barcodes = []
        for i in range(size.products):
            cat = rnd.randrange(len(CATEGORIES)) + 1
            kdv = CATEGORIES[cat - 1][1]
            weighed = rnd.random() < 0.03
            name = " ".join(
                p
                for p in (
                    rnd.choice(PLACES),
                    rnd.choice(BRANDS),
                    rnd.choice(NOUNS),
                    rnd.choice(VARIANTS),
                    "" if weighed else rnd.choice(SIZES),
                )
                if p
            )
            name = f"{name} {i + 1}"  # unique names read better in a report
            price = int(rnd.lognormvariate(3.6, 0.8) * 100) // 25 * 25 + 25  # ~40 TL median
            price = min(price, 2_000_000)
            margin = rnd.uniform(0.65, 0.85)
            cost = max(1, _div(price * 100 * int(margin * 1000), (100 + kdv) * 1000))
            code = str(10000 + i)
            barcode = None if weighed else ean13(i)
            item = Item(
                i + 1,
                code,
                barcode,
                name,
                "kg" if weighed else "piece",
                price,
                cost,
                kdv,
                cat,
                rnd.choice(cat_suppliers[cat]),
                1.0 / (ranks[i] + 1) ** 0.9,
            )
            self.items.append(item)
            rows.append(
                (item.id, code, name, _search_key(name), item.unit, price, cost, kdv, cat, item.supplier, 0, 0, 1, made)
            )
            if barcode:
                barcodes.append((barcode, item.id))
        con.executemany(
            "INSERT INTO product (id, code, name, name_key, unit, price, cost, kdv_rate, category_id, supplier_id,"
            " min_stock, stock, active, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        con.executemany("INSERT INTO barcode (code, product_id) VALUES (?, ?)", barcodes)
        total_weight = sum(it.weight for it in self.items)
        self.cum_weights = list(_accumulate(it.weight for it in self.items))
        per_day = size.receipts / size.days * 3.5
        for it in self.items:
            it.daily = per_day * it.weight / total_weight * (1325 if it.unit == "kg" else 1540)  # mean quantities
        self.costs = {it.id: self.costing.CostState() for it in self.items}
        self.by_supplier: dict[int, list[Item]] = defaultdict(list)
        for it in self.items:
            self.by_supplier[it.supplier].append(it)
        # account customers and the suppliers' accounts
        customers: list[tuple[Any, ...]] = []
        parties: list[tuple[Any, ...]] = []
        self.customer_party: dict[int, int] = {}
        for c in range(size.customers):
            name = f"{rnd.choice(LAST_NAMES)} {('Lokanta', 'Kafe', 'Otel', 'Kırtasiye', 'İnşaat')[c % 5]} {c + 1}"
            customers.append((c + 1, f"CARI-{c + 1:03d}", name, _fold(name), "wholesale", made))
            parties.append(
                (
                    c + 1,
                    f"CARI-{c + 1:03d}",
                    name,
                    _search_key(name),
                    "customer",
                    30,
                    5_000_000,
                    c + 1,
                    None,
                    made,
                    made,
                )
            )
            self.customer_party[c + 1] = c + 1
        self.supplier_party: dict[int, int] = {}
        for s in range(1, size.suppliers + 1):
            pid = size.customers + s
            name = suppliers[s - 1][2]
            parties.append(
                (
                    pid,
                    f"TED-{s:03d}",
                    name,
                    _search_key(name),
                    "supplier",
                    self.supplier_terms[s],
                    0,
                    None,
                    s,
                    made,
                    made,
                )
            )
            self.supplier_party[s] = pid
        con.executemany(
            "INSERT INTO customer (id, code, name, name_key, kind, created_at) VALUES (?, ?, ?, ?, ?, ?)", customers
        )
        con.executemany(
            "INSERT INTO party (id, code, name, name_key, kind, terms_days, credit_limit, customer_id, supplier_id,"
            " currency, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'TRY', 1, ?, ?)",
            parties,
        )
        # members join from a year before the first day to the last day
        members = []
        span = (size.days + 365) * 86400
        first = self.start - timedelta(days=365)
        joined = sorted(first + timedelta(seconds=rnd.randrange(span)) for _ in range(size.members))
        for n, at in enumerate(joined, start=1):
            name = f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}"
            members.append((n, f"2{n:012d}", f"+905{300000000 + n:09d}", name, stored(at), _fold(name), "barcode"))
            self.member_created.append(at)
        con.executemany(
            "INSERT INTO member (id, card, phone, name, created_at, name_key, card_kind) VALUES (?, ?, ?, ?, ?, ?, ?)",
            members,
        )
        # the opening stock: a receipt from each supplier into each location, two days before the first day
        for supplier in sorted(self.by_supplier):
            for loc, share in ((self.locations["MAGAZA"], 0.75), (self.locations["SUBE"], 0.25)):
                self._receipt(supplier, loc, self.start, share, days=21, everything=True, month=0)

    def _receipts_per_day(self) -> list[int]:
        size = self.size
        weights = []
        for n in range(size.days):
            d = size.first_day + timedelta(days=n)
            weights.append(WEEKDAY_WEIGHT[d.weekday()] * MONTH_WEIGHT[d.month - 1])
        total = sum(weights)
        exact = [size.receipts * w / total for w in weights]
        counts = [int(x) for x in exact]
        order = sorted(range(size.days), key=lambda i: exact[i] - counts[i], reverse=True)
        for i in order[: size.receipts - sum(counts)]:
            counts[i] += 1
        return counts

    # ------------------------------------------------------------------ prices and stock

    def month(self, d: date) -> int:
        return (d.year - self.size.first_day.year) * 12 + d.month - self.size.first_day.month

    def price(self, it: Item, month: int) -> int:
        return max(25, int(it.price0 * (1 + INFLATION) ** month) // 25 * 25)

    def cost(self, it: Item, month: int) -> int:
        return max(1, round(it.cost0 * (1 + INFLATION) ** month))

    def move(
        self,
        it: Item,
        loc: int,
        qty: int,
        amount: int | None = None,
    ) -> tuple[int, int]:
        """Post a movement to the costing state: its ``(unit_cost, value)``."""
        step = self.costing.move(self.costs[it.id], qty, amount)
        self.costs[it.id] = step.state
        self.level[(it.id, loc)] += qty
        return step.unit_cost, step.value

    def _doc(
        self,
        kind: str,
        at: datetime,
        terminal: str,
        user: int,
        loc: int,
        *,
        supplier: int | None = None,
        supplier_doc: str | None = None,
        due: date | None = None,
        reason: str | None = None,
        note: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> int:
        self.doc_number[kind] += 1
        doc = self.ids("stock_document")
        self.sink.add(
            "stock_document",
            (
                doc,
                kind,
                self.doc_number[kind],
                stored(at),
                stored(at),
                terminal,
                user,
                loc,
                None,
                supplier,
                supplier_doc,
                due.isoformat() if due else None,
                None,
                reason,
                note,
                json.dumps(data or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            ),
        )
        return doc

    def _entry(
        self,
        party: int,
        kind: str,
        at: datetime,
        amount: int,
        *,
        due: date | None = None,
        method: str | None = None,
        document: str | None = None,
        sale: int | None = None,
        stock_document: int | None = None,
        terminal: str = "T1",
        user: int | None = None,
        shift: int | None = None,
    ) -> None:
        self.entry_number += 1
        self.balances[party] += amount
        self.sink.add(
            "account_entry",
            (
                self.ids("account_entry"),
                self.entry_number,
                party,
                kind,
                stored(at),
                stored(at),
                due.isoformat() if due else None,
                amount,
                "TRY",
                method,
                document,
                sale,
                stock_document,
                terminal,
                user or self.admin,
                shift,
            ),
        )

    def _receipt(
        self, supplier: int, loc: int, at: datetime, share: float, *, days: int, everything: bool, month: int
    ) -> None:
        """A goods receipt from ``supplier`` into ``loc`` restocking ``days`` of its products' sales
        (only those under a week's worth, unless ``everything``)."""
        lines = []
        for it in self.by_supplier[supplier]:
            want = it.daily * share
            have = self.level[(it.id, loc)]
            if not everything and have > want * 9:
                continue
            qty = int(want * days - have)
            qty = max(qty, 1000 if it.unit == "piece" else 500)
            qty = -(-qty // 1000) * 1000 if it.unit == "piece" else qty // 10 * 10
            lines.append((it, qty))
        if not lines:
            return
        terminal = "T3" if loc == self.locations["SUBE"] else "T1"
        self.doc_number["irs"] += 1
        supplier_doc = f"IRS-{self.doc_number['irs']:06d}"
        due = at.date() + timedelta(days=self.supplier_terms[supplier])
        by_rate: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        priced = []
        for it, qty in lines:
            unit_cost = self.cost(it, month)
            net = self.costing.line_value(qty, unit_cost)
            kdv = _div(net * it.kdv, 100)
            by_rate[it.kdv][0] += net
            by_rate[it.kdv][1] += kdv
            priced.append((it, qty, unit_cost, net, kdv))
        net_total = sum(v[0] for v in by_rate.values())
        kdv_total = sum(v[1] for v in by_rate.values())
        money = _money
        data = {
            "kdv_included": False,
            "totals": [
                {"kdv_rate": r, "net": money(v[0]), "kdv": money(v[1]), "gross": money(v[0] + v[1])}
                for r, v in sorted(by_rate.items())
            ],
            "net": money(net_total),
            "kdv": money(kdv_total),
            "total": money(net_total + kdv_total),
            "payable": {
                "supplier": f"TED-{supplier:03d}",
                "document": supplier_doc,
                "date": at.date().isoformat(),
                "due": due.isoformat(),
                "amount": money(net_total + kdv_total),
            },
        }
        doc = self._doc(
            "receipt",
            at,
            terminal,
            self.supervisor,
            loc,
            supplier=supplier,
            supplier_doc=supplier_doc,
            due=due,
            data=data,
        )
        for n, (it, qty, unit_cost, net, kdv) in enumerate(priced, start=1):
            self.sink.add(
                "stock_document_line",
                (self.ids("stock_document_line"), doc, n, it.id, qty, unit_cost, 0, net, it.kdv, kdv, None),
            )
            cost, value = self.move(it, loc, qty, net)
            self.sink.add(
                "stock_movement",
                (it.id, stored(at), qty, "receipt", None, None, loc, cost, value, None, doc, terminal, self.supervisor),
            )
            self.last_price[(supplier, it.id)] = (unit_cost, stored(at), doc)
        self._entry(
            self.supplier_party[supplier],
            "receipt",
            at,
            -(net_total + kdv_total),
            due=due,
            document=supplier_doc,
            stock_document=doc,
            terminal=terminal,
            user=self.supervisor,
        )

    # ------------------------------------------------------------------ a day

    def day(self, d: date) -> None:
        rnd = self.rnd
        month = self.month(d)
        base = datetime.combine(d, datetime.min.time())
        # 06:30 deliveries: each supplier once a week (its weekday), to both stores
        for supplier in sorted(self.by_supplier):
            if supplier % 6 == d.weekday() % 6 and d.weekday() != 6:
                for loc, share in ((self.locations["MAGAZA"], 0.75), (self.locations["SUBE"], 0.25)):
                    self._receipt(
                        supplier, loc, base.replace(hour=6, minute=30), share, days=16, everything=False, month=month
                    )
        if d.day == 10:
            self._collections(base.replace(hour=10))
        if d.day == 15:
            self._payments(base.replace(hour=11))
        # shifts: two per terminal
        shifts: dict[tuple[str, int], list[Any]] = {}
        rota = d.toordinal()
        for t, terminal in enumerate(TERMINALS):
            for half, (opens, closes) in enumerate(((7, 15), (15, 22))):
                cashier = self.cashiers[(rota + 2 * t + half) % len(self.cashiers)]
                sid = self.ids("shift")
                shifts[(terminal, half)] = [
                    sid,
                    cashier,
                    base.replace(hour=opens, minute=50 if opens == 7 else 0),
                    base.replace(hour=closes, minute=5),
                    50_000,
                ]
        # the receipts, in time order
        n = self.per_day[(d - self.size.first_day).days]
        hours = list(HOUR_WEIGHT)
        cum = list(_accumulate(HOUR_WEIGHT.values()))
        times = sorted(
            base.replace(hour=rnd.choices(hours, cum_weights=cum)[0]) + timedelta(seconds=rnd.randrange(3600))
            for _ in range(n)
        )
        terminals = rnd.choices(TERMINALS, weights=TERMINAL_SHARE, k=n)
        for at, terminal in zip(times, terminals, strict=True):
            shift = shifts[(terminal, 0 if at.hour < 15 else 1)]
            if self.recent and rnd.random() < RETURN_SHARE:
                self._return(at, terminal, shift, d)
            self._sale(at, terminal, shift, d, month)
        for shift_row in shifts.values():
            sid, cashier, opened, closed, expected = shift_row
            variance = 0 if rnd.random() < 0.8 else rnd.choice((-500, -100, -50, 50, 100))
            self.sink.add(
                "shift",
                (
                    sid,
                    _terminal_of(shifts, shift_row),
                    cashier,
                    stored(opened),
                    50_000,
                    cashier,
                    stored(closed),
                    expected + variance,
                    expected,
                    variance,
                ),
            )
        # 22:30 waste and damage, 22:45 the month's count
        if rnd.random() < 0.35:
            self._adjustment(base.replace(hour=22, minute=30))
        if d.day == 28 or (d == self.size.last_day and d.day < 28):
            self._count(base.replace(hour=22, minute=45), month)
        while self.recent and (d - self.recent[0].day).days > 14:
            self.returned.discard(self.recent.popleft().id)

    def _sale(self, at: datetime, terminal: str, shift: list[Any], d: date, month: int) -> None:
        rnd = self.rnd
        sid = self.ids("sale")
        loc = self.location_of[terminal]
        cashier = shift[1]
        lines: list[SoldLine] = []
        picked = rnd.choices(self.items, cum_weights=self.cum_weights, k=rnd.choices(LINES, LINES_WEIGHT)[0])
        member = None
        if rnd.random() < MEMBER_SHARE:
            known = bisect.bisect_right(self.member_created, at)
            if known:
                member = min(known, 1 + int(known * rnd.random() ** 1.5))  # the older members come more
        benefits = []
        seen: set[int] = set()
        for it in picked:
            if it.id in seen:
                continue
            seen.add(it.id)
            if it.unit == "kg":
                qty = rnd.randrange(150, 2500, 5)
            else:
                qty = 1000 * rnd.choices((1, 2, 3, 4, 6), (70, 18, 6, 3, 3))[0]
            unit_price = self.price(it, month)
            amount = self.costing.line_value(qty, unit_price)
            discount = 0
            if rnd.random() < DISCOUNT_SHARE:
                discount = amount * rnd.choice((5, 10, 15, 20)) // 100
            n = len(lines) + 1
            lines.append(SoldLine(self.ids("sale_line"), n, it, qty, unit_price, discount, amount - discount))
            if discount and member is not None and rnd.random() < 0.5:
                benefits.append((sid, n, "promotion", f"KAMPANYA-{it.category:02d}", "Üye kampanyası", discount, 0))
        total = sum(ln.total for ln in lines)
        discount = sum(ln.discount for ln in lines)
        # payments
        payments: list[tuple[Any, ...]] = []
        points_paid = 0
        lots = self.lots.get(member or 0)
        if member is not None and lots and rnd.random() < 0.15:
            available = sum(lot[1] for lot in lots if lot[2] <= d and lot[3] >= d)
            points_paid = min(available, total // 2 // 100)
            if points_paid >= 10:
                payments.append((sid, "points", points_paid * 100, None, None, None))
            else:
                points_paid = 0
        rest = total - points_paid * 100
        customer = None
        r = rnd.random()
        if points_paid == 0 and r < 0.01 and self.size.customers:
            customer = rnd.randrange(self.size.customers) + 1
            payments.append((sid, "on_account", rest, None, None, None))
            method = "on_account"
        elif r < 0.5:
            payments.append(self._cash(sid, rest))
            method = "cash"
        elif r < 0.95 or rest < 2000:
            payments.append((sid, "card", rest, None, None, f"{terminal}-{sid:07d}"))
            method = "card"
        else:
            cash_part = min(rest - 100, rnd.randrange(1, max(2, rest // 10000) + 1) * 5000)
            payments.append(self._cash(sid, cash_part))
            payments.append((sid, "card", rest - cash_part, None, None, f"{terminal}-{sid:07d}"))
            method = "split"
        for p in payments:
            if p[1] == "cash":
                shift[4] += p[2]
        self.receipt_no[terminal] += 1
        uid = f"{self.rnd.getrandbits(128):032x}"
        self.sink.add(
            "sale",
            (
                sid,
                uid,
                "sale",
                terminal,
                self.receipt_no[terminal],
                stored(at),
                cashier,
                customer,
                shift[0],
                None,
                total + discount,
                discount,
                total,
                "till",
                None,
                member,
            ),
        )
        self._write_lines(sid, lines, None)
        for p in payments:
            self.sink.add("payment", p)
        for b in benefits:
            self.sink.add("sale_benefit", b)
        self._kdv(sid, [(ln.item.kdv, ln.total) for ln in lines])
        stamp = stored(at)
        for ln in lines:
            cost, value = self.move(ln.item, loc, -ln.qty)
            self.sink.add(
                "stock_movement",
                (ln.item.id, stamp, -ln.qty, "sale", sid, None, loc, cost, value, None, None, terminal, cashier),
            )
        if customer is not None:
            self._entry(
                self.customer_party[customer],
                "sale",
                at,
                rest,
                due=d + timedelta(days=30),
                document=f"sale:{uid}",
                sale=sid,
                terminal=terminal,
                user=cashier,
                shift=shift[0],
            )
        lot, earned = None, 0
        if member is not None:
            if points_paid:
                self._redeem(member, points_paid, at, sid, d)
            earned = rest // 10000  # earning.percent = 1: 1 point per 100 TRY paid otherwise than in points
            if earned:
                lot = self.ids("points_entry")
                available = d + timedelta(days=15)
                until = available + timedelta(days=365)
                self.sink.add(
                    "points_entry",
                    (
                        lot,
                        member,
                        stamp,
                        "earn",
                        earned,
                        None,
                        sid,
                        available.isoformat(),
                        until.isoformat(),
                        None,
                        None,
                    ),
                )
                self.lots[member].append([lot, earned, available, until])
            self.sink.add(
                "sale_loyalty",
                (
                    sid,
                    member,
                    self.rules_id,
                    None,
                    rest,
                    earned,
                    0,
                    json.dumps({"points": earned, "base": _money(rest)}, sort_keys=True),
                ),
            )
        if points_paid == 0 and customer is None:
            self.recent.append(SoldDoc(sid, d, terminal, lines, method, member, total, lot, earned))

    def _cash(self, sid: int, amount: int) -> tuple[Any, ...]:
        rnd = self.rnd
        r = rnd.random()
        if r < 0.3:
            tendered = amount
        else:
            note = 1000 if r < 0.55 else 5000 if r < 0.8 else 10000 if r < 0.93 else 20000
            tendered = -(-amount // note) * note
        return (sid, "cash", amount, tendered, tendered - amount, None)

    def _redeem(self, member: int, points: int, at: datetime, sid: int, d: date) -> None:
        lots = sorted(
            (lot for lot in self.lots[member] if lot[1] > 0 and lot[2] <= d and lot[3] >= d),
            key=lambda lot: (lot[3], lot[2], lot[0]),
        )
        for lot in lots:
            take = min(points, lot[1])
            if take <= 0:
                break
            lot[1] -= take
            points -= take
            self.sink.add(
                "points_entry",
                (self.ids("points_entry"), member, stored(at), "redeem", -take, lot[0], sid, None, None, None, None),
            )
        self.lots[member] = [lot for lot in self.lots[member] if lot[1] > 0 and lot[3] >= d]

    def _write_lines(self, sid: int, lines: list[SoldLine], origins: list[int] | None) -> None:
        for i, ln in enumerate(lines):
            it = ln.item
            self.sink.add(
                "sale_line",
                (
                    ln.id,
                    sid,
                    ln.line_no,
                    it.id,
                    it.code,
                    it.barcode,
                    it.name,
                    it.unit,
                    ln.qty,
                    ln.unit_price,
                    ln.unit_price,
                    ln.discount,
                    ln.total,
                    it.kdv,
                    split_kdv(ln.total, it.kdv)[1],
                    None if origins is None else origins[i],
                    None,
                ),
            )

    def _kdv(self, sid: int, totals: list[tuple[int, int]]) -> None:
        by_rate: dict[int, int] = defaultdict(int)
        for rate, amount in totals:
            by_rate[rate] += amount
        for rate, amount in sorted(by_rate.items()):
            self.sink.add("sale_kdv", (sid, rate, *split_kdv(amount, rate)))

    def _return(self, at: datetime, terminal: str, shift: list[Any], d: date) -> None:
        rnd = self.rnd
        for _try in range(5):
            original = self.recent[rnd.randrange(len(self.recent))]
            if original.id not in self.returned and original.day < d:
                break
        else:
            return
        self.returned.add(original.id)
        sid = self.ids("sale")
        loc = self.location_of[terminal]
        cashier = shift[1]
        chosen = [ln for ln in original.lines if rnd.random() < 0.6] or [original.lines[0]]
        lines, origins = [], []
        for n, ln in enumerate(chosen, start=1):
            qty = ln.qty
            if ln.item.unit == "piece" and qty > 1000 and rnd.random() < 0.5:
                qty = 1000 * rnd.randrange(1, qty // 1000)
            total = ln.total if qty == ln.qty else _div(ln.total * qty, ln.qty)
            discount = ln.discount if qty == ln.qty else _div(ln.discount * qty, ln.qty)
            lines.append(SoldLine(self.ids("sale_line"), n, ln.item, qty, ln.unit_price, discount, total))
            origins.append(ln.id)
        total = sum(ln.total for ln in lines)
        discount = sum(ln.discount for ln in lines)
        self.receipt_no[terminal] += 1
        uid = f"{self.rnd.getrandbits(128):032x}"
        self.sink.add(
            "sale",
            (
                sid,
                uid,
                "return",
                terminal,
                self.receipt_no[terminal],
                stored(at),
                cashier,
                None,
                shift[0],
                original.id,
                total + discount,
                discount,
                total,
                "till",
                None,
                original.member,
            ),
        )
        self._write_lines(sid, lines, origins)
        if original.method == "card":
            self.sink.add("payment", (sid, "card", total, None, None, f"{terminal}-{sid:07d}"))
        else:
            self.sink.add("payment", (sid, "cash", total, None, None, None))
            shift[4] -= total
        self._kdv(sid, [(ln.item.kdv, ln.total) for ln in lines])
        stamp = stored(at)
        for ln in lines:
            cost, value = self.move(ln.item, loc, ln.qty)
            self.sink.add(
                "stock_movement",
                (ln.item.id, stamp, ln.qty, "return", sid, None, loc, cost, value, None, None, terminal, cashier),
            )
        if original.member is not None and original.lot is not None:
            claw = min(original.earned, original.earned * total // original.total)
            lot = next((lot for lot in self.lots[original.member] if lot[0] == original.lot), None)
            if lot is not None:
                claw = min(claw, lot[1])
                lot[1] -= claw
            if claw > 0:
                self.sink.add(
                    "points_entry",
                    (
                        self.ids("points_entry"),
                        original.member,
                        stamp,
                        "clawback",
                        -claw,
                        original.lot,
                        sid,
                        None,
                        None,
                        None,
                        None,
                    ),
                )

    def _adjustment(self, at: datetime) -> None:
        rnd = self.rnd
        loc = self.locations["MAGAZA"] if rnd.random() < 0.75 else self.locations["SUBE"]
        terminal = "T3" if loc == self.locations["SUBE"] else "T1"
        reason = rnd.choices(("waste", "damage", "loss", "internal"), (50, 25, 15, 10))[0]
        picked = {it.id: it for it in rnd.choices(self.items, cum_weights=self.cum_weights, k=rnd.randint(1, 3))}
        doc = self._doc("adjustment", at, terminal, self.supervisor, loc, reason=reason)
        for n, it in enumerate(picked.values(), start=1):
            qty = 1000 * rnd.randint(1, 3) if it.unit == "piece" else rnd.randrange(200, 2000, 10)
            cost, value = self.move(it, loc, -qty)
            self.sink.add(
                "stock_document_line", (self.ids("stock_document_line"), doc, n, it.id, qty, cost, 0, 0, 0, 0, None)
            )
            self.sink.add(
                "stock_movement",
                (
                    it.id,
                    stored(at),
                    -qty,
                    "adjust",
                    None,
                    None,
                    loc,
                    cost,
                    value,
                    reason,
                    doc,
                    terminal,
                    self.supervisor,
                ),
            )

    def _count(self, at: datetime, month: int) -> None:
        rnd = self.rnd
        loc = self.locations["MAGAZA"]
        category = month % len(CATEGORIES) + 1
        name = f"Sayım {at:%m.%Y} {CATEGORIES[category - 1][0]}"
        session = self.ids("count_session")
        counted_at = at - timedelta(minutes=30)
        lines = []
        for it in self.items:
            if it.category != category:
                continue
            expected = self.level[(it.id, loc)]
            counted = max(0, expected)
            r = rnd.random()
            if r < 0.2:
                counted = max(0, counted - (1000 * rnd.randint(1, 3) if it.unit == "piece" else rnd.randrange(50, 500)))
            elif r < 0.25:
                counted += 1000 if it.unit == "piece" else 100
            self.sink.add("count_line", (session, it.id, expected, stored(counted_at)))
            self.sink.add(
                "count_event",
                (f"cnt-{session}-{it.id}", session, it.id, counted, None, self.supervisor, "T1", stored(counted_at)),
            )
            if counted != expected:
                lines.append((it, counted - expected))
        doc = None
        if lines:
            doc = self._doc(
                "count",
                at,
                "T1",
                self.supervisor,
                loc,
                note=name,
                data={
                    "count": session,
                    "name": name,
                    "blind": False,
                    "uncounted": 0,
                    "counted": len(lines),
                    "zeroed": 0,
                    "override": None,
                },
            )
            for n, (it, diff) in enumerate(lines, start=1):
                cost, value = self.move(it, loc, diff)
                self.sink.add(
                    "stock_document_line",
                    (self.ids("stock_document_line"), doc, n, it.id, abs(diff), 0, 0, 0, 0, 0, None),
                )
                self.sink.add(
                    "stock_movement",
                    (it.id, stored(at), diff, "count", None, None, loc, cost, value, None, doc, "T1", self.supervisor),
                )
        scope = json.dumps({"categories": [CATEGORIES[category - 1][0]]}, ensure_ascii=False)
        self.sink.add(
            "count_session",
            (
                session,
                name,
                "posted",
                0,
                loc,
                scope,
                stored(at - timedelta(hours=1)),
                self.supervisor,
                stored(at),
                self.supervisor,
                doc,
                None,
            ),
        )

    def _collections(self, at: datetime) -> None:
        for customer, party in self.customer_party.items():
            owed = self.balances[party]
            if owed > 0 and self.rnd.random() < 0.85:
                paid = owed * self.rnd.choice((60, 80, 100)) // 100
                self._entry(
                    party,
                    "collection",
                    at,
                    -paid,
                    due=at.date(),
                    method=self.rnd.choice(("cash", "transfer")),
                    document=f"TAH-{at:%Y%m}-{customer:03d}",
                    user=self.admin,
                )

    def _payments(self, at: datetime) -> None:
        for supplier, party in self.supplier_party.items():
            owed = -self.balances[party]
            if owed > 0:
                paid = owed * self.rnd.choice((50, 70, 90)) // 100
                self._entry(
                    party,
                    "payment",
                    at,
                    paid,
                    due=at.date(),
                    method="transfer",
                    document=f"ODM-{at:%Y%m}-{supplier:03d}",
                    user=self.admin,
                )

    # ------------------------------------------------------------------ the end

    def finish(self) -> None:
        con = self.con
        self.sink.flush()
        con.executemany(
            "UPDATE product SET stock = ?, stock_value = ?, cost = ?, price = ? WHERE id = ?",
            [
                (
                    self.costs[it.id].qty,
                    self.costs[it.id].value,
                    self.costs[it.id].cost,
                    self.price(it, self.month(self.size.last_day)),
                    it.id,
                )
                for it in self.items
            ],
        )
        con.executemany(
            "INSERT INTO stock_level (product_id, location_id, qty) VALUES (?, ?, ?)",
            [(pid, loc, qty) for (pid, loc), qty in sorted(self.level.items())],
        )
        con.executemany(
            "INSERT INTO supplier_price (supplier_id, product_id, unit_cost, at, document_id) VALUES (?, ?, ?, ?, ?)",
            [(s, p, *row) for (s, p), row in sorted(self.last_price.items())],
        )
        counters = [(terminal, "receipt", n) for terminal, n in self.receipt_no.items()]
        counters += [("stock", f"stock_{kind}", n) for kind, n in self.doc_number.items() if kind != "irs"]
        counters.append(("accounts", "account_entry", self.entry_number))
        con.executemany(
            "INSERT INTO counter (scope, name, value) VALUES (?, ?, ?) "
            "ON CONFLICT (scope, name) DO UPDATE SET value = excluded.value",
            counters,
        )


def _terminal_of(shifts: dict[tuple[str, int], list[Any]], row: list[Any]) -> str:
    return next(key[0] for key, value in shifts.items() if value is row)


def _accumulate(values: Any) -> list[float]:
    out, total = [], 0.0
    for v in values:
        total += v
        out.append(total)
    return out


def _money(kurus: int) -> str:
    sign = "-" if kurus < 0 else ""
    return f"{sign}{abs(kurus) // 100}.{abs(kurus) % 100:02d}"


# --------------------------------------------------------------------------- checks


def check_shop(path: Path) -> dict[str, Any]:
    """Row counts, and the documents that break a rule the till keeps (each count must be 0)."""
    con = sqlite3.connect(path)
    tables = (
        "sale",
        "sale_line",
        "payment",
        "sale_kdv",
        "sale_benefit",
        "stock_movement",
        "stock_document",
        "stock_document_line",
        "points_entry",
        "sale_loyalty",
        "account_entry",
        "shift",
        "member",
        "product",
        "category",
        "supplier",
        "party",
        "count_session",
        "count_event",
        "stock_level",
        "user",
    )
    rows = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    rows["returns"] = con.execute("SELECT count(*) FROM sale WHERE kind = 'return'").fetchone()[0]
    rows["member_sales"] = con.execute(
        "SELECT count(*) FROM sale WHERE kind = 'sale' AND member_id IS NOT NULL"
    ).fetchone()[0]
    one = {
        "sale_total_is_not_its_lines": "SELECT count(*) FROM sale s JOIN (SELECT sale_id, sum(total) t, "
        "sum(discount) d FROM sale_line GROUP BY sale_id) l ON l.sale_id = s.id WHERE s.total != l.t "
        "OR s.discount != l.d OR s.subtotal != s.total + s.discount",
        "sale_without_lines": "SELECT count(*) FROM sale WHERE id NOT IN (SELECT sale_id FROM sale_line)",
        "kdv_rows_not_the_total": "SELECT count(*) FROM sale s JOIN (SELECT sale_id, sum(base + kdv) t FROM sale_kdv "
        "GROUP BY sale_id) k ON k.sale_id = s.id WHERE s.total != k.t",
        "payments_not_the_total": "SELECT count(*) FROM sale s JOIN (SELECT sale_id, sum(amount) t FROM payment "
        "GROUP BY sale_id) p ON p.sale_id = s.id WHERE s.total != p.t",
        "sale_without_payment": "SELECT count(*) FROM sale WHERE id NOT IN (SELECT sale_id FROM payment)",
        "line_kdv_wrong": "SELECT count(*) FROM sale_line WHERE kdv != total - round(total * 100.0 / (100 + kdv_rate))",
        "movements_not_the_lines": "SELECT count(*) FROM (SELECT l.sale_id, l.product_id, sum(l.qty) q "
        "FROM sale_line l GROUP BY l.sale_id, l.product_id) l LEFT JOIN (SELECT sale_id, product_id, sum(abs(qty)) q "
        "FROM stock_movement WHERE sale_id IS NOT NULL GROUP BY sale_id, product_id) m ON m.sale_id = l.sale_id AND "
        "m.product_id = l.product_id WHERE m.q IS NULL OR m.q != l.q",
        "stock_cache_not_the_movements": "SELECT count(*) FROM product p LEFT JOIN (SELECT product_id, sum(qty) q, "
        "sum(value) v FROM stock_movement GROUP BY product_id) m ON m.product_id = p.id "
        "WHERE p.stock != coalesce(m.q, 0) OR p.stock_value != coalesce(m.v, 0)",
        "levels_not_the_movements": "SELECT count(*) FROM stock_level s LEFT JOIN (SELECT product_id, location_id, "
        "sum(qty) q FROM stock_movement GROUP BY product_id, location_id) m ON m.product_id = s.product_id AND "
        "m.location_id = s.location_id WHERE s.qty != coalesce(m.q, 0)",
        "return_without_original": "SELECT count(*) FROM sale WHERE kind = 'return' AND (return_of_id IS NULL OR "
        "return_of_id >= id)",
        "return_line_without_origin": "SELECT count(*) FROM sale_line l JOIN sale s ON s.id = l.sale_id "
        "WHERE s.kind = 'return' AND l.origin_line_id IS NULL",
        "receipt_numbers_not_gapless": "SELECT count(*) FROM (SELECT terminal, count(*) n, max(receipt_no) m FROM sale "
        "GROUP BY terminal) WHERE n != m",
        "lot_overspent": "SELECT count(*) FROM points_entry e JOIN (SELECT lot_id, sum(points) p FROM points_entry "
        "WHERE lot_id IS NOT NULL GROUP BY lot_id) c ON c.lot_id = e.id WHERE e.points + c.p < 0",
        "points_payment_without_redeem": "SELECT count(*) FROM payment p WHERE p.method = 'points' AND p.amount != "
        "-100 * (SELECT coalesce(sum(points), 0) FROM points_entry e "
        "WHERE e.sale_id = p.sale_id AND e.kind = 'redeem')",
        "account_sale_not_the_payment": "SELECT count(*) FROM payment p WHERE p.method = 'on_account' AND p.amount != "
        "(SELECT coalesce(sum(amount), 0) FROM account_entry e WHERE e.sale_id = p.sale_id)",
    }
    violations = {name: con.execute(sql).fetchone()[0] for name, sql in one.items()}
    con.close()
    return {"rows": rows, "violations": violations}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--receipts", type=int, default=YEAR.receipts)
    parser.add_argument("--days", type=int, default=YEAR.days)
    parser.add_argument("--tiny", action="store_true", help="the tests' small shop (500 receipts, 31 days)")
    parser.add_argument("--rebuild", action="store_true", help="generate even when a cached file exists")
    args = parser.parse_args()
    size = tiny() if args.tiny else ShopSize(receipts=args.receipts, days=args.days)
    path, facts = ensure_shop(size, rebuild=args.rebuild)
    print(json.dumps({"path": str(path), **facts}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
