"""The folder driver: how a shop connects an integrator's desktop client (docs/einvoice-send.md,
"The folder contract").

- Sending writes ``<outbox>/out/<ETTN>.xml`` (the invoice exactly as issued) and then
  ``<outbox>/out/<ETTN>.json`` (the manifest; its presence says the pair is complete). Each file is
  written under a temporary name starting with a dot and renamed into place, so the client never reads
  half a file. Sending the same ETTN again writes the same two names with the same bytes: never a second
  invoice.
- The client answers with ``<outbox>/in/<ETTN>.json``: ``{"status": "accepted", "reference": "…",
  "code": "…", "message": "…"}``; ``status`` one of sent, accepted, rejected, cancelled.
- Cancelling writes ``<outbox>/out/<ETTN>.cancel.json`` (``uuid``, ``number``, ``reason``) for the client.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pos_tui.core.einvoice.providers.base import (
    CANCELLED,
    SENT,
    UNKNOWN,
    Answer,
    Outgoing,
    ProviderUnavailable,
    Receipt,
    RegisteredUser,
    check_answer,
    text_or_none,
)
from pos_tui.core.kernel.clock import SHOP_TZ, iso
from pos_tui.i18n import _

OUT = "out"
IN = "in"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a dot-named temporary file in the same folder and a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise ProviderUnavailable(
            _("Cannot write {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc


def manifest(invoice: Outgoing, tz: str = SHOP_TZ) -> dict[str, Any]:
    """The ``<ETTN>.json`` written beside the XML; ``issued_at`` in the shop's zone ``tz`` with its offset."""
    return {
        "uuid": invoice.uuid,
        "number": invoice.number,
        "profile": invoice.profile,
        "type": invoice.type,
        "issued_at": iso(invoice.issued_at, tz),
        "customer": {"identifier": invoice.customer_id, "name": invoice.customer_name},
        "alias": invoice.customer_alias,
        "payable": f"{invoice.payable:.2f}",
        "sha256": hashlib.sha256(invoice.xml).hexdigest(),
        "signed": False,
    }


class FolderProvider:
    """Hands invoices to a desktop integrator client through ``outbox``'s ``out`` and ``in`` folders."""

    name = "folder"

    def __init__(self, outbox: Path, tz: str = SHOP_TZ) -> None:
        self.outbox = Path(outbox)
        self.tz = tz  # the shop's zone: the manifest's times are written in it
        self.out_dir = self.outbox / OUT
        self.in_dir = self.outbox / IN

    def _answer_file(self, uuid: str) -> Answer | None:
        path = self.in_dir / f"{uuid}.json"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise ProviderUnavailable(_("Cannot read {path}: {reason}").format(path=path, reason=exc)) from exc
        return read_status_file(path, text, uuid)

    def send(self, invoice: Outgoing) -> Receipt:
        answered = self._answer_file(invoice.uuid)
        if answered is not None:  # the client has it already: nothing is written again
            return Receipt(invoice.uuid, answered.reference, answered.status, answered.code, answered.message)
        write_atomic(self.out_dir / f"{invoice.uuid}.xml", invoice.xml)
        body = json.dumps(manifest(invoice, self.tz), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        write_atomic(self.out_dir / f"{invoice.uuid}.json", body.encode("utf-8"))
        return Receipt(invoice.uuid, None, SENT)

    def status(self, uuid: str) -> Answer:
        answered = self._answer_file(uuid)
        if answered is not None:
            return answered
        if (self.out_dir / f"{uuid}.json").exists():
            return Answer(uuid, SENT)
        return Answer(uuid, UNKNOWN)

    def cancel(self, uuid: str, reason: str) -> Answer:
        request = {"uuid": uuid, "reason": reason}
        body = json.dumps(request, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        path = self.out_dir / f"{uuid}.cancel.json"
        write_atomic(path, body.encode("utf-8"))
        return Answer(
            uuid,
            CANCELLED,
            message=_("cancellation request written to {path} for the integrator's client").format(path=path),
        )

    def lookup_user(self, identifier: str) -> list[RegisteredUser] | None:
        return None  # a folder cannot answer: the local copy of GİB's list decides


def read_status_file(path: Path, text: str, uuid: str) -> Answer:
    """Parse a status file the client wrote; a malformed one names the file and the field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProviderUnavailable(
            _("{path}, line {line}, column {column}: not valid JSON (the answer file is empty or broken)").format(
                path=path, line=exc.lineno, column=exc.colno
            )
        ) from exc
    if not isinstance(data, dict):
        raise ProviderUnavailable(_('{path}: expected a JSON object with a "status"').format(path=path))
    where = str(path)
    if "status" not in data:
        raise ProviderUnavailable(_('{path}: the field "status" is missing').format(path=path))
    status = data["status"]
    if not isinstance(status, str):
        raise ProviderUnavailable(_('{path}: "status" must be text, not {value!r}').format(path=path, value=status))
    check_answer(status, where)
    named = text_or_none(data, "uuid", where)
    if named is not None and named.lower() != uuid.lower():
        raise ProviderUnavailable(
            _('{path}: "uuid" is {named}, but the file is named after {uuid}').format(path=path, named=named, uuid=uuid)
        )
    return Answer(
        uuid,
        status,
        reference=text_or_none(data, "reference", where),
        code=text_or_none(data, "code", where),
        message=text_or_none(data, "message", where),
    )
