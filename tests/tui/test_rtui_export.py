"""Export from the report screen (F9): today's sales by day written as XLSX and JSON and read back
with the net the test sold; a missing folder refused on the dialog's error line at 80×24; a file
already there written over only after a second Enter; the format's ending follows the format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rtui_support import open_reports, sell_for_cash
from test_tui_dialogs_80x24 import assert_error_on_screen
from textual.widgets import Input

from pos_tui.core.kernel import ValidationError
from pos_tui.core.reports import EXPORT_FORMATS
from pos_tui.tui.dialogs.report_export import FORMAT_ORDER, ReportExportDialog, typed_target
from pos_tui.tui.screens.reports import ReportsScreen

SIZE = (80, 24)


def sheet_rows(path: Path) -> list[tuple]:
    book = load_workbook(path)
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


async def sold_and_shown(pilot, till, shop) -> ReportsScreen:
    await till.login(pilot, "9999")
    await sell_for_cash(pilot, till, shop.CAY, "200")  # 120,00
    await sell_for_cash(pilot, till, shop.EKMEK, "10")  # 10,00
    return await open_reports(pilot, till)


async def test_export_xlsx_and_json_with_the_net_sold(make_app, open_shift, shop, settings, till) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await sold_and_shown(pilot, till, shop)
        await pilot.press("enter", "f9")
        await till.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReportExportDialog)
        field = dialog.query_one("#export-path", Input)
        expected = settings.home / "reports" / "sales-by-day_2026-11-01_2026-11-01.xlsx"
        assert field.value == str(expected)  # <POS_HOME>/reports/NAME_FROM_TO.xlsx
        assert not expected.parent.exists()
        await pilot.press("enter")
        await till.settle(pilot)
        assert app.screen is screen
        assert f"Written to {expected}" in till.message(pilot)
        rows = sheet_rows(expected)  # the folder was made; the file reads back
        header = next(r for r in rows if r and r[0] == "Day")
        total = next(r for r in rows if r and r[0] == "Total")
        assert total[header.index("Net")] == 130 and total[header.index("Receipts")] == 2

        await pilot.press("f9")
        await till.settle(pilot)
        await pilot.press("down", "down", "down")  # XLSX → PDF → CSV → JSON, from the file field
        await till.settle(pilot)
        field = app.screen.query_one("#export-path", Input)
        assert field.value == str(expected.with_suffix(".json"))
        await pilot.press("enter")
        await till.settle(pilot)
        written = json.loads(expected.with_suffix(".json").read_text(encoding="utf-8"))
        assert written["report"] == "sales-by-day" and written["totals"]["net"] == "130.00"
        assert written["rows"] == [screen.report.as_json(settings.shop.timezone)["rows"][0]]


async def test_export_errors_stay_in_the_dialog_at_80x24(make_app, open_shift, shop, settings, till, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await sold_and_shown(pilot, till, shop)
        await pilot.press("f9")
        await till.settle(pilot)
        dialog = app.screen
        field = dialog.query_one("#export-path", Input)
        field.value = str(tmp_path / "no such folder" / "today.xlsx")
        await pilot.press("enter")
        await till.settle(pilot)
        assert app.screen is dialog
        assert_error_on_screen(pilot, till, "No folder")
        assert "no such folder" in till.screen_text(pilot)
        assert not (tmp_path / "no such folder").exists()  # nothing made, nothing half-written

        there = tmp_path / "today.csv"
        there.write_text("old\n", encoding="utf-8")
        field.value = str(there)
        await pilot.press("enter")
        await till.settle(pilot)
        # the ending chose CSV (test_rtui3_export), and the file is there: a second Enter writes over it
        assert_error_on_screen(pilot, till, "is already there; Enter again writes over it")
        assert dialog.fmt == "csv" and dialog.query_one("#export-format").highlighted == FORMAT_ORDER.index("csv")
        assert there.read_text(encoding="utf-8") == "old\n"
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        text = there.read_bytes().decode("utf-8-sig")
        assert "130" in text and "old" not in text


def test_the_dialogs_formats_are_the_exports() -> None:
    assert sorted(FORMAT_ORDER) == sorted(EXPORT_FORMATS)


@pytest.mark.parametrize(
    ("typed", "fmt", "expected"),
    [
        ("gunluk", "xlsx", "reports/gunluk.xlsx"),
        ("a/b.pdf", "pdf", "reports/a/b.pdf"),
        ("x.json", "json", "reports/x.json"),
    ],
)
def test_a_typed_file_name(settings, typed: str, fmt: str, expected: str) -> None:
    assert typed_target(typed, fmt, settings, "r.xlsx") == (settings.home / expected, fmt)


def test_a_typed_file_name_that_cannot_be(settings) -> None:
    with pytest.raises(ValidationError, match="Type the file to write"):
        typed_target("  ", "xlsx", settings, "r.xlsx")
    # a known ending chooses its format, as the CLI's --output does (test_rtui3_export)
    assert typed_target("/tmp/x.pdf", "csv", settings, "r.xlsx") == (Path("/tmp/x.pdf"), "pdf")


async def test_no_permission_is_said_in_the_dialog(make_app, open_shift, shop, till, monkeypatch) -> None:
    """The tests run as root, whom a read-only folder does not stop: the operating system's refusal
    is made here where the file is created."""
    from pos_tui.core.reports.exporting import writing

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(writing, "_new_file", refused)  # where the export creates its file
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await sold_and_shown(pilot, till, shop)
        await pilot.press("f9")
        await till.settle(pilot)
        dialog = app.screen
        await pilot.press("enter")
        await till.settle(pilot)
        assert app.screen is dialog
        assert_error_on_screen(pilot, till, "No permission to write in the folder")
        await pilot.press("enter")  # the dialog is ready for another try
        await till.settle(pilot)
        assert app.screen is dialog
