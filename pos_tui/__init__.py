"""pos_tui — a keyboard-driven retail point of sale in the terminal."""

__version__ = "0.1.0"
