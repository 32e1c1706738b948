"""Worker processes that share one listening socket, sharing its connections between them.

Every worker waits on the socket, and the kernel wakes them all when connections arrive.
The worker that runs first accepts one connection per turn of its event loop, and an idle
loop turns in microseconds: when connections arrive together, as a client's pool, a proxy's
keep-alive connections or a load generator open them, it takes them all before the others
are scheduled, and their cores stay idle for as long as those connections live (after 2 of
15 restarts of a two-worker service here, with ten connections opened at once).

`jwtpizza service` runs its workers on `SharingLoop` (uvicorn's `loop=` names it): after
each connection it accepts from a socket handed in, a worker yields its core, so a worker
woken with it runs and takes the next.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable
from typing import Any

import uvloop


class SharingLoop(uvloop.Loop):
    """uvloop, except a server on a socket handed in yields the core after each accept."""

    async def create_server(  # type: ignore[override]
        self,
        protocol_factory: Callable[[], asyncio.BaseProtocol],
        host: Any = None,
        port: Any = None,
        *,
        sock: socket.socket | None = None,
        **options: Any,
    ) -> asyncio.AbstractServer:
        factory = protocol_factory if sock is None else _yielding(protocol_factory)
        return await super().create_server(factory, host, port, sock=sock, **options)


def _yielding(protocol_factory: Callable[[], asyncio.BaseProtocol]) -> Callable[[], Any]:
    def accepted() -> asyncio.BaseProtocol:
        os.sched_yield()
        return protocol_factory()

    return accepted
