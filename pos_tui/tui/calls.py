"""Calls into ``core`` from the till: slow ones in thread workers, quick ones on the UI thread.

A screen or dialog describes a slow call as a :class:`CoreCall` and hands it to the running till
(``pos_app(self).call_core(call)``); the till's :class:`CoreCalls` runs it in a thread worker and
posts the reply message to the screen that asked. Every failure comes back through one place,
:meth:`CoreCalls.finished`, which the app's ``Worker.StateChanged`` handler calls for every worker:

- a :class:`~pos_tui.core.kernel.errors.PermissionDenied` opens the supervisor-approval dialog and runs the
  call again with the supervisor's override;
- any other :class:`~pos_tui.core.kernel.errors.PosError` is posted to the asking screen as
  :class:`~pos_tui.tui.messages.CoreFailed` (its message line shows it);
- anything else (a bug, a disk error) is logged and shown the same way as "Unexpected error", so no
  worker's failure is ever swallowed.

Quick cart changes run on the UI thread through :meth:`CoreCalls.with_override`, which follows the
same rules. This module sits below the screens, dialogs and the app (it imports none of them): the
approval dialog is handed in by the app that owns the :class:`CoreCalls`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from pos_tui.core.kernel import Override, PermissionDenied, PosError, as_pos_error
from pos_tui.i18n import _
from pos_tui.tui.messages import CoreFailed

T = TypeVar("T")

ApprovalDialog = Callable[[PermissionDenied, Decimal | None], Screen[Override]]
"""Makes the dialog in which a supervisor approves what ``PermissionDenied`` refused (their PIN and a
reason); it dismisses with the :class:`Override`, or None when the cashier gives up."""


@dataclass(frozen=True)
class CoreCall(Generic[T]):
    """One call into ``core`` to run off the UI thread.

    ``run`` receives the manager override (None the first time) and returns the result;
    ``reply`` turns the result into the message posted to ``target`` (None: nothing to say, as for
    a print job). ``overridable`` says whether a PermissionDenied may be lifted by a supervisor's
    PIN. ``exclusive``: a new call of the same ``group`` cancels the one still running (a search
    typed ahead); print jobs are not exclusive, each one must run.
    """

    run: Callable[[Override | None], T]
    reply: Callable[[T], Message] | None
    target: MessagePump
    description: str
    group: str = "core"
    overridable: bool = True
    exclusive: bool = True


class CoreCalls:
    """Runs the till's core calls and handles every failure of them in one place (module docstring).

    ``app`` runs the workers and shows the approval dialog; ``approval`` makes that dialog.
    """

    def __init__(self, app: App[Any], approval: ApprovalDialog) -> None:
        self._app = app
        self._approval = approval
        self._running: dict[Worker[Any], tuple[CoreCall[Any], Override | None]] = {}

    def call_core(self, call: CoreCall[T], override: Override | None = None) -> Worker[T]:
        """Run ``call`` in a thread worker; the reply is posted to ``call.target``."""

        def work() -> T:
            result = call.run(override)
            if call.reply is not None and not get_current_worker().is_cancelled:
                call.target.post_message(call.reply(result))
            return result

        worker: Worker[T] = self._app.run_worker(
            work,
            name=call.description,
            group=call.group,
            description=call.description,
            thread=True,
            exclusive=call.exclusive,
            exit_on_error=False,
        )
        self._running[worker] = (call, override)
        return worker

    def finished(self, event: Worker.StateChanged) -> None:
        """The one worker-failure path: the app hands every worker state change here."""
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        entry = self._running.pop(event.worker, None)
        if event.state != WorkerState.ERROR or entry is None:
            return
        call, override = entry
        error = event.worker.error
        if isinstance(error, PermissionDenied) and call.overridable and override is None:
            self.ask_override(
                error,
                lambda granted: self.call_core(call, granted),
                lambda: call.target.post_message(CoreFailed(error)),
            )
        # a PosError, or a full disk or damaged file behind another error
        elif error is not None and (known := as_pos_error(error)) is not None:
            call.target.post_message(CoreFailed(known))
        else:
            self._app.log.error(f"{call.description} failed", error)
            call.target.post_message(CoreFailed(PosError(_("Unexpected error: {error}").format(error=error))))

    def with_override(
        self,
        action: Callable[[Override | None], T],
        done: Callable[[T], None],
        failed: Callable[[PosError], None],
        *,
        discount_pct: Decimal | None = None,
    ) -> None:
        """Run a quick core ``action`` on the UI thread; on PermissionDenied ask a supervisor
        and run it again with their override. ``done`` gets the result, ``failed`` any error.
        ``discount_pct`` is the discount being given, so the supervisor's limit is checked too."""
        try:
            result = action(None)
        except PermissionDenied as exc:
            denied = exc  # the name ``exc`` is unbound once the except block ends
            self.ask_override(
                denied,
                lambda granted: self._retry(action, granted, done, failed),
                lambda: failed(denied),
                discount_pct=discount_pct,
            )
        except PosError as exc:
            failed(exc)
        else:
            done(result)

    def _retry(
        self,
        action: Callable[[Override | None], T],
        override: Override,
        done: Callable[[T], None],
        failed: Callable[[PosError], None],
    ) -> None:
        try:
            result = action(override)
        except PosError as exc:
            failed(exc)
        else:
            done(result)

    def ask_override(
        self,
        error: PermissionDenied,
        then: Callable[[Override], object],
        cancelled: Callable[[], object],
        *,
        discount_pct: Decimal | None = None,
    ) -> None:
        """Open the approval dialog for ``error``; call ``then`` with the override when a
        supervisor grants it, ``cancelled`` when the cashier gives up (Esc).

        When the screen that asked is gone by the time the dialog closes (the cashier logged out
        with the dialog open, which closes every screen above the PIN), nobody is told: there is
        no screen left to show "not allowed" on, and the action was not done."""
        app = self._app
        asking = app.screen

        def answered(override: Override | None) -> None:
            if override is not None:
                then(override)
            elif asking in app.screen_stack:
                cancelled()

        app.push_screen(self._approval(error, discount_pct), answered)
