"""devices.toml: where it is read from, what a fresh install has (nothing), and errors that name the file,
line, section, key and reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pos_tui.core.kernel import ValidationError
from pos_tui.devices.cards import CardReaderConfig
from pos_tui.devices.config import REPO_DEVICES, DevicesConfig, Section, devices_path, load_devices, parse_devices
from pos_tui.devices.link import SerialPort, parse_backoff
from pos_tui.devices.scanner import ScannerConfig

KINDS = ("scanner", "card_reader", "scale", "printer", "labels", "fiscal")


def test_the_shipped_file_configures_no_device() -> None:
    shipped = load_devices(REPO_DEVICES)
    assert shipped.path == REPO_DEVICES
    assert all(shipped.section(kind) is None for kind in KINDS)


def shipped_examples(section: str) -> list[str]:
    """Every commented-out ``[section]`` example of the shipped file, uncommented."""
    examples, current = [], None
    for line in REPO_DEVICES.read_text(encoding="utf-8").splitlines():
        body = line[2:] if line.startswith("# ") else None
        if body is not None and body.strip() == f"[{section}]":
            current = [body]
            examples.append(current)
        elif current is not None and body is not None and body.strip() and not body.startswith(" " * 20):
            current.append(body)
        else:
            current = None
    return ["\n".join(lines) for lines in examples]


@pytest.mark.parametrize(("section", "parser"), [("scanner", ScannerConfig), ("card_reader", CardReaderConfig)])
def test_the_shipped_examples_are_valid_when_uncommented(section: str, parser: type[ScannerConfig]) -> None:
    examples = shipped_examples(section)
    assert len(examples) == 2  # a keyboard and a serial one
    drivers = set()
    for text in examples:
        config = parser.from_devices(parse_devices(text))
        assert config is not None
        drivers.add(config.driver)
    assert drivers == {"keyboard", "serial"}


def test_lookup_order(tmp_path: Path) -> None:
    named = tmp_path / "named.toml"
    named.write_text('[scanner]\ndriver = "keyboard"\n')
    home = tmp_path / "home"
    home.mkdir()
    assert devices_path({"POS_DEVICES": str(named), "POS_HOME": str(home)}) == named
    assert devices_path({"POS_HOME": str(home)}) == REPO_DEVICES  # nothing in the home: the shipped file
    (home / "devices.toml").write_text("")
    assert devices_path({"POS_HOME": str(home)}) == home / "devices.toml"
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "devices.toml").write_text("")
    assert devices_path({"POS_CONFIG": str(etc / "pos.toml"), "POS_HOME": str(home)}) == etc / "devices.toml"
    loaded = load_devices(env={"POS_DEVICES": str(named)})
    assert loaded.section("scanner") == {"driver": "keyboard"} and loaded.names == ("scanner",)


def test_a_named_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=re.escape(f"{tmp_path / 'nope.toml'}: file not found")):
        load_devices(env={"POS_DEVICES": str(tmp_path / "nope.toml")})


def test_bad_toml_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "devices.toml"
    path.write_text('[scanner]\ndriver = "keyboard"\nburst_ms = \n')
    with pytest.raises(ValidationError, match=rf"{re.escape(str(path))}: not valid TOML: .*line 3"):
        load_devices(path)


def test_a_top_level_value_is_not_a_device(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"devices.toml:2: scale must be a \[scale\] section"):
        parse_devices('# comment\nscale = "mettler"\n')


def test_driver_none_and_missing_sections_mean_no_device() -> None:
    config = parse_devices('[scale]\ndriver = "none"\nport = "/dev/ttyS0"\n')
    assert config.section("scale") is None and config.section("printer") is None
    assert config.names == ("scale",)
    assert DevicesConfig(path=None).section("scanner") is None
    assert config.where("scale") == "devices.toml [scale]"


def section(text: str, name: str = "scale") -> Section:
    found = parse_devices(text, Path("/etc/pos/devices.toml")).sections[name]
    return Section(found)


def test_section_errors_name_file_line_section_key_and_reason() -> None:
    s = section('[printer]\nwidth = 48\n\n[scale]\ndriver = "cas"\ndecimals = 7\nname = 3\nlive = "yes"\n')
    with pytest.raises(ValidationError) as caught:
        s.integer("decimals", 3, low=0, high=4)
    assert str(caught.value) == "/etc/pos/devices.toml [scale].decimals (line 6): must be between 0 and 4, not 7"
    with pytest.raises(ValidationError, match=r"\[scale\]\.name \(line 7\): must be text in quotes, not 3"):
        s.text("name", "")
    with pytest.raises(ValidationError, match=r"\[scale\]\.live \(line 8\): must be true or false"):
        s.flag("live", False)
    with pytest.raises(ValidationError, match=r"\[scale\]\.port: is required"):
        s.text("port")
    with pytest.raises(ValidationError, match=r"\[scale\]\.live \(line 8\): unknown setting; known: decimals, "):
        s.require_known(["driver", "decimals", "name"])
    assert s.integer("missing", 5) == 5 and s.seconds("missing", 0.5) == 0.5
    plain = Section({"decimals": True}, "test [x]")
    with pytest.raises(ValidationError, match=r"^test \[x\]\.decimals: must be a whole number"):
        plain.integer("decimals", 1)


def test_serial_port_parse() -> None:
    where = "devices.toml [scale]"
    full = {"port": "/dev/ttyUSB0", "baudrate": 4800, "bytesize": 7, "parity": "even", "stopbits": 2}
    assert SerialPort.parse(full, where) == SerialPort("/dev/ttyUSB0", 4800, 7, "E", 2)
    assert SerialPort.parse({"port": "socket://10.0.0.5:4001"}, where) == SerialPort("socket://10.0.0.5:4001")
    assert SerialPort.parse({"port": "/dev/x", "stopbits": 1.5}, where).stopbits == 1.5
    bad = [
        ({"port": ""}, r"port: must not be empty"),
        ({}, r"port: is required"),
        ({"port": "/dev/x", "baudrate": 9601}, r"baudrate: must be one of .*9600.*not 9601"),
        ({"port": "/dev/x", "baudrate": "9600"}, r"baudrate: must be a whole number"),
        ({"port": "/dev/x", "bytesize": 9}, r"bytesize: must be one of 5, 6, 7, 8, not 9"),
        ({"port": "/dev/x", "parity": "X"}, r"parity: must be one of N, E, O, M, S"),
        ({"port": "/dev/x", "stopbits": 3}, r"stopbits: must be 1, 1.5 or 2, not 3"),
        ({"port": "usb://printer"}, r"port: unknown URL type 'usb'"),
        ({"port": "socket://10.0.0.5"}, r"port: must look like socket://HOST:PORT"),
    ]
    for raw, message in bad:
        with pytest.raises(ValidationError, match=rf"^devices.toml \[scale\]\.{message}"):
            SerialPort.parse(raw, where)


def test_backoff_bounds() -> None:
    assert parse_backoff({}, "x") == (0.5, 10.0)
    assert parse_backoff({"reconnect_min": 1, "reconnect_max": 30}, "x") == (1.0, 30.0)
    with pytest.raises(ValidationError, match=r"reconnect_max: must not be below reconnect_min"):
        parse_backoff({"reconnect_min": 5, "reconnect_max": 1}, "x")
    with pytest.raises(ValidationError, match=r"reconnect_min: must be between"):
        parse_backoff({"reconnect_min": 0}, "x")
