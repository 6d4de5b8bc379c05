"""The integrator drivers: the folder contract, the simulator's knobs, loading a driver from settings."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from pos_tui.core.einvoice import providers
from pos_tui.core.kernel import ValidationError
from pos_tui.settings import EInvoiceSettings

REPO = Path(__file__).resolve().parents[2]
ETTN = "0f8fad5b-d9cb-469f-a165-70867728950e"
OTHER = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def outgoing(uuid: str = ETTN, customer: str = "1234567890") -> providers.Outgoing:
    return providers.Outgoing(
        uuid=uuid,
        number="AT12026000000001",
        profile="EARSIVFATURA",
        type="SATIS",
        issued_at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
        customer_id=customer,
        customer_name="Bakkal Ltd",
        customer_alias=None,
        payable=Decimal("140.00"),
        xml=b"<Invoice>1</Invoice>",
    )


# -- folder ------------------------------------------------------------------------------------------


def test_the_folder_driver_writes_the_xml_and_its_manifest(tmp_path: Path) -> None:
    folder = providers.FolderProvider(tmp_path)
    receipt = folder.send(outgoing())
    assert (receipt.uuid, receipt.status) == (ETTN, "sent")
    assert (tmp_path / "out" / f"{ETTN}.xml").read_bytes() == b"<Invoice>1</Invoice>"
    data = json.loads((tmp_path / "out" / f"{ETTN}.json").read_text(encoding="utf-8"))
    assert data == {
        "uuid": ETTN,
        "number": "AT12026000000001",
        "profile": "EARSIVFATURA",
        "type": "SATIS",
        "issued_at": "2026-11-02T12:30:00+03:00",  # the shop's time (09:30 UTC)
        "customer": {"identifier": "1234567890", "name": "Bakkal Ltd"},
        "alias": None,
        "payable": "140.00",
        "sha256": hashlib.sha256(b"<Invoice>1</Invoice>").hexdigest(),
        "signed": False,
    }
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{ETTN}.json", f"{ETTN}.xml"]  # no temp left
    assert folder.status(ETTN).status == "sent"
    assert folder.status(OTHER).status == "unknown"


def test_sending_the_same_ettn_again_writes_the_same_two_files(tmp_path: Path) -> None:
    folder = providers.FolderProvider(tmp_path)
    folder.send(outgoing())
    folder.send(outgoing())
    assert len(list((tmp_path / "out").iterdir())) == 2


def test_once_the_client_answered_a_resend_writes_nothing_and_returns_the_answer(tmp_path: Path) -> None:
    folder = providers.FolderProvider(tmp_path)
    folder.send(outgoing())
    for p in (tmp_path / "out").iterdir():
        p.unlink()  # the client took the pair away after answering
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / f"{ETTN}.json").write_text('{"status": "accepted", "reference": "ENT-1"}', encoding="utf-8")
    receipt = folder.send(outgoing())
    assert (receipt.status, receipt.reference) == ("accepted", "ENT-1")
    assert list((tmp_path / "out").iterdir()) == []


def test_status_files_from_the_client_are_read(tmp_path: Path) -> None:
    folder = providers.FolderProvider(tmp_path)
    folder.send(outgoing())
    (tmp_path / "in").mkdir()
    body = {"status": "rejected", "reference": "ENT-7", "code": 1150, "message": "Şematron hatası", "uuid": ETTN}
    (tmp_path / "in" / f"{ETTN}.json").write_text(json.dumps(body), encoding="utf-8")
    answer = folder.status(ETTN)
    assert answer == providers.Answer(ETTN, "rejected", "ENT-7", "1150", "Şematron hatası")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{not json", "line 1"),
        ('["accepted"]', '"status"'),
        ('{"reference": "X"}', '"status" is missing'),
        ('{"status": "done"}', "'done'"),
        ('{"status": 3}', '"status" must be text'),
        ('{"status": "accepted", "message": ["a"]}', '"message" must be text'),
        ('{"status": "accepted", "uuid": "' + OTHER + '"}', '"uuid"'),
    ],
)
def test_a_malformed_status_file_names_the_file_and_the_field(tmp_path: Path, body: str, words: str) -> None:
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / f"{ETTN}.json"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(providers.ProviderUnavailable) as info:
        providers.FolderProvider(tmp_path).status(ETTN)
    assert str(path) in info.value.message and words in info.value.message


def test_the_folder_driver_cancels_by_a_request_file_and_looks_up_nobody(tmp_path: Path) -> None:
    folder = providers.FolderProvider(tmp_path)
    answer = folder.cancel(ETTN, "Müşteri iade etti")
    assert answer.status == "cancelled"
    assert json.loads((tmp_path / "out" / f"{ETTN}.cancel.json").read_text(encoding="utf-8")) == {
        "uuid": ETTN,
        "reason": "Müşteri iade etti",
    }
    assert folder.lookup_user("1234567890") is None


def test_an_unwritable_outbox_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(providers.ProviderUnavailable, match="Cannot write"):
        providers.FolderProvider(tmp_path).send(outgoing())


# -- simulator ---------------------------------------------------------------------------------------


def test_the_simulator_accepts(tmp_path: Path) -> None:
    sim = providers.SimulatorProvider(tmp_path)
    receipt = sim.send(outgoing())
    assert (receipt.status, receipt.code, receipt.reference) == ("accepted", "1300", "SIM-000001")
    assert sim.status(ETTN).status == "accepted"
    assert sim.status(OTHER).status == "unknown"


def test_the_simulator_rejects_a_buyer_whose_vkn_ends_in_a_configured_digit(tmp_path: Path) -> None:
    sim = providers.SimulatorProvider(tmp_path, reject_digits="09")
    with pytest.raises(providers.ProviderRefused) as info:
        sim.send(outgoing(customer="1234567899"))
    assert info.value.code == "1150" and "Şematron" in info.value.message
    assert sim.send(outgoing(OTHER, customer="1234567891")).status == "accepted"
    with pytest.raises(providers.ProviderRefused):  # the same ETTN again: still the same rejected invoice
        sim.send(outgoing(customer="1234567899"))
    assert len(sim.snapshot()["invoices"]) == 2


def test_a_timed_out_send_reaches_the_simulator_once_and_the_retry_finds_it(tmp_path: Path) -> None:
    sim = providers.SimulatorProvider(tmp_path, timeouts=2)
    for _ in range(2):
        with pytest.raises(providers.ProviderUnavailable):
            sim.send(outgoing())
    receipt = sim.send(outgoing())
    state = sim.snapshot()
    assert receipt.status == "accepted"
    assert list(state["invoices"]) == [ETTN] and state["tries"][ETTN] == 3 and state["sends"] == 3


def test_the_simulator_answers_later(tmp_path: Path) -> None:
    sim = providers.SimulatorProvider(tmp_path, later=2)
    assert sim.send(outgoing()).status == "sent"
    assert [sim.status(ETTN).status for _ in range(3)] == ["sent", "sent", "accepted"]


def test_the_simulator_follows_its_plan_then_its_knobs(tmp_path: Path) -> None:
    sim = providers.SimulatorProvider(tmp_path, plan=("reject", "later"))
    with pytest.raises(providers.ProviderRefused):
        sim.send(outgoing(customer="1234567890"))
    assert sim.send(outgoing(OTHER)).status == "sent"
    third = dataclasses.replace(outgoing(), uuid="11111111-2222-4333-8444-555555555555")
    assert sim.send(third).status == "accepted"


def test_the_simulator_cancels_what_it_has(tmp_path: Path) -> None:
    sim = providers.SimulatorProvider(tmp_path)
    sim.send(outgoing())
    assert sim.cancel(ETTN, "İade").status == "cancelled"
    assert sim.status(ETTN).status == "cancelled"
    with pytest.raises(providers.ProviderRefused):
        sim.cancel(OTHER, "İade")


def test_two_processes_share_the_simulator(tmp_path: Path) -> None:
    sim = providers.SimulatorProvider(tmp_path, timeouts=1)
    with pytest.raises(providers.ProviderUnavailable):
        sim.send(outgoing())
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[2]);"
        "from test_send_providers import outgoing; from pos_tui.core.einvoice import providers;"
        "r = providers.SimulatorProvider(Path(sys.argv[1]), timeouts=1).send(outgoing()); print(r.status, r.reference)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["accepted", "SIM-000001"]  # the other process saw the first try
    assert sim.snapshot()["tries"][ETTN] == 2 and len(sim.snapshot()["invoices"]) == 1


# -- loading -----------------------------------------------------------------------------------------


def make_test_provider(settings: EInvoiceSettings) -> providers.EInvoiceProvider:
    """A factory as a shop's own module would have one (``driver = "module:factory"``)."""
    return providers.SimulatorProvider(Path(settings.outbox), later=5)


