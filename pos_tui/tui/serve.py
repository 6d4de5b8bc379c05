"""``pos serve``: the till in web browsers, through textual-serve (docs/browser.md).

textual-serve's :class:`~textual_serve.server.Server` serves a page with a terminal (xterm.js) and, for each
websocket the page opens, starts the command once: every browser tab runs its own ``pos`` process behind
the till's own PIN login. :class:`PosServer` is that server made fit for a shop:

- it listens on 127.0.0.1 unless told otherwise; textual-serve has no authentication and no TLS, so any
  other address is only for behind a reverse proxy that adds both (:func:`exposure_warning` says so at
  start, and docs/browser.md has the configurations);
- it counts the live websockets and starts no process over ``--max-sessions``: that tab (and a page asked
  for while the sessions are full) shows why, in the shop's language;
- it logs each session's start and end with the browser's address (and the proxy's, and the user the
  proxy authenticated) to its output, and prints where it serves on start;
- it refuses a websocket opened by a page from another site (the ``Origin`` check textual-serve does
  not do): a web page the owner visits could otherwise drive a till session in the owner's browser;
- it decides what each tab gets of this machine's devices (``[serve] devices`` in pos.toml) and passes
  it on the tab's command line (:mod:`pos_tui.tui.served` builds the tab's app).

Its page is textual-serve's, in the shop's language and without the web font fetched from the internet
(``serve_templates/``); its JavaScript is textual-serve's own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import logging
import os
import shlex
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import aiohttp
import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from pos_tui.core.kernel import ValidationError, os_error_text
from pos_tui.i18n import _, current_language, ngettext
from pos_tui.settings import Settings

log = logging.getLogger("pos_tui.serve")

TEMPLATES = Path(__file__).with_name("serve_templates")
DOCS = "docs/browser.md"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 4
HEARTBEAT_SECONDS = 15  # a browser that went away without closing is noticed within this (textual-serve's)
PROCESS_END_SECONDS = 10.0  # after the quit request, a tab's app has this long to end before it is killed
FORWARDED_USER_HEADERS = ("X-Forwarded-User", "X-Remote-User")  # who the reverse proxy authenticated


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """What ``pos serve`` was asked for, checked (:func:`serve_options`). ``till_args`` go on every tab's
    command line (``--demo``, ``--db``, ``--config``, ``--terminal``); ``devices`` is ``[serve] devices``."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    max_sessions: int = DEFAULT_MAX_SESSIONS
    public_url: str | None = None
    devices: str = "none"
    till_args: tuple[str, ...] = ()
    terminal: str = "T1"


def _whole_number(value: str, *, least: int, most: int | None = None) -> int | None:
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    if number < least or (most is not None and number > most):
        return None
    return number


