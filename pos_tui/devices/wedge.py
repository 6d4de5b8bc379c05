"""Keyboard-wedge input: telling a scan from typing, and undoing a Turkish-Q keymap's confusions.

A USB barcode scanner (and most loyalty-card readers) "types": the terminal sees the same key events as from
the keyboard, only much faster, ending in Enter (or Tab). :class:`BurstDetector` is the pure decision the TUI
needs at the App level, before the focused widget sees a key: hold a printable key for a moment (``burst_ms``),
and either the next keys keep coming that fast and end in Enter/Tab after at least ``min_length`` characters
(a scan: the text goes to the sale screen whatever has focus, so a scan made while a dialog is open never lands
in the dialog), or they do not, and the held keys are released, in order, to the focused widget as typing.
A person typing sees at most ``burst_ms`` (50 ms) of delay on a key; nothing is lost or reordered.

No Textual here: keys are strings (a printable character, or a key name such as ``"enter"``, ``"tab"``,
``"backspace"``, ``"f2"``) and times are ``time.monotonic()`` seconds (Textual's ``event.time``).

:func:`normalize_code` undoes what a scanner set to a US layout types on a machine whose keymap is Turkish-Q
(``ı`` for ``i``, ``ç`` for ``.``, ``*`` for ``-``...), from the xkb ``tr`` (Turkish Q) layout key by key.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass

ENTER_KEYS = frozenset({"enter", "ctrl+m", "ctrl+j", "\r", "\n"})
TAB_KEYS = frozenset({"tab", "ctrl+i", "\t"})
TERMINATOR_NAMES = ("enter", "tab")


def is_character(key: str) -> bool:
    """True for a key that types one printable character (space included)."""
    return len(key) == 1 and key.isprintable()


def terminator_keys(names: Iterable[str]) -> frozenset[str]:
    """The key strings that end a scan, from the names ``"enter"``/``"tab"`` used in devices.toml."""
    keys: set[str] = set()
    for name in names:
        if name == "enter":
            keys |= ENTER_KEYS
        elif name == "tab":
            keys |= TAB_KEYS
        else:
            raise ValueError(f"unknown scan terminator {name!r}; use enter or tab")
    return frozenset(keys)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the TUI does with the key it just fed (and with keys held before it).

    - ``passthrough``: let the key event go on to the focused widget untouched (nothing is held; the fast path
      for navigation keys and when no burst is under way). Then ``release`` is empty and ``scan`` is None.
    - otherwise stop the key event, then deliver ``release`` (in order) to the focused widget as typing, then, when
      ``scan`` is not None, hand the scanned text to the sale screen. The key just fed is either in ``release``,
      part of ``scan`` (``terminator`` is the key that ended it), or held: the detector is then :attr:`pending`.
    """

    passthrough: bool = False
    release: tuple[str, ...] = ()
    scan: str | None = None
    terminator: str | None = None


PASS = Decision(passthrough=True)
HOLD = Decision()


