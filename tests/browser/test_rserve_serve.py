"""``pos serve`` without a browser: its options, the warning beyond loopback, the session limit and log, the
Origin check, the page, and what each tab gets of the machine's devices."""

from __future__ import annotations

import argparse
import logging
import re
import socket
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from rserve_support import stand_in_client, wait_until

from pos_tui.__main__ import main, parser
from pos_tui.core.kernel import ValidationError
from pos_tui.devices.config import DevicesConfig
from pos_tui.settings import ConfigError, Settings, load_settings
from pos_tui.tui import serve as serve_module
from pos_tui.tui.serve import (
    PosServer,
    ServeOptions,
    client_address,
    exposure_warning,
    is_loopback,
    serve_options,
    session_command,
    sessions_full_text,
)
from pos_tui.tui.served import SessionApp, session_devices

REPO = Path(__file__).resolve().parents[2]

DEVICES_TOML = """
[scanner]
driver = "keyboard"

[card_reader]
driver = "serial"
port = "socket://127.0.0.1:9"

[printer]
driver = "escpos"
port = "socket://127.0.0.1:9"
"""


def serve_args(*argv: str) -> argparse.Namespace:
    return parser().parse_args(["serve", *argv])


# -- the command line ------------------------------------------------------------------------------------------


def test_serve_defaults_to_this_machine_port_8000_and_four_sessions(settings: Settings) -> None:
    args = serve_args()
    assert (args.command, args.host, args.port, args.max_sessions, args.public_url) == (
        "serve",
        "127.0.0.1",
        "8000",
        "4",
        None,
    )
    options = serve_options(args, settings)
    assert options == ServeOptions(host="127.0.0.1", port=8000, max_sessions=4, terminal="T1")


def test_the_tills_options_go_to_every_tab_given_before_or_after_serve(settings: Settings, tmp_path: Path) -> None:
    config = tmp_path / "my pos.toml"
    after = serve_options(serve_args("--demo", "--db", "x.sqlite3", "--terminal", "B1"), settings)
    assert after.till_args == ("--demo", "--db", "x.sqlite3", "--terminal", "B1")
    before = parser().parse_args(["--demo", "--config", str(config), "serve", "--port", "8001"])
    options = serve_options(before, settings)
    assert (options.port, options.till_args) == (8001, ("--demo", "--config", str(config.resolve())))
    command = session_command("none", options.till_args)
    assert command.split()[1:5] == ["-m", "pos_tui", "--served", "none"]
    assert f"'{config.resolve()}'" in command  # a path with a space stays one argument


