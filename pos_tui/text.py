"""Turkish-aware text folding for search.

Python's ``str.lower()`` is wrong for Turkish (``"İ".lower()`` is ``"i̇"``, ``"I".lower()``
is ``"i"`` where Turkish wants ``"ı"``). Cashiers also type without Turkish letters on
many keyboards. So search keys fold every letter to its plain Latin base: I, İ, ı, i → i;
Ş → s; Ğ → g; Ç → c; Ö → o; Ü → u (and other accents likewise). ``ISPARTA``, ``ısparta``,
``Isparta``, ``İSPARTA`` and ``isparta`` all give the key ``isparta``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TURKISH = str.maketrans(
    {
        "İ": "i",
        "I": "i",
        "ı": "i",
        "Ş": "s",
        "ş": "s",
        "Ğ": "g",
        "ğ": "g",
        "Ç": "c",
        "ç": "c",
        "Ö": "o",
        "ö": "o",
        "Ü": "u",
        "ü": "u",
    }
)
_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    """The search key of ``text``: lower-case plain Latin letters and digits, spaces kept."""
    text = text.translate(_TURKISH)
    if text.isascii():  # most names once Turkish letters are mapped: NFKD would change nothing
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.lower()


def words(text: str) -> list[str]:
    """The folded words of ``text`` in order, duplicates removed (for the search index)."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(fold(text)):
        seen.setdefault(w, None)
    return list(seen)


def search_key(text: str) -> str:
    """The folded words of ``text`` in order, joined by single spaces: what the name index
    indexes and search results are ordered by (``"Isparta Gülü 1,5 kg"`` → ``"isparta gulu 1 5 kg"``).

    Folding works character by character, so each whitespace-separated part is folded on its
    own and remembered: a catalogue repeats its words (brands, places, units) a million times."""
    return " ".join([word for part in text.split() for word in _part_words(part)])


@lru_cache(maxsize=1 << 16)
def _part_words(part: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(part)))


def turkish_upper(text: str) -> str:
    """Upper-case the Turkish way (i → İ, ı → I), for receipts and labels."""
    return text.replace("i", "İ").replace("ı", "I").upper()


def turkish_lower(text: str) -> str:
    """Lower-case the Turkish way (I → ı, İ → i)."""
    return text.replace("I", "ı").replace("İ", "i").lower()
