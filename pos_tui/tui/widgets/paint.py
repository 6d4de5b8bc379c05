"""Paint what a scan changed at once, instead of a few message hops and a frame timer later.

Textual paints in steps: a refreshed widget marks itself, on its next idle it posts an
``Update`` (or a ``Layout``) to its screen, on the screen's idle the frame timer is resumed,
and the timer's task lays out and paints (at most 60 times a second). On a till every scan
changes the same handful of widgets — the new cart row, the totals, the last item, the
emptied scan field — and the cashier waits for exactly that paint; the hops cost a
millisecond or two on an idle machine and several times that when other programs share the
CPU. :func:`paint_now` does what those steps would do, there and then: the layout first when
a widget asked for one (a new KDV rate adds a row to the totals), then the paint, so the new
line and the totals still reach the terminal together.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widget import Widget


def paint_now(screen: Screen[Any]) -> bool:
    """Lay out (when asked) and paint the widgets of ``screen`` waiting for it, now.

    Returns False, leaving it to Textual's own schedule, when the screen is not on top, an
    update batch is open, or a widget waits for something else (new styles, a scroll of a
    container, a recompose)."""
    app = screen.app
    if app._batch_count or not screen.is_current or screen._scroll_required or screen._recompose_required:
        return False
    repaint: list[Widget] = []
    layout: list[Widget] = []
    for widget in screen._compositor.visible_widgets:
        if widget._scroll_required or widget._refresh_styles_required or widget._recompose_required:
            return False
        if widget._repaint_required:
            repaint.append(widget)
        if widget._layout_required:
            layout.append(widget)
    if not repaint and not layout and not screen._layout_required:
        return False
    # What each widget's idle handler would do: hand itself to the screen, once.
    for widget in repaint:
        widget._repaint_required = False
        screen._dirty_widgets.add(widget)
    for widget in layout:
        widget._layout_required = False
        for ancestor in widget.ancestors:
            if not isinstance(ancestor, Widget):
                break
            ancestor._clear_arrangement_cache()
            ancestor._layout_updates += 1
            if not ancestor.styles.auto_dimensions:
                break
        screen._layout_required = True
    screen._on_timer_update()  # the frame timer's work: layout if required, then the paint
    return True
