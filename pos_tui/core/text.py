"""Re-export of :mod:`pos_tui.text` (shared by core and the store's migrations)."""

from pos_tui.text import fold, turkish_lower, turkish_upper, words

__all__ = ["fold", "turkish_lower", "turkish_upper", "words"]
