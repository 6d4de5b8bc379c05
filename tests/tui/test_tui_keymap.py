"""Keys come from the shop's ``[keymap]``; labels follow the language."""

from __future__ import annotations

import dataclasses

from pos_tui.i18n import set_language
from pos_tui.tui.dialogs.prompts import AmountDialog
from pos_tui.tui.keymap import DEFAULT_KEYS, key_for, unknown_ids
from pos_tui.tui.screens.sale import SaleScreen


async def test_keymap_from_settings_moves_a_binding(make_app, settings, open_shift, shop, till) -> None:
    shop_settings = dataclasses.replace(settings, keymap={"sale.cash": "f11", "app.logout": "ctrl+l"})
    app = make_app(shop_settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await till.login(pilot)
        await till.scan(pilot, shop.EKMEK)
        await pilot.press("f8")
        await till.settle(pilot)
        assert isinstance(app.screen, SaleScreen)  # F8 no longer takes cash
        assert "F11 Cash" in till.screen_text(pilot) and "F8 Cash" not in till.screen_text(pilot)
        await pilot.press("f11")
        await till.settle(pilot)
        assert isinstance(app.screen, AmountDialog)
        await pilot.press("escape", "ctrl+l")
        await till.settle(pilot)
        assert app.session.actor is None


async def test_unknown_binding_ids_are_reported(make_app, settings, shop, till) -> None:
    app = make_app(dataclasses.replace(settings, keymap={"sale.csh": "f11"}))
    async with app.run_test(size=(100, 30)) as pilot:
        await till.settle(pilot)
        assert any("sale.csh" in n.message for n in app._notifications)


def test_key_for_and_unknown_ids() -> None:
    assert key_for("sale.cash", {}) == "f8"
    assert key_for("sale.cash", {"sale.cash": "f11,ctrl+k"}) == "f11"
    assert unknown_ids({"sale.cash": "f1", "nope": "x"}) == ["nope"]
    assert all(key for key in DEFAULT_KEYS.values())


async def test_footer_labels_follow_the_language(make_app, settings, open_shift, till) -> None:
    app = make_app(dataclasses.replace(settings, shop=dataclasses.replace(settings.shop, language="tr")))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await till.login(pilot)
            assert isinstance(app.screen, SaleScreen)
            from pos_tui.i18n import _

            assert f"F8 {_('Cash')}" in till.screen_text(pilot)
    finally:
        set_language("en")
