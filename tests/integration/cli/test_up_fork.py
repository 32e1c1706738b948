"""`jwtpizza up` builds each component's app in its own process, before forking the process
that serves it (so the app is in memory once): the forked process serves that very app, and
what names the serving process is taken there, not in `up`."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, cast

import httpx

from jwtpizza.cli.processes import Component, start, stop
from jwtpizza.observability.metrics import Metrics
from jwtpizza.service.orders.fulfilment import Fulfiller
from jwtpizza.service.orders.kitchen import Kitchen
from tests.support.live import free_port

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class Built:
    """An ASGI app that answers the pid it was built in and the pid that serves it."""

    def __init__(self) -> None:
        self.built_in = os.getpid()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = f"{self.built_in} {os.getpid()}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


def test_the_forked_process_serves_the_app_built_before_the_fork() -> None:
    component = Component("hello", Built(), free_port(), stop_seconds=1)
    read_end, write_end = os.pipe()
    processes = start([component], "127.0.0.1", write_end)
    os.close(write_end)
    try:
        answer = _get(f"http://127.0.0.1:{component.port}/")
    finally:
        asyncio.run(stop(processes, [component]))
        os.close(read_end)
    built_in, served_by = (int(pid) for pid in answer.split())
    assert built_in == os.getpid()
    assert served_by == processes[0].pid != os.getpid()


def test_a_kitchen_built_before_the_fork_names_the_process_that_works_its_jobs() -> None:
    kitchen = Kitchen(
        fulfiller=cast(Fulfiller, None), metrics=cast(Metrics, None), wait_budget_seconds=None
    )
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the serving process
        os.write(write_end, kitchen.owner.encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    with os.fdopen(read_end) as pipe:
        owner = pipe.read()
    assert f"-{child}-" in owner
    assert f"-{os.getpid()}-" in kitchen.owner != owner


def _get(url: str) -> str:
    """The body at `url`, once the forked server listens (it starts in well under 10 s)."""
    for _ in range(200):
        try:
            return httpx.get(url, timeout=1.0).text
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"nothing answered at {url}")
