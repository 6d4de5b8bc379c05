"""What a newcomer found in the export dialog (F9; issue 17, the till): a folder typed as the file
wrote ``<folder>.xlsx`` beside it; ``kasim.ods`` wrote ``kasim.ods.json``; and in a browser session
(``pos serve``) the file stayed on the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from rtui_support import open_reports, sell_for_cash
from test_tui_dialogs_80x24 import assert_error_on_screen
from textual.app import App
from textual.widgets import Input

from pos_tui.core.kernel import ValidationError
from pos_tui.tui.dialogs.report_export import ReportExportDialog, typed_target
from pos_tui.tui.screens.reports import ReportsScreen

SIZE = (80, 24)
NAME = "sales-by-day_2026-11-01_2026-11-01.xlsx"


def test_a_folder_means_the_default_name_in_it(settings, tmp_path) -> None:
    assert typed_target(str(tmp_path), "xlsx", settings, NAME) == (tmp_path / NAME, "xlsx")
    assert typed_target(str(tmp_path), "pdf", settings, NAME) == (tmp_path / NAME.replace(".xlsx", ".pdf"), "pdf")
    # a folder that is not there yet, said by its "/": the file in it (write_report names the missing folder)
    assert typed_target(f"{tmp_path}/kasim/", "csv", settings, NAME) == (
        tmp_path / "kasim" / NAME.replace(".xlsx", ".csv"),
        "csv",
    )
    (settings.home / "reports" / "aylik").mkdir(parents=True)
    assert typed_target("aylik", "json", settings, NAME)[0] == settings.home / "reports" / "aylik" / NAME.replace(
        ".xlsx", ".json"
    )


@pytest.mark.parametrize(
    ("typed", "fmt", "expected"),
    [
        ("kasim.XLSX", "json", ("kasim.XLSX", "xlsx")),  # the ending chooses, as the CLI's --output
        ("kasim.pdf", "xlsx", ("kasim.pdf", "pdf")),
        ("kasim", "csv", ("kasim.csv", "csv")),
        ("kasım.2026", "json", ("kasım.2026.json", "json")),  # a date's dots are no ending
    ],
)
def test_the_ending_chooses_the_format(settings, typed, fmt, expected) -> None:
    path, chosen = typed_target(typed, fmt, settings, NAME)
    assert (path, chosen) == (settings.home / "reports" / expected[0], expected[1])


@pytest.mark.parametrize("typed", ["kasim.ods", "kasim.txt", "/tmp/kasim.xls"])
def test_another_programs_ending_is_refused_naming_the_formats(settings, typed) -> None:
    with pytest.raises(ValidationError, match=r"does not write \.(ods|txt|xls) files: end the name in \.xlsx, \.pdf"):
        typed_target(typed, "json", settings, NAME)


async def shown(pilot, till, shop) -> ReportsScreen:
    await till.login(pilot, "9999")
    await sell_for_cash(pilot, till, shop.CAY, "200")
    return await open_reports(pilot, till)


async def test_a_typed_folder_gets_the_file_inside_it(make_app, open_shift, shop, till, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(pilot, till, shop)
        await pilot.press("f9")
        await till.settle(pilot)
        app.screen.query_one("#export-path", Input).value = str(tmp_path)
        await pilot.press("enter")
        await till.settle(pilot)
        assert app.screen is screen
        assert (tmp_path / NAME).is_file() and not Path(f"{tmp_path}.xlsx").exists()
        assert f"Written to {tmp_path / NAME}" in till.message(pilot)


async def test_an_unknown_ending_is_said_in_the_dialog(make_app, open_shift, shop, till, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await shown(pilot, till, shop)
        await pilot.press("f9")
        await till.settle(pilot)
        dialog = app.screen
        await pilot.press("down", "down", "down")  # JSON
        dialog.query_one("#export-path", Input).value = str(tmp_path / "kasim.ods")
        await pilot.press("enter")
        await till.settle(pilot)
        assert app.screen is dialog
        assert_error_on_screen(pilot, till, "The till does not write .ods files")
        assert not list(tmp_path.glob("kasim*"))  # no kasim.ods.json


async def test_in_a_browser_the_file_is_offered_as_a_download(
    make_app, open_shift, shop, till, settings, monkeypatch
) -> None:
    delivered: list[tuple[Path, dict]] = []
    monkeypatch.setattr(App, "is_web", property(lambda self: True))
    monkeypatch.setattr(App, "deliver_binary", lambda self, path, **kw: delivered.append((path, kw)) or "key")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await shown(pilot, till, shop)
        await pilot.press("f9")
        await till.settle(pilot)
        assert isinstance(app.screen, ReportExportDialog)
        await pilot.press("enter")
        await till.settle(pilot)
        written = settings.home / "reports" / NAME
        assert written.is_file()  # on the server too
        assert delivered == [
            (
                written,
                {
                    "save_filename": NAME,
                    "mime_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                },
            )
        ]
        assert f"Written to {written} and sent to the browser as a download" in till.message(pilot)


async def test_in_a_terminal_nothing_goes_to_the_downloads_folder(
    make_app, open_shift, shop, till, monkeypatch
) -> None:
    delivered: list[object] = []
    monkeypatch.setattr(App, "deliver_binary", lambda self, *a, **kw: delivered.append(a))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await shown(pilot, till, shop)
        await pilot.press("f9")
        await till.settle(pilot)
        await pilot.press("enter")
        await till.settle(pilot)
        assert isinstance(app.screen, ReportsScreen) and delivered == []
