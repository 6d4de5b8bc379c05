"""Snapshots of the main screens (``pytest --snapshot-update`` after a deliberate change)."""

from __future__ import annotations


def test_login_screen(snap_compare, make_app, shop, till) -> None:
    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=till.steady)


def test_sale_screen_with_a_cart(snap_compare, make_app, open_shift, shop, till) -> None:
    async def ring_up(pilot) -> None:
        await till.login(pilot)
        for code in (shop.EKMEK, "3*" + shop.SUT, shop.DOMATES_1500G, shop.ISPARTA):
            await till.scan(pilot, code)
        await pilot.press("f6")
        await till.type(pilot, "10%", "enter")
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=ring_up)


def test_sale_screen_at_80x24(snap_compare, make_app, open_shift, shop, till) -> None:
    async def ring_up(pilot) -> None:
        await till.login(pilot)
        for code in (shop.EKMEK, shop.CAY, shop.ISPARTA, "12345"):
            await till.scan(pilot, code)
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=ring_up)


def test_payment_screen(snap_compare, make_app, open_shift, shop, till) -> None:
    async def split(pilot) -> None:
        await till.login(pilot)
        for code in (shop.CAY, shop.SUT):
            await till.scan(pilot, code)
        await pilot.press("f10")
        await till.type(pilot, "100", "f8")
        await till.steady(pilot)

    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=split)
