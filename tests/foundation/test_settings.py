"""Configuration is read into frozen dataclasses; bad values name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_tui.settings import ConfigError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pos.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_loads(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.kdv_rates == (0, 1, 10, 20)
    assert [m.prefix for m in settings.scale_labels] == ["27", "28", "29"]
    assert settings.roles["cashier"].max_discount_pct == 10
    assert "admin" in settings.roles["admin"].permissions


def test_environment_overrides(tmp_path: Path) -> None:
    env = {"POS_HOME": str(tmp_path), "POS_DB": "postgresql://x@h/db", "POS_TERMINAL": "K2", "POS_LANG": "en"}
    s = load_settings(env, write(tmp_path, "[terminal]\nid = 'T9'\n"))
    assert (s.db_url, s.terminal_id, s.language) == ("postgresql://x@h/db", "K2", "en")


def test_default_db_lives_in_home(tmp_path: Path) -> None:
    s = load_settings({"POS_HOME": str(tmp_path)}, write(tmp_path, ""))
    assert s.db_url == str(tmp_path / "pos.sqlite3")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tax]\nkdv_rates = [0, 1, 10, 20]\ndefault_kdv_rate = 18\n", "default_kdv_rate 18"),
        ("[[scale_labels]]\nprefix = '27'\nplu_digits = 5\nkind = 'weight'\nvalue_digits = 4\n", "12 digits"),
        ("[[scale_labels]]\nprefix = '27'\nkind = 'volume'\n", "kind must be"),
        ("[roles.cashier]\npermissions = ['fly']\n", "unknown ['fly']"),
        ("[shop]\nlanguage = 'de'\n", "shop.language"),
        ("[shop]\ntimezone = 'Mars/Olympus'\n", "time zone"),
        ("this is not toml", "pos.toml"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")) as info:
        load_settings({"POS_HOME": str(tmp_path)}, write(tmp_path, text))
    assert "pos.toml" in str(info.value)
