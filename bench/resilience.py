"""Resilience figures: how fast the queue drains after a long outage, and what a diner waits
while the breaker is open (fail-fast) beside normal service.

    .venv/bin/python bench/resilience.py [--queued 500] [--orders 300] [--concurrency 10]

The factory and the service run as real processes (`jwtpizza factory`, `jwtpizza service`) on
SQLite files in a temporary folder. The outage is the factory process stopped (connections
refused). Phases:

1. normal: the factory is up; order latency (200 with a pizza).
2. breaker open: the factory is down and the breaker has opened (long open wait); order
   latency (202 queued, no factory call).
3. drain: the service restarts with a short open wait, `--queued` orders are queued while the
   factory is down, the factory comes back, and the clock runs until no order is open.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import httpx
from harness import VENV_BIN, free_port, process  # type: ignore[import-not-found]

from jwtpizza.db import Database
from jwtpizza.factory.demo import ensure_demo_vendor
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.service.seed import migrate, seed_demo

JWTPIZZA = str(VENV_BIN / "jwtpizza")
ORDER = {"franchiseId": 1, "storeId": 1, "items": [{"menuId": 1, "price": 0.05}]}


def factory_env(folder: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "JWTPIZZA_FACTORY_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'factory.db'}",
        "JWTPIZZA_FACTORY_PORT": str(port),
        "JWTPIZZA_FACTORY_DEMO": "true",
    }


def service_env(
    folder: Path, port: int, factory_port: int, key: str, open_s: float
) -> dict[str, str]:
    return {
        **os.environ,
        "JWTPIZZA_DEMO": "true",
        "JWTPIZZA_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'service.db'}",
        "JWTPIZZA_PORT": str(port),
        "JWTPIZZA_FACTORY_URL": f"http://127.0.0.1:{factory_port}",
        "JWTPIZZA_FACTORY_API_KEY": key,
        "JWTPIZZA_BCRYPT_ROUNDS": "4",
        "JWTPIZZA_LOGIN_MAX_FAILURES": "1000000",
        "JWTPIZZA_RESILIENCE_BREAKER_OPEN_SECONDS": str(open_s),
        "JWTPIZZA_QUEUE_BACKOFF_MAX_SECONDS": "2",
    }


async def place(url: str, token: str, count: int, concurrency: int) -> list[tuple[int, float]]:
    """(status, seconds) of `count` orders, `concurrency` at a time."""
    gate = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:

        async def one() -> tuple[int, float]:
            async with gate:
                started = time.perf_counter()
                response = await client.post("/api/order", json=ORDER)
                return response.status_code, time.perf_counter() - started

        return list(await asyncio.gather(*(one() for _ in range(count))))


def login(url: str) -> str:
    response = httpx.put(f"{url}/api/auth", json={"email": "d@jwt.com", "password": "diner"})
    return str(response.json()["token"])


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def open_orders(url: str) -> int:
    counts = httpx.get(f"{url}/api/health/integrity", timeout=10).json()["ordersByStatus"]
    return int(counts.get("pending", 0) + counts.get("queued", 0))


def latency_row(name: str, results: list[tuple[int, float]]) -> tuple[str, float, float, str]:
    seconds = [s for _, s in results]
    statuses = sorted({status for status, _ in results})
    return name, p(seconds, 0.5) * 1000, p(seconds, 0.99) * 1000, ",".join(map(str, statuses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queued", type=int, default=500)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp), args.queued, args.orders, args.concurrency)


def run(folder: Path, queued: int, orders: int, concurrency: int) -> None:
    fport, sport = free_port(), free_port()
    fenv = factory_env(folder, fport)
    key = asyncio.run(
        ensure_demo_vendor(FactorySettings(database_url=fenv["JWTPIZZA_FACTORY_DATABASE_URL"]))
    )
    db = Database(f"sqlite+aiosqlite:///{folder / 'service.db'}")
    asyncio.run(_seed(db))
    shop, factory = f"http://127.0.0.1:{sport}", f"http://127.0.0.1:{fport}"
    rows = []
    with process(
        [JWTPIZZA, "service"],
        service_env(folder, sport, fport, key, 600),
        f"{shop}/healthz",
        cwd=folder,
    ):
        token = login(shop)
        with process([JWTPIZZA, "factory"], fenv, f"{factory}/.well-known/jwks.json", cwd=folder):
            asyncio.run(place(shop, token, 20, concurrency))  # warm up
            rows.append(
                latency_row(
                    "normal (factory up)", asyncio.run(place(shop, token, orders, concurrency))
                )
            )
        asyncio.run(place(shop, token, 20, concurrency))  # the breaker opens
        rows.append(
            latency_row(
                "breaker open (fail-fast)", asyncio.run(place(shop, token, orders, concurrency))
            )
        )
    with process(
        [JWTPIZZA, "service"],
        service_env(folder, sport, fport, key, 2),
        f"{shop}/healthz",
        cwd=folder,
    ):
        waiting = open_orders(shop)
        asyncio.run(place(shop, token, queued, concurrency))
        waiting = open_orders(shop)
        with process([JWTPIZZA, "factory"], fenv, f"{factory}/.well-known/jwks.json", cwd=folder):
            back = time.perf_counter()
            first = None
            while (left := open_orders(shop)) > 0:
                if first is None and left < waiting:
                    first = time.perf_counter() - back
                time.sleep(0.05)
            drained = time.perf_counter() - back
    print(f"{'phase':<28}{'p50 ms':>10}{'p99 ms':>10}  statuses")
    for name, p50, p99, statuses in rows:
        print(f"{name:<28}{p50:>10.1f}{p99:>10.1f}  {statuses}")
    ratio = rows[1][2] / rows[0][2]
    print(f"p99 breaker open / normal: {ratio:.2f}")
    print(f"drain: {waiting} queued orders emptied {drained:.2f} s after the factory came back "
          f"(first fulfilment after {first or 0:.2f} s): {waiting / drained:.1f} orders/s; "
          f"{waiting / (drained - (first or 0)):.1f} orders/s once draining")  # fmt: skip


async def _seed(db: Database) -> None:
    await migrate(db)
    await seed_demo(db, bcrypt_rounds=4)
    await db.dispose()


if __name__ == "__main__":
    main()