def check_public_url(value: str) -> str:
    """``--public-url`` without a trailing slash; ValidationError unless it is an http(s) address with a host."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValidationError(
            _(
                "--public-url must be an http:// or https:// address such as https://pos.example.com, not {value}"
            ).format(value=value)
        )
    return value.strip().rstrip("/")


def serve_options(args: argparse.Namespace, settings: Settings) -> ServeOptions:
    """The checked options of ``pos serve`` (ValidationError with a message in the shop's language)."""
    port = _whole_number(args.port, least=1, most=65535)
    if port is None:
        raise ValidationError(_("--port must be a whole number from 1 to 65535, not {value}").format(value=args.port))
    most = _whole_number(args.max_sessions, least=1)
    if most is None:
        raise ValidationError(
            _("--max-sessions must be a whole number of at least 1, not {value}").format(value=args.max_sessions)
        )
    host = str(args.host).strip()
    if not host:
        raise ValidationError(_("--host must name an address to listen on, such as 127.0.0.1"))
    public_url = check_public_url(args.public_url) if args.public_url else None
    till: list[str] = []
    if getattr(args, "demo", False):
        till.append("--demo")
    if getattr(args, "db", None):
        till += ["--db", str(args.db)]
    if getattr(args, "config", None):
        till += ["--config", str(Path(args.config).resolve())]
    if getattr(args, "terminal", None):
        till += ["--terminal", str(args.terminal)]
    return ServeOptions(
        host=host,
        port=port,
        max_sessions=most,
        public_url=public_url,
        devices=settings.serve.devices,
        till_args=tuple(till),
        terminal=settings.terminal_id,
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` reaches this machine only: ``localhost``, 127.0.0.0/8, ``::1``, or a name all of
    whose addresses are those. An address that cannot be resolved is not (the warning errs on the safe side)."""
    name = host.strip().strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in found}
    try:
        return bool(addresses) and all(ipaddress.ip_address(str(a).split("%", 1)[0]).is_loopback for a in addresses)
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    """The warning ``pos serve`` prints when it listens beyond this machine (None on a loopback address)."""
    if is_loopback(host):
        return None
    return _(
        "WARNING: pos serve listens on {host}, beyond this machine. It has no password and no encryption of "
        "its own: anybody who reaches this address gets the PIN login of the till, and PINs cross the network "
        "in clear text. Serve it only behind a reverse proxy with TLS and authentication ({docs})."
    ).format(host=host, docs=DOCS)


def url_host(host: str) -> str:
    """``host`` as it goes in a URL (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def shown_host(host: str) -> str:
    """The host to print in the URL: this machine's name for "every address" (``0.0.0.0``, ``::``), which no
    browser can connect to."""
    try:
        unspecified = ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        unspecified = False
    return socket.gethostname() if unspecified else host


def sessions_full_text(limit: int) -> str:
    """What a tab over the limit shows (the page and the terminal say the same)."""
    return ngettext(
        "Every browser session is in use: at most {limit} session may be open at once.",
        "Every browser session is in use: at most {limit} sessions may be open at once.",
        limit,
    ).format(limit=limit)


def sessions_full_advice() -> str:
    return _("Close a session you no longer need (log out and close its tab), then load this page again.")


def sessions_full_screen(limit: int) -> bytes:
    """The terminal text sent to a websocket over the limit (no process is started for it)."""
    lines = ["", "  pos_tui", "", "  " + sessions_full_text(limit), "", "  " + sessions_full_advice()]
    return ("\x1b[2J\x1b[H\x1b[?25l" + "\r\n".join(lines)).encode("utf-8")


def session_command(mode: str, till_args: tuple[str, ...]) -> str:
    """The shell command of one tab's app: this Python, ``-m pos_tui --served MODE`` and the till's options."""
    return shlex.join([sys.executable, "-m", "pos_tui", "--served", mode, *till_args])


def host_and_port(netloc: str, default_port: int | None) -> tuple[str, int | None] | None:
    """``kasa.example.com:8443`` / ``[::1]:8000`` / ``localhost`` as (lower-case name without brackets,
    port or ``default_port``); None when it is not a host at all."""
    try:
        parts = urlsplit("//" + netloc.strip())
        name, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not name or parts.path or parts.query or parts.username is not None:
        return None
    return name.lower(), port if port is not None else default_port


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
"""The names of this machine a browser on it uses, allowed in ``Host`` with the port served on."""


def scheme_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


@dataclass(slots=True)
class BrowserSession:
    """One live websocket: its number in the server's log, where it came from, what devices it has."""

    number: int
    address: str
    mode: str
    started: float
    websocket: web.WebSocketResponse
    service: AppService | None = field(default=None)


def printable(text: str, most: int = 120) -> str:
    """A header's value fit for the log: control characters (an escape sequence would reach the admin's
    terminal) shown as ``?``, at most ``most`` characters."""
    shown = "".join(c if c.isprintable() else "?" for c in text[:most])
    return shown + ("…" if len(text) > most else "")


def client_address(request: web.Request) -> str:
    """The browser's address for the log: the peer, or the client a reverse proxy names (and the proxy),
    with the user the proxy authenticated. Headers only describe; nothing is decided on them."""
    peer = request.remote or "?"
    forwarded = printable(request.headers.get("X-Forwarded-For", "").split(",")[0].strip())
    address = (
        _("{client} through the proxy at {peer}").format(client=forwarded, peer=peer)
        if forwarded and forwarded != peer
        else peer
    )
    user = printable(next((request.headers[h] for h in FORWARDED_USER_HEADERS if request.headers.get(h)), ""))
    if user:
        address = _("{address}, user {user}").format(address=address, user=user)
    return address


class ShopTimeFormatter(logging.Formatter):
    """Log lines stamped with the shop's local time and its offset (``2026-12-07 00:06:12 +0300``), not
    the machine's zone: a server kept in UTC still logs the times the shop lives by."""

    def __init__(self, tz: str) -> None:
        super().__init__("%(asctime)s %(message)s")
        self.zone = ZoneInfo(tz)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, self.zone).strftime("%Y-%m-%d %H:%M:%S %z")


class PosServer(Server):
    """textual-serve's server with the session limit, the session log, the Origin check and the devices
    decision of ``pos serve`` (see the module docstring). ``clock``: for the logged session durations."""

    def __init__(self, options: ServeOptions, settings: Settings, *, clock: Callable[[], float] = time.monotonic):
        super().__init__(
            command=session_command("none", options.till_args),
            host=options.host,
            port=options.port,
            title=settings.shop.name,
            public_url=options.public_url,
            templates_path=TEMPLATES,
        )
        self.options = options
        self.settings = settings
        self.sessions: dict[int, BrowserSession] = {}
        self.waiting: set[web.WebSocketResponse] = set()  # tabs over the limit, showing why
        self.devices_holder: int | None = None
        self.ending: set[asyncio.Future[None]] = set()  # sessions whose app is being ended
        self._numbers = count(1)
        self._clock = clock

    # -- sessions ------------------------------------------------------------------------------------------

    def is_full(self) -> bool:
        return len(self.sessions) >= self.options.max_sessions

    def session_mode(self) -> str:
        """The devices a new session gets: none, this machine's (``one-session`` and nobody has them), or
        none because another session has them."""
        if self.options.devices != "one-session":
            return "none"
        return "devices" if self.devices_holder is None else "elsewhere"

    def session_command(self, session: BrowserSession) -> str:
        """The command a session's process runs (tests replace it with a small stand-in)."""
        return session_command(session.mode, self.options.till_args)

    def open_session(self, request: web.Request, websocket: web.WebSocketResponse) -> BrowserSession:
        """Count a new session in (the caller checked :meth:`is_full` with no await since) and log it."""
        mode = self.session_mode()
        session = BrowserSession(next(self._numbers), client_address(request), mode, self._clock(), websocket)
        self.sessions[session.number] = session
        if mode == "devices":
            self.devices_holder = session.number
        log.info(
            _("Session {number} started: {address} ({open} of {limit} open)").format(
                number=session.number, address=session.address, open=len(self.sessions), limit=self.options.max_sessions
            )
        )
        if mode == "devices":
            log.info(_("Session {number} has this machine's devices").format(number=session.number))
        return session

    def close_session(self, session: BrowserSession) -> None:
        """Count a session out (its process has ended) and log how long it lasted."""
        if self.sessions.pop(session.number, None) is None:
            return
        if self.devices_holder == session.number:
            self.devices_holder = None
        lasted = timedelta(seconds=int(self._clock() - session.started))
        log.info(
            _("Session {number} ended: {address}, after {duration}").format(
                number=session.number, address=session.address, duration=lasted
            )
        )

    def allowed_hosts(self, request: web.Request) -> set[tuple[str, int | None]]:
        """The (name, port) pairs this server answers to (see :meth:`host_allowed`): the address it listens
        on and the one the connection reached, ``localhost``/``127.0.0.1``/``[::1]``, this machine's name
        when it listens on every address, each with the port served on; and ``--public-url``'s host."""
        sockname = request.transport.get_extra_info("sockname") if request.transport is not None else None
        port = int(sockname[1]) if isinstance(sockname, tuple) and len(sockname) >= 2 else self.options.port
        names = {self.options.host.strip().strip("[]").lower(), *LOOPBACK_NAMES}
        if isinstance(sockname, tuple) and sockname:
            reached = str(sockname[0]).split("%", 1)[0].lower()
            names.add(reached.removeprefix("::ffff:") if reached.startswith("::ffff:") else reached)
        try:
            unspecified = ipaddress.ip_address(self.options.host.strip("[]")).is_unspecified
        except ValueError:
            unspecified = False
        if unspecified:
            names.add(socket.gethostname().lower())
        allowed: set[tuple[str, int | None]] = {(name, port) for name in names}
        if self.options.public_url:
            public = urlsplit(self.options.public_url)
            assert public.hostname is not None  # check_public_url made sure
            allowed.add((public.hostname.lower(), public.port or scheme_port(public.scheme)))
        return allowed

    def host_allowed(self, netloc: str, request: web.Request, *, default_port: int | None) -> bool:
        """Whether ``netloc`` (a ``Host``, ``X-Forwarded-Host`` or an ``Origin``'s host) names this server.

        The DNS rebinding defence: a page of ``rebind.attacker.example``, whose name the attacker points at
        127.0.0.1 once the page is loaded, reaches this server as the same site (its ``Origin`` and ``Host``
        agree) but names the attacker's site in both. Only this server's own names pass. ``--public-url``'s
        host passes without a port too (a proxy passes ``Host: kasa.example.com``)."""
        found = host_and_port(netloc, default_port)
        if found is None:
            return False
        allowed = self.allowed_hosts(request)
        if found in allowed:
            return True
        name, port = found
        if port is not None:
            return False
        public = urlsplit(self.options.public_url).hostname if self.options.public_url else None
        return (name, 80) in allowed or name == (public or "").lower()

    def request_refusal(self, request: web.Request) -> str | None:
        """Why ``request`` is refused (None: it is not): a ``Host`` that is not this server's (DNS
        rebinding), a proxy's ``X-Forwarded-Host`` that is not ``--public-url``'s, or a page of another
        site (``Origin``). A request without ``Origin`` comes from no web page (a program, the address bar)."""
        host = request.headers.get("Host", "")
        if not self.host_allowed(host, request, default_port=None):
            return "host"
        forwarded = request.headers.get("X-Forwarded-Host")
        if forwarded is not None:
            first = forwarded.split(",")[0].strip()
            public = urlsplit(self.options.public_url) if self.options.public_url else None
            if public is None or host_and_port(first, None) not in (
                (str(public.hostname).lower(), None),
                (str(public.hostname).lower(), public.port or scheme_port(public.scheme)),
            ):
                return "forwarded"
        origin = request.headers.get("Origin")
        if origin:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not self.host_allowed(
                parts.netloc, request, default_port=scheme_port(parts.scheme)
            ):
                return "origin"
        return None

    def base_url(self, request: web.Request) -> str:
        """Where the browser reaches this server: ``--public-url``, else the address it asked for (the ``Host``
        header; ``https`` when a TLS proxy says so in ``X-Forwarded-Proto``). Only the page sent back to that
        same browser is built from these headers."""
        if self.options.public_url:
            return self.options.public_url
        forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        scheme = forwarded if forwarded in ("http", "https") else request.scheme
        return f"{scheme}://{request.host}"

    # -- aiohttp handlers --------------------------------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        aiohttp_jinja2.get_env(app).autoescape = True  # the shop's name and messages go into HTML
        app.middlewares.append(self.refuse_foreign)
        return app

    @web.middleware
    async def refuse_foreign(self, request: web.Request, handler: Callable[..., Any]) -> web.StreamResponse:
        """Every request (the page, its files, the websocket, a download) is refused with 403 when it names
        another site (:meth:`request_refusal`), before anything is started for it."""
        why = self.request_refusal(request)
        if why is None:
            response: web.StreamResponse = await handler(request)
            return response
        if why == "origin":
            log.warning(
                _("Refused a connection from {address}: its page came from {origin}, not from this server").format(
                    address=client_address(request), origin=printable(request.headers.get("Origin", ""))
                )
            )
            raise web.HTTPForbidden(text=_("This page did not come from this server."))
        named = request.headers.get("X-Forwarded-Host" if why == "forwarded" else "Host", "")
        log.warning(
            _("Refused a request from {address} for {host}: not an address of this server").format(
                address=client_address(request), host=printable(named)
            )
        )
        raise web.HTTPForbidden(
            text=_(
                "This server does not answer to the address {host}. Open it at its own address ({url}); "
                "behind a proxy, start it with --public-url (docs/browser.md)."
            ).format(host=printable(named), url=self.announced_url())
        )

    def initialize_logging(self) -> None:
        """Plain lines with the time on the server's output (a terminal, or the journal under systemd); the
        sessions are logged, not every file the page fetches."""
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(ShopTimeFormatter(self.settings.shop.timezone))
        logging.basicConfig(level=logging.DEBUG if self.debug else logging.INFO, handlers=[handler], force=True)
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    def announced_url(self) -> str:
        """The address printed on start (and named in a refusal): ``--public-url``, else the one listened on."""
        return self.options.public_url or f"http://{url_host(shown_host(self.options.host))}:{self.options.port}"

    def announce(self, *_args: object) -> None:
        """Print where it serves; called once the address is listened on (never before a failure to)."""
        devices = (
            _("the first session has this machine's devices")
            if self.options.devices == "one-session"
            else _("no session opens this machine's devices")
        )
        print(_("pos_tui in a browser: {url}").format(url=self.announced_url()), flush=True)
        print(
            _("Terminal {terminal}, at most {limit} sessions, {devices}. Ctrl+C stops it.").format(
                terminal=self.options.terminal, limit=self.options.max_sessions, devices=devices
            ),
            flush=True,
        )

    def serve(self, debug: bool = False) -> None:
        """textual-serve's ``serve`` (until Ctrl+C or SIGTERM), announcing the address only once it is
        listened on: a busy port fails without a line saying where the till is."""
        self.debug = debug
        self.initialize_logging()
        try:
            loop = asyncio.get_event_loop()
        except Exception:
            loop = asyncio.new_event_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, self.request_exit)
            loop.add_signal_handler(signal.SIGTERM, self.request_exit)
        except NotImplementedError:
            pass
        web.run_app(
            self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop, print=self.announce
        )

    async def on_shutdown(self, app: web.Application) -> None:
        """Stop every session's app (its open cart stays saved, as at a logout) and close its websocket."""

        await asyncio.gather(
            *(self.finish_session(session) for session in list(self.sessions.values())), *list(self.ending)
        )
        for websocket in list(self.waiting):
            await websocket.close()

    async def handle_index(self, request: web.Request) -> web.Response:  # type: ignore[override]
        """The page with the terminal; while every session is in use, a page that says so instead."""
        title = self.title
        if self.is_full():
            log.info(
                _("Page refused to {address}: {limit} sessions are open, the most allowed").format(
                    address=client_address(request), limit=self.options.max_sessions
                )
            )
            page = {
                "lang": current_language(),
                "title": title,
                "message": sessions_full_text(self.options.max_sessions),
                "advice": sessions_full_advice(),
                "again_url": request.path_qs,
                "again_label": _("Try again"),
            }
            return aiohttp_jinja2.render_template("sessions_full.html", request, page, status=503)
        base = self.base_url(request)
        websocket_url = base + str(request.app.router["websocket"].url_for())
        websocket_url = ("wss:" if base.startswith("https:") else "ws:") + websocket_url.split(":", 1)[1]
        context: dict[str, object] = {
            "lang": current_language(),
            "title": title,
            "connecting": _("Connecting…"),
            "start_label": _("Start"),
            "ended_message": _("The session has ended."),
            "restart_label": _("Start again"),
            "static_url": base + "/static/",
            "websocket_url": websocket_url,
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser tab: its own app process, unless the sessions are full (then the tab is told so and
        closed, and no process starts). A page of another site never gets here (:meth:`refuse_foreign`)."""
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)
        if self.is_full():
            log.info(
                _("Session refused to {address}: {limit} sessions are open, the most allowed").format(
                    address=client_address(request), limit=self.options.max_sessions
                )
            )
            self.waiting.add(websocket)
            try:  # the message, then closed: a refused tab holds nothing on the server
                await websocket.send_bytes(sessions_full_screen(self.options.max_sessions))
                await websocket.close(code=aiohttp.WSCloseCode.TRY_AGAIN_LATER)
            finally:
                self.waiting.discard(websocket)
            return websocket
        session = self.open_session(request, websocket)
        try:
            service = SessionService(
                self.session_command(session),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,  # type: ignore[arg-type]  # awaited for its effect; textual-serve's own call
                download_manager=self.download_manager,
                debug=self.debug,
            )
            session.service = service
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:  # aiohttp cancels the handler when the tab's connection goes
            pass
        except Exception as error:  # a bad message from the page, a process that would not start: this tab only
            log.exception(error)
        finally:
            # Ending the app is a task of its own: the handler may be cancelled (again), the app must still
            # be asked to quit, killed if it does not, and the session counted out only then.
            ending = asyncio.ensure_future(self.finish_session(session))
            self.ending.add(ending)
            ending.add_done_callback(self.ending.discard)
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(ending)
        return websocket

    async def finish_session(self, session: BrowserSession) -> None:
        """End a session's app (:func:`end_session`), close its websocket, and count it out."""
        try:
            if session.service is not None:
                await end_session(session.service)
            with contextlib.suppress(Exception):
                await session.websocket.close()
        finally:
            self.close_session(session)


class SessionService(AppService):
    """textual-serve's process of one tab, started so that it can really be stopped: the shell textual-serve
    starts it through is replaced by the app (``exec``), in a process group of its own (a new session), so
    :func:`end_session` kills the app and anything it started, not only a shell that would leave them."""

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_shell(
            "exec " + self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process


async def end_session(service: AppService) -> None:
    """Ask a tab's app to quit (as a logout: its open cart stays saved) and wait for it to be gone (and
    reaped) before the session is counted out, the next session may then have the devices it had. An app
    still running :data:`PROCESS_END_SECONDS` after the request (busy, stuck, or with its output closed) is
    killed with its whole process group, so the place is always freed and a shutdown always returns."""
    process = getattr(service, "_process", None)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PROCESS_END_SECONDS
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(service.stop(), PROCESS_END_SECONDS)  # the quit request; its output ends
    if process is None:
        return
    try:
        await asyncio.wait_for(process.wait(), max(0.0, deadline - loop.time()))
        return
    except TimeoutError:
        pass
    log.warning(_("A session's app did not end by itself; it was stopped"))
    try:  # not reaped yet, so its process group cannot be another's
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    except PermissionError:
        process.kill()
    await process.wait()
    task = getattr(service, "_task", None)
    if task is not None and not task.done():
        task.cancel()


def serve(options: ServeOptions, settings: Settings) -> int:
    """``pos serve`` with checked options (:func:`serve_options`): warn when listening beyond this machine,
    then serve until Ctrl+C or SIGTERM. Returns the exit code: 1 when the address cannot be listened on."""
    warning = exposure_warning(options.host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    server = PosServer(options, settings)
    try:
        server.serve()
    except OSError as exc:
        print(
            _("pos serve: cannot listen on {host} port {port}: {error}").format(
                host=options.host, port=options.port, error=os_error_text(exc)
            ),
            file=sys.stderr,
        )
        return 1
    return 0
