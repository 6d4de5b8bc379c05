"""Shared pieces of the benchmarks: a product catalogue generator, percentiles, JSON results.

Every benchmark measures our code and a baseline in the same run, on the same machine and
data, and writes ``benchmarks/results/NAME.json`` (gitignored) with the machine facts next
to the numbers. Timings come from :func:`time.perf_counter`; latencies are reported as
percentiles in milliseconds.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stdnum import ean

# Where results, generated CSVs and kept databases go; the smoke test points it at a temp dir.
RESULTS = Path(os.environ.get("POS_BENCH_RESULTS") or Path(__file__).resolve().parent / "results")
HEADER = [
    "code", "barcode", "name", "unit", "price", "cost", "kdv_rate", "category", "supplier", "min_stock",
    "stock",
]  # fmt: skip
# Bump when product_rows() changes, so a cached CSV of the old shape is never reused.
GENERATOR_VERSION = 2

BRANDS = [
    "Eti", "Ülker", "Pınar", "Sütaş", "Torku", "Doğuş", "Çaykur", "Tadım", "Dimes", "Şölen", "Bizim",
    "Öncü", "Tat", "Tukaş", "Yayla", "Duru", "Hacı Şakir", "Bingo", "Koska", "Tamek",
]  # fmt: skip
NOUNS = [
    "Çay", "Şeker", "Un", "Peynir", "Kaşar", "Zeytin", "Bisküvi", "Çikolata", "Makarna", "Süt",
    "Yoğurt", "Kolonya", "Gülü", "Lokum", "Pekmez", "Tahin", "Helva", "Sucuk", "Pirinç", "Bulgur",
    "Mercimek", "Ayran", "Şampuan", "Deterjan", "Sabun", "Kahve", "Reçel", "Bal", "Salça", "Turşu",
    "Kraker", "Gofret", "Nohut", "Fasulye", "Irmik", "Yufka", "Tereyağı", "Kefir", "Şalgam", "Börek",
]  # fmt: skip
VARIANTS = [
    "", "", "", "Klasik", "Organik", "Light", "Tam Yağlı", "Ekstra", "Doğal", "Köy", "Geleneksel",
    "Acılı", "Sade", "Fındıklı", "Kakaolu", "Çilekli", "Limonlu", "Ev Yapımı", "Yöresel", "İnce",
]  # fmt: skip
PLACES = [
    "Isparta", "Iğdır", "Ödemiş", "Çorum", "Şile", "Giresun", "Ezine", "Erzincan", "Kars", "Bursa",
    "İzmir", "Şanlıurfa", "Ünye", "Muğla", "Ağrı", "Düzce", "Çanakkale", "Gümüşhane", "Sinop",
    "Trabzon",
]  # fmt: skip
SIZES = [
    "100 g", "250 g", "500 g", "1 kg", "200 ml", "400 ml", "1 lt", "2 lt", "5 kg", "12'li", "6'lı",
    "750 g",
]  # fmt: skip
CATEGORIES = [
    "Gıda", "İçecek", "Temizlik", "Kozmetik", "Şarküteri", "Atıştırmalık", "Kahvaltılık", "Manav",
    "Kasap",
]  # fmt: skip
SUPPLIERS = ["", "", "", "Anadolu Gıda", "Ege Dağıtım", "Marmara Toptan", "Karadeniz Ticaret"]
WEIGHED_SHARE = 0.03  # loose goods sold by the kilogram (cheese, olives, nuts)


def ean13(n: int) -> str:
    """The ``n``-th benchmark barcode: a valid EAN-13 with the Turkish GS1 prefix 869."""
    body = f"869{n:09d}"
    return body + ean.calc_check_digit(body)


def product_code(n: int) -> str:
    """The ``n``-th benchmark product's code (PLU)."""
    return str(100000 + n)


def _decimal_comma(kurus: int) -> str:
    return f"{kurus // 100},{kurus % 100:02d}"


