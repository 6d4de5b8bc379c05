"""The fiscal device simulator (pos_tui.devices.fiscal): numbers, journal, Z counters, injected
errors, the hook the sale flow calls, configuration and ``pos-admin fiscal``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import Actor, ValidationError, to_db, to_kurus
from pos_tui.core.till import (
    FiscalError,
    FiscalItem,
    FiscalPayment,
    FiscalTicket,
    complete_sale,
    load_open_cart,
    save_cart,
)
from pos_tui.devices.errors import DeviceError
from pos_tui.devices.fiscal import FiscalConfig, FiscalSimulator, fiscal_hook, open_fiscal, register
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.text import fold

D = Decimal
NOW = datetime(2026, 11, 1, 7, 15, tzinfo=UTC)


def ticket(uid: str = "u-1", *, kdv: int = 20, total: str = "50.00") -> FiscalTicket:
    item = FiscalItem("ŞEKER 1 KG", 2000, "piece", D(total) / 2, kdv, D("0.00"), D(total))
    return FiscalTicket(uid, "T1", 1, "ayse", (item,), (FiscalPayment("cash", D(total)),), D(total), D("0.00"))


def test_receipts_are_numbered_journalled_and_survive_a_restart(tmp_path: Path) -> None:
    sim = FiscalSimulator(tmp_path, serial="AB00000001")
    first = register(sim, ticket("u-1"), NOW)
    second = register(sim, ticket("u-2", kdv=1, total="12.50"), NOW)
    assert (first.device, first.fiscal_no, first.z_no) == ("AB00000001", 1, 1)
    assert second.fiscal_no == 2
    again = FiscalSimulator(tmp_path, serial="AB00000001")
    assert again.status().next_receipt == 3 and again.status().total == D("62.50")
    receipts = [r for r in again.journal() if r["type"] == "receipt"]
    assert [(r["no"], r["reference"], r["items"][0]["name"]) for r in receipts] == [
        (1, "u-1", "ŞEKER 1 KG"),
        (2, "u-2", "ŞEKER 1 KG"),
    ]


def test_z_report_closes_the_day_and_x_does_not(tmp_path: Path) -> None:
    sim = FiscalSimulator(tmp_path)
    register(sim, ticket("a"), NOW)
    register(sim, ticket("b", kdv=10, total="30.00"), NOW)
    x = sim.x_report(NOW)
    assert (x.receipts, x.total, dict(x.by_kdv)) == (2, D("80.00"), {10: D("30.00"), 20: D("50.00")})
    assert sim.status().receipts == 2
    z = sim.z_report(NOW)
    assert (z.kind, z.z_no, z.total, dict(z.by_payment)) == ("z", 1, D("80.00"), {"cash": D("80.00")})
    st = sim.status()
    assert (st.z_no, st.next_receipt, st.receipts, st.total) == (2, 1, 0, D("0"))
    assert register(sim, ticket("c"), NOW).z_no == 2
    assert [r["type"] for r in sim.journal()] == ["receipt", "receipt", "x", "z", "receipt"]


@pytest.mark.parametrize(
    ("error", "words"), [("paper_out", "out of paper"), ("not_paired", "not paired"), ("timeout", "did not answer")]
)
def test_an_injected_error_cancels_the_receipt_and_uses_no_number(tmp_path: Path, error: str, words: str) -> None:
    sim = FiscalSimulator(tmp_path)
    sim.inject(error)
    with pytest.raises(FiscalError, match=words):
        register(sim, ticket("u-1"), NOW)
    assert not sim.status().receipt_open
    assert register(sim, ticket("u-1"), NOW).fiscal_no == 1
    sim.open_receipt("u-2", NOW)
    sim.inject("paper_out")  # paper runs out mid-receipt
    with pytest.raises(DeviceError):
        sim.add_item(ticket().items[0])
    sim.cancel_receipt()
    assert [r["type"] for r in sim.journal()] == ["receipt", "cancelled"]


def test_the_device_refuses_what_it_cannot_register(tmp_path: Path) -> None:
    sim = FiscalSimulator(tmp_path, kdv_rates=(1, 10, 20))
    with pytest.raises(FiscalError, match="no department for KDV 8"):
        register(sim, ticket(kdv=8), NOW)
    short = FiscalTicket("u", "T1", 1, "ayse", ticket().items, (FiscalPayment("cash", D("10.00")),), D("50"), D("0"))
    with pytest.raises(FiscalError, match="does not balance"):
        register(sim, short, NOW)
    assert [(r["type"], r["reference"]) for r in sim.journal()] == [("cancelled", "u-1"), ("cancelled", "u")]
    broken = FiscalSimulator(tmp_path / "b", fail="not_paired")
    with pytest.raises(DeviceError, match="not paired"):
        broken.status()


def test_configuration(tmp_path: Path) -> None:
    config = FiscalConfig.parse({"driver": "simulator", "serial": "XY1", "directory": str(tmp_path)}, "d.toml [fiscal]")
    assert isinstance(open_fiscal(config), FiscalSimulator) and config.kdv_rates == (0, 1, 10, 20)
    with pytest.raises(ValidationError, match=r"d.toml \[fiscal\].driver: must be 'simulator'"):
        FiscalConfig.parse({"driver": "gmp3"}, "d.toml [fiscal]")
    with pytest.raises(ValidationError, match=r"\[fiscal\].fail: must be one of paper_out"):
        FiscalConfig.parse({"driver": "simulator", "fail": "fire"}, "d.toml [fiscal]")
    with pytest.raises(ValidationError, match="unknown setting"):
        FiscalConfig.parse({"driver": "simulator", "baud": 9600}, "d.toml [fiscal]")
    vendor = FiscalConfig.parse({"driver": "python:pos_tui.devices.fiscal:FiscalSimulator"}, "d.toml [fiscal]")
    with pytest.raises(TypeError):  # the class is built with its section: the simulator is not a vendor driver
        open_fiscal(vendor)
    with pytest.raises(ValidationError, match="cannot load no_such_module:Driver"):
        open_fiscal(FiscalConfig.parse({"driver": "python:no_such_module:Driver"}, "d.toml [fiscal]"))


@pytest.fixture
def cashier(db: object, settings: Settings) -> Actor:
    user = m.User.create(name="ayse", role="cashier", pin_tag="t", pin_hash="x", created_at=to_db(NOW))
    r = settings.roles["cashier"]
    return Actor(user.id, "ayse", "cashier", r.permissions, r.max_discount_pct)


def cart_of(*items: tuple[str, str, int, int]) -> Cart:
    cart = Cart()
    for code, price, qty, kdv in items:
        p = m.Product.create(
            code=code, name=f"Ürün {code}", name_key=fold(f"urun {code}"), price=to_kurus(D(price)), kdv_rate=kdv,
            updated_at=to_db(NOW),
        )  # fmt: skip
        cart = cart.add_product(p_info(p), qty)
    return cart


def p_info(p: m.Product) -> Any:
    from pos_tui.core.catalog import get_product

    return get_product(p.code)


def test_the_sale_flow_with_the_simulator(tmp_path: Path, cashier: Actor) -> None:
    sim = FiscalSimulator(tmp_path / "okc")
    hook = fiscal_hook(sim, lambda: NOW)
    cart = cart_of(("1", "10.00", 3000, 1), ("2", "25.50", 1000, 20))
    save_cart("T1", cashier.user_id, cart, now=NOW)
    sim.inject("paper_out")
    with pytest.raises(FiscalError, match="out of paper"):
        complete_sale("T1", cashier, [PaymentInput("cash", D("100"))], now=NOW, fiscal=hook)
    assert load_open_cart("T1", cashier.user_id) == cart and m.Sale.select().count() == 0
    result = complete_sale("T1", cashier, [PaymentInput("cash", D("100"))], now=NOW, fiscal=hook)
    (receipt,) = [r for r in sim.journal() if r["type"] == "receipt"]
    assert receipt["reference"] == result.uid and receipt["total"] == "55.50"
    assert receipt["payments"] == [{"method": "cash", "amount": "55.50"}]  # the change is not a payment
    assert result.document["fiscal"] == {"device": "SIM0000001", "no": 1, "z": 1}


def devices_file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "devices.toml"
    path.write_text(f'[fiscal]\ndriver = "simulator"\nserial = "CLI0001"\ndirectory = "{tmp_path / "okc"}"\n{extra}')
    return path


def test_pos_admin_fiscal(tmp_path: Path, cli: Callable[..., Any]) -> None:
    path = devices_file(tmp_path)
    sim = FiscalSimulator(tmp_path / "okc", serial="CLI0001")
    register(sim, ticket(), NOW)
    status = cli("fiscal", "status", "--devices", str(path), "--json")
    assert status.exit_code == 0, status.stderr
    assert json.loads(status.stdout) == {
        "device": "CLI0001", "z_no": 1, "next_receipt": 2, "receipts": 1, "total": "50.00", "receipt_open": False,
    }  # fmt: skip
    x = cli("fiscal", "x", "--devices", str(path), "--json")
    assert json.loads(x.stdout)["by_kdv"] == {"20": "50.00"}
    refused = cli("fiscal", "z", "--devices", str(path), input="n\n")
    assert refused.exit_code == 1 and FiscalSimulator(tmp_path / "okc").status().z_no == 1
    z = cli("fiscal", "z", "--devices", str(path), "--yes", "--json")
    assert z.exit_code == 0 and json.loads(z.stdout)["z_no"] == 1
    assert FiscalSimulator(tmp_path / "okc").status().z_no == 2
    none = tmp_path / "none.toml"
    none.write_text("")
    missing = cli("fiscal", "status", "--devices", str(none))
    assert missing.exit_code == 1 and "No fiscal device is configured" in missing.stderr
    broken = devices_file(tmp_path, 'fail = "not_paired"\n')
    failed = cli("fiscal", "x", "--devices", str(broken))
    assert failed.exit_code == 1 and "not paired" in failed.stderr
