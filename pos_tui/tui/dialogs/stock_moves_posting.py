"""What the adjustment and transfer dialogs share: post one stock document through a core call
and dismiss with it.

While the call runs the dialog is busy: Esc and a second post do nothing. A failure (the
supervisor-PIN prompt included, which :meth:`~pos_tui.tui.base.Till.call_core` handles) shows its
message in the dialog and frees it, so the user can correct and post again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.message import Message

from pos_tui.core.kernel import Override
from pos_tui.tui.base import pos_app
from pos_tui.tui.dialogs.base import Dialog


@dataclass
class DocumentPosted(Message, bubble=False):
    """The dialog's stock document was written (a ``moves.Adjustment`` or ``moves.Transfer``)."""

    document: Any


class PostingDialog(Dialog[Any]):
    busy = False  # a post is under way

    def post(self, run: Callable[[Override | None], Any], description: str) -> None:
        from pos_tui.tui.calls import CoreCall

        self.busy = True
        self.clear_error()
        pos_app(self).call_core(
            CoreCall(run=run, reply=DocumentPosted, target=self, description=description, group="stock")
        )

    @on(DocumentPosted)
    def _posted(self, event: DocumentPosted) -> None:
        self.busy = False
        self.dismiss(event.document)

    def core_error(self, message: str) -> None:
        self.busy = False
        super().core_error(message)

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)
