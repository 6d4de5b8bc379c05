"""Turkish-aware folding: the four spellings of ISPARTA meet, and Turkish letters fold to Latin."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.text import fold, turkish_lower, turkish_upper, words


@pytest.mark.parametrize("spelling", ["ISPARTA", "ısparta", "Isparta", "İSPARTA", "isparta"])
def test_isparta_spellings_fold_alike(spelling: str) -> None:
    assert fold(spelling) == "isparta"


def test_turkish_letters_fold_to_latin() -> None:
    assert fold("ŞEKER Çay Ğ Gülü Ölçü") == "seker cay g gulu olcu"
    assert words("Isparta Gülü Kolonya 400 ml, Gülü") == ["isparta", "gulu", "kolonya", "400", "ml"]


def test_python_lower_is_wrong_for_turkish_but_ours_is_right() -> None:
    assert "İ".lower() != "i"
    assert turkish_lower("IĞDIR") == "ığdır"
    assert turkish_upper("ığdır istanbul") == "IĞDIR İSTANBUL"


@given(st.text())
def test_fold_is_idempotent_and_lowercase(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
