"""Dialogs of the counting screen: a line of text (a count's name, a zone) and the review
before posting, with the explicit choice for uncounted products."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, Label, Static

from pos_tui.core.kernel import format_decimal, format_money, format_quantity, from_kurus
from pos_tui.i18n import _
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import N_, bind

REVIEW_ROWS = 12  # the largest variances shown; the rest are in pos-admin count show


class CountTextDialog(Dialog[str]):
    """Ask for one line of text; ``required``: it may not be empty (an empty zone means none)."""

    def __init__(self, title: str, prompt: str, *, initial: str = "", required: bool = False, limit: int = 128) -> None:
        super().__init__(title)
        self.prompt = prompt
        self.initial = initial
        self.required = required
        self.limit = limit

    def compose_body(self) -> ComposeResult:
        yield Label(self.prompt, classes="dialog-prompt")
        yield Input(value=self.initial, id="text", select_on_focus=True)

    @on(Input.Submitted, "#text")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if self.required and not text:
            self.show_error(_("Type something, or Esc to go back"))
            return
        if len(text) > self.limit:
            self.show_error(_("At most {n} characters").format(n=self.limit))
            return
        self.dismiss(text)


class CountReviewDialog(Dialog[str]):
    """The review of a count before it is posted: the largest variances first (those worth a
    recount marked ``!``), what was not counted, and the choice: post leaving the uncounted
    products as they are (F5), or post setting them to zero (F6). A blind count's review shows
    no expected quantities and no variances."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("count.post_leave", "post('leave')", N_("Post, leave uncounted"), N_("Post; uncounted stay")),
        bind("count.post_zero", "post('zero')", N_("Post, zero uncounted"), N_("Post; uncounted to 0")),
    ]
    SCROLLS: ClassVar[bool] = True

    def __init__(self, review: Any, *, blind: bool, language: str) -> None:
        super().__init__(_("Review of count {id}: {name}").format(id=review.session.id, name=review.session.name))
        self.review = review
        self.blind = blind
        self.language = language

    def compose_body(self) -> ComposeResult:
        review, lang = self.review, self.language
        counted, uncounted = len(review.lines), len(review.uncounted)
        if self.blind:
            summary = _("{n} products counted; {u} products with stock were not counted.").format(
                n=format_decimal(counted, language=lang), u=format_decimal(uncounted, language=lang)
            )
        else:
            flagged = sum(1 for ln in review.lines if review.flagged(ln))
            summary = _(
                "{n} products counted, variance {value}; {f} to recount (!); "
                "{u} products with stock were not counted ({uvalue})."
            ).format(
                n=format_decimal(counted, language=lang),
                value=format_money(from_kurus(review.variance_value), lang),
                f=format_decimal(flagged, language=lang),
                u=format_decimal(uncounted, language=lang),
                uvalue=format_money(from_kurus(review.uncounted_value), lang),
            )
        yield Label(summary, classes="dialog-prompt", id="review-summary")
        yield Static(self._table(), id="review-lines")

    def _table(self) -> Table:
        lang = self.language
        table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
        table.add_column(_("Product"), no_wrap=True, max_width=28)
        if not self.blind:
            table.add_column(_("Expected"), justify="right")
        table.add_column(_("Counted"), justify="right")
        if not self.blind:
            table.add_column(_("Value"), justify="right")
            table.add_column("", width=1)
        for ln in self.review.lines[:REVIEW_ROWS]:
            counted = format_quantity(ln.counted, ln.unit, language=lang)
            if self.blind:
                table.add_row(ln.name, counted)
            else:
                table.add_row(
                    ln.name,
                    format_quantity(ln.expected, ln.unit, language=lang),
                    counted,
                    format_money(from_kurus(ln.variance_value), lang),
                    "!" if self.review.flagged(ln) else "",
                )
        return table

    def hint(self) -> str:
        return _("F5: post, uncounted left as they are · F6: post, uncounted set to zero · Esc: back")

    def action_post(self, choice: str) -> None:
        self.dismiss(choice)
