"""Paint what a scan changed at once, instead of a few message hops and a frame timer later.

Textual paints in steps: a refreshed widget marks itself, on its next idle it posts an
``Update`` to its screen, on the screen's idle the frame timer is resumed, and the timer's
task paints (at most 60 times a second). On a till every scan changes the same handful of
widgets — the new cart row, the totals, the last item, the emptied scan field — and the
cashier waits for exactly that paint; the hops cost a millisecond or two on an idle machine
and several times that when other programs share the CPU. :func:`paint_now` does what the
timer would do, there and then, when the change needs no new layout (the sale screen keeps
its panels at fixed sizes so a scan does not).
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen


def paint_now(screen: Screen[Any]) -> bool:
    """Paint the widgets of ``screen`` waiting for a repaint now. Returns False (and leaves
    the paint to Textual's own schedule) when a widget waits for anything more than a
    repaint — a layout, a scroll of the screen, new styles — or the screen is not on top."""
    app = screen.app
    if app._batch_count or not screen.is_current or screen._layout_required or screen._scroll_required:
        return False
    waiting = []
    for widget in screen._compositor.visible_widgets:
        if widget._layout_required or widget._scroll_required or widget._refresh_styles_required:
            return False
        if widget._repaint_required:
            waiting.append(widget)
    if not waiting:
        return False
    for widget in waiting:
        # What the widget's idle handler would do: hand itself to the screen, once.
        widget._repaint_required = False
        screen._dirty_widgets.add(widget)
    screen._on_timer_update()
    return True
