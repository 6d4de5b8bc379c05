"""``pos serve`` against DNS rebinding, an app that does not quit, a busy port and the tabs over the
limit (issue 17's review17b proved these on main; kept here as regression tests)."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import socket
from pathlib import Path

import aiohttp
import pytest
from rserve_support import STAND_IN, alive, descendants, stand_in_client, wait_until

from pos_tui.__main__ import main
from pos_tui.core.kernel import os_error_text
from pos_tui.settings import Settings
from pos_tui.tui import serve as serve_module
from pos_tui.tui.serve import PosServer, sessions_full_text


async def first_bytes(ws: aiohttp.ClientWebSocketResponse) -> str:
    message = await ws.receive(timeout=15)
    assert message.type == aiohttp.WSMsgType.BINARY, message
    return bytes(message.data).decode("utf-8")


async def refused(client: object, headers: dict[str, str], path: str = "/ws") -> int:
    try:
        if path == "/ws":
            ws = await client.ws_connect("/ws", headers=headers)  # type: ignore[attr-defined]
            await ws.close()
            return 101
        return (await client.get(path, headers=headers)).status  # type: ignore[attr-defined]
    except aiohttp.WSServerHandshakeError as error:
        return error.status


async def test_a_dns_rebinding_page_is_refused(settings: Settings, tmp_path: Path) -> None:
    """A page of rebind.attacker.example (re-pointed at 127.0.0.1) names its own site in Host and Origin:
    the websocket, the page and its files are refused with 403, and no app starts."""
    async with stand_in_client(settings, tmp_path) as (server, client):
        evil = f"rebind.attacker.example:{client.port}"
        headers = {"Host": evil, "Origin": f"http://{evil}"}
        assert await refused(client, headers) == 403
        assert await refused(client, {"Host": evil}, "/") == 403
        assert await refused(client, {"Host": evil}, "/static/js/textual.js") == 403
        page = await client.get("/", headers={"Host": evil})
        assert "rebind.attacker.example" in await page.text() and "--public-url" in await page.text()
        # the same server's own names pass, with the port served on
        for host in (f"127.0.0.1:{client.port}", f"localhost:{client.port}", f"LOCALHOST:{client.port}"):
            assert (await client.get("/", headers={"Host": host})).status == 200, host
        assert await refused(client, {"Host": "localhost:1"}, "/") == 403  # another port: another server
        assert await refused(client, {"Host": "localhost"}, "/") == 403  # port 80 is not this one's
        assert await refused(client, {"Host": f"localhost:{client.port}", "Origin": f"http://{evil}"}) == 403
        assert await refused(client, {"Host": f"[::1]:{client.port}", "Origin": f"http://[::1]:{client.port}"}) == 101
        await wait_until(lambda: not server.sessions, "the session to end")
        assert server.commands == ["none"]


async def test_behind_a_proxy_only_the_public_urls_host(settings: Settings, tmp_path: Path) -> None:
    public = "https://kasa.example.com"
    async with stand_in_client(settings, tmp_path, public_url=public) as (server, client):
        proxied = {"Host": "kasa.example.com", "X-Forwarded-Proto": "https", "Origin": public}
        ws = await client.ws_connect("/ws", headers=proxied)
        assert await first_bytes(ws) == "stand-in app, devices: none"
        await ws.close()
        await wait_until(lambda: not server.sessions, "the session to end")
        with_port = {"Host": "kasa.example.com:443", "Origin": "https://kasa.example.com:443"}
        assert (await client.get("/", headers=with_port)).status == 200
        # a proxy that keeps Host 127.0.0.1:port and forwards the public host (Caddy, nginx's default)
        forwarded = {"Host": f"127.0.0.1:{client.port}", "X-Forwarded-Host": "kasa.example.com", "Origin": public}
        assert (await client.get("/", headers=forwarded)).status == 200
        for headers in (
            {"Host": "evil.example", "Origin": "https://evil.example"},
            {"Host": "kasa.example.com", "Origin": "http://kasa.example.com"},  # not the public scheme's port
            {"Host": f"127.0.0.1:{client.port}", "X-Forwarded-Host": "evil.example"},
            {"Host": "kasa.example.com:8443"},
        ):
            assert await refused(client, headers) == 403, headers
    async with stand_in_client(settings, tmp_path) as (server, client):  # without --public-url: no proxy host
        assert await refused(client, {"Host": "kasa.example.com", "X-Forwarded-Proto": "https"}, "/") == 403
        assert await refused(client, {"Host": f"127.0.0.1:{client.port}", "X-Forwarded-Host": "a.example"}) == 403


def test_every_address_allows_this_machines_name(settings: Settings) -> None:
    from aiohttp.test_utils import make_mocked_request

    server = PosServer(serve_module.ServeOptions(host="0.0.0.0", port=8000), settings)
    request = make_mocked_request("GET", "/", headers={"Host": "x"})  # reached 127.0.0.1 port 80 (the mock's)
    name = socket.gethostname().lower()
    assert server.host_allowed(f"{name}:80", request, default_port=None)
    assert server.host_allowed(name, request, default_port=None)  # port 80: the browser leaves it out
    assert not server.host_allowed("attacker.example", request, default_port=None)
    assert not server.host_allowed(f"{name}:8000", request, default_port=None)  # not the port it reached


# A tab's app that does not end when asked to quit (busy, or stuck on a lock): it keeps its stdout open.
STUBBORN = STAND_IN.replace(
    'if head[:1] == b"M" and json.loads(body).get("type") == "quit":\n        break',
    'if head[:1] == b"M" and json.loads(body).get("type") == "quit":\n        import time; time.sleep(3600)',
)
# A tab's app that closes its output on quit, then keeps running (a stuck shutdown).
LINGERING = STAND_IN.replace(
    'if head[:1] == b"M" and json.loads(body).get("type") == "quit":\n        break',
    'if head[:1] == b"M" and json.loads(body).get("type") == "quit":\n'
    "        import os, time; os.close(1); time.sleep(3600)",
)
# ... and one that started a helper process of its own, which lingers too.
WITH_CHILD = STUBBORN.replace(
    "import json, sys\n",
    "import json, subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(3600)'])\n",
)


@pytest.mark.parametrize("script", [STUBBORN, LINGERING, WITH_CHILD], ids=["stubborn", "lingering", "child"])
async def test_an_app_that_does_not_quit_is_killed_and_its_place_freed(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str
) -> None:
    monkeypatch.setattr(serve_module, "PROCESS_END_SECONDS", 1.0)
    async with stand_in_client(settings, tmp_path, max_sessions=1) as (server, client):
        (tmp_path / "stand_in.py").write_text(script, encoding="utf-8")  # read when the session starts
        others = descendants(os.getpid())  # an earlier test's processes on this worker are not this session's
        ws = await client.ws_connect("/ws")
        assert (await first_bytes(ws)).startswith("stand-in app")
        await asyncio.sleep(0.3)  # the helper process is started
        before = descendants(os.getpid()) - others
        assert before
        await ws.close()
        try:
            await wait_until(lambda: not server.sessions, "the session to be counted out", timeout=10)
            await wait_until(lambda: not any(alive(pid) for pid in before), "every process to be gone", timeout=10)
            again = await client.ws_connect("/ws")  # the place is free again
            assert (await first_bytes(again)).startswith("stand-in app")
            await again.close()
            await wait_until(lambda: not server.sessions, "the second session to end", timeout=6)
        finally:
            for pid in descendants(os.getpid()) | before:
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)


async def test_shutdown_returns_with_stuck_apps(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve_module, "PROCESS_END_SECONDS", 1.0)
    async with stand_in_client(settings, tmp_path, max_sessions=3) as (server, client):
        (tmp_path / "stand_in.py").write_text(STUBBORN, encoding="utf-8")
        sockets = [await client.ws_connect("/ws") for _n in range(3)]
        for ws in sockets:
            assert (await first_bytes(ws)).startswith("stand-in app")
        before = descendants(os.getpid())
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.wait_for(server.on_shutdown(client.app), 5)
        assert loop.time() - started < 3  # the three together, not one after the other
        await wait_until(lambda: not any(alive(pid) for pid in before), "every app to be gone", timeout=3)


async def test_the_tab_over_the_limit_is_told_and_closed(settings: Settings, tmp_path: Path) -> None:
    async with stand_in_client(settings, tmp_path, max_sessions=1) as (server, client):
        running = await client.ws_connect("/ws")
        assert await first_bytes(running) == "stand-in app, devices: none"
        over = await client.ws_connect("/ws")
        assert sessions_full_text(1) in await first_bytes(over)
        closing = await over.receive(timeout=5)
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), closing
        assert over.close_code == aiohttp.WSCloseCode.TRY_AGAIN_LATER
        await wait_until(lambda: not server.waiting, "the refused tab to be let go")
        assert server.commands == ["none"]
        await running.close()
        await wait_until(lambda: not server.sessions, "the session to end")


def test_a_busy_port_fails_in_turkish_without_announcing_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POS_HOME", str(tmp_path))
    monkeypatch.setenv("POS_DB", str(tmp_path / "pos.sqlite3"))
    monkeypatch.setenv("POS_LANG", "tr")
    monkeypatch.delenv("POS_CONFIG", raising=False)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    out, err = capfd.readouterr()
    assert "tarayıcıda" not in out and "in a browser" not in out, out  # nothing announced
    assert str(port) in err and os_error_text(OSError(errno.EADDRINUSE, "x")) in err, err
    assert "Address already in use" not in err and "Errno" not in err, err  # the system's English


def test_system_errors_are_worded_in_the_shops_language() -> None:
    assert os_error_text(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")) == (
        "the connection was refused (nothing listens there)"
    )
    assert os_error_text(socket.gaierror(-2, "Name or service not known")) == (
        "the name cannot be found (check the host name)"
    )
    assert os_error_text(TimeoutError()) == "no answer in time"
    assert os_error_text(OSError(errno.EISDIR, "Is a directory")) == "it is a folder"
    assert os_error_text(OSError(9999, "odd")) == "system error 9999"
