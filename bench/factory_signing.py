"""Factory signing throughput: pizzas/s on one core through the factory's order path, beside
the cost of a bare RS256 signature with the same key.

    .venv/bin/python bench/factory_signing.py [--pizzas 2000] [--bits 2048]

One asyncio loop runs on one core, so every figure is per core. The order path is the real
`OrderDesk` (vendor lookup, chaos check, signing, idempotency row on SQLite), driven in process
without HTTP; "through HTTP" adds the FastAPI routing via httpx.ASGITransport.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx
import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from jwtpizza.factory.app import create_app
from jwtpizza.factory.context import FactoryContext
from jwtpizza.factory.demo import seed
from jwtpizza.factory.orders.schemas import OrderRequest
from jwtpizza.factory.orders.service import OrderDesk
from jwtpizza.factory.settings import FactorySettings

ORDER = {
    "diner": {"id": 7, "name": "pizza diner", "email": "d@jwt.com"},
    "order": {"id": 1, "franchiseId": 1, "storeId": 1, "items": [{"menuId": 1, "price": 0.05}]},
}


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def bare(context: FactoryContext, count: int) -> tuple[float, float]:
    key = context.keys.active()
    payload = {**ORDER, "vendor": {"id": "demo", "name": "x"}, "iat": 1, "exp": 2, "iss": "i"}
    started = time.perf_counter()
    for _ in range(count):
        key.private.sign(b"x" * 400, padding.PKCS1v15(), hashes.SHA256())
    raw = rate(count, time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(count):
        jwt.encode(payload, key.private, algorithm="RS256", headers={"kid": key.kid})
    return raw, rate(count, time.perf_counter() - started)


async def desk_rate(desk: OrderDesk, api_key: str, count: int, idempotent: bool) -> float:
    body = OrderRequest.model_validate(ORDER)
    started = time.perf_counter()
    for n in range(count):
        await desk.order(
            api_key=api_key, idempotency_key=f"o{n}" if idempotent else None, body=body
        )
    return rate(count, time.perf_counter() - started)


async def http_rate(client: httpx.AsyncClient, api_key: str, count: int) -> float:
    headers = {"Authorization": f"Bearer {api_key}"}
    started = time.perf_counter()
    for n in range(count):
        got = await client.post(
            "/api/order", json=ORDER, headers={**headers, "Idempotency-Key": f"h{n}"}
        )
        assert got.status_code == 200
    return rate(count, time.perf_counter() - started)


async def main(count: int, bits: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = FactorySettings(
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'f.db'}", demo=True, key_bits=bits
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            context: FactoryContext = app.state.context
            api_key, _ = await seed(context.db, settings, now=context.clock.now())
            raw, encode = bare(context, count)
            desk = app.state.desk
            plain = await desk_rate(desk, api_key, count, idempotent=False)
            stored = await desk_rate(desk, api_key, count, idempotent=True)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://f") as client:
                over_http = await http_rate(client, api_key, count)
    print(f"RSA-{bits}, {count} pizzas per row, one core\n")
    print(f"{'path':<48}{'per second':>12}{'vs bare':>10}")
    rows = [
        ("bare RSA signature (cryptography)", raw),
        ("bare RS256 JWT (PyJWT encode)", encode),
        ("factory order path, no Idempotency-Key", plain),
        ("factory order path, with Idempotency-Key", stored),
        ("factory over HTTP routing (ASGITransport)", over_http),
    ]
    for name, value in rows:
        print(f"{name:<48}{value:>12,.0f}{value / encode:>10.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pizzas", type=int, default=2000)
    parser.add_argument("--bits", type=int, default=2048)
    args = parser.parse_args()
    asyncio.run(main(args.pizzas, args.bits))
