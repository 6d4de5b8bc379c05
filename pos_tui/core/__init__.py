"""Business rules and services. Knows nothing of Textual, Typer or devices.

Services take plain values and dataclasses and return dataclasses; every write is one
transaction (:func:`pos_tui.store.db.write_tx`); time is always a parameter (``now``).
"""
