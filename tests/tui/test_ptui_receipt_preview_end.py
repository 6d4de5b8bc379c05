"""The receipt preview at 80×24 on a receipt longer than the screen: End shows its last line
(the footer), Home its first, and PgDn pressed often enough reaches the end too."""

from __future__ import annotations

from pos_tui.tui.dialogs.receipt_preview import ReceiptPreview


async def _preview(pilot, till, shop) -> ReceiptPreview:
    await till.login(pilot)
    for code in (shop.EKMEK, shop.SUT, shop.CAY, shop.ISPARTA):
        await till.scan(pilot, code)
    await pilot.press("f8")
    await till.type(pilot, "500", "enter")
    assert isinstance(pilot.app.screen, ReceiptPreview)
    return pilot.app.screen


async def test_end_shows_the_last_line_and_home_the_first(make_app, open_shift, shop, till) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        preview = await _preview(pilot, till, shop)
        first = preview.job.lines[0].text  # the shop's name
        assert len(preview.job.lines) > 24  # longer than the screen
        assert "İade süresi 14 gündür" not in till.screen_text(pilot)
        await pilot.press("end")
        await till.settle(pilot)
        assert "İade süresi 14 gündür" in till.screen_text(pilot)  # the footer, near the end
        assert "[" not in preview.job.lines[-1].text  # (the last line is the notice, under the footer)
        assert "Y O K T U R" in till.screen_text(pilot)  # ... and it shows too
        await pilot.press("home")
        await till.settle(pilot)
        assert first in till.screen_text(pilot)
        assert "İade süresi 14 gündür" not in till.screen_text(pilot)
        for _ in range(10):
            await pilot.press("pagedown")
        await till.settle(pilot)
        assert "İade süresi 14 gündür" in till.screen_text(pilot)
        # the scan field still works as before: a code and Enter start the next sale
        await till.scan(pilot, shop.EKMEK)
        assert not isinstance(app.screen, ReceiptPreview)
