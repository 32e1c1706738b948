"""Cost of observability: throughput of a small JSON app with logging off, logging on, and
logging on while /metrics is scraped, driven in process through httpx.ASGITransport.

    .venv/bin/python bench/observability_overhead.py [--requests 3000] [--concurrency 20]

In-process numbers exaggerate the relative cost (no network or database time to hide it),
so a ratio under the 15% goal here is an upper bound for the real service.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import httpx
from fastapi import FastAPI

from jwtpizza.observability import ObservabilitySettings, instrument


def make_app(**settings: Any) -> FastAPI:
    app = FastAPI()

    @app.get("/api/franchise/{franchise_id}")
    async def franchise(franchise_id: int) -> dict[str, Any]:
        return {"id": franchise_id, "name": "pizzaPocket", "stores": [{"id": 1, "name": "SLC"}]}

    @app.put("/api/auth")
    async def login(body: dict[str, Any]) -> dict[str, Any]:
        return {"user": {"email": body.get("email")}, "token": "eyJa.eyJb.c2ln"}

    if settings.get("instrumented", True):
        settings.pop("instrumented", None)
        instrument(
            app,
            component="bench",
            settings=ObservabilitySettings(**settings),
            authorize_admin=lambda: None,
        )
    return app


async def run(app: FastAPI, requests: int, concurrency: int, scrape: bool) -> float:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        done = 0

        async def worker() -> None:
            nonlocal done
            while done < requests:
                done += 1
                if done % 2:
                    await client.get(f"/api/franchise/{done % 50}")
                else:
                    await client.put("/api/auth", json={"email": "d@jwt.com", "password": "d"})

        async def scraper() -> None:
            while done < requests:
                await client.get("/metrics")
                await asyncio.sleep(0.05)

        started = time.perf_counter()
        tasks = [worker() for _ in range(concurrency)] + ([scraper()] if scrape else [])
        await asyncio.gather(*tasks)
        return requests / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    cases = [
        ("bare app (no observability)", {"instrumented": False}, False),
        (
            "metrics only (logging off, tracing off)",
            {"logging_enabled": False, "tracing_enabled": False},
            False,
        ),
        ("metrics + tracing, logging off", {"logging_enabled": False}, False),
        ("full logging + tracing", {}, False),
        ("full logging + tracing + /metrics scrape 20/s", {}, True),
    ]
    await run(make_app(), 300, args.concurrency, False)  # warm up
    results = []
    for name, settings, scrape in cases:
        rate = max(
            [
                await run(make_app(**settings), args.requests, args.concurrency, scrape)
                for _ in range(3)
            ]
        )
        results.append((name, rate))
    logging_off = results[2][1]
    print(f"{'case':48} {'req/s':>9} {'vs logging off':>15}")
    for name, rate in results:
        print(f"{name:48} {rate:9.0f} {(logging_off / rate - 1) * 100:+14.1f}%")


if __name__ == "__main__":
    asyncio.run(main())
