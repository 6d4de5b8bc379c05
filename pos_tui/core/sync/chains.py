"""The centre's audit of every terminal's journal chain as received (docs/sync-central.md).

A terminal's journal is a hash chain (``hash = sha256(prev_hash + payload)``,
:func:`pos_tui.core.kernel.journal.chain_hash`) and each outbox record carries the entries its
transaction wrote, so the documents a terminal sent, in ``seq`` order, carry its chain piece by
piece. For every terminal :func:`verify_chains` walks them and checks:

- the document row agrees with its body (``uid``, ``terminal``, ``seq``, ``hash``) and the body is JSON;
- every journal entry's ``hash`` is ``sha256(prev_hash + payload)`` (a changed payload breaks it);
- consecutive entries chain: each ``prev_hash`` is the previous entry's ``hash``, within a
  document and from the previous document's last entry to the next one's first;
- a document's ``hash`` (the terminal's journal head after it) is its last entry's hash (a
  document without journal entries keeps the head of the one before);
- no ``seq`` is missing from 1 up to the terminal's ``high_water`` (a deleted document) and the
  document at ``high_water`` has the ``head_hash`` the centre recorded;
- every ledger row of a body is in ``sync_ledger`` with the same ledger, key, place and amount,
  and ``sync_ledger`` holds nothing a body does not (a row changed or added at the centre).

Documents beyond ``high_water`` after a gap are waiting for the missing one; the chain is
checked across them again from the next document that arrived. The first document's
``prev_hash`` is taken as it is (a terminal that existed before sync has history before it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from peewee import Database

from pos_tui.core.kernel.journal import chain_hash
from pos_tui.i18n import _

BATCH = 500  # documents read per query


@dataclass(frozen=True, slots=True)
class ChainFinding:
    """One problem in a terminal's chain as received: ``seq`` the document (None: the terminal
    as a whole), ``code`` a stable name for programs (``body``, ``hash``, ``link``, ``head``,
    ``gap``, ``high_water``, ``ledger``), ``text`` what it means, in the shop's language."""

    terminal: str
    seq: int | None
    code: str
    text: str

    def __str__(self) -> str:
        if self.seq is None:
            return _("terminal {terminal}: {problem}").format(terminal=self.terminal, problem=self.text)
        return _("terminal {terminal}, document {seq}: {problem}").format(
            terminal=self.terminal, seq=self.seq, problem=self.text
        )

    def as_json(self) -> dict[str, Any]:
        return {"terminal": self.terminal, "seq": self.seq, "code": self.code, "problem": str(self)}


@dataclass(frozen=True, slots=True)
class ChainSummary:
    """What :func:`verify_chains` looked at: terminals and documents."""

    terminals: int
    documents: int


def _documents(db: Database, terminal: str) -> Iterator[tuple[str, int, str, str, str]]:
    p = db.param
    last = 0
    while True:
        rows = db.execute_sql(
            f"SELECT uid, seq, terminal, hash, body FROM sync_document WHERE terminal = {p} AND seq > {p} "
            f"ORDER BY seq LIMIT {BATCH}",
            (terminal, last),
        ).fetchall()
        if not rows:
            return
        for uid, seq, term, digest, body in rows:
            yield str(uid), int(seq), str(term), str(digest), str(body)
        last = int(rows[-1][1])


def _ledger_rows(db: Database, terminal: str) -> dict[str, tuple[str, str, str, int, str]]:
    p = db.param
    return {
        str(origin): (str(ledger), str(key), str(place or ""), int(amount), str(document))
        for origin, ledger, key, place, amount, document in db.execute_sql(
            f"SELECT origin, ledger, key, place, amount, document FROM sync_ledger WHERE terminal = {p}",
            (terminal,),
        ).fetchall()
    }


