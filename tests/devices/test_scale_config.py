"""devices.toml [scale] → ScaleConfig, and the accept() rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pos_tui.core.kernel import ValidationError
from pos_tui.devices.config import parse_devices
from pos_tui.devices.scales import (
    FakeScale,
    ScaleConfig,
    WeightReading,
    accept,
    describe_reading,
    open_scale,
    parse_escapes,
    status_text,
)
from pos_tui.devices.scales_frames import (
    GARBLED,
    MOTION,
    OK,
    OVERLOAD,
    UNDER_ZERO,
    WRONG_UNIT,
    ZERO_ERROR,
    CasProtocol,
    GenericProtocol,
    Mettler8217Protocol,
)
from pos_tui.devices.status import DeviceStatus

WHERE = "devices.toml [scale]"


def parse(**values: object) -> ScaleConfig:
    return ScaleConfig.parse({"port": "/dev/ttyUSB0", **values}, WHERE)


def refused(match: str, **values: object) -> None:
    with pytest.raises(ValidationError, match=match):
        parse(**values)


class TestParse:
    def test_mettler_defaults(self) -> None:
        c = parse(driver="mettler8217")
        assert (c.port.url, c.port.baudrate, c.port.bytesize, c.port.parity) == ("/dev/ttyUSB0", 9600, 7, "E")
        assert (c.poll, c.zero, c.tare) == (b"W", b"Z", b"T")
        assert (c.capacity_g, c.minimum_g, c.max_age_ms, c.unit) == (15000, 40, 1000, "kg")
        assert isinstance(c.make_protocol(), Mettler8217Protocol)

    def test_mettler_line_settings_can_be_changed(self) -> None:
        c = parse(driver="mettler8217", bytesize=8, parity="N", baudrate=4800)
        assert (c.port.bytesize, c.port.parity, c.port.baudrate) == (8, "N", 4800)

    def test_cas_streams_unless_a_poll_is_set(self) -> None:
        c = parse(driver="cas")
        assert (c.poll, c.zero, c.tare) == (None, None, None)
        assert (c.port.bytesize, c.port.parity) == (8, "N")
        protocol = parse(driver="cas", poll="\\x05", device_id="1").make_protocol()
        assert isinstance(protocol, CasProtocol)
        assert protocol.poll() == b"\x05"

    def test_weights_with_units(self) -> None:
        c = parse(driver="cas", capacity="6 kg", minimum="20 g")
        assert (c.capacity_g, c.minimum_g) == (6000, 20)
        assert parse(driver="cas", capacity="1,5 kg").capacity_g == 1500
        assert parse(driver="cas", capacity=30000, minimum=100).capacity_g == 30000

    def test_generic(self) -> None:
        c = parse(
            driver="generic",
            frame=r"^(?P<status>ST|US),(?P<sign>[+-])(?P<weight>\d+)$",
            unit="g",
            decimals=1,
            terminator="\\r",
            poll="\\x05",
            stable="ST",
            unstable="US",
            zero="Z\\r",
        )
        assert c.generic is not None
        assert c.generic.pattern.pattern == rb"^(?P<status>ST|US),(?P<sign>[+-])(?P<weight>\d+)$"
        assert (c.generic.terminator, c.generic.poll, c.generic.decimals) == (b"\r", b"\x05", 1)
        assert (c.generic.stable, c.generic.unstable, c.zero) == (b"ST", b"US", b"Z\r")
        protocol = c.make_protocol()
        assert isinstance(protocol, GenericProtocol)
        (reading,) = protocol.feed(b"ST,+12345\r", 1.0)
        assert reading.grams == 1234  # 1234.5 g rounds half-even

    def test_real_file_with_line_numbers(self, tmp_path: Path) -> None:
        text = '[scale]\ndriver = "cas"\nport = "socket://127.0.0.1:4001"\ndecimals = 7\n'
        devices = parse_devices(text, tmp_path / "devices.toml")
        with pytest.raises(ValidationError, match=r"\[scale\]\.decimals \(line 4\): is only read by the generic"):
            ScaleConfig.parse(devices.section("scale") or {}, devices.where("scale"))

    @pytest.mark.parametrize(
        ("values", "match"),
        [
            ({"driver": "toledo"}, r"\[scale\]\.driver: must be one of mettler8217, cas, generic"),
            ({"driver": "cas", "capcity": 1}, r"\.capcity: unknown setting"),
            ({"driver": "cas", "capacity": "lots"}, r"\.capacity: must be a weight like"),
            ({"driver": "cas", "capacity": 0}, r"\.capacity: must be more than zero"),
            ({"driver": "cas", "minimum": -1}, r"\.minimum: must not be negative"),
            ({"driver": "cas", "minimum": "20 kg"}, r"\.minimum: must be below the capacity"),
            ({"driver": "cas", "capacity": "1.0005 kg"}, r"\.capacity: must be whole grams"),
            ({"driver": "cas", "max_age_ms": 5}, r"\.max_age_ms: must be between 100 and 60000, not 5"),
            ({"driver": "cas", "unit": "lb"}, r"\.unit: must be one of g, kg, t"),
            ({"driver": "cas", "poll": "ş"}, r"\.poll: must be plain ASCII"),
            ({"driver": "cas", "poll": "\\x0"}, r"\.poll: must be plain ASCII"),
            ({"driver": "cas", "device_id": "12"}, r"\.device_id: must be one character"),
            ({"driver": "mettler8217", "device_id": "1"}, r"\.device_id: is only read by the cas driver"),
            ({"driver": "generic"}, r"\.frame: is required"),
            ({"driver": "generic", "frame": "(?P<weight"}, r"\.frame: is not a valid regular expression"),
            ({"driver": "generic", "frame": r"\d+"}, r"\.frame: needs a named group for the weight"),
            ({"driver": "generic", "frame": r"(?P<weight>\d+)(?P<wieght>x)"}, r"unknown group wieght"),
            ({"driver": "generic", "frame": r"(?P<weight>\d+)", "decimals": 7}, r"\.decimals: must be between 0 and 4"),
            ({"driver": "generic", "frame": r"(?P<weight>\d+)", "terminator": ""}, r"\.terminator: must not be empty"),
            ({"driver": "cas", "port": ""}, r"\.port: must not be empty"),
        ],
    )
    def test_bad_values_name_key_and_reason(self, values: dict[str, object], match: str) -> None:
        refused(match, **values)

    def test_escapes(self) -> None:
        assert parse_escapes("\\x05") == b"\x05"
        assert parse_escapes("W\\r\\n") == b"W\r\n"
        assert parse_escapes("\x02") == b"\x02"  # a real control character from a TOML basic string
        assert parse_escapes("\\\\") == b"\\"


class TestOpenScale:
    def test_no_section_means_no_scale(self) -> None:
        statuses: list[DeviceStatus] = []
        assert open_scale(parse_devices(""), on_status=statuses.append) is None
        assert statuses[0].state == "none"
        assert status_text(statuses[0]) == "Scale: not configured"

    def test_driver_none_means_no_scale(self) -> None:
        assert open_scale(parse_devices('[scale]\ndriver = "none"\n')) is None

    def test_configured(self) -> None:
        scale = open_scale(parse_devices('[scale]\ndriver = "mettler8217"\nport = "/dev/ttyS0"\n'))
        assert scale is not None
        assert scale.config.driver == "mettler8217"
        assert scale.link.poll_interval == 0.2

    def test_streaming_scale_is_not_polled(self) -> None:
        scale = open_scale(parse_devices('[scale]\ndriver = "cas"\nport = "/dev/ttyS0"\n'))
        assert scale is not None and scale.link.poll_interval is None


CONFIG = ScaleConfig(driver="cas", port=parse(driver="cas").port, capacity_g=15000, minimum_g=40, max_age_ms=1000)


def r(grams: int, stable: bool = True, status: str = OK, at: float = 10.0) -> WeightReading:
    return WeightReading(grams, stable, status, b"", at)


class TestAccept:
    def test_a_stable_positive_weight(self) -> None:
        assert accept(r(1500), now=10.5, config=CONFIG) == 1500
        assert accept(r(15000), now=10.0, config=CONFIG) == 15000
        assert accept(r(40), now=10.0, config=CONFIG) == 40

    @pytest.mark.parametrize(
        ("reading", "now", "match"),
        [
            (None, 10.0, "No weight from the scale yet"),
            (r(1500, at=8.0), 10.0, "out of date"),
            (r(0, False, GARBLED), 10.0, "could not be read"),
            (r(0, False, WRONG_UNIT), 10.0, "not weighing in kilograms"),
            (r(0, False, OVERLOAD), 10.0, r"Too heavy for the scale \(its maximum is 15.000 kg\)"),
            (r(15001), 10.0, "Too heavy"),
            (r(-20, False, UNDER_ZERO), 10.0, "less than zero"),
            (r(-20, True, OK), 10.0, "less than zero"),
            (r(0, False, ZERO_ERROR), 10.0, "needs zeroing"),
            (r(1480, False, MOTION), 10.0, "not steady"),
            (r(1480, False, OK), 10.0, "not steady"),
            (r(0), 10.0, "Nothing on the scale"),
            (r(39), 10.0, re.escape("Too light to weigh: 0.039 kg is under the scale's minimum of 0.040 kg")),
        ],
    )
    def test_refused(self, reading: WeightReading | None, now: float, match: str) -> None:
        with pytest.raises(ValidationError, match=match):
            accept(reading, now=now, config=CONFIG)

    def test_turkish_weights(self) -> None:
        from pos_tui.i18n import set_language

        set_language("tr")
        assert "1,500 kg" in describe_reading(r(1500))

    def test_descriptions(self) -> None:
        assert describe_reading(r(1500)) == "1.500 kg stable"
        assert describe_reading(r(1480, False, MOTION)) == "1.480 kg moving"
        assert describe_reading(r(0, False, MOTION)) == "moving"
        assert describe_reading(r(0, False, OVERLOAD)) == "over capacity"
        assert describe_reading(r(-5, False, UNDER_ZERO)) == "below zero"
        assert describe_reading(r(0, False, GARBLED)) == "unreadable data"


class TestFakeScale:
    async def test_set_weight_and_read(self) -> None:
        now = [100.0]
        readings: list[WeightReading] = []
        statuses: list[DeviceStatus] = []
        scale = FakeScale(clock=lambda: now[0], on_reading=readings.append, on_status=statuses.append)
        await scale.start()
        scale.set_weight(1500, stable=False)
        with pytest.raises(ValidationError, match="not steady"):
            scale.accept_latest()
        scale.set_weight(1500)
        assert scale.accept_latest() == 1500
        assert await scale.read_stable(0.1) == 1500
        assert [x.stable for x in readings] == [False, True]
        assert status_text(statuses[-1]) == "Scale: 1.500 kg stable"
        now[0] += 5
        with pytest.raises(ValidationError, match="out of date"):
            await scale.read_stable(0.01)

    async def test_read_stable_waits_for_the_scale_to_settle(self) -> None:
        import asyncio

        scale = FakeScale()
        await scale.start()
        scale.set_weight(900, stable=False)

        async def settle() -> None:
            await asyncio.sleep(0.02)
            scale.set_weight(950, stable=False)
            await asyncio.sleep(0.02)
            scale.set_weight(1000)

        task = asyncio.create_task(settle())
        assert await scale.read_stable(2.0) == 1000
        await task

    async def test_zero_tare_and_offline(self) -> None:
        from pos_tui.devices.errors import DeviceError

        scale = FakeScale()
        await scale.start()
        scale.set_weight(500)
        await scale.tare()
        with pytest.raises(ValidationError, match="No weight"):
            scale.accept_latest()  # the weight before the tare is not the weight now
        await scale.zero()
        assert scale.commands == ["tare", "zero"]
        scale.set_connected(False)
        with pytest.raises(DeviceError, match="not connected"):
            await scale.zero()
        with pytest.raises(DeviceError, match="The scale is not connected"):
            await scale.read_stable(0.01)


def shipped_examples() -> list[dict[str, object]]:
    """The commented [scale] examples of config/devices.toml, uncommented and parsed."""
    import tomllib

    text = (Path(__file__).resolve().parents[2] / "config" / "devices.toml").read_text(encoding="utf-8")
    block = text[text.index("# Scale —") : text.index("# Receipt printer")]
    examples = []
    for chunk in block.split("# [scale]\n")[1:]:
        lines = []
        for line in chunk.splitlines():
            if not line.startswith("# ") or line.startswith("#  "):
                break
            lines.append(line[2:])
        examples.append(tomllib.loads("\n".join(lines)))
    return examples


def test_shipped_examples_parse() -> None:
    examples = shipped_examples()
    assert [e["driver"] for e in examples] == ["mettler8217", "cas", "generic"]
    configs = [ScaleConfig.parse(e, WHERE) for e in examples]
    generic = configs[2].make_protocol()
    frames = b"ST,+  1.500kg\r\nUS,+1.4kg\r\nOL,\r\nST,-0.005kg\r\n"
    assert [(x.grams, x.status) for x in generic.feed(frames, 1.0)] == [
        (1500, OK),
        (1400, MOTION),
        (0, OVERLOAD),
        (-5, UNDER_ZERO),
    ]
