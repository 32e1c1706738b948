"""The service's factory call from the client side: CPU per pizza through `HttpFactoryClient`
with httpx's own transport and with aiohttp's (what the service uses), against the stub
factory served by uvicorn in a child process, so only the client's CPU is counted.

    .venv/bin/python bench/factory_client.py [--calls 1000] [--rounds 3]

The transports are interleaved round by round, so a noisy machine slows both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

import httpx
from harness import free_port, process  # type: ignore[import-not-found]

from jwtpizza.service.factory_client import AiohttpTransport, HttpFactoryClient

DINER = {"id": 7, "name": "pizza diner", "email": "d@jwt.com"}
ORDER = {"id": 41, "franchiseId": 1, "storeId": 1, "items": [{"menuId": 1, "price": 0.05}]}
STUB = (
    "import uvicorn, sys; from jwtpizza.testing.stub_factory import create_stub_factory; "
    "uvicorn.run(create_stub_factory(), port=int(sys.argv[1]), log_level='critical')"
)


async def cpu_per_call(transport: httpx.AsyncBaseTransport, url: str, calls: int) -> float:
    client = HttpFactoryClient(base_url=url, api_key="bench", timeout=None, transport=transport)
    try:
        for key in range(50):  # warm: the connection, the JWKS
            await client.make_pizza(diner=DINER, order=ORDER, idempotency_key=str(key))
        started = time.thread_time()
        for key in range(calls):
            await client.make_pizza(diner=DINER, order=ORDER, idempotency_key=str(key % 50))
        return (time.thread_time() - started) / calls
    finally:
        await client.aclose()


async def measure(url: str, calls: int, rounds: int) -> dict[str, float]:
    transports = {"httpx (httpcore)": httpx.AsyncHTTPTransport, "aiohttp": AiohttpTransport}
    spent: dict[str, list[float]] = {name: [] for name in transports}
    for _ in range(rounds):
        for name, make in transports.items():
            spent[name].append(await cpu_per_call(make(), url, calls))
    return {name: statistics.median(times) for name, times in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"PATH": ""}
    with process([sys.executable, "-c", STUB, str(port)], env, f"{url}/.well-known/jwks.json"):
        cpu = asyncio.run(measure(url, args.calls, args.rounds))
    base = cpu["httpx (httpcore)"]
    print(f"{args.calls} pizzas per round, {args.rounds} rounds, client CPU per pizza\n")
    print(f"{'transport':<20}{'µs/pizza':>10}{'vs httpx':>10}")
    for name, seconds in cpu.items():
        print(f"{name:<20}{1e6 * seconds:>10.0f}{seconds / base:>10.2f}")


if __name__ == "__main__":
    main()
