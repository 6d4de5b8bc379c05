"""Fuzzing every importer (issue 10, section 4): products, customers, suppliers, sales and NPS
answers get hostile CSV, JSON and JSONL bytes (random bytes, huge numbers, deep nesting, lone
surrogates, control characters, bidi overrides, BOMs, mixed delimiters, long lines). Each must
either import cleanly or refuse the file with :class:`ImportRejected`/:class:`ValidationError`
and a message that can be printed; never another exception, never part of the file written.

Count files (stock counts) get their importer with issue 12; their fuzz test belongs there.
Bounded (a few dozen examples each, no deadline) so the suite stays fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_tui.core.catalog import ProductInput, upsert_products
from pos_tui.core.interchange import import_customers, import_products, import_sales, import_suppliers
from pos_tui.core.kernel import ImportRejected, ValidationError, to_db
from pos_tui.core.loyalty import nps
from pos_tui.settings import Settings
from pos_tui.store import models as m

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
# What a message shown on a terminal must never hold: controls other than the line break,
# bidi overrides, lone surrogates (they cannot even be written to stderr).
_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

NASTY = [
    "", " ", "\x00", "a\x00b", "\x1b[31mkırmızı", "\x07", "a\nb", "a\r\nb", "\u202egnp.exe", "\u2066x", "\x85",
    "\u2028", "\ufeff", "١٠", "１０", "٢٠", "9" * 25, "9" * 30, "-" * 3, "1e5", "1E+999999999", "NaN", "Infinity",
    "'=SUM(A1)", '"', '""', "a,b", "a;b", "a\tb", "|", "||", "12,50", "1.234,50", "-0", "0x10", "1_000", "²",
    "x" * 256, "x" * 5000, "kg", "evet", "%20", "20%", "0532 123 45 67", "+90", "ÇAY-01", "ğüşiöç",
]  # fmt: skip
SURROGATES = ["a\ud800b", "\udfff", "\ud83d"]


def _text(surrogates: bool) -> st.SearchStrategy[str]:
    pool = NASTY + (SURROGATES if surrogates else [])
    return st.one_of(
        st.sampled_from(pool),
        st.text(max_size=12),
        st.integers(-(10**40), 10**40).map(str),
        st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
        st.sampled_from([20, 64, 4301, 5000]).map(lambda n: "9" * n),
        st.sampled_from([131_073, 140_000]).map(lambda n: "x" * n),
    )


def _json_value(depth: int = 2) -> st.SearchStrategy[Any]:
    scalar = st.one_of(
        _text(surrogates=True),
        st.integers(-(10**80), 10**80),
        st.decimals(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.none(),
    )
    if depth == 0:
        return scalar
    inner = _json_value(depth - 1)
    return st.one_of(scalar, st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3))


def _json_dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, default=str)


RAW_JSON = st.one_of(
    st.sampled_from([10, 1000, 100_000]).map(lambda n: "[" * n),
    st.sampled_from([10, 1000, 100_000]).map(lambda n: '{"a":' * n),
    st.sampled_from(["NaN", "[NaN]", "[Infinity]", "[-Infinity]", "[1e999999999]", "[" + "9" * 5000 + "]"]),
    st.sampled_from(['["\\ud800"]', '[{"\\udc00": 1}]', "[{}]", "{}", "[]", "null", '"x"', "[1,", "\x00"]),
)


def _csv(columns: list[str], surrogates: bool = False) -> st.SearchStrategy[bytes]:
    """A CSV file: some real columns and some junk, hostile cells, any delimiter and line end."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        header = draw(st.lists(st.sampled_from([*columns, "x", "", "\x1bcode", "name\x00"]), min_size=1, max_size=6))
        delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
        newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        rows = draw(
            st.lists(
                st.lists(_text(surrogates), min_size=len(header) - 1, max_size=len(header) + 1), min_size=0, max_size=4
            )
        )

        def cell(text: str) -> str:
            quote = draw(st.booleans())
            return '"' + text.replace('"', '""') + '"' if quote else text

        text = newline.join(delimiter.join(cell(c) for c in row) for row in [header, *rows]) + newline
        bom = draw(st.sampled_from(["", "\ufeff", "\ufeff\ufeff"]))
        return (bom + text).encode("utf-8", "surrogatepass")

    return build()