def product_rows(count: int, seed: int = 7) -> Iterator[list[str]]:
    """``count`` realistic Turkish products: unique codes, valid EAN-13 barcodes (product ``i``
    has :func:`ean13` ``(i)``), prices with a decimal comma, names with Turkish letters, a few
    weighed (``kg``) products. Deterministic for a given ``seed``."""
    rnd = random.Random(seed)
    choice, randint, rand = rnd.choice, rnd.randint, rnd.random
    for i in range(count):
        weighed = rand() < WEIGHED_SHARE
        variant = choice(VARIANTS)
        size = "" if weighed else choice(SIZES)
        name = " ".join(p for p in (choice(PLACES), choice(BRANDS), choice(NOUNS), variant, size) if p)
        kurus = randint(100, 500_000)
        yield [
            product_code(i),
            ean13(i),
            name,
            "kg" if weighed else "piece",
            _decimal_comma(kurus),
            _decimal_comma(kurus * 7 // 10),
            choice(["1", "1", "10", "20", "20"]),
            choice(CATEGORIES),
            choice(SUPPLIERS),
            "0",
            str(randint(0, 500)),
        ]


def write_products_csv(path: Path, count: int) -> Path:
    """Write (or reuse) a products CSV with ``count`` rows: ``;`` separated, decimal commas,
    UTF-8, the English header. A file of the right length is reused (a million rows take a
    while to generate)."""
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as f:
            if sum(1 for _ in f) == count + 1:
                return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(HEADER)
        w.writerows(product_rows(count))
    partial.replace(path)
    return path


def products_csv(count: int) -> Path:
    """The cached CSV of ``count`` generated products under ``results/``."""
    return write_products_csv(RESULTS / f"products_{count}_v{GENERATOR_VERSION}.csv", count)


def percentiles(samples_s: list[float]) -> dict[str, float]:
    """n, p50/p95/p99 (nearest rank), max and mean of ``samples_s`` (seconds), in milliseconds."""
    ms = sorted(s * 1000 for s in samples_s)

    def pct(p: float) -> float:
        rank = max(1, -(-len(ms) * p // 100))  # ceil(n·p/100)
        return round(ms[int(rank) - 1], 4)

    return {
        "n": len(ms),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": round(ms[-1], 4),
        "mean_ms": round(statistics.fmean(ms), 4),
    }


def sample(fn: Callable[[], Any], n: int, warmup: int = 20) -> dict[str, float]:
    """Call ``fn`` ``warmup`` times untimed, then ``n`` times timed; the percentiles."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return percentiles(out)


@contextmanager
def timer() -> Iterator[dict[str, float]]:
    """``with timer() as t: …`` then ``t["seconds"]`` is the wall time of the block."""
    box: dict[str, float] = {}
    t = time.perf_counter()
    yield box
    box["seconds"] = round(time.perf_counter() - t, 3)


def ratio(ours: float, baseline: float) -> float:
    return round(ours / baseline, 2) if baseline > 0 else float("inf")


def verdict(
    metric: str,
    unit: str,
    ours: float,
    *,
    baseline: float | None = None,
    baseline_name: str | None = None,
    max_value: float | None = None,
    max_ratio: float | None = None,
) -> dict[str, Any]:
    """One line of the side-by-side table: ours, the baseline, their ratio, the target, pass.

    A target is an absolute bound (``max_value``, in ``unit``), a bound on ours/baseline
    (``max_ratio``), or both (both must hold).
    """
    targets = []
    passed = True
    if max_value is not None:
        targets.append(f"< {max_value:g} {unit}")
        passed &= ours < max_value
    r = None if baseline is None else ratio(ours, baseline)
    if max_ratio is not None:
        targets.append(f"≤ {max_ratio:g}× baseline")
        passed &= r is not None and r <= max_ratio
    return {
        "metric": metric,
        "unit": unit,
        "ours": ours,
        "baseline": baseline,
        "baseline_name": baseline_name,
        "ratio": r,
        "target": " and ".join(targets) or None,
        "pass": passed if targets else None,
    }


def disk_read_mb() -> float:
    """Bytes this process has read from storage so far (not from the page cache), in MB."""
    with open("/proc/self/io", encoding="ascii") as f:
        for line in f:
            if line.startswith("read_bytes:"):
                return round(int(line.split()[1]) / 1e6, 1)
    return 0.0


def warm_file(path: Path) -> None:
    """Read ``path`` (and its WAL) once so it sits in the OS page cache, as the database of a
    till that has been running for a while does. (This VM's kernel pages cold memory out
    within minutes, which would otherwise turn some lookups into disk reads.)"""
    for f in path.parent.glob(path.name + "*"):
        with f.open("rb") as fh:
            while fh.read(1 << 22):
                pass


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _memory_gb() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            return round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        return None


def machine() -> dict[str, Any]:
    """The facts that make two runs comparable (or not)."""
    try:
        done = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True, check=True)
        shell = done.stdout.split()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        shell = None
    return {
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "python": platform.python_version(),
        "sqlite_module": sqlite3.sqlite_version,
        "sqlite3_shell": shell,
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def code_version() -> dict[str, Any]:
    """The commit measured, and the files under ``pos_tui/`` changed since it (figures of a
    dirty tree describe code that no commit holds)."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            return ""
        return done.stdout

    changed = [line[3:] for line in git("status", "--porcelain", "--", "pos_tui").splitlines() if line]
    return {"commit": git("rev-parse", "--short", "HEAD").strip() or None, "changed_since": changed}


def save(name: str, result: dict[str, Any], *, quiet: bool = False) -> Path:
    """Write ``results/NAME.json`` with the machine facts next to the numbers and print it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": name,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "code": code_version(),
        **result,
    }
    path = RESULTS / f"{name}.json"
    text = json.dumps(result, indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    if not quiet:
        print(text)
    return path
