"""Reusable widgets of the sale screen: cart table, totals, last item, status line."""
