"""The e-invoice tests' fixtures: the shop with a posted sale, and quick PIN hashing."""

from einvoice_support import quick_pins, shop_fixture  # noqa: F401
