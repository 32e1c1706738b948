"""Running `jwtpizza up`'s stack once its processes start: wait until every component
answers, show the live panel (or the first error of each kind) and the components' output,
run the traffic simulator, and stop everything in turn on Ctrl-C (a second one at once).
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING

import typer

from jwtpizza.cli.errors import CliError

if TYPE_CHECKING:
    from multiprocessing.context import ForkProcess

    from rich.console import Console

    from jwtpizza.cli.processes import Component
    from jwtpizza.cli.status import StatusWatch
    from jwtpizza.traffic import TrafficConfig

READY_TIMEOUT_SECONDS = 30.0


async def _until_ready(
    host: str,
    components: list[Component],
    processes: list[ForkProcess],
    interrupted: asyncio.Event,
) -> None:
    """Wait until every component answers `/healthz` (or Ctrl-C); fail if one stops first."""
    import httpx

    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_TIMEOUT_SECONDS
    pending = {c.name: f"http://{host}:{c.port}/healthz" for c in components}
    async with httpx.AsyncClient(timeout=1.0) as client:
        while pending and not interrupted.is_set():
            if not all(process.is_alive() for process in processes):
                raise CliError("a component could not start; see the lines above")
            for name, url in list(pending.items()):
                with suppress(httpx.HTTPError):
                    if (await client.get(url)).status_code == 200:
                        del pending[name]
            if loop.time() > deadline:
                raise CliError(f"{', '.join(pending)} did not answer within 30 s")
            await asyncio.sleep(0.05)


async def _watch(watch: StatusWatch, console: Console) -> None:
    """The live panel on a terminal; elsewhere, one line per new kind of error."""
    from rich.live import Live

    from jwtpizza.cli.status import Snapshot, render

    if console.is_terminal:
        snapshot = Snapshot()
        with Live(render(snapshot), console=console, auto_refresh=False) as live:
            while True:
                # A reading that fails (a busy SQLite file) keeps the last panel up.
                with suppress(Exception):
                    snapshot = await watch.snapshot()
                live.update(render(snapshot), refresh=True)
                await asyncio.sleep(1.0)
    while True:
        await asyncio.sleep(1.0)
        kinds: list[str] = []
        with suppress(Exception):  # a component that does not answer this second
            kinds = await watch.new_errors()
        for kind in kinds:
            typer.secho(f"first error: {kind}", err=True, fg=typer.colors.RED)


def _printer(console: Console) -> Callable[[str], None]:
    """Prints a component's line as it is, above the live panel while one is shown."""

    def show(line: str) -> None:
        console.print(line, markup=False, highlight=False, emoji=False, soft_wrap=True)

    return show


async def run(
    host: str,
    components: list[Component],
    watch: StatusWatch,
    on_ready: Callable[[], None],
    traffic: TrafficConfig | None = None,
) -> None:
    from rich.console import Console

    from jwtpizza.cli import practice
    from jwtpizza.cli.processes import STOP_TIMEOUT_SECONDS, any_ended, relay, start, stop

    console = Console()
    read_end, write_end = os.pipe()
    processes = start(components, host, write_end)
    os.close(write_end)  # the components hold it: the relay ends once they all have stopped
    relayed = asyncio.create_task(relay(read_end, _printer(console)))
    interrupted = asyncio.Event()

    def interrupt() -> None:
        # The first Ctrl-C stops the simulator, then the components; a second one at once.
        if interrupted.is_set():
            for process in processes:
                if process.is_alive():
                    process.kill()
        else:
            longest = max(c.stop_seconds for c in components)
            console.print(
                f"stopping: requests under way get up to {longest:.0f} s to end "
                "(Ctrl-C again stops at once)",
                highlight=False,
            )
        interrupted.set()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, interrupt)
    watcher: asyncio.Task[None] | None = None
    try:
        await _until_ready(host, components, processes, interrupted)
        if interrupted.is_set():
            return
        on_ready()
        watcher = asyncio.create_task(_watch(watch, console))
        async with practice.traffic_alongside(traffic) as simulator:
            # Components keep answering while the simulator's visits under way end.
            waits = [
                asyncio.create_task(interrupted.wait()),
                asyncio.create_task(any_ended(processes)),
            ]
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for wait in waits:
                wait.cancel()
            await simulator.stop(grace_seconds=STOP_TIMEOUT_SECONDS)
        ended = [p.name for p in processes if not p.is_alive()]
        if ended and not interrupted.is_set():
            raise CliError(f"the {ended[0]} stopped; see the lines above")
    finally:
        if watcher is not None:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
        await stop(processes, components)
        with suppress(TimeoutError):  # the last lines the components printed
            await asyncio.wait_for(relayed, timeout=1.0)
        await watch.aclose()
