"""What each item of per-request observability costs a cached read, in µs of CPU per request.

Drives the service's fast path for cached reads (`CachedReads`) in process, with no server
and no network, so only the work per request is timed: the bare answer, then with metrics
only, with the span too, and with the `http` log event (sanitized, kept in the log store).
The request id and the sanitizer are also timed on their own.

    .venv/bin/python bench/observability_items.py [--requests 20000] [--rounds 3]

Best of `--rounds` for each row (this machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from collections.abc import Callable

import orjson
from starlette.types import Message, Scope

from jwtpizza.observability import Observability, ObservabilitySettings
from jwtpizza.service.fast_reads import CachedReads

MENU = orjson.dumps(
    [{"id": n, "title": f"Pizza {n}", "image": f"pizza{n}.png", "price": 0.0042,
      "description": "A garden of delight"} for n in range(1, 7)]
)  # fmt: skip


async def read(_scope: Scope, _headers: dict[bytes, bytes]) -> tuple[bytes, str]:
    return MENU, '"etag"'


async def nothing() -> Message:
    return {"type": "http.request", "body": b""}


async def sink(_message: Message) -> None:
    return None


def scope() -> Scope:
    return {"type": "http", "method": "GET", "path": "/menu", "query_string": b"",
            "headers": [(b"host", b"s"), (b"user-agent", b"wrk")]}  # fmt: skip


async def per_request(app: CachedReads | None, count: int) -> float:
    """µs of CPU per request through `app` (None: the bare answer, no observability)."""
    started = time.process_time()
    for n in range(count):
        if app is None:
            await CachedReads._answer(
                {**scope(), "jwtpizza.cached": (MENU, '"etag"')}, nothing, sink
            )
        else:
            await app(scope(), nothing, sink)
        if n % 100 == 0:
            await asyncio.sleep(0)  # let the logger write its pending events
    await asyncio.sleep(0)
    return (time.process_time() - started) / count * 1e6


def fast_path(**settings: bool) -> CachedReads:
    obs = Observability(component="service", settings=ObservabilitySettings(**settings))
    return CachedReads(lambda *_: None, reads={"/menu": read}, obs=obs)  # type: ignore[arg-type,return-value]


def timed(action: Callable[[], object], count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        action()
    return (time.process_time() - started) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = {
        "bare answer (no observability)": lambda: None,
        "+ metrics (logging and tracing off)": lambda: fast_path(
            logging_enabled=False, tracing_enabled=False
        ),
        "+ span (tracing on, logging off)": lambda: fast_path(logging_enabled=False),
        "+ log event: everything on (the default)": lambda: fast_path(),
    }
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, build in rows.items():
            cost = asyncio.run(per_request(build(), args.requests))
            best[name] = min(best.get(name, cost), cost)
    sanitizer = Observability(component="service").sanitizer
    event = {"requestId": uuid.uuid4().hex, "msg": "", "method": "GET", "path": "/menu",
             "resBody": MENU.decode(), "status": 200, "durationMs": 0.31}  # fmt: skip
    best["request id alone (os.urandom(16).hex())"] = timed(
        lambda: os.urandom(16).hex(), args.requests
    )
    best["sanitizer alone (one http event)"] = timed(lambda: sanitizer.clean(event), args.requests)
    print(f"µs of CPU per cached read, best of {args.rounds} rounds of {args.requests}")
    for name, cost in best.items():
        print(f"  {name:<44} {cost:>7.1f}")


if __name__ == "__main__":
    main()