def _records(columns: list[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(st.dictionaries(st.sampled_from([*columns, "x", "\x1b"]), _json_value(), max_size=6), max_size=4)


def _file(columns: list[str]) -> st.SearchStrategy[tuple[str, bytes]]:
    """(suffix, bytes) of a hostile import file in any of the three formats, or random bytes."""
    return st.one_of(
        st.tuples(st.just(".csv"), _csv(columns)),
        st.tuples(st.just(".json"), _records(columns).map(lambda r: _json_dump(r).encode())),
        st.tuples(st.just(".json"), RAW_JSON.map(str.encode)),
        st.tuples(
            st.just(".jsonl"),
            st.lists(st.one_of(_records(columns).map(_json_dump), RAW_JSON), max_size=4).map(
                lambda lines: "\n".join(lines).encode()
            ),
        ),
        st.tuples(st.sampled_from([".csv", ".json", ".jsonl"]), st.binary(max_size=300)),
        st.tuples(
            st.sampled_from([".csv", ".json", ".jsonl"]),
            st.binary(max_size=200).map(lambda b: b"\xef\xbb\xbf" + b),
        ),
    )


def _counts() -> tuple[int, ...]:
    tables = (m.Product, m.Barcode, m.StockMovement, m.Customer, m.Supplier, m.Member, m.Sale, m.NpsResponse)
    return (*(t.select().count() for t in tables), m.JournalEntry.select().count())


def _survives(run: Callable[[], object]) -> None:
    """``run`` imports cleanly, or refuses with a printable message and writes nothing."""
    before = _counts()
    try:
        run()
    except (ImportRejected, ValidationError) as exc:
        assert exc.message.strip()
        assert _UNPRINTABLE.search(exc.message) is None, repr(exc.message[:300])
        exc.message.encode("utf-8")
        assert _counts() == before
    else:
        after = _counts()
        assert all(a >= b for a, b in zip(after, before, strict=True))


def _write(tmp_path: Path, suffix: str, data: bytes) -> Path:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    return path


PRODUCT_COLUMNS = [
    "code", "barcode", "name", "unit", "price", "cost", "kdv_rate", "category", "supplier", "min_stock", "stock",
    "active", "fiyat", "stok",
]  # fmt: skip
PARTY_COLUMNS = ["code", "name", "kind", "phone", "email", "tax_id", "vkn", "tax_office", "address", "card", "member"]
PARTY_COLUMNS += ["consent_sms", "birth_date", "card_kind"]


@FUZZ
@given(file=_file(PRODUCT_COLUMNS))
def test_fuzz_import_products(
    file: tuple[str, bytes], db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    path = _write(tmp_path, *file)
    _survives(lambda: import_products(path, now=now, settings=settings))


@FUZZ
@given(file=_file(PARTY_COLUMNS))
def test_fuzz_import_customers(
    file: tuple[str, bytes], db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    path = _write(tmp_path, *file)
    _survives(lambda: import_customers(path, now=now, settings=settings))


@FUZZ
@given(file=_file(PARTY_COLUMNS))
def test_fuzz_import_suppliers(
    file: tuple[str, bytes], db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    path = _write(tmp_path, *file)
    _survives(lambda: import_suppliers(path, now=now, settings=settings))


NPS_COLUMNS = ["score", "member", "at", "receipt", "puan", "kart", "tarih"]


@FUZZ
@given(file=_file(NPS_COLUMNS))
def test_fuzz_import_nps(file: tuple[str, bytes], db: object, now: datetime, tmp_path: Path) -> None:
    path = _write(tmp_path, *file)
    _survives(lambda: nps.import_nps(path, now=now, tz="Europe/Istanbul"))


# --------------------------------------------------------------------------- sales


def _sale(uid: str) -> dict[str, Any]:
    return {
        "id": uid,
        "at": "2026-10-30T18:05:00+03:00",
        "terminal": "T9",
        "cashier": "ayse",
        "lines": [{"code": "1001", "qty": "2"}],
        "payments": [{"method": "cash", "amount": "20.00"}],
    }


_SALE_PATHS = [
    ("id",), ("at",), ("terminal",), ("cashier",), ("customer",), ("coupon",), ("note",), ("return_of",), ("lines",),
    ("payments",), ("extra",), ("lines", 0, "code"), ("lines", 0, "barcode"), ("lines", 0, "qty"),
    ("lines", 0, "weight"), ("lines", 0, "price"), ("lines", 0, "line_no"), ("lines", 0, "x"),
    ("payments", 0, "method"), ("payments", 0, "amount"), ("payments", 0, "reference"), ("payments", 0, "code"),
]  # fmt: skip


@st.composite
def _sale_line(draw: st.DrawFn) -> str:
    """A valid sale with one to three fields replaced by hostile values, or a raw hostile line."""
    if draw(st.integers(0, 5)) == 0:
        return draw(RAW_JSON)
    doc = _sale(draw(st.sampled_from(["web-1", "web-2", "web-3"])))
    for _n in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_SALE_PATHS))
        target: Any = doc
        for key in path[:-1]:  # an earlier replacement may have taken the container away
            ok = (isinstance(target, dict) and key in target) or (isinstance(target, list) and key < len(target))
            target = target[key] if ok else None
        if isinstance(target, dict):
            target[path[-1]] = draw(_json_value(1))
    return _json_dump(doc)


@pytest.fixture
def sales_shop(db: object, settings: Settings, now: datetime) -> None:
    m.User.create(name="ayse", role="cashier", pin_tag="tag-fuzz", pin_hash="not-a-real-hash", created_at=to_db(now))
    upsert_products(
        [ProductInput(code="1001", name="Ekmek", price=Decimal("10.00"), kdv_rate=1, stock=1_000_000_000)],
        now=now,
        kdv_rates=settings.kdv_rates,
    )


@FUZZ
@given(lines=st.lists(_sale_line(), min_size=1, max_size=4), bom=st.booleans())
def test_fuzz_import_sales(
    lines: list[str], bom: bool, sales_shop: None, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    path = _write(tmp_path, ".jsonl", ("\ufeff" if bom else "").encode() + "\n".join(lines).encode())
    _survives(lambda: import_sales(path, settings=settings, now=now))


@FUZZ
@given(data=st.binary(max_size=400))
def test_fuzz_import_sales_random_bytes(
    data: bytes, sales_shop: None, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    path = _write(tmp_path, ".jsonl", data)
    _survives(lambda: import_sales(path, settings=settings, now=now))
