"""The simulator: an integrator that lives in a JSON file, for trying the sender, training and tests
(docs/einvoice-send.md, "The simulator").

It accepts; rejects with GİB-style codes (a buyer identifier ending in one of ``reject_digits``, or a
``reject`` step of the ``plan``); times out (raises :class:`ProviderUnavailable`) on the first
``timeouts`` tries of each ETTN; and answers "later" (``sent`` for ``later`` polls, then ``accepted``).
A try that times out still reaches it (``lose_answers``: the answer is lost on the way back, the hard
case), so the retry proves that one ETTN makes one invoice. Its state is ``<outbox>/simulator.json``,
read and written under a lock, so the till, ``pos-admin`` and a service see the same integrator.

``pos.toml``: ``driver = "simulator"`` (the defaults), or with knobs:
``driver = "simulator:timeouts=1,later=2,reject_digits=9,plan=accept|timeout|reject"``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pos_tui.core.einvoice.providers.base import (
    ACCEPTED,
    CANCELLED,
    REJECTED,
    SENT,
    UNKNOWN,
    Answer,
    Outgoing,
    ProviderRefused,
    ProviderUnavailable,
    Receipt,
    RegisteredUser,
)
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.i18n import _

STATE_FILE = "simulator.json"
ACCEPT = "accept"
REJECT = "reject"
TIMEOUT = "timeout"
LATER = "later"
PLAN_STEPS = (ACCEPT, REJECT, TIMEOUT, LATER)

# GİB-style answers (the integrator's words are Turkish: they come from GİB, not from pos_tui)
ACCEPT_CODE, ACCEPT_MESSAGE = "1300", "Başarıyla tamamlandı"
REJECT_CODE, REJECT_MESSAGE = "1150", "Şematron kontrolü başarısız: alıcının kimlik bilgisi doğrulanamadı"
TIMEOUT_MESSAGE = "Entegratör zamanında yanıt vermedi (simülatör)"
CANCEL_CODE = "IPTAL"


class SimulatorProvider:
    """A deterministic integrator. ``plan`` steps are used one per send of a new ETTN, in order, across
    processes; after the plan the knobs decide."""

    name = "simulator"

    def __init__(
        self,
        outbox: Path,
        *,
        timeouts: int = 0,
        later: int = 0,
        reject_digits: str = "",
        plan: Sequence[str] = (),
        lose_answers: bool = True,
        users: dict[str, list[RegisteredUser]] | None = None,
    ) -> None:
        for step in plan:
            if step not in PLAN_STEPS:
                raise ValidationError(
                    _("Simulator plan: unknown step {step!r}; use {choices}").format(
                        step=step, choices=", ".join(PLAN_STEPS)
                    )
                )
        if timeouts < 0 or later < 0 or not all(c.isdigit() for c in reject_digits):
            raise ValidationError(_("Simulator: timeouts and later are counts, reject_digits digits"))
        self.outbox = Path(outbox)
        self.path = self.outbox / STATE_FILE
        self.timeouts = timeouts
        self.later = later
        self.reject_digits = reject_digits
        self.plan = tuple(plan)
        self.lose_answers = lose_answers
        self.users = users

    # -- state ----------------------------------------------------------------------------------
    @contextmanager
    def _state(self) -> Iterator[dict[str, Any]]:
        """The state file, locked for the whole read-change-write."""
        try:
            self.outbox.mkdir(parents=True, exist_ok=True)
            lock = open(self.outbox / ".simulator.lock", "a+b")  # noqa: SIM115
        except OSError as exc:
            raise ProviderUnavailable(_("Cannot open {path}: {reason}").format(path=self.outbox, reason=exc)) from exc
        with lock:
            _lock(lock)
            try:
                state = self._read()
                yield state
                body = json.dumps(state, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
                tmp = self.path.with_name(f".{STATE_FILE}.{os.getpid()}.tmp")
                tmp.write_bytes(body)
                os.replace(tmp, self.path)
            finally:
                _unlock(lock)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except json.JSONDecodeError as exc:
            raise ProviderUnavailable(
                _("{path}, line {line}, column {column}: the simulator's state is not valid JSON").format(
                    path=self.path, line=exc.lineno, column=exc.colno
                )
            ) from exc
        except (OSError, ValueError) as exc:
            raise ProviderUnavailable(
                _("{path}: the simulator's state cannot be read ({reason})").format(path=self.path, reason=exc)
            ) from exc
        data.setdefault("invoices", {})
        data.setdefault("tries", {})
        data.setdefault("plan_used", 0)
        data.setdefault("sends", 0)
        return data

    def snapshot(self) -> dict[str, Any]:
        """The state as stored (tests and curious people)."""
        with self._state() as state:
            return json.loads(json.dumps(state))

    # -- the provider ------------------------------------------------------------------------------
    def _outcome(self, state: dict[str, Any], invoice: Outgoing) -> str:
        """The next plan step, or what the knobs say: reject by the buyer's last digit, later, accept."""
        if state["plan_used"] < len(self.plan):
            step = self.plan[state["plan_used"]]
            state["plan_used"] += 1
            return step
        if self.reject_digits and invoice.customer_id[-1:] in self.reject_digits:
            return REJECT
        return LATER if self.later else ACCEPT

    def send(self, invoice: Outgoing) -> Receipt:
        with self._state() as state:
            state["sends"] += 1
            tries = state["tries"][invoice.uuid] = state["tries"].get(invoice.uuid, 0) + 1
            timed_out = tries <= self.timeouts
            known = state["invoices"].get(invoice.uuid)
            if known is None:  # a new ETTN (the same one again never makes a second invoice)
                outcome = self._outcome(state, invoice)
                if outcome == TIMEOUT:
                    timed_out, outcome = True, (LATER if self.later else ACCEPT)
                if not timed_out or self.lose_answers:
                    known = state["invoices"][invoice.uuid] = {
                        "number": invoice.number,
                        "customer": invoice.customer_id,
                        "reference": f"SIM-{len(state['invoices']) + 1:06d}",
                        "status": SENT,
                        "polls": 0,
                        "later": max(self.later, 1) if outcome == LATER else self.later,
                        "code": None,
                        "message": None,
                    }
                    if outcome == REJECT:
                        known.update(status=REJECTED, code=REJECT_CODE, message=REJECT_MESSAGE)
                    elif outcome == ACCEPT:
                        known.update(status=ACCEPTED, code=ACCEPT_CODE, message=ACCEPT_MESSAGE)
        if timed_out:
            raise ProviderUnavailable(TIMEOUT_MESSAGE)
        assert known is not None
        if known["status"] == REJECTED:
            raise ProviderRefused(known["message"], known["code"])
        return Receipt(invoice.uuid, known["reference"], known["status"], known["code"], known["message"])

    def status(self, uuid: str) -> Answer:
        with self._state() as state:
            known = state["invoices"].get(uuid)
            if known is None:
                return Answer(uuid, UNKNOWN)
            if known["status"] == SENT:
                known["polls"] += 1
                if known["polls"] > known["later"]:
                    known.update(status=ACCEPTED, code=ACCEPT_CODE, message=ACCEPT_MESSAGE)
            return Answer(uuid, known["status"], known["reference"], known["code"], known["message"])

    def cancel(self, uuid: str, reason: str) -> Answer:
        with self._state() as state:
            known = state["invoices"].get(uuid)
            if known is None:
                raise ProviderRefused("Bu ETTN ile kayıtlı fatura yok", "404")
            if known["status"] == REJECTED:
                raise ProviderRefused("Reddedilmiş fatura iptal edilemez", "IPTAL-RED")
            known.update(status=CANCELLED, code=CANCEL_CODE, message=reason)
            return Answer(uuid, CANCELLED, known["reference"], CANCEL_CODE, reason)

    def lookup_user(self, identifier: str) -> list[RegisteredUser] | None:
        if self.users is None:
            return None
        return list(self.users.get(identifier, []))


def parse_options(text: str) -> dict[str, Any]:
    """``timeouts=1,later=2,reject_digits=9,plan=accept|timeout`` → constructor keyword arguments."""
    options: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        try:
            if not sep:
                raise ValueError(part)
            if key in ("timeouts", "later"):
                options[key] = int(value)
            elif key == "reject_digits":
                options[key] = value
            elif key == "plan":
                options[key] = tuple(s.strip() for s in value.split("|") if s.strip())
            elif key == "lose_answers":
                options[key] = value.lower() in ("1", "true", "yes")
            else:
                raise KeyError(key)
        except (ValueError, KeyError):
            raise ValidationError(
                _(
                    "einvoice.driver: {part!r} is not a simulator setting; use timeouts=N, later=N, "
                    "reject_digits=DIGITS, plan=STEP|STEP, lose_answers=true|false"
                ).format(part=part)
            ) from None
    return options


try:  # POSIX
    import fcntl

    def _lock(fh: Any) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)

    def _unlock(fh: Any) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _lock(fh: Any) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]

    def _unlock(fh: Any) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