class BurstDetector:
    """Tells a scanner's burst from typing, one key at a time (pure; the TUI drives it).

    A scan: at least ``min_length`` printable keys, each within ``burst_ms`` of the one before, then a terminator
    (Enter/Tab) also within ``burst_ms``. Anything else is typing. While keys are held, call :meth:`expire` at
    :attr:`deadline` (a timer) so a lone typed key is released after ``burst_ms`` even if no other key follows.
    """

    def __init__(
        self,
        burst_ms: int = 50,
        min_length: int = 4,
        terminators: Iterable[str] = TERMINATOR_NAMES,
        max_length: int = 256,
    ) -> None:
        if burst_ms < 1 or min_length < 1 or max_length < min_length:
            raise ValueError("burst_ms and min_length must be at least 1, max_length at least min_length")
        self.burst = burst_ms / 1000
        self.min_length = min_length
        self.max_length = max_length
        self.terminators = terminator_keys(terminators)
        self._held: list[str] = []
        self._last = 0.0

    @property
    def pending(self) -> bool:
        """True while keys are held, waiting to be told scan or typing."""
        return bool(self._held)

    @property
    def deadline(self) -> float | None:
        """When :meth:`expire` will release the held keys if nothing else arrives (None: nothing held)."""
        return self._last + self.burst + 0.001 if self._held else None

    def feed(self, key: str, now: float) -> Decision:
        """Decide about one key event at time ``now`` (monotonic seconds)."""
        if self._held and not self._within(now):
            released = self._take()
            fresh = self._start(key, now)
            return Decision(release=(*released, key)) if fresh.passthrough else Decision(release=released)
        if not self._held:
            return self._start(key, now)
        if is_character(key):
            self._held.append(key)
            self._last = max(self._last, now)
            if len(self._held) > self.max_length:  # no terminator in sight: a held-down key, not a scanner
                return Decision(release=self._take())
            return HOLD
        if key in self.terminators and len(self._held) >= self.min_length:
            return Decision(scan="".join(self._take()), terminator=key)
        return Decision(release=(*self._take(), key))

    def expire(self, now: float) -> Decision:
        """Release the held keys as typing when the burst is over at ``now`` (else hold on: ``HOLD``)."""
        if self._held and not self._within(now):
            return Decision(release=self._take())
        return HOLD

    def flush(self) -> Decision:
        """Release whatever is held now (the screen changes, the app loses focus)."""
        return Decision(release=self._take())

    def _within(self, now: float) -> bool:
        return now - self._last <= self.burst + 1e-6  # float sums must not break a gap of exactly burst_ms

    def _start(self, key: str, now: float) -> Decision:
        if not is_character(key):
            return PASS
        self._held = [key]
        self._last = now
        return HOLD

    def _take(self) -> tuple[str, ...]:
        held = tuple(self._held)
        self._held.clear()
        return held


# A US-layout key → what the Turkish-Q keymap (xkb "tr", Windows "Turkish Q") types for it, unshifted and shifted.
# Only printable ASCII; letters and digits not listed type themselves (but i → ı).
_US_KEYS = (
    "`1234567890-="
    "qwertyuiop[]\\"
    "asdfghjkl;'"
    "zxcvbnm,./"  # unshifted, row by row
    "~!@#$%^&*()_+"
    "QWERTYUIOP{}|"
    'ASDFGHJKL:"'
    "ZXCVBNM<>?"  # shifted
)
_TRQ_KEYS = "\"1234567890*-qwertyuıopğü,asdfghjklşizxcvbnmöç.é!'^+%&/()=?_QWERTYUIOPĞÜ;ASDFGHJKLŞİZXCVBNMÖÇ:"
assert len(_US_KEYS) == len(_TRQ_KEYS) == len(set(_TRQ_KEYS)) == 94

US_TO_TURKISH_Q: dict[str, str] = dict(zip(_US_KEYS, _TRQ_KEYS, strict=True))
"""What a US-layout scanner's character comes out as on a Turkish-Q keymap (space maps to itself)."""
TURKISH_Q_TO_US: dict[str, str] = {tr: us for us, tr in US_TO_TURKISH_Q.items()}
"""The inverse: the character the scanner meant, for each character the Turkish-Q keymap typed."""

CODE_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-.")
"""What :func:`normalize_code` treats as a product code: ASCII letters, digits, ``-`` and ``.``."""

_UNDO_TURKISH_Q = str.maketrans(TURKISH_Q_TO_US)


def type_on_turkish_q(text: str) -> str:
    """What a US-layout scanner types for ``text`` on a Turkish-Q keymap (for tests and the docs)."""
    return "".join(US_TO_TURKISH_Q.get(ch, ch) for ch in text)


def normalize_code(text: str, turkish_q: bool) -> str:
    """A scanned code, with the Turkish-Q keymap's confusions undone when ``turkish_q`` is on.

    Surrounding whitespace is dropped. With ``turkish_q``: a code already made only of :data:`CODE_CHARACTERS`
    is kept as it is (the keymap may be US after all); otherwise the whole text is mapped back key by key, and the
    result is used only when it is such a code (``1ı2ç5`` → ``1i2.5``, ``AB*12`` → ``AB-12``). Anything else
    (magnetic-stripe data, free text) is returned unchanged. ``/`` cannot be told from ``.`` this way (the
    keymap types ``.`` for it): such codes stay as typed.
    """
    code = text.strip()
    if not turkish_q or not code or all(ch in CODE_CHARACTERS for ch in code):
        return code
    undone = code.translate(_UNDO_TURKISH_Q)
    if all(ch in CODE_CHARACTERS for ch in undone):
        return undone
    return code
