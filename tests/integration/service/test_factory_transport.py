"""The service's factory client over a real loopback network through aiohttp: a pizza with
its headers and body as sent, verified against the JWKS; and each way a factory fails at the
transport (refused, cut off, silent) is the failure reason httpx's own transport gave."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
import uvicorn

from jwtpizza.observability import Observability
from jwtpizza.service.factory_client import AiohttpTransport, FactoryError, HttpFactoryClient
from jwtpizza.testing.stub_factory import StubBehaviour, create_stub_factory

DINER = {"id": 7, "name": "pizza diner", "email": "d@jwt.com"}
ORDER = {"id": 41, "franchiseId": 1, "storeId": 1, "items": [{"menuId": 1, "price": 0.05}]}


def client(base_url: str, *, timeout: float | None = None) -> HttpFactoryClient:
    """As the service makes it: aiohttp under the traced, logged transport."""
    traced = Observability(component="service").http_transport(AiohttpTransport())
    return HttpFactoryClient(
        base_url=base_url, api_key="vendor-key", timeout=timeout, transport=traced
    )


@asynccontextmanager
async def raw_server(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[str]:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handle(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def test_a_pizza_comes_back_verified_with_what_was_sent() -> None:
    behaviour = StubBehaviour()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_stub_factory(behaviour), port=port, log_level="critical")
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn sets a flag, there is no event
        await asyncio.sleep(0.01)
    factory = client(f"http://127.0.0.1:{port}")
    try:
        first = await factory.make_pizza(diner=DINER, order=ORDER, idempotency_key="41")
        again = await factory.make_pizza(diner=DINER, order=ORDER, idempotency_key="41")
    finally:
        await factory.aclose()
        server.should_exit = True
        await serving
    assert first.jwt == again.jwt  # one connection kept alive, the same idempotent pizza
    assert behaviour.calls[0] == {"body": {"diner": DINER, "order": ORDER}, "key": "41"}


async def failure_reason(url: str, *, client_timeout: float | None = None) -> str:
    """The reason of the `FactoryError` an order sent to `url` fails with."""
    factory = client(url, timeout=client_timeout)
    try:
        with pytest.raises(FactoryError) as failure:
            await factory.make_pizza(diner=DINER, order=ORDER, idempotency_key="41")
    finally:
        await factory.aclose()
    return failure.value.reason


async def test_a_refused_connection_is_an_outage() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe closes
    assert await failure_reason(f"http://127.0.0.1:{port}") == "outage"


async def test_a_connection_cut_before_the_answer_is_an_outage() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.transport.abort()  # a reset, as the factory's `reset` outage does

    async with raw_server(cut) as url:
        assert await failure_reason(url) == "outage"


async def test_a_factory_that_never_answers_is_a_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # reads on, answers nothing

    async with raw_server(silent) as url:
        assert await failure_reason(url, client_timeout=0.3) == "timeout"


async def test_a_garbled_answer_is_an_outage() -> None:
    async def garbled(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"this is not HTTP\r\n\r\n")
        await writer.drain()

    async with raw_server(garbled) as url:
        assert await failure_reason(url) == "outage"
