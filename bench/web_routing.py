"""What the shop's page routes cost an API request: route matching for `GET /api/order/menu`
on the real service app, with its page routes and with them removed, beside the time of a
whole menu request through the app (httpx.ASGITransport, no network).

    .venv/bin/python bench/web_routing.py [--rounds 20000]

Page routes sit before the API's (so `GET /` can serve browsers); each router of pages turns
an API request away by one flag remembered in the request's scope.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from starlette.routing import BaseRoute, Match

from jwtpizza.db import Database
from jwtpizza.service.app import create_app
from jwtpizza.service.seed import migrate, seed_demo
from jwtpizza.service.settings import ServiceSettings
from jwtpizza.web.pages import PageRouter


def api_scope() -> dict[str, Any]:
    return {
        "type": "http", "method": "GET", "path": "/api/order/menu", "root_path": "",
        "headers": [(b"host", b"bench"), (b"accept", b"application/json")],
        "query_string": b"",
    }  # fmt: skip


def serves_pages(route: BaseRoute) -> bool:
    """An included router of page routes (FastAPI keeps included routers as branches)."""
    return isinstance(getattr(route, "original_router", None), PageRouter)


def match_time(routes: list[BaseRoute], rounds: int) -> float:
    """Microseconds to find the menu route, as Starlette's router does (first full match)."""
    started = time.perf_counter()
    for _ in range(rounds):
        scope = api_scope()
        for route in routes:
            if route.matches(scope)[0] is Match.FULL:
                break
    return (time.perf_counter() - started) / rounds * 1e6


async def request_time(app: Any, rounds: int) -> float:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        started = time.perf_counter()
        for _ in range(rounds):
            (await client.get("/api/order/menu")).raise_for_status()
        return (time.perf_counter() - started) / rounds * 1e6


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        db = Database(url)
        await migrate(db)
        await seed_demo(db, bcrypt_rounds=4)
        await db.dispose()
        app = create_app(ServiceSettings(database_url=url, demo=True))
        routes = list(app.router.routes)
        api_only = [r for r in routes if not serves_pages(r)]
        pages = sum(len(r.original_router.routes) for r in routes if serves_pages(r))
        with_pages, without = match_time(routes, rounds), match_time(api_only, rounds)
        async with app.router.lifespan_context(app):
            whole = await request_time(app, max(rounds // 20, 200))
    print(f"{'what':<44} {'µs':>8}")
    print(f"{'route matching, API routes only':<44} {without:>8.2f}")
    print(f"{f'route matching, with {pages} page routes first':<44} {with_pages:>8.2f}")
    print(f"{'a whole menu request (in process)':<44} {whole:>8.1f}")
    print(f"page routes add {with_pages - without:.2f} µs, "
          f"{(with_pages - without) / whole:.2%} of a menu request")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20_000)
    asyncio.run(main(parser.parse_args().rounds))
