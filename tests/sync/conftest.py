"""The sync tests' fixtures (sync_support.py)."""

from sync_support import central_url, quick_pins  # noqa: F401