def test_pos_alone_still_runs_the_till() -> None:
    args = parser().parse_args(["--demo", "--terminal", "K2"])
    assert (args.command, args.demo, args.terminal, args.served) == (None, True, "K2", None)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "0"], "--port must be a whole number from 1 to 65535, not 0"),
        (["--port", "70000"], "--port must be a whole number from 1 to 65535, not 70000"),
        (["--port", "80a"], "--port must be a whole number from 1 to 65535, not 80a"),
        (["--max-sessions", "0"], "--max-sessions must be a whole number of at least 1, not 0"),
        (["--max-sessions", "-2"], "--max-sessions must be a whole number of at least 1, not -2"),
        (["--host", " "], "--host must name an address to listen on, such as 127.0.0.1"),
        (["--public-url", "pos.example.com"], "--public-url must be an http:// or https:// address"),
        (["--public-url", "ftp://pos.example.com"], "--public-url must be an http:// or https:// address"),
    ],
)
def test_bad_options_are_refused_with_what_is_wrong(settings: Settings, argv: list[str], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        serve_options(serve_args(*argv), settings)
    assert message in caught.value.message


def test_public_url_loses_its_trailing_slash(settings: Settings) -> None:
    options = serve_options(serve_args("--public-url", "https://pos.example.com/"), settings)
    assert options.public_url == "https://pos.example.com"


def serve_env(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("POS_HOME", str(home))
    monkeypatch.setenv("POS_LANG", "en")
    monkeypatch.setenv("POS_CONFIG", str(REPO / "config" / "pos.toml"))
    monkeypatch.delenv("POS_DB", raising=False)


def test_pos_serve_with_a_bad_port_exits_2_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_env(monkeypatch, tmp_path)
    assert main(["serve", "--demo", "--port", "99999"]) == 2
    assert "pos serve: --port must be a whole number from 1 to 65535, not 99999" in capsys.readouterr().err
    assert not (tmp_path / "demo.sqlite3").exists()  # checked before the database is touched


# -- listening beyond this machine ------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_no_warning_on_a_loopback_address(host: str) -> None:
    assert is_loopback(host)
    assert exposure_warning(host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "fe80::1"])
def test_a_warning_pointing_to_the_docs_beyond_loopback(host: str) -> None:
    assert not is_loopback(host)
    warning = exposure_warning(host)
    assert warning is not None
    assert f"listens on {host}" in warning
    assert "no password and no encryption" in warning
    assert "docs/browser.md" in warning


def test_the_printed_address_is_one_a_browser_can_open() -> None:
    assert serve_module.shown_host("127.0.0.1") == "127.0.0.1"
    assert serve_module.shown_host("0.0.0.0") == socket.gethostname()
    assert serve_module.shown_host("::") == socket.gethostname()
    assert serve_module.url_host("::1") == "[::1]"


def test_a_name_is_loopback_only_when_all_its_addresses_are(monkeypatch: pytest.MonkeyPatch) -> None:
    addresses = {"kasa.local": ["127.0.0.1", "::1"], "ofis.local": ["127.0.0.1", "192.168.1.20"]}

    def resolve(name: str, port: object) -> list[tuple[object, ...]]:
        if name not in addresses:
            raise socket.gaierror(-2, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in addresses[name]]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert is_loopback("kasa.local")
    assert not is_loopback("ofis.local")
    assert not is_loopback("unknown.local")  # cannot tell: warn
    assert exposure_warning("unknown.local") is not None


def test_pos_serve_prints_the_warning_before_it_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served: list[PosServer] = []
    monkeypatch.setattr(PosServer, "serve", lambda self, debug=False: served.append(self))
    serve_env(monkeypatch, tmp_path)
    assert main(["serve", "--host", "0.0.0.0", "--port", "8123", "--terminal", "B1"]) == 0
    err = capsys.readouterr().err
    assert "WARNING: pos serve listens on 0.0.0.0" in err and "docs/browser.md" in err
    assert [(s.host, s.port, s.options.till_args) for s in served] == [("0.0.0.0", 8123, ("--terminal", "B1"))]
    assert (tmp_path / "pos.sqlite3").is_file()  # made (or upgraded) once, before any tab starts
    assert main(["serve", "--port", "8124"]) == 0
    assert "WARNING" not in capsys.readouterr().err


def test_a_port_in_use_exits_1_and_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def busy(self: PosServer, debug: bool = False) -> None:
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(PosServer, "serve", busy)
    serve_env(monkeypatch, tmp_path)
    assert main(["serve", "--port", "8125"]) == 1
    assert "cannot listen on 127.0.0.1 port 8125: the address is already in use" in capsys.readouterr().err


# -- sessions ---------------------------------------------------------------------------------------------------


async def first_bytes(ws: aiohttp.ClientWebSocketResponse) -> str:
    message = await ws.receive(timeout=15)
    assert message.type == aiohttp.WSMsgType.BINARY, message
    return bytes(message.data).decode("utf-8")


async def test_the_tab_over_the_limit_gets_the_message_and_no_process(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pos_tui.serve")
    async with stand_in_client(settings, tmp_path, max_sessions=2) as (server, client):
        first = await client.ws_connect("/ws?width=80&height=24")
        second = await client.ws_connect("/ws?width=80&height=24")
        assert await first_bytes(first) == "stand-in app, devices: none"
        assert await first_bytes(second) == "stand-in app, devices: none"
        third = await client.ws_connect("/ws?width=80&height=24")
        shown = await first_bytes(third)
        assert sessions_full_text(2) in shown
        assert "Every browser session is in use: at most 2 sessions may be open at once." in shown
        assert (len(server.sessions), server.commands) == (2, ["none", "none"])  # no process for the third

        page = await client.get("/")
        assert page.status == 503
        assert "at most 2 sessions may be open at once" in await page.text()

        assert len(server.waiting) == 1
        await third.close()
        await wait_until(lambda: not server.waiting, "the refused tab to go")
        await first.close()
        await wait_until(lambda: len(server.sessions) == 1, "the first session to end")
        fourth = await client.ws_connect("/ws?width=80&height=24")
        assert await first_bytes(fourth) == "stand-in app, devices: none"
        assert sorted(server.sessions) == [2, 3]
        await second.close()
        await fourth.close()
        await wait_until(lambda: not server.sessions, "every session to end")
    lines = [r.getMessage() for r in caplog.records]
    assert "Session 1 started: 127.0.0.1 (1 of 2 open)" in lines
    assert "Session 2 started: 127.0.0.1 (2 of 2 open)" in lines
    assert "Session refused to 127.0.0.1: 2 sessions are open, the most allowed" in lines
    assert any(re.fullmatch(r"Session 1 ended: 127\.0\.0\.1, after 0:00:0\d", line) for line in lines)
    assert "Session 3 started: 127.0.0.1 (2 of 2 open)" in lines
    assert sum(line.startswith("Session 2 ended") or line.startswith("Session 3 ended") for line in lines) == 2


async def test_one_session_has_the_machines_devices_at_a_time(settings: Settings, tmp_path: Path) -> None:
    async with stand_in_client(settings, tmp_path, devices="one-session") as (server, client):
        first = await client.ws_connect("/ws")
        assert await first_bytes(first) == "stand-in app, devices: devices"
        second = await client.ws_connect("/ws")
        assert await first_bytes(second) == "stand-in app, devices: elsewhere"
        assert server.devices_holder == 1
        await first.close()
        await wait_until(lambda: server.devices_holder is None, "the devices to be free")
        third = await client.ws_connect("/ws")
        assert await first_bytes(third) == "stand-in app, devices: devices"
        assert (server.devices_holder, server.commands) == (3, ["devices", "elsewhere", "devices"])
        await second.close()
        await third.close()
        await wait_until(lambda: not server.sessions, "every session to end")


async def test_a_page_from_another_site_cannot_open_a_session(settings: Settings, tmp_path: Path) -> None:
    async with stand_in_client(settings, tmp_path, public_url="https://pos.example.com") as (server, client):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect("/ws", headers={"Origin": "https://evil.example"})
        assert refused.value.status == 403
        assert server.commands == []
        own = f"http://{client.host}:{client.port}"
        for origin in (own, "https://pos.example.com"):
            ws = await client.ws_connect("/ws", headers={"Origin": origin})
            assert await first_bytes(ws) == "stand-in app, devices: none"
            await ws.close()
            await wait_until(lambda: not server.sessions, "the session to end")
        assert len(server.commands) == 2


async def test_the_page_is_the_shops_and_points_at_the_public_url(settings: Settings, tmp_path: Path) -> None:
    async with stand_in_client(settings, tmp_path) as (_server, client):
        page = await (await client.get("/")).text()
        assert f'data-session-websocket-url="ws://{client.host}:{client.port}/ws"' in page
        assert '<html lang="en">' in page and "<title>Demo Market</title>" in page
        assert "The session has ended." in page and "googleapis" not in page
    async with stand_in_client(settings, tmp_path, public_url="https://pos.example.com") as (_server, client):
        page = await (await client.get("/")).text()
        assert 'data-session-websocket-url="wss://pos.example.com/ws"' in page
        assert 'href="https://pos.example.com/static/css/xterm.css"' in page
        static = await client.get("/static/js/textual.js")
        assert static.status == 200  # textual-serve's own script, served as it is
    public = "https://kasa.example.com"
    async with stand_in_client(settings, tmp_path, public_url=public) as (_server, client):  # behind a TLS proxy
        proxied = {"Host": "kasa.example.com", "X-Forwarded-Proto": "https"}
        page = await (await client.get("/", headers=proxied)).text()
        assert 'data-session-websocket-url="wss://kasa.example.com/ws"' in page
        ws = await client.ws_connect("/ws", headers={**proxied, "Origin": "https://kasa.example.com"})
        assert await first_bytes(ws) == "stand-in app, devices: none"
        await ws.close()
        await wait_until(lambda: not _server.sessions, "the session to end")


def test_the_log_names_the_client_behind_a_proxy_and_its_user() -> None:
    from aiohttp.test_utils import make_mocked_request

    def request(**headers: str) -> web.Request:
        return make_mocked_request("GET", "/ws", headers=headers).clone(remote="127.0.0.1")

    assert client_address(request()) == "127.0.0.1"
    proxied = request(**{"X-Forwarded-For": "192.168.1.7, 10.0.0.1"})
    assert client_address(proxied) == "192.168.1.7 through the proxy at 127.0.0.1"
    user = request(**{"X-Forwarded-For": "192.168.1.7", "X-Forwarded-User": "patron"})
    assert client_address(user) == "192.168.1.7 through the proxy at 127.0.0.1, user patron"
    assert client_address(request(**{"X-Remote-User": "patron"})) == "127.0.0.1, user patron"
    assert client_address(request(**{"X-Remote-User": "pat\x1b[2Jron"})) == "127.0.0.1, user pat?[2Jron"


# -- devices ----------------------------------------------------------------------------------------------------


def test_a_tab_without_devices_reads_no_devices_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    devices = tmp_path / "devices.toml"
    devices.write_text(DEVICES_TOML, encoding="utf-8")
    monkeypatch.setenv("POS_DEVICES", str(devices))
    assert session_devices("none") == DevicesConfig(path=None, sections={})
    assert session_devices("elsewhere") == DevicesConfig(path=None, sections={})
    mine = session_devices("devices")
    assert mine is not None and mine.path == devices
    assert mine.names == ("card_reader", "printer")  # the keyboard scanner is the server's keyboard: dropped
    with pytest.raises(ValueError, match="unknown session mode"):
        session_devices("all")


async def test_a_served_tab_opens_no_port(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    devices = tmp_path / "devices.toml"
    devices.write_text(DEVICES_TOML, encoding="utf-8")
    monkeypatch.setenv("POS_DEVICES", str(devices))
    from pos_tui.store import close_database, open_database

    open_database(settings.db_url)
    try:
        app = SessionApp(settings, demo=False, mode="elsewhere")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(lambda: app.printing is not None and app.printing._started, "the devices to start")
            await pilot.pause()
            assert (app.devices.readers, app.devices.keyboard, app.printing.printer) == ([], None, None)
            assert "another session has this machine's printer" in " ".join(str(n.message) for n in app._notifications)
    finally:
        close_database()


def test_serve_devices_in_pos_toml(tmp_path: Path) -> None:
    config = tmp_path / "pos.toml"
    env = {"POS_HOME": str(tmp_path), "POS_CONFIG": str(config)}
    config.write_text('[serve]\ndevices = "one-session"\n', encoding="utf-8")
    assert load_settings(env).serve.devices == "one-session"
    config.write_text("", encoding="utf-8")
    assert load_settings(env).serve.devices == "none"
    config.write_text('[serve]\ndevices = "all"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"serve\.devices must be none or one-session, not 'all'"):
        load_settings(env)
    config.write_text("[serve]\nport = 80\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"serve: unknown key\(s\) \['port'\]"):
        load_settings(env)


def test_the_shipped_config_serves_no_devices() -> None:
    settings = load_settings({"POS_CONFIG": str(REPO / "config" / "pos.toml"), "POS_HOME": "/nonexistent"})
    assert settings.serve.devices == "none"
    assert serve_module.DEFAULT_MAX_SESSIONS == 4


async def test_shutting_down_stops_every_session_and_closes_the_waiting_tabs(
    settings: Settings, tmp_path: Path
) -> None:
    async with stand_in_client(settings, tmp_path, max_sessions=1) as (server, client):
        running = await client.ws_connect("/ws")
        assert await first_bytes(running) == "stand-in app, devices: none"
        waiting = await client.ws_connect("/ws")
        assert sessions_full_text(1) in await first_bytes(waiting)
        process = server.sessions[1].service._process  # type: ignore[union-attr]
        await server.on_shutdown(client.app)  # what Ctrl+C and SIGTERM run
        assert process.returncode == 0  # the app was asked to quit, and did
        for ws in (running, waiting):
            assert (await ws.receive(timeout=5)).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        await wait_until(lambda: not server.sessions and not server.waiting, "every tab to be let go")


def test_the_log_is_in_the_shops_time_with_its_offset() -> None:
    """A server kept in UTC logs 21:06 UTC as the shop's 00:06 the next day, with the offset."""
    import logging

    from pos_tui.tui.serve import ShopTimeFormatter

    record = logging.LogRecord("pos_tui.serve", logging.INFO, __file__, 1, "Oturum 1 başladı", None, None)
    record.created = 1796591160.0  # 2026-12-06 21:06:00 UTC
    line = ShopTimeFormatter("Europe/Istanbul").format(record)
    assert line == "2026-12-07 00:06:00 +0300 Oturum 1 başladı"
