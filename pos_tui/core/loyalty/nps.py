"""Net Promoter Score: 0–10 answers to "would you recommend us?", recorded at the till or
imported from a survey, and the score over a period.

Score: 9–10 are promoters, 7–8 passives, 0–6 detractors; NPS = % promoters − % detractors,
from −100 to 100. :attr:`NpsReport.score` is that number rounded to a whole point, halves
away from zero (``+12.5 → 13``, ``−12.5 → −13``, so the rule is the same on both sides of
zero); :attr:`NpsReport.exact` keeps two decimals. No answers: no score (``None``), not 0.

Import files (:func:`import_nps`): CSV (``,`` or ``;`` separated, UTF-8) or a JSON array of
objects, columns ``score`` (required), ``member`` (a card or phone number; empty for an
anonymous answer), ``at`` (``YYYY-MM-DD`` or an ISO date-time; a bare date means noon in the
shop's time zone; default: now) and ``receipt`` (the receipt's uid, optional). All or nothing:
every bad row is listed and nothing is written.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from peewee import Case, fn

from pos_tui.core.kernel import journal
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, to_db, zone
from pos_tui.core.kernel.errors import ImportRejected, NotFound, RowError, ValidationError
from pos_tui.core.kernel.formats import (
    JsonRefused,
    detect_format,
    header_key,
    load_json,
    printable,
    text_problem,
    unprotect_cell,
)
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

SOURCES = ("till", "import")
HEADERS = {
    "member": ("member", "card", "phone", "customer", "uye", "kart", "telefon", "musteri"),
    "score": ("score", "puan", "nps", "skor"),
    "at": ("at", "date", "time", "tarih", "zaman"),
    "receipt": ("receipt", "sale", "fis", "fis_no", "sale_uid"),
}
_ALIASES = {alias: canon for canon, names in HEADERS.items() for alias in names}
_SCORE = re.compile(r"[0-9]{1,2}")  # 0-9 only: int() would also take "١٠", " 1_0 " and a 5,000-digit text


@dataclass(frozen=True, slots=True)
class NpsAnswer:
    id: int
    member_id: int | None
    score: int
    at: datetime
    source: str
    sale_id: int | None


@dataclass(frozen=True, slots=True)
class NpsReport:
    """Answers in a period and the score (see the module doc for the rounding)."""

    date_from: date
    date_to: date
    promoters: int
    passives: int
    detractors: int

    @property
    def responses(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def exact(self) -> Decimal | None:
        if not self.responses:
            return None
        return (Decimal(100) * (self.promoters - self.detractors) / self.responses).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def score(self) -> int | None:
        return nps_score(self.promoters, self.passives, self.detractors)

    def as_json(self) -> dict[str, Any]:
        n = self.responses

        def share(k: int) -> str | None:
            return None if not n else f"{(Decimal(100) * k / n).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"

        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "responses": n,
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
            "promoters_percent": share(self.promoters),
            "passives_percent": share(self.passives),
            "detractors_percent": share(self.detractors),
            "score": self.score,
            "score_exact": None if self.exact is None else str(self.exact),
        }


def category(score: int) -> str:
    """``promoter`` (9–10), ``passive`` (7–8) or ``detractor`` (0–6)."""
    _check_score(score)
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def nps_score(promoters: int, passives: int, detractors: int) -> int | None:
    """% promoters − % detractors rounded to a whole number, halves away from zero; None
    without answers. Exact: compares integers, no float anywhere."""
    n = promoters + passives + detractors
    if n == 0:
        return None
    diff = promoters - detractors
    return int((Decimal(100 * diff) / n).to_integral_value(rounding=ROUND_HALF_UP))


def _check_score(score: object) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise ValidationError(_("An NPS score is a whole number from 0 to 10, not {score}").format(score=score))
    return score


def record_nps(
    member_id: int | None,
    score: int,
    *,
    source: str = "till",
    sale_id: int | None = None,
    now: datetime,
    terminal: str = "loyalty",
) -> NpsAnswer:
    """Record one answer (``member_id`` None: anonymous). Journalled (kind ``nps``), since it
    feeds a KPI the owner is judged by."""
    _check_score(score)
    if source not in SOURCES:
        raise ValidationError(_("An NPS answer comes from the till or an import, not {source}").format(source=source))
    at = to_db(now)
    with write_tx():
        if member_id is not None and fast.select_first(m.Member, ("id",), {"id": member_id}) is None:
            raise NotFound(_("No member with id {id}").format(id=member_id))
        if sale_id is not None and fast.select_first(m.Sale, ("id",), {"id": sale_id}) is None:
            raise NotFound(_("No receipt with id {id}").format(id=sale_id))
        answer_id = fast.insert_one(
            m.NpsResponse, {"member": member_id, "at": at, "score": score, "source": source, "sale": sale_id}
        )
        journal.append(
            "nps",
            {"member_id": member_id, "score": score, "source": source, "sale_id": sale_id},
            terminal=terminal,
            now=now,
            ref=str(answer_id),
        )
    return NpsAnswer(answer_id, member_id, score, from_db(at), source, sale_id)


# --------------------------------------------------------------------------- import


@dataclass(frozen=True, slots=True)
class NpsImportReport:
    source: str
    rows: int
    anonymous: int

    def as_json(self) -> dict[str, Any]:
        return {"file": self.source, "rows": self.rows, "imported": self.rows, "anonymous": self.anonymous}


def _records(path: Path, fmt: str, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, {canonical field: text})`` per row; unknown columns are an error."""
    errors: list[RowError] = []
    if fmt == "csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRejected(
                source, [RowError(1, "-", _("the file is not UTF-8 text; save it as UTF-8"))]
            ) from None
        lines = text.split("\n")  # physical lines: splitlines() would also break at \x1c, \x85, \u2028
        if not lines or not lines[0].strip():
            raise ImportRejected(source, [RowError(1, "-", _("the file is empty; it needs a header line"))])
        delimiter = max((",", ";", "\t"), key=lambda d: lines[0].count(d))
        reader = csv.reader((line.removesuffix("\r") for line in lines), delimiter=delimiter)
        try:
            header = next(reader)
            fields = []
            for name in header:
                canon = _ALIASES.get(header_key(name))
                if canon is None and name.strip():
                    errors.append(
                        RowError(
                            1, printable(name.strip()), _("unknown column; the columns are member, score, at, receipt")
                        )
                    )
                fields.append(canon)
            if errors:
                raise ImportRejected(source, errors)
            for line, cells in enumerate(reader, start=2):
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(fields):
                    errors.append(
                        RowError(
                            line,
                            "-",
                            _("has {n} cells, the header has {width}").format(n=len(cells), width=len(fields)),
                        )
                    )
                    continue
                yield (
                    line,
                    {f: unprotect_cell(c.strip()) for f, c in zip(fields, cells, strict=True) if f and c.strip()},
                )
        except csv.Error:
            line = reader.line_num
            raise ImportRejected(
                source,
                [*errors, RowError(line, "-", _("a cell is too long or a quote mark is out of place"))],
            ) from None
    else:
        try:
            data = load_json(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            raise ImportRejected(
                source, [RowError(1, "-", _("the file is not UTF-8 text; save it as UTF-8"))]
            ) from None
        except JsonRefused as exc:
            raise ImportRejected(source, [RowError(exc.line, "-", exc.reason)]) from None
        if not isinstance(data, list):
            raise ImportRejected(source, [RowError(1, "-", _("a JSON import is an array of objects"))])
        for index, obj in enumerate(data, start=1):
            if not isinstance(obj, dict):
                errors.append(RowError(index, "-", _("expected an object with the fields")))
                continue
            record = {}
            for key, value in obj.items():
                canon = _ALIASES.get(header_key(str(key)))
                if canon is None:
                    errors.append(
                        RowError(
                            index, printable(str(key)), _("unknown column; the columns are member, score, at, receipt")
                        )
                    )
                    continue
                if isinstance(value, (list, dict)):
                    errors.append(RowError(index, canon, _("expected a single value, not a list or an object")))
                    continue
                if value is not None and str(value).strip():
                    record[canon] = (
                        value if isinstance(value, int) and not isinstance(value, bool) else str(value).strip()
                    )
            yield index, record
    if errors:
        raise ImportRejected(source, errors)


def _parse_at(text: str, tz: str) -> datetime:
    try:
        if len(text) == 10:
            value = datetime.combine(date.fromisoformat(text), time(12), tzinfo=zone(tz))
        else:
            value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(text) from None
    if not 1900 <= value.year <= 9998:  # the extremes overflow once moved to UTC
        raise ValueError(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone(tz))


def import_nps(
    path: Path | str, *, now: datetime, tz: str = SHOP_TZ, fmt: str | None = None, terminal: str = "loyalty"
) -> NpsImportReport:
    """Import survey answers (see the module doc); all or nothing."""
    from pos_tui.core.loyalty.members.lookup import find_member

    path = Path(path)
    source = path.name
    fmt = detect_format(path, fmt)
    if fmt not in ("csv", "json"):
        raise ValidationError(_("NPS answers are imported from CSV or JSON, not {fmt}").format(fmt=fmt))
    if not path.is_file():
        raise NotFound(_("No file {path}").format(path=path))
    errors: list[RowError] = []
    rows: list[dict[str, Any]] = []
    for line, record in list(_records(path, fmt, source)):
        bad = len(errors)
        for field, value in list(record.items()):
            problem = text_problem(value) if isinstance(value, str) else None
            if problem is not None:
                errors.append(RowError(line, field, problem))
                del record[field]
        raw = record.get("score")
        score: int | None = None
        if raw is None:
            errors.append(RowError(line, "score", _("missing")))
        else:
            text = str(raw)
            try:
                if not isinstance(raw, int) and not _SCORE.fullmatch(text):
                    raise ValueError(text)
                score = _check_score(raw if isinstance(raw, int) else int(text))
            except (ValueError, ValidationError):
                shown = text if len(text) <= 40 else text[:40] + "…"
                errors.append(
                    RowError(line, "score", _("{value!r} is not a whole number from 0 to 10").format(value=shown))
                )
        member_id = None
        if "member" in record:
            try:
                found = find_member(str(record["member"]))
            except ValidationError as exc:
                errors.append(RowError(line, "member", exc.message))
            else:
                if found is None:
                    errors.append(
                        RowError(line, "member", _("no member with card or phone {text}").format(text=record["member"]))
                    )
                else:
                    member_id = found.id
        at = now
        if "at" in record:
            try:
                at = _parse_at(str(record["at"]), tz)
            except ValueError:
                errors.append(
                    RowError(
                        line, "at", _("{value!r} is not a date (YYYY-MM-DD) or date-time").format(value=record["at"])
                    )
                )
            else:
                if at > now:
                    errors.append(RowError(line, "at", _("is in the future")))
        sale_id = None
        if "receipt" in record:
            found_sale = fast.select_first(m.Sale, ("id",), {"uid": str(record["receipt"])})
            if found_sale is None:
                errors.append(RowError(line, "receipt", _("no receipt {uid}").format(uid=record["receipt"])))
            else:
                sale_id = int(found_sale[0])
        if len(errors) == bad:
            rows.append({"member": member_id, "at": to_db(at), "score": score, "source": "import", "sale": sale_id})
    if errors:
        raise ImportRejected(source, errors)
    if not rows:
        raise ImportRejected(source, [RowError(1, "-", _("the file has no answers"))])
    with write_tx():
        for start in range(0, len(rows), 100):
            m.NpsResponse.insert_many(rows[start : start + 100]).execute()
        anonymous = sum(1 for r in rows if r["member"] is None)
        journal.append("import", {"kind": "nps", "file": source, "rows": len(rows)}, terminal=terminal, now=now)
    return NpsImportReport(source, len(rows), anonymous)


# --------------------------------------------------------------------------- report


def _day_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone(tz)).astimezone(UTC).replace(tzinfo=None)


def nps_report(date_from: date, date_to: date, *, tz: str = SHOP_TZ) -> NpsReport:
    """Promoters, passives, detractors and the score of the answers given from ``date_from``
    to ``date_to`` (shop days, both included); one grouped query."""
    if date_to < date_from:
        raise ValidationError(
            _("The report ends ({to}) before it starts ({start})").format(
                to=date_to.isoformat(), start=date_from.isoformat()
            )
        )
    N = m.NpsResponse
    group = Case(None, [(N.score >= 9, "promoter"), (N.score >= 7, "passive")], "detractor")
    query = (
        N.select(group, fn.COUNT(N.id))
        .where((N.at >= _day_start(date_from, tz)) & (N.at < _day_start(date_to + timedelta(days=1), tz)))
        .group_by(group)
    )
    counts = {"promoter": 0, "passive": 0, "detractor": 0}
    for name, n in m.database.execute(query):
        counts[name] = int(n)
    return NpsReport(date_from, date_to, counts["promoter"], counts["passive"], counts["detractor"])
