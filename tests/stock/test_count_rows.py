"""The counting screen's list as it is drawn on every scan: laid out by hand (``_CountRows``)
exactly as the Rich table it replaced (cheaper to paint: benchmarks/bench_count_tui.py), only
the rows that fit, more rows when the terminal grows, and a pieces total kept up to date."""

from __future__ import annotations

import importlib.util
import re
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.table import Table
from textual.widgets import Static

from pos_tui.core.catalog import ProductInput, upsert_products
from pos_tui.core.stock import counting
from pos_tui.tui.screens.counting import CountingScreen, _CountRows


def _tui_fixtures() -> Any:
    """The TUI tests' shop, app and keyboard helpers (tests/tui/conftest.py), without copying
    them (loaded once under the name test_count_tui.py gives them)."""
    name = "tui_fixtures_for_count"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).parent.parent / "tui" / "conftest.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_tui = _tui_fixtures()
_quick_pins, shop, open_shift, make_app, till = _tui._quick_pins, _tui.shop, _tui.open_shift, _tui.make_app, _tui.till
Shop = _tui.Shop


def lines_text(pilot: Any) -> str:
    """The rows of the counted products' list as the terminal shows them (header first)."""
    region = pilot.app.screen.query_one("#count-lines", Static).region
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join(strips[y].text[region.x : region.right] for y in range(region.y, region.bottom)).rstrip()


def _rich_table(head: list[str], rows: list[list[str]]) -> Table:
    """What the counting screen drew before: the reference for the layout."""
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold", expand=True)
    table.add_column(head[0], no_wrap=True, width=14)
    table.add_column(head[1], no_wrap=True, ratio=1)
    for title in head[2:]:
        table.add_column(title, justify="right", no_wrap=True, width=12)
    for row in rows:
        table.add_row(*row)
    return table


def _cells(renderable: Any, width: int) -> list[list[tuple[str, bool]]]:
    """Every cell of every line: its character and whether it is bold."""
    console = Console(width=width, color_system=None, force_terminal=False)
    lines = console.render_lines(renderable, console.options.update_width(width), pad=True)
    return [
        [(ch, bool(seg.style and seg.style.bold)) for seg in Segment.simplify(line) for ch in seg.text]
        for line in lines
    ]


# what a cell holds: a code, a product's name (stored stripped), a formatted quantity
cell_text = st.text(alphabet="abcçdeğfgıhiİjklmnoöprsştuüvyzÇĞÖŞÜ0123456789 .,-×", max_size=70).map(str.strip)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(cell_text, cell_text, cell_text, cell_text), max_size=6),
    blind=st.booleans(),
    width=st.sampled_from([58, 78, 98, 138]),
)
def test_rows_are_drawn_exactly_as_the_rich_table(rows: list[tuple[str, ...]], blind: bool, width: int) -> None:
    head = ["Kod", "Ürün", "Sayılan"] + ([] if blind else ["Beklenen"])
    cells = [list(r[: len(head)]) for r in rows]
    assert _cells(_CountRows(head, cells), width) == _cells(_rich_table(head, cells), width)


def test_long_names_and_quantities_are_cut_with_an_ellipsis() -> None:
    name = "Gümüşhane Hacı Şakir Tereyağı Ev Yapımı Organik Fındıklı Kakaolu 750 g"
    text = "\n".join(
        "".join(ch for ch, _bold in line)
        for line in _cells(_CountRows(["Kod", "Ürün", "Sayılan"], [["123456789012345", name, "1.234.567,890"]]), 60)
    )
    assert " 1234567890123… " in text and "1.234.567,8…" in text
    assert " Gümüşhane Hacı Şakir Tereya…  " in text  # 60 columns leave the name 28


def _many_products(now: datetime, count: int) -> list[int]:
    from pos_tui.store import models as m

    rows = [
        ProductInput(
            code=f"T{i:03d}",
            barcodes=(),
            name=f"Deneme ürünü {i:03d}",
            unit="piece",
            price=Decimal("1.00"),
            cost=Decimal("0.50"),
            kdv_rate=1,
            category=None,
        )
        for i in range(count)
    ]
    upsert_products(rows, now=now, kdv_rates=(0, 1, 10, 20))
    return [int(m.Product.get(m.Product.code == f"T{i:03d}").id) for i in range(count)]


@pytest.mark.usefixtures("open_shift")
async def test_only_the_rows_that_fit_and_more_when_the_terminal_grows(
    make_app: Any, shop: Any, till: Any, now: datetime
) -> None:
    info = counting.open_count("Büyük", actor=shop.mehmet, now=now, terminal="T1")
    pids = _many_products(now, 40)
    for pid in pids:  # T000 first … T039 last: newest on top
        counting.record_event(info.id, pid, 2_000, uid=counting.new_uid(), actor=shop.ayse, now=now, terminal="T2")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await till.login(pilot, "1111")
        screen = CountingScreen(counting.get_count(info.id), None)
        await pilot.app.push_screen(screen)
        await till.settle(pilot)
        await till.scan(pilot, Shop.EKMEK)  # a new line on top
        fits = screen.query_one("#count-lines").content_size.height - 1
        shown = lines_text(pilot).splitlines()[1:]
        assert len(shown) == fits and "Ekmek" in shown[0] and "T039" in shown[1]
        assert all(re.match(r"\s*T\d{3}\s", row) for row in shown[1:])
        totals = till.screen_text(pilot)
        assert "Products: 41" in totals and "Pieces: 81" in totals  # 40 × 2 and the bread

        await pilot.resize_terminal(80, 40)
        await till.settle(pilot)
        taller = lines_text(pilot).splitlines()[1:]
        assert len(taller) == screen.query_one("#count-lines").content_size.height - 1 > fits
        assert "T039" in taller[1] and "T000" not in "\n".join(taller)

        await pilot.press("f4")  # undo the bread: its line goes, the pieces total follows
        await till.settle(pilot)
        assert "Pieces: 80" in till.screen_text(pilot) and "Ekmek" not in lines_text(pilot)
        assert sum(counting.session_totals(info.id).values()) == 80_000