class _Walk:
    """One terminal's documents in seq order."""

    def __init__(self, terminal: str, ledger: dict[str, tuple[str, str, str, int, str]]) -> None:
        self.terminal = terminal
        self.findings: list[ChainFinding] = []
        self.expected_seq = 1
        self.head: str | None = None  # the hash the next document's first entry must link to
        self.hashes: dict[int, str] = {}
        self.ledger = ledger
        self.seen_origins: set[str] = set()
        self.documents = 0

    def add(self, seq: int | None, code: str, text: str) -> None:
        self.findings.append(ChainFinding(self.terminal, seq, code, text))

    def document(self, uid: str, seq: int, terminal: str, digest: str, body_text: str) -> None:
        self.documents += 1
        if seq != self.expected_seq:
            self.gap(self.expected_seq, seq - 1)
            self.head = None  # the link across a gap cannot be checked
        self.expected_seq = seq + 1
        try:
            body = json.loads(body_text)
            if not isinstance(body, dict):
                raise ValueError(body_text[:20])
        except ValueError:
            self.add(seq, "body", _("its body is not JSON: changed at the centre"))
            self.head = None
            return
        for name, value in (("uid", uid), ("terminal", terminal), ("seq", seq), ("hash", digest)):
            if body.get(name) != value:
                self.add(
                    seq,
                    "body",
                    _("its {field} is {value} in the row but {body} in its body: changed at the centre").format(
                        field=name, value=value, body=body.get(name)
                    ),
                )
        self.entries(seq, body.get("journal") or [])
        if self.head is not None and digest != self.head:
            self.add(
                seq,
                "head",
                _("its hash is not the hash of its last journal entry (the terminal's journal head after it)"),
            )
        self.head = digest
        self.hashes[seq] = digest
        self.rows(uid, seq, body.get("rows") or [])

    def entries(self, seq: int, entries: list[Any]) -> None:
        for index, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                self.add(seq, "body", _("journal entry {n} is not an object").format(n=index))
                self.head = None
                continue
            prev, payload, digest = entry.get("prev_hash"), entry.get("payload"), entry.get("hash")
            ref = entry.get("ref") or entry.get("kind") or "-"
            if not isinstance(prev, str) or not isinstance(payload, str) or not isinstance(digest, str):
                self.add(
                    seq, "body", _("journal entry {n} ({ref}) lacks its hashes or payload").format(n=index, ref=ref)
                )
                self.head = None
                continue
            if self.head is not None and prev != self.head:
                self.add(
                    seq,
                    "link",
                    _(
                        "journal entry {n} ({ref}) does not follow the entry before it (its previous hash "
                        "differs): an entry is missing or was changed"
                    ).format(n=index, ref=ref),
                )
            if chain_hash(prev, payload) != digest:
                self.add(
                    seq,
                    "hash",
                    _("journal entry {n} ({ref}) was changed after it was written (hash mismatch)").format(
                        n=index, ref=ref
                    ),
                )
            self.head = digest

    def rows(self, uid: str, seq: int, rows: list[Any]) -> None:
        for row in rows:
            if not isinstance(row, dict) or row.get("ledger") is None:
                continue
            origin = str(row.get("origin"))
            self.seen_origins.add(origin)
            wanted = (str(row.get("ledger")), str(row.get("key")), str(row.get("place") or ""), row.get("amount"))
            held = self.ledger.get(origin)
            if held is None:
                self.add(seq, "ledger", _("its ledger row {origin} is not in sync_ledger").format(origin=origin))
            elif held[:4] != wanted or held[4] != uid:
                self.add(
                    seq,
                    "ledger",
                    _(
                        "ledger row {origin} in sync_ledger differs from the row in its body: changed at the centre"
                    ).format(origin=origin),
                )

    def gap(self, first: int, last: int) -> None:
        if first == last:
            text = _("document {first} is missing").format(first=first)
        else:
            text = _("documents {first} to {last} are missing").format(first=first, last=last)
        self.add(first, "gap", text)

    def finish(self, high_water: int | None, head_hash: str | None) -> None:
        """Gaps below ``high_water`` are deletions (the centre had them all); above it they are
        documents still on their way, not findings, and are left out."""
        if high_water is not None:
            received = self.expected_seq - 1
            if received < high_water:
                self.gap(received + 1, high_water)
            self.findings = [
                f for f in self.findings if not (f.code == "gap" and f.seq is not None and f.seq > high_water)
            ]
            got = self.hashes.get(high_water)
            if high_water and head_hash and got is not None and got != head_hash:
                self.add(
                    high_water,
                    "high_water",
                    _("the centre recorded the head {head} at the high-water mark, the document has {hash}").format(
                        head=head_hash[:12], hash=got[:12]
                    ),
                )
        for origin, (_ledger, _key, _place, _amount, _document) in sorted(self.ledger.items()):
            if origin not in self.seen_origins:
                self.add(
                    None, "ledger", _("sync_ledger holds row {origin} that no document carries").format(origin=origin)
                )


def _terminals(db: Database) -> list[tuple[str, int | None, str | None]]:
    joined = {
        str(t): (int(hw or 0), head)
        for t, hw, head in db.execute_sql("SELECT terminal, high_water, head_hash FROM sync_terminal").fetchall()
    }
    heard = {str(row[0]) for row in db.execute_sql("SELECT DISTINCT terminal FROM sync_document").fetchall()}
    heard |= {str(row[0]) for row in db.execute_sql("SELECT DISTINCT terminal FROM sync_ledger").fetchall()}
    out: list[tuple[str, int | None, str | None]] = []
    for term in sorted(set(joined) | heard):
        hw, head = joined.get(term, (None, None))
        out.append((term, hw, head))
    return out


def is_centre(db: Database) -> bool:
    """True when the database holds documents received from terminals (a centre)."""
    return db.execute_sql("SELECT 1 FROM sync_document LIMIT 1").fetchone() is not None


def chain_size(db: Database) -> int:
    """How many documents :func:`verify_chains` reads (its ``progress`` steps)."""
    return int(db.execute_sql("SELECT count(*) FROM sync_document").fetchone()[0])


def verify_chains(
    db: Database, *, progress: Callable[[int], None] | None = None, summary: list[ChainSummary] | None = None
) -> list[ChainFinding]:
    """Every problem in the terminals' chains as received, by terminal and seq (see the module
    doc); empty when every chain holds. ``progress(1)`` per document; ``summary`` (a list) gets
    one :class:`ChainSummary` appended."""
    findings: list[ChainFinding] = []
    terminals = documents = 0
    for terminal, high_water, head_hash in _terminals(db):
        terminals += 1
        walk = _Walk(terminal, _ledger_rows(db, terminal))
        for uid, seq, term, digest, body in _documents(db, terminal):
            walk.document(uid, seq, term, digest, body)
            if progress is not None:
                progress(1)
        walk.finish(high_water, head_hash)
        documents += walk.documents
        findings.extend(sorted(walk.findings, key=lambda f: (f.seq is None, f.seq or 0)))
    if summary is not None:
        summary.append(ChainSummary(terminals, documents))
    return findings
