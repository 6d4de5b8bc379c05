"""The catalogue of reports: every name has its module, its documentation and Turkish titles."""

from __future__ import annotations

import gettext
import importlib
import re
from pathlib import Path

import pytest

from pos_tui.core.reports import CATALOGUE, GROUPS, report_entry, report_names
from pos_tui.core.reports.registry import module_of
from pos_tui.i18n import DOMAIN, LOCALE_DIR

DOC = Path(__file__).resolve().parents[2] / "docs" / "reports.md"


def test_names_are_unique_lower_case_and_grouped() -> None:
    names = report_names()
    assert len(names) == len(set(names))
    for entry in CATALOGUE:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", entry.name), entry.name
        assert entry.group in GROUPS, entry.name


@pytest.mark.parametrize("name", report_names())
def test_every_report_has_a_module_with_build(name: str) -> None:
    module = importlib.import_module(module_of(name))
    assert callable(module.build)


@pytest.mark.parametrize("name", report_names())
def test_every_report_is_in_the_docs_table(name: str) -> None:
    assert f"| `{name}` |" in DOC.read_text(encoding="utf-8")


def test_titles_and_descriptions_are_translated() -> None:
    tr = gettext.translation(DOMAIN, LOCALE_DIR, languages=["tr"])
    for entry in CATALOGUE:
        for text in (entry.title, entry.description):
            assert tr.gettext(text) != text, text


def test_an_unknown_report_names_the_reports() -> None:
    from pos_tui.core.kernel import NotFound

    with pytest.raises(NotFound, match="sales-by-day"):
        report_entry("sales-by-week")
