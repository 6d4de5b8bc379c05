"""A weight frame from the scale to the weighing dialog on screen.

Setup (untimed): a temporary SQLite file with a cashier, an open shift and a product sold by the kg. A
scripted CAS scale (``fakes.SocketDevice``, ``socket://127.0.0.1:PORT``, the 18-byte streaming frame
``US,GS,+  1.234kg`` CR LF) is the other end of the app's real ``SerialLink``. ``PosApp`` runs headless under
``App.run_test`` at 100×30 with its device hub reading that scale; the benchmark logs in, scans the product and
the weighing dialog opens. The frames say "unstable", so the dialog keeps showing the live weight and never
closes.

Timed, ``--frames`` times each, alternating, after ``--warmup`` untimed of each:

* **ours**: from just before the scale writes a frame (a new weight each time) to the first paint whose
  output to the terminal contains that weight as the dialog shows it ("1.234 kg moving"): the socket, the link's
  reader thread, the CAS parser, the hand-over to the event loop, ``WeightChanged`` through the app's queue
  (``can_replace``), the dialog's update and the compositor's paint (:class:`benchmarks.tui_start.PaintClock`);
* **baseline**: the same reading posted straight to the app as a ``WeightChanged`` message (no serial path),
  to the same paint: what the screen alone costs.

Between frames the benchmark waits a random 0–20 ms, so frames do not line up with Textual's paint cycle.
Target (issue 4): < 50 ms p99 from the frame to the screen.

    python3 -m benchmarks.bench_weight [--frames 300] [--warmup 20] [--quiet]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import percentiles, save, verdict
from benchmarks.tui_start import SIZE, PaintClock, press_enter, until
from pos_tui.core import cash, catalog, staff

PIN = "4821"
CODE = "55501"  # the weighed product's PLU


def prepare(db: Path) -> None:
    """A cashier with an open shift and one product sold by the kg (40,00 a kg)."""
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database

    now = datetime.now(UTC)
    open_database(db)
    settings = load_settings({"POS_DB": str(db), "POS_HOME": str(db.parent)})
    staff.add_user("tartici", "cashier", PIN, now=now, settings=settings)
    actor = staff.actor_by_name("tartici", settings=settings)
    cash.open_shift(settings.terminal_id, actor, Decimal("100.00"), now=now)
    catalog.upsert_products(
        [catalog.ProductInput(code=CODE, name="Beyaz Peynir", unit="kg", price=Decimal("40.00"), kdv_rate=1)],
        now=now,
        kdv_rates=settings.kdv_rates,
    )
    close_database()


def frame(grams: int) -> bytes:
    """An unstable 18-byte CAS frame for ``grams``."""
    kg = f"{grams // 1000}.{grams % 1000:03d}"
    return f"US,GS,+{kg:>7}kg\r\n".encode("ascii")


async def measure(db: Path, frames: int, warmup: int, seed: int = 3) -> dict[str, Any]:
    from textual.widgets import Input

    from pos_tui.devices.config import parse_devices
    from pos_tui.devices.fakes import SocketDevice
    from pos_tui.devices.scales import WeightReading, describe_reading
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database
    from pos_tui.tui.app import PosApp
    from pos_tui.tui.devices import DeviceHub
    from pos_tui.tui.dialogs.weigh import WeighDialog
    from pos_tui.tui.messages import WeightChanged

    class BenchPosApp(PaintClock, PosApp):
        pass

    rnd = random.Random(seed)
    ours: list[float] = []
    base: list[float] = []
    settings = load_settings({"POS_DB": str(db), "POS_HOME": str(db.parent)})
    open_database(db)
    try:
        async with SocketDevice() as scale:
            toml = f'[scale]\ndriver = "cas"\nport = "{scale.url}"\ntimeout = 60\n'
            app = BenchPosApp(settings, devices=DeviceHub(parse_devices(toml)))
            async with app.run_test(size=SIZE) as pilot:
                await until(lambda: app.ready_at("LoginScreen") is not None)
                app.screen.query_one("#pin", Input).value = PIN
                press_enter(app)
                await until(lambda: app.ready_at("SaleScreen") is not None)
                assert not app.devices.problems, app.devices.problems
                await scale.wait_connected()
                app.screen.query_one("#scan", Input).value = CODE
                press_enter(app)
                await until(lambda: isinstance(app.screen, WeighDialog))
                await pilot.pause()
                grams = 1000
                for i in range(warmup + frames):
                    for kind in ("ours", "baseline"):
                        grams += 1
                        reading = WeightReading(grams, False, "motion", b"", time.monotonic())
                        shown = describe_reading(reading)
                        app.arm_probe(lambda output, shown=shown: shown in output)
                        t0 = time.monotonic()
                        if kind == "ours":
                            await scale.push(frame(grams))
                        else:
                            app.post_message(WeightChanged(reading))
                        await until(lambda: app.probe_at is not None, timeout=10)
                        assert app.probe_at is not None
                        if i >= warmup:
                            (ours if kind == "ours" else base).append(app.probe_at - t0)
                        await asyncio.sleep(rnd.uniform(0, 0.02))
                await app.devices.stop()
    finally:
        close_database()
    return {"frame_to_screen": percentiles(ours), "message_to_screen": percentiles(base)}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--frames", type=int, default=300, help="timed frames (and as many baseline messages)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pos-bench-weight-") as tmp:
        db = Path(tmp) / "weight.sqlite3"
        prepare(db)
        figures = asyncio.run(measure(db, args.frames, args.warmup))
    ours, base = figures["frame_to_screen"], figures["message_to_screen"]
    result: dict[str, Any] = {
        "frames": args.frames,
        "warmup": args.warmup,
        "terminal_size": f"{SIZE[0]}x{SIZE[1]}",
        **figures,
        "summary": [
            verdict(
                "scale frame to weighing dialog painted, p99 (CAS over socket://)",
                "ms",
                ours["p99_ms"],
                baseline=base["p99_ms"],
                baseline_name="WeightChanged posted directly, to the same paint",
                max_value=50.0,
            ),
            verdict(
                "scale frame to weighing dialog painted, p50",
                "ms",
                ours["p50_ms"],
                baseline=base["p50_ms"],
                baseline_name="WeightChanged posted directly, to the same paint",
            ),
        ],
    }
    save("weight", result, quiet=args.quiet)


if __name__ == "__main__":
    main()
