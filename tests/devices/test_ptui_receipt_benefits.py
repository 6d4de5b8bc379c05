"""A loyalty benefit's line on the receipt never cuts its points note: "(200 puan)" stays whole,
the benefit's name is shortened (ending in a dot) or, on narrow paper, put on a line of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from printing_support import sale_doc, settings_in, texts

from pos_tui.core.till import receipt_for
from pos_tui.i18n import set_language
from pos_tui.settings import Settings


@pytest.fixture
def tr(tmp_path: Path) -> Iterator[Settings]:
    set_language("tr")
    yield settings_in("tr", tmp_path)
    set_language("en")


def reward_doc(name: str = "100 puana 50 TL indirim", points: int = 200, amount: str = "100.00") -> dict:
    """:func:`sale_doc` whose line 2 carries a discount reward of ``amount`` for ``points``."""
    doc = sale_doc(member="2990000123456")
    line = doc["lines"][1]
    line.update(unit_price="429.90", list_price="429.90", discount=amount, total=str(429.90 - float(amount)))
    doc["benefits"] = [
        {"line_no": 2, "kind": "reward", "code": "puan-indirim", "label": name, "amount": amount, "points": points}
    ]
    return doc


def test_a_long_reward_name_is_shortened_and_its_points_stay_whole_at_42(tr: Settings) -> None:
    lines = texts(receipt_for(reward_doc(), tr, width=42, fiscal=True))
    (line,) = [t for t in lines if t.startswith("  100 puana")]
    assert line == "  100 puana 50 TL indi. (200 puan) -100,00"
    assert len(line) == 42


def test_a_name_that_fits_is_printed_whole(tr: Settings) -> None:
    lines = texts(receipt_for(reward_doc("Hoş geldin", 100, "10.00"), tr, width=42, fiscal=True))
    (line,) = [t for t in lines if t.startswith("  Hoş geldin")]
    assert line.startswith("  Hoş geldin (100 puan) ") and line.endswith("-10,00")


@pytest.mark.parametrize("width", [24, 28, 32, 42, 48])
def test_the_points_note_is_never_cut(tr: Settings, width: int) -> None:
    lines = texts(receipt_for(reward_doc(), tr, width=width, fiscal=True))
    assert all(len(t) <= width for t in lines)
    noted = [t for t in lines if "(200 puan)" in t]
    assert len(noted) == 1 and noted[0].endswith("-100,00")
    assert not any("(200 pua" in t and "(200 puan)" not in t for t in lines)


def test_on_narrow_paper_the_name_is_whole_and_the_note_under_it(tr: Settings) -> None:
    lines = texts(receipt_for(reward_doc(), tr, width=24, fiscal=True))
    at = next(i for i, t in enumerate(lines) if "(200 puan)" in t)
    name = " ".join(t.strip() for t in lines[at - 2 : at])
    assert name == "100 puana 50 TL indirim"
    assert lines[at] == "    (200 puan)".ljust(24 - len("-100,00")) + "-100,00"
