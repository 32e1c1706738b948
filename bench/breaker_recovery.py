"""Breaker recovery at any traffic: how long after the factory comes back the service's
breaker closes and a diner's order succeeds, at 0, 1 and 10 orders a minute.

    .venv/bin/python bench/breaker_recovery.py [--rates 0 1 10] [--outage 20] [--watch 30]
        [--jwtpizza PATH]   # another install's `jwtpizza`, e.g. main's, to compare

The factory and the service run as real processes (`jwtpizza factory`, `jwtpizza service`,
default resilience settings) on SQLite files in a temporary folder. For each rate: the
factory process is stopped (connections refused), orders open the breaker, the outage lasts
`--outage` seconds with diners ordering at the rate (no `Prefer`: the original's clients),
then the factory starts again. "Recovered" is the moment its JWKS answers. The service's
`/metrics` is read every 50 ms for `--watch` seconds more: when the breaker closed, and
whether it opened again (flapping). Orders keep coming at the rate throughout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from harness import VENV_BIN, free_port, process  # type: ignore[import-not-found]

from jwtpizza.factory.demo import ensure_demo_vendor
from jwtpizza.factory.settings import FactorySettings

ORDER = {"franchiseId": 1, "storeId": 1, "items": [{"menuId": 1, "price": 0.05}]}
BREAKER = re.compile(r'^breaker_state\{dependency="factory"\} (\S+)$', re.MULTILINE)
CLOSED, OPEN = 0.0, 2.0
STARTUP_SECONDS = 120  # a loaded machine starts a process slowly


@dataclass
class Diners:
    """Orders at a steady rate from a thread: (sent, answered, status) in monotonic seconds."""

    shop: str
    token: str
    per_minute: float
    answers: list[tuple[float, float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Diners:
        if self.per_minute > 0:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self.per_minute > 0:
            self._thread.join(120)

    def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.shop, headers=headers, timeout=120) as client:
            while not self._stop.is_set():
                sent = time.monotonic()
                status = client.post("/api/order", json=ORDER).status_code
                self.answers.append((sent, time.monotonic(), status))
                self._stop.wait(max(0.0, sent + 60 / self.per_minute - time.monotonic()))


@dataclass
class Row:
    rate: float
    closed_after: float | None
    reopened: int
    first_ok: tuple[float, float] | None  # (sent, answered) after recovery
    failed_after: int


def breaker_state(shop: str) -> float:
    found = BREAKER.search(httpx.get(f"{shop}/metrics").text)
    return float(found.group(1)) if found else -1.0


def order(shop: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.post(f"{shop}/api/order", json=ORDER, headers=headers, timeout=120).status_code


def trip(shop: str, token: str) -> None:
    """Orders until the breaker opens (the factory is down)."""
    deadline = time.monotonic() + 60
    while breaker_state(shop) != OPEN:
        assert time.monotonic() < deadline, "the breaker did not open"
        order(shop, token)


def measure(
    shop: str, token: str, rate: float, factory: Callable[[], AbstractContextManager[None]],
    args: argparse.Namespace,
) -> Row:  # fmt: skip
    """One round: the factory is down; trip the breaker, order at `rate` through the outage,
    start the factory and watch the breaker."""
    trip(shop, token)
    with ExitStack() as stack, Diners(shop, token, rate) as diners:
        time.sleep(args.outage)
        stack.enter_context(factory())  # started and answering: the factory has recovered
        recovered = time.monotonic()
        closed_at, reopened, last = None, 0, OPEN
        while time.monotonic() < recovered + args.watch:
            state = breaker_state(shop)
            if state == CLOSED and closed_at is None:
                closed_at = time.monotonic()
            if closed_at is not None and state == OPEN and last != OPEN:
                reopened += 1
            last = state
            time.sleep(0.05)
    after = [a for a in diners.answers if a[1] >= recovered]
    ok = [(sent - recovered, answered - recovered) for sent, answered, s in after if s == 200]
    return Row(
        rate=rate,
        closed_after=None if closed_at is None else closed_at - recovered,
        reopened=reopened,
        first_ok=ok[0] if ok else None,
        failed_after=sum(1 for *_, status in after if status != 200),
    )


def run(folder: Path, jwtpizza: str, args: argparse.Namespace) -> list[Row]:
    fport, sport = free_port(), free_port()
    fdb = f"sqlite+aiosqlite:///{folder / 'factory.db'}"
    fenv = {**os.environ, "JWTPIZZA_FACTORY_DATABASE_URL": fdb,
            "JWTPIZZA_FACTORY_PORT": str(fport), "JWTPIZZA_FACTORY_DEMO": "true"}  # fmt: skip
    key = asyncio.run(ensure_demo_vendor(FactorySettings(database_url=fdb)))
    senv = {
        **{k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")},
        "JWTPIZZA_DEMO": "true",
        "JWTPIZZA_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'service.db'}",
        "JWTPIZZA_PORT": str(sport),
        "JWTPIZZA_FACTORY_URL": f"http://127.0.0.1:{fport}",
        "JWTPIZZA_FACTORY_API_KEY": key,
        "JWTPIZZA_BCRYPT_ROUNDS": "4",
    }
    for command in (["db", "migrate"], ["db", "seed", "--demo"]):
        subprocess.run([jwtpizza, *command], env=senv, cwd=folder, check=True, capture_output=True)
    shop = f"http://127.0.0.1:{sport}"
    ready = f"http://127.0.0.1:{fport}/.well-known/jwks.json"

    def factory() -> AbstractContextManager[subprocess.Popen[bytes]]:
        return process(  # type: ignore[no-any-return]
            [jwtpizza, "factory"], fenv, ready, cwd=folder, timeout=STARTUP_SECONDS
        )

    rows = []
    with process(
        [jwtpizza, "service"], senv, f"{shop}/healthz", cwd=folder, timeout=STARTUP_SECONDS
    ):
        login = {"email": "d@jwt.com", "password": "diner"}
        token = httpx.put(f"{shop}/api/auth", json=login).json()["token"]
        for rate in args.rates:
            with factory():  # a clean start: the breaker closed, pizzas made
                while order(shop, token) != 200 or breaker_state(shop) != CLOSED:
                    time.sleep(0.2)
            rows.append(measure(shop, token, rate, factory, args))
    return rows


def seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[0, 1, 10])
    parser.add_argument("--outage", type=float, default=20.0)
    parser.add_argument("--watch", type=float, default=30.0)
    parser.add_argument("--jwtpizza", default=str(VENV_BIN / "jwtpizza"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = run(Path(tmp), args.jwtpizza, args)
    print(f"factory down {args.outage:g} s, then watched {args.watch:g} s ({args.jwtpizza})")
    print(f"{'orders/min':>10}  {'breaker closed':>14}  {'reopened':>8}  "
          f"{'first order ok (sent, answered)':>32}  {'failed after':>12}")  # fmt: skip
    for row in rows:
        first = "none" if row.first_ok is None else (
            f"+{row.first_ok[0]:.1f} s, +{row.first_ok[1]:.1f} s"
        )  # fmt: skip
        print(f"{row.rate:>10g}  {seconds(row.closed_after):>14}  {row.reopened:>8}  "
              f"{first:>32}  {row.failed_after:>12}")  # fmt: skip


if __name__ == "__main__":
    main()
