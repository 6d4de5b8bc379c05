"""``messages send``: e-mail through a real SMTP conversation with a local server (aiosmtpd on
127.0.0.1), with a login whose password comes from the environment, a refused recipient
marked failed, a dry run, and the errors for a missing or unreachable server."""

from __future__ import annotations

import email
import email.policy
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from jobs_support import REPO, TZ, Cli, at, consent, member, program

from pos_tui.core.kernel import StateError, ValidationError
from pos_tui.core.loyalty import messages
from pos_tui.settings import SmtpSettings
from pos_tui.store import models as m

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
aiosmtpd_smtp = pytest.importorskip("aiosmtpd.smtp")

BDAY = date(2026, 11, 1)
SENDER = "Demo Market <sadakat@demomarket.com.tr>"


@dataclass
class Mailbox:
    """What the local server received; it refuses recipients starting with ``refuse``."""

    received: list[Any] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("refuse"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope)
        return "250 Message accepted"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        return aiosmtpd_smtp.AuthResult(success=(login, password) == ("sadakat", "gizli-parola"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = aiosmtpd_controller.Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=box.authenticate,
        auth_require_tls=False,
        auth_required=False,
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def smtp(port: int, **changes: Any) -> SmtpSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "starttls": False,
        "sender": SENDER,
        "username": "sadakat",
        "timeout": 5,
    }
    return SmtpSettings(**{**values, **changes})


def queue_birthdays(*addresses: str) -> list[int]:
    ids = []
    for i, address in enumerate(addresses):
        who = member(at(date(2026, 1, 1)), f"Üye{i} Çelik", email=address, birth_date=date(1990, 11, 1))
        consent(who, "email", True, at(date(2026, 1, 1)))
        ids.append(who)
    messages.queue_messages(program(), as_of=BDAY, now=at(BDAY, 3), tz=TZ)
    return ids


def test_send_marks_each_message_sent_or_failed(db: object, server: tuple[Mailbox, int], now: datetime) -> None:
    box, port = server
    queue_birthdays("ayse@example.com", "refuse@example.com", "ali@example.com")
    report = messages.send_messages(smtp=smtp(port), password="gizli-parola", now=now)
    assert (report.attempted, report.sent, report.failed) == (3, 2, 1)
    assert box.logins == [("sadakat", "gizli-parola")]
    assert [env.rcpt_tos for env in box.received] == [["ayse@example.com"], ["ali@example.com"]]
    mail = email.message_from_bytes(box.received[0].content, policy=email.policy.default)
    assert mail["From"] == SENDER and mail["To"] == "ayse@example.com"
    assert mail["Subject"] == "Happy birthday from Sadakat"
    assert mail.get_content().strip() == "Happy birthday, Üye0! Sadakat wishes you a wonderful year."
    assert mail["Message-ID"].endswith("@demomarket.com.tr>")
    status = {msg.to: (msg.status, msg.error) for msg in messages.list_messages()}
    assert status["ayse@example.com"] == ("sent", None)
    assert status["refuse@example.com"][0] == "failed"
    assert "550" in (status["refuse@example.com"][1] or "")
    assert m.Message.get(m.Message.status == "sent").sent_at is not None
    again = messages.send_messages(smtp=smtp(port), password="gizli-parola", now=now)
    assert (again.attempted, again.sent) == (0, 0) and len(box.received) == 2  # never twice
    retry = messages.send_messages(smtp=smtp(port), password="gizli-parola", now=now, retry_failed=True)
    assert (retry.attempted, retry.failed) == (1, 1)


def test_limit_dry_run_and_withdrawn_consent(db: object, server: tuple[Mailbox, int], now: datetime) -> None:
    box, port = server
    first, _, _ = queue_birthdays("a@example.com", "b@example.com", "c@example.com")
    preview = messages.send_messages(smtp=smtp(port), password="gizli-parola", now=now, dry_run=True, limit=2)
    assert preview.dry_run and [msg.to for msg in preview.messages] == ["a@example.com", "b@example.com"]
    assert box.received == [] and m.Message.select().where(m.Message.status == "queued").count() == 3
    consent(first, "email", False, now)
    report = messages.send_messages(smtp=smtp(port), password="gizli-parola", now=now, limit=2)
    assert (report.sent, report.failed) == (1, 1)
    assert report.errors[0][1] == "the member has withdrawn consent for email"
    assert [env.rcpt_tos for env in box.received] == [["b@example.com"]]


def test_server_problems_change_nothing(db: object, server: tuple[Mailbox, int], now: datetime) -> None:
    box, port = server
    queue_birthdays("a@example.com")
    with pytest.raises(StateError, match="No mail server is configured"):
        messages.send_messages(smtp=SmtpSettings(), now=now)
    with pytest.raises(StateError, match="password is not set"):
        messages.send_messages(smtp=smtp(port), password=None, now=now)
    with pytest.raises(StateError, match="Cannot send through the mail server"):
        messages.send_messages(smtp=smtp(port, timeout=1), password="wrong", now=now)
    with pytest.raises(StateError, match=r"Cannot send through the mail server 127\.0\.0\.1"):
        messages.send_messages(smtp=smtp(free_port(), username=""), now=now)
    with pytest.raises(ValidationError, match="does not send SMS"):
        messages.send_messages(smtp=smtp(port), channel="sms", now=now)
    assert m.Message.get().status == "queued" and box.received == []


def test_messages_send_command_reads_the_password_from_the_environment(
    db: object, server: tuple[Mailbox, int], cli: Cli, tmp_path: Path
) -> None:
    box, port = server
    queue_birthdays("ayse@example.com")
    config = tmp_path / "pos.toml"
    config.write_text(
        (REPO / "config" / "pos.toml").read_text(encoding="utf-8").split("[smtp]")[0]
        + f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\nusername = "sadakat"\n'
        f'password_env = "SHOP_MAIL_PASSWORD"\nsender = "{SENDER}"\n',
        encoding="utf-8",
    )
    env = {"POS_CONFIG": str(config)}
    dry = cli("messages", "send", "--dry-run", env=env)
    assert dry.exit_code == 0, dry.stderr
    assert "Would send 1 message(s); nothing was sent." in dry.stderr
    no_password = cli("messages", "send", env=env)
    assert no_password.exit_code == 1 and "SHOP_MAIL_PASSWORD" in no_password.stderr
    done = cli("messages", "send", "--json", env={**env, "SHOP_MAIL_PASSWORD": "gizli-parola"})
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["sent"] == 1 and len(box.received) == 1


def test_the_password_is_never_read_from_the_file(tmp_path: Path) -> None:
    from pos_tui.settings import ConfigError, load_settings

    config = tmp_path / "pos.toml"
    config.write_text('[smtp]\nhost = "mail"\npassword = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="never put the password in the file"):
        load_settings({"POS_HOME": str(tmp_path)}, config)
    config.write_text('[smtp]\nhost = "mail"\nssl = true\n', encoding="utf-8")
    loaded = load_settings({"POS_HOME": str(tmp_path)}, config).smtp
    assert (loaded.port, loaded.ssl, loaded.starttls) == (465, True, False)
    config.write_text("[smtp]\nssl = true\nstarttls = true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not both"):
        load_settings({"POS_HOME": str(tmp_path)}, config)
