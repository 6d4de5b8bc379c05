"""pos_tui — a keyboard-driven retail point of sale in the terminal."""

from pos_tui.store.driver import hide_from_peewee

__version__ = "0.1.0"

hide_from_peewee()  # psycopg2 is loaded for a postgresql:// database only (store/driver.py)
