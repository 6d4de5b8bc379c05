"""The key bar: every key the screen answers to, wrapped over as many rows as it needs.

Textual's ``Footer`` is one row that scrolls sideways, which hides keys on an 80-column
terminal; a cashier must see them all, so this bar wraps instead. It follows the screen's
bindings (and so the shop's keymap and language) through ``bindings_updated_signal``.
"""

from __future__ import annotations

from textual import events
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    """``F8 Cash  F9 Card …`` for the active bindings shown in the footer."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        background: $footer-background;
        color: $footer-foreground;
        padding: 0 1;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.rebuild)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        self.rebuild()

    def on_resize(self, _event: events.Resize) -> None:
        self.rebuild()

    def items(self) -> list[tuple[str, str]]:
        """``(key, label)`` for each shown binding, one per action, in the screen's order."""
        seen: set[str] = set()
        result = []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or not active.enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            result.append((self.app.get_key_display(binding), binding.description))
        return result

    def rebuild(self) -> None:
        width = max(self.content_region.width, 20) if self.is_mounted else 80
        lines: list[list[str]] = [[]]
        used = 0
        for key, label in self.items():
            size = len(key) + 1 + len(label)
            if lines[-1] and used + 2 + size > width:
                lines.append([])
                used = 0
            used += size + (2 if lines[-1] else 0)
            lines[-1].append(f"[b $footer-key-foreground]{escape(key)}[/] {escape(label)}")
        self.update("\n".join("  ".join(line) for line in lines))
