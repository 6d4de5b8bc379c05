"""Translations: gettext catalogs in ``pos_tui/locale``, Turkish by default, English complete.

Message ids are English. Call :func:`set_language` once at start-up (from settings); every
``_()`` call after that translates into the chosen language. Receipts and reports use the
shop's language too, so there is one active language per process.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "pos_tui"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("tr", "en")

_active: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(language: str) -> None:
    """Switch every later ``_()`` to ``language`` (``tr`` or ``en``)."""
    global _active, _language
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; choose one of {', '.join(LANGUAGES)}")
    _active = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    _language = language


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """Translate ``message`` into the active language."""
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (for tables built at import time)."""
    return message
