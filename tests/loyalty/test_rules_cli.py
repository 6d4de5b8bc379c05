"""``pos-admin loyalty apply|show|tiers|coupons|offers`` through Typer's CliRunner."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from engine_support import SHIPPED, Cli, new_product, sale_line_row, sale_row, shipped

from pos_tui.core.kernel import Actor, utcnow
from pos_tui.core.loyalty import rules
from pos_tui.store import close_database, open_database


@pytest.fixture(autouse=True)
def _shop(cli: Cli) -> None:
    """A database to work on: only ``init``/``demo`` create one."""
    assert cli("init").exit_code == 0


def test_apply_then_show(cli: Cli, tmp_path: Path) -> None:
    result = cli("loyalty", "apply", str(SHIPPED), "--json")
    assert result.exit_code == 0, result.stderr
    applied = json.loads(result.stdout)
    assert applied["id"] == 1 and applied["changed"] is True and len(applied["digest"]) == 64
    assert "Applied loyalty rules version 1" in result.stderr

    again = cli("loyalty", "apply", str(SHIPPED))
    assert again.exit_code == 0 and "already active (version 1); nothing changed" in again.stderr

    shown = cli("loyalty", "show", "--json")
    assert shown.exit_code == 0, shown.stderr
    doc = json.loads(shown.stdout)
    assert (doc["id"], doc["digest"]) == (1, applied["digest"])
    assert doc["applied_at"] == applied["applied_at"]
    assert doc["program"] == rules.program_to_dict(shipped())
    assert doc["program"]["tiers"][2]["basket_discount_percent"] == "15"

    human = cli("loyalty", "show")
    assert human.exit_code == 0 and "Kırmızı, Gümüş, Altın" in human.stdout and "Version 1" in human.stderr


def test_show_before_anything_is_applied(cli: Cli) -> None:
    result = cli("loyalty", "show", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["id"] is None and doc["digest"] is None and doc["program"]["name"] == "Sadakat"


def test_a_bad_file_lists_every_problem_and_applies_nothing(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "kurallar.toml"
    bad.write_text('[points]\nhold_days = -1\n[[tiers]]\ncode = "g"\nname = "G"\nmin_spend = 1\nmultiplier = 0.5\n')
    result = cli("loyalty", "apply", str(bad))
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{bad}: 2 problem(s) in the loyalty rules, nothing applied" in result.stderr
    assert f"{bad}: [points] hold_days: must be at least 0, not -1" in result.stderr
    assert f"{bad}: [tiers.g] multiplier: must be at least 1, not 0.5" in result.stderr
    syntax = tmp_path / "syntax.toml"
    syntax.write_text("name = \n")
    result = cli("loyalty", "apply", str(syntax))
    assert result.exit_code == 1 and "not valid TOML" in result.stderr and "line 1" in result.stderr
    missing = cli("loyalty", "apply", str(tmp_path / "yok.toml"))
    assert missing.exit_code == 1 and "cannot read" in missing.stderr
    assert json.loads(cli("loyalty", "show", "--json").stdout)["id"] is None


def test_tiers_list_and_set(cli: Cli) -> None:
    assert cli("loyalty", "apply", str(SHIPPED)).exit_code == 0
    listed = cli("loyalty", "tiers", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert [(t["code"], t["min_spend"], t["basket_discount_percent"]) for t in json.loads(listed.stdout)] == [
        ("kirmizi", "0.00", "3"),
        ("gumus", "1000.00", "10"),
        ("altin", "1500.00", "15"),
    ]
    changed = cli("loyalty", "tiers", "set", "gumus", "--discount", "12,5", "--json")
    assert changed.exit_code == 0, changed.stderr
    doc = json.loads(changed.stdout)
    assert doc["id"] == 2 and doc["tiers"][1]["basket_discount_percent"] == "12.5"
    added = cli("loyalty", "tiers", "set", "platin", "--name", "Platin", "--min-spend", "5000", "--multiplier", "3")
    assert added.exit_code == 0, added.stderr
    assert "loyalty rules version 3" in added.stderr
    bad = cli("loyalty", "tiers", "set", "gumus", "--multiplier", "0,5")
    assert bad.exit_code == 1 and "[tiers.gumus] multiplier: must be at least 1, not 0.5" in bad.stderr
    removed = cli("loyalty", "tiers", "set", "platin", "--remove")
    assert removed.exit_code == 0, removed.stderr
    codes = [t["code"] for t in json.loads(cli("loyalty", "tiers", "list", "--json").stdout)]
    assert codes == ["kirmizi", "gumus", "altin"]
    human = cli("loyalty", "tiers", "list")
    assert "Gümüş" in human.stdout and "12.5" in human.stdout


def test_coupons_add_and_list(cli: Cli, db_path: Path) -> None:
    added = cli(
        "loyalty", "coupons", "add", "yilbasi50", "--amount", "50", "--min-spend", "200", "--to", "2099-12-31", "--json"
    )
    assert added.exit_code == 0, added.stderr
    doc = json.loads(added.stdout)
    assert (doc["code"], doc["kind"], doc["amount"], doc["min_spend"], doc["max_uses"]) == (
        "YILBASI50",
        "amount",
        "50.00",
        "200.00",
        1,
    )
    generated = cli("loyalty", "coupons", "add", "--percent", "10", "--unlimited", "--json")
    assert generated.exit_code == 0, generated.stderr
    gen = json.loads(generated.stdout)
    assert len(gen["code"]) == 8 and gen["percent"] == "10" and gen["max_uses"] is None
    both = cli("loyalty", "coupons", "add", "X", "--percent", "10", "--amount", "5")
    assert both.exit_code == 2 and "exactly one of --amount and --percent" in both.stderr
    dup = cli("loyalty", "coupons", "add", "YILBASI50", "--amount", "5")
    assert dup.exit_code == 1 and "already used" in dup.stderr
    nobody = cli("loyalty", "coupons", "add", "--amount", "5", "--member", "05321234567")
    assert nobody.exit_code == 1 and "No member" in nobody.stderr

    listed = json.loads(cli("loyalty", "coupons", "list", "--json").stdout)
    assert [c["code"] for c in listed] == [gen["code"], "YILBASI50"]
    assert json.loads(cli("loyalty", "coupons", "list", "--source", "offer", "--json").stdout) == []
    human = cli("loyalty", "coupons", "list")
    assert "0/∞" in human.stdout and "0/1" in human.stdout


def test_offers_generate(cli: Cli, db_path: Path, now: datetime) -> None:
    assert cli("init").exit_code == 0
    open_database(db_path)
    try:
        from loyalty_support import new_member, new_user

        today = utcnow()
        cashier = new_user(today, "kasa")
        member = new_member(today)
        tea = new_product(today, "1003", "254.90", category="Temel Gıda")
        sale = sale_row(today, cashier, member, 50980)
        sale_line_row(sale, 1, tea, 2)
    finally:
        close_database()
    first = cli("loyalty", "offers", "generate", "--value", "15", "--json")
    assert first.exit_code == 0, first.stderr
    made = json.loads(first.stdout)
    assert [(c["member_id"], c["product"], c["percent"], c["source"]) for c in made] == [
        (member, "1003", "15", "offer")
    ]
    assert "Created 1 offer coupon(s)." in first.stderr
    second = cli("loyalty", "offers", "generate", "--json")
    assert second.exit_code == 0 and json.loads(second.stdout) == []
    bad = cli("loyalty", "offers", "generate", "--kind", "gift")
    assert bad.exit_code == 2


def test_loyalty_run_is_registered(cli: Cli, cashier: Actor) -> None:
    result = cli("loyalty", "--help")
    assert result.exit_code == 0
    for command in ("apply", "show", "tiers", "coupons", "offers", "run"):
        assert command in result.stdout
