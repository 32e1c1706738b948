"""The processes of `jwtpizza up`: one per component, forked once their code is imported and
their apps are built, so that code and those apps are in memory once; their output relayed
through `up`, so it prints above the live panel instead of under it; stopped in an order that
leaves no order half made.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import importlib
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.context import ForkProcess

# After Ctrl-C: the simulator's visits, then each server's open requests, get this long.
STOP_TIMEOUT_SECONDS = 5


@dataclass
class Component:
    """A component to run in a process of its own, serving `app` (its ASGI app, built before
    the fork: its lifespan opens what the process needs once it serves). On stopping, its
    open requests get `stop_seconds`."""

    name: str
    app: Any
    port: int
    stop_seconds: float = STOP_TIMEOUT_SECONDS


class _QuietStop(logging.Filter):
    """Drops uvicorn's reports of requests cancelled because `up` is stopping (a deliberately
    slow answer, such as the factory's oven-full wait, cut after the graceful-shutdown bound):
    stopping on Ctrl-C is expected, so it prints neither a traceback nor an ERROR line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        cut = str(record.msg).startswith("Cancel %s running task(s)")
        return not (cut or isinstance(error, asyncio.CancelledError))


def _die_with_parent() -> None:
    """On Linux, the kernel sends this process SIGTERM if `up` dies without stopping it."""
    pr_set_pdeathsig = 1
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _serve(component: Component, host: str, output: int) -> None:
    """A component's process: its app on an event loop of its own until SIGTERM, writing
    what it prints to `output` (the relay's pipe)."""
    import uvicorn

    from jwtpizza.http.proxies import SERVER_OPTIONS

    class Server(uvicorn.Server):
        @contextmanager
        def capture_signals(self) -> Iterator[None]:
            # Ctrl-C reaches every process of the terminal: `up` alone acts on it, and stops
            # the components with SIGTERM once the simulator is done.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, self.handle_exit)
            yield

    _die_with_parent()
    os.dup2(output, 1)
    os.dup2(output, 2)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    logging.getLogger("uvicorn.error").addFilter(_QuietStop())
    config = uvicorn.Config(
        component.app,
        host=host,
        port=component.port,
        log_level="warning",
        timeout_graceful_shutdown=round(component.stop_seconds),
        **SERVER_OPTIONS,
    )
    Server(config).run()


# What uvicorn loads when it starts (uvloop, httptools, lifespan; the `auto` choosers; anyio's
# backend for Starlette): imported before the components are forked, so no component spends
# its start on them and they are in memory once.
SERVER_MODULES = (
    "uvicorn",
    "uvicorn.lifespan.on",
    "uvicorn.loops.auto",
    "uvicorn.loops.uvloop",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.websockets.auto",
    "uvicorn.protocols.websockets.websockets_sansio_impl",
    "anyio._backends._asyncio",
)


def start(components: list[Component], host: str, output: int) -> list[ForkProcess]:
    """One process per component, forked from this one with the code already imported and the
    apps built; each prints to `output`."""
    for module in SERVER_MODULES:
        with suppress(ImportError):  # uvloop and httptools are optional to uvicorn
            importlib.import_module(module)
    gc.freeze()  # objects made so far stay untouched, so their pages stay shared
    processes = [
        multiprocessing.get_context("fork").Process(
            target=_serve, args=(c, host, output), name=c.name, daemon=True
        )
        for c in components
    ]
    for process in processes:
        process.start()
    gc.unfreeze()
    return processes


async def relay(read_end: int, show: Callable[[str], None]) -> None:
    """Show each line the components print, until every one of them has stopped."""
    loop = asyncio.get_running_loop()
    lines = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(lines), os.fdopen(read_end, "rb", buffering=0)
    )
    try:
        async for line in lines:
            show(line.decode(errors="replace").rstrip("\r\n"))
    finally:
        transport.close()


async def _stopped(processes: list[ForkProcess], seconds: float) -> None:
    """Wait up to `seconds` for the processes to end; kill those still running."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while any(p.is_alive() for p in processes) and loop.time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    for process in processes:
        if process.is_alive():
            process.kill()
        process.join()


async def stop(processes: list[ForkProcess], components: list[Component]) -> None:
    """SIGTERM to each in turn, waiting for it to end: the service (first) stops while the
    factory still answers, so an order under way ends instead of waiting in the queue for
    the next start. Each gets its bound for open requests, then that of its shutdown."""
    for process, component in zip(processes, components, strict=True):
        if process.is_alive() and process.pid is not None:
            os.kill(process.pid, signal.SIGTERM)
        await _stopped([process], component.stop_seconds + STOP_TIMEOUT_SECONDS + 1)


async def any_ended(processes: list[ForkProcess]) -> None:
    # A process's end has no event to await here, so its liveness is polled.
    while all(p.is_alive() for p in processes):  # noqa: ASYNC110
        await asyncio.sleep(0.2)
