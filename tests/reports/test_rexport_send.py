"""``pos-admin report send`` (docs/reports.md "E-mailed reports") against a local SMTP server
(aiosmtpd on 127.0.0.1): the recipients, the subject, the Turkish body with the totals, the
attachment decoded and its figures; and the errors: no ``[smtp]`` host, a refused connection, a bad
or refused address."""

from __future__ import annotations

import email
import email.policy
import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from rexport_support import FIRST, LAST, csv_rows, header_row, pdf_text, seed_shop, smtp_config, xlsx_sheet

from pos_tui.cli import report_commands
from pos_tui.settings import Settings

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

PERIOD = ("--from", FIRST, "--until", LAST)


@dataclass
class Mailbox:
    """What the local server received; it refuses recipients starting with ``refuse``."""

    received: list[Any] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("refuse"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope)
        return "250 Message accepted"

    def message(self, n: int = 0) -> EmailMessage:
        parsed = email.message_from_bytes(self.received[n].content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = aiosmtpd_controller.Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime, monkeypatch: pytest.MonkeyPatch) -> Settings:
    seed_shop(settings, now)
    monkeypatch.setattr(report_commands, "now", lambda: now)  # Sunday 01.11.2026 10:15 in Istanbul
    return settings


def attachment(message: EmailMessage) -> tuple[str, str, bytes]:
    (part,) = list(message.iter_attachments())
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return part.get_filename() or "", part.get_content_type(), data


def test_yesterdays_sales_by_day_reach_two_recipients_as_xlsx(
    cli: Callable[..., Any], shop: Settings, server: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, port = server
    config = smtp_config(tmp_path, port)
    result = cli(
        "report", "send", "sales-by-day", "--to", "owner@example.com", "--to", "ortak@example.com",
        "--period", "yesterday", env={"POS_CONFIG": str(config), "POS_LANG": "tr"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "owner@example.com, ortak@example.com" in result.stderr
    (envelope,) = box.received
    assert envelope.rcpt_tos == ["owner@example.com", "ortak@example.com"]
    assert envelope.mail_from == "rapor@demomarket.com.tr"
    message = box.message()
    assert message["To"] == "owner@example.com, ortak@example.com"
    assert message["Subject"].startswith("Demo Market – ") and message["Subject"].endswith(" – 31.10.2026")
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "31.10.2026" in text and "32,50" in text and "0,32" in text  # the net and the KDV of Saturday
    name, kind, data = attachment(message)
    assert name == "sales-by-day_2026-10-31_2026-10-31.xlsx"
    assert kind == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = xlsx_sheet(data)
    row = header_row(sheet, [sheet.cell(6, 1).value]) + 1
    assert (sheet.cell(row, 1).value, sheet.cell(row, 2).value, sheet.cell(row, 6).value) == (
        datetime(2026, 10, 31),
        1,
        32.5,
    )


def test_a_period_as_pdf_and_as_csv(
    cli: Callable[..., Any], shop: Settings, server: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, port = server
    env = {"POS_CONFIG": str(smtp_config(tmp_path, port))}
    pdf = cli("report", "send", "sales-by-day", "--to", "owner@example.com", *PERIOD, "--format", "pdf", env=env)
    assert pdf.exit_code == 0, pdf.output
    message = box.message(0)
    assert message["Subject"] == "Demo Market – Sales by day – 30.10.2026–01.11.2026"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Receipts: 3" in text and "Net sales: 257.50" in text and "KDV: 34.69" in text
    name, kind, data = attachment(message)
    assert (name, kind) == ("sales-by-day_2026-10-30_2026-11-01.pdf", "application/pdf")
    assert "257.50" in pdf_text(data)[0]
    sent = cli(
        "report", "send", "sales-by-day", "--to", "owner@example.com", *PERIOD, "--format", "csv", "--decimal-comma",
        "--json", env=env,
    )  # fmt: skip
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout) == {
        "report": "sales-by-day",
        "from": FIRST,
        "to": LAST,
        "recipients": ["owner@example.com"],
        "subject": "Demo Market – Sales by day – 30.10.2026–01.11.2026",
        "attachment": "sales-by-day_2026-10-30_2026-11-01.csv",
    }
    name, kind, data = attachment(box.message(1))
    assert kind == "text/csv"
    assert csv_rows(data)[-1] == ["Total", "3", "0", "257,50", "0,00", "257,50", "34,69"]


def test_no_mail_server_configured(cli: Callable[..., Any], shop: Settings) -> None:
    result = cli("report", "send", "sales-by-day", "--to", "owner@example.com", "--period", "yesterday")
    assert result.exit_code == 1
    assert "No mail server is configured: set host and sender under [smtp] in pos.toml" in result.stderr


def test_a_refused_connection(cli: Callable[..., Any], shop: Settings, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    env = {"POS_CONFIG": str(smtp_config(tmp_path, port))}
    result = cli("report", "send", "sales-by-day", "--to", "owner@example.com", "--period", "yesterday", env=env)
    assert result.exit_code == 1
    assert f"Cannot send through the mail server 127.0.0.1:{port}" in result.stderr


@pytest.mark.parametrize("address", ["owner@", "owner", "owner@example", "a@b.com; c@d.com", ""])
def test_a_bad_address_is_a_usage_error(
    address: str, cli: Callable[..., Any], shop: Settings, server: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, port = server
    env = {"POS_CONFIG": str(smtp_config(tmp_path, port))}
    result = cli("report", "send", "sales-by-day", "--to", address, "--period", "yesterday", env=env)
    assert result.exit_code == 2, result.output
    assert "is not an e-mail address such as owner@example.com" in result.stderr
    assert box.received == []


def test_usage_errors_of_send(
    cli: Callable[..., Any], shop: Settings, server: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, port = server
    env = {"POS_CONFIG": str(smtp_config(tmp_path, port))}
    nobody = cli("report", "send", "sales-by-day", "--period", "yesterday", env=env)
    assert nobody.exit_code == 2 and "Give at least one address" in nobody.stderr
    json_format = cli("report", "send", "sales-by-day", "--to", "o@example.com", "--format", "json", env=env)
    assert json_format.exit_code == 2 and "a report is sent as xlsx, pdf, csv, not 'json'" in json_format.stderr
    no_report = cli("report", "send", "sales-by-dya", "--to", "o@example.com", env=env)
    assert no_report.exit_code == 2 and "No report 'sales-by-dya'" in no_report.stderr
    bad_day = cli("report", "send", "sales-by-day", "--to", "o@example.com", "--until", "2026-02-30", env=env)
    assert bad_day.exit_code == 2 and "--until: '2026-02-30' is not a date" in bad_day.stderr
    assert box.received == []


def test_a_refused_recipient(
    cli: Callable[..., Any], shop: Settings, server: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, port = server
    env = {"POS_CONFIG": str(smtp_config(tmp_path, port))}
    every = cli("report", "send", "sales-by-day", "--to", "refuse@example.com", *PERIOD, env=env)
    assert every.exit_code == 1
    assert "The mail server refused every recipient: refuse@example.com: 550 5.1.1 no such mailbox" in every.stderr
    some = cli(
        "report", "send", "sales-by-day", "--to", "owner@example.com", "--to", "refuse@example.com", *PERIOD, env=env
    )
    assert some.exit_code == 1
    assert "The report was sent, but the mail server refused refuse@example.com: 550" in some.stderr
    (envelope,) = box.received
    assert envelope.rcpt_tos == ["owner@example.com"]