def not_a_provider(settings: EInvoiceSettings) -> object:
    return object()


def test_load_provider_by_driver(tmp_path: Path) -> None:
    folder = providers.load_provider(EInvoiceSettings(), tmp_path)
    assert isinstance(folder, providers.FolderProvider) and folder.outbox == tmp_path / "einvoice"
    sim = providers.load_provider(EInvoiceSettings(driver="simulator", outbox="box"), tmp_path)
    assert isinstance(sim, providers.SimulatorProvider) and sim.outbox == tmp_path / "box"
    tuned = providers.load_provider(
        EInvoiceSettings(driver="simulator:timeouts=2, later=1, reject_digits=9, plan=accept|reject"), tmp_path
    )
    assert isinstance(tuned, providers.SimulatorProvider)
    assert (tuned.timeouts, tuned.later, tuned.reject_digits, tuned.plan) == (2, 1, "9", ("accept", "reject"))
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        own = providers.load_provider(
            EInvoiceSettings(driver="test_send_providers:make_test_provider", outbox=str(tmp_path)), tmp_path
        )
        assert isinstance(own, providers.SimulatorProvider) and own.later == 5
        assert isinstance(own, providers.EInvoiceProvider)
        with pytest.raises(ValidationError, match="gave no provider"):
            providers.load_provider(EInvoiceSettings(driver="test_send_providers:not_a_provider"), tmp_path)
    finally:
        sys.path.remove(str(Path(__file__).parent))


@pytest.mark.parametrize(
    ("driver", "words"),
    [
        ("ftp", "not folder, simulator"),
        ("simulator:speed=3", "'speed=3'"),
        ("simulator:timeouts=x", "'timeouts=x'"),
        ("simulator:plan=accept|explode", "'explode'"),
        ("no_such_module_here:make", "cannot load"),
    ],
)
def test_a_bad_driver_setting_says_what_is_wrong(tmp_path: Path, driver: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        providers.load_provider(EInvoiceSettings(driver=driver), tmp_path)
