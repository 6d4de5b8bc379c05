"""What went wrong between this terminal and the centre, in the shop's words: libpq and psycopg2
speak English (``connection to server at "10.0.0.5", port 5432 failed: Connection refused``,
``timeout expired``, ``FATAL:  too many connections for role "pos_t2"``); :func:`describe` turns
such a failure into a short phrase of the shop's language for the messages that say the centre
cannot be reached (:func:`describe_problem`, ``describe`` inside the package).

The driver's words are matched on its (English, untranslated: libpq's messages follow the client's
locale only when built with NLS, and the till runs with a C locale) substrings and, where the server
sent one, on the SQLSTATE code. Only a failure none of them knows keeps the driver's first line, in
quotes, after a phrase that says it is unexpected.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pos_tui.i18n import _

# SQLSTATE codes the server sends with a refusal (psycopg2 ``pgcode``)
_CODES: dict[str, Callable[[str], str]] = {
    "28P01": lambda _text: _("wrong password"),
    "3D000": lambda text: _database(text),
    "53300": lambda text: _too_many(text),
    "57014": lambda _text: _("timed out"),
    "57P01": lambda _text: _("the server closed the connection"),
    "57P02": lambda _text: _("the server closed the connection"),
    "57P03": lambda _text: _("the server is starting up or shutting down"),
    "42501": lambda _text: _("this terminal's role has no permission for that"),
}


def _quoted(text: str, before: str) -> str | None:
    """The quoted name after ``before`` in ``text`` (``database "pos" does not exist`` → ``pos``)."""
    found = re.search(before + r'\s+"([^"]*)"', text, re.IGNORECASE)
    return found.group(1) if found else None


def _database(text: str) -> str:
    name = _quoted(text, "database")
    if name is None:
        return _("the database does not exist")
    return _("the database \u201c{name}\u201d does not exist").format(name=name)


def _role(text: str) -> str:
    name = _quoted(text, "role")
    if name is None:
        return _("the role does not exist")
    return _("the role \u201c{name}\u201d does not exist").format(name=name)


def _too_many(text: str) -> str:
    if "for role" in text.lower():
        return _("the connection limit of this terminal's role is reached")
    return _("the server's connection limit is reached")


# (a pattern of the driver's message, lower case) -> the phrase; the first match wins
_WORDS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("too many connections for role", _too_many),
    ("too many clients", _too_many),
    ("too many connections", _too_many),
    ("password authentication failed", lambda _text: _("wrong password")),
    ("no password supplied", lambda _text: _("no password was given")),
    ("no pg_hba.conf entry", lambda _text: _("the server does not let this terminal's address in")),
    (r'database "[^"]*" does not exist', _database),
    (r'role "[^"]*" does not exist', _role),
    (
        "connection refused",
        lambda _text: _("connection refused (the server is not running or the address is wrong)"),
    ),
    ("could not translate host name", lambda _text: _("the server's name is unknown (check the address)")),
    ("name or service not known", lambda _text: _("the server's name is unknown (check the address)")),
    ("nodename nor servname", lambda _text: _("the server's name is unknown (check the address)")),
    ("no route to host", lambda _text: _("the network does not reach the server")),
    ("network is unreachable", lambda _text: _("the network does not reach the server")),
    ("timeout expired", lambda _text: _("timed out")),
    ("timed out", lambda _text: _("timed out")),
    ("statement timeout", lambda _text: _("timed out")),
    ("server closed the connection", lambda _text: _("the server closed the connection")),
    ("terminating connection", lambda _text: _("the server closed the connection")),
    ("connection already closed", lambda _text: _("the connection had already closed")),
    ("connection not open", lambda _text: _("the connection had already closed")),
    ("eof detected", lambda _text: _("the server closed the connection")),
    ("closed unexpectedly", lambda _text: _("the server closed the connection")),
    ("connection reset", lambda _text: _("the server closed the connection")),
    ("broken pipe", lambda _text: _("the server closed the connection")),
    ("the database system is", lambda _text: _("the server is starting up or shutting down")),
    ("permission denied", lambda _text: _("this terminal's role has no permission for that")),
    (r"\bssl\b", lambda _text: _("TLS/SSL error")),
    ("certificate", lambda _text: _("TLS/SSL error")),
)


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, the driver error peewee wrapped in it (``orig``) and its causes, each once."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or any(current is s for s in seen) or len(seen) > 8:
            continue
        seen.append(current)
        todo.extend([getattr(current, "orig", None), current.__cause__, current.__context__])
    return seen


def _text(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def describe_problem(exc: BaseException) -> str:
    """A short phrase of the shop's language for a driver failure ``exc`` (``connection refused (the
    server is not running or the address is wrong)``, ``timed out``, ``wrong password``…); a failure
    it does not know: a phrase saying so with the driver's first line in quotes."""
    chain = _chain(exc)
    for current in chain:
        code = getattr(current, "pgcode", None)
        if isinstance(code, str) and code in _CODES:
            return _CODES[code](_text(current))
    for current in chain:
        text = _text(current)
        lower = text.lower()
        for pattern, phrase in _WORDS:
            if re.search(pattern, lower):
                return phrase(text)
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
    first = re.sub(r"^(FATAL|ERROR):\s*", "", first)
    return _("an unexpected answer (\u201c{detail}\u201d)").format(detail=first[:160])


describe = describe_problem  # inside the package: ``problems.describe(exc)``
