"""What `jwtpizza up` adds for a practice game day: traffic alongside the apps, and a surprise."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from jwtpizza.factory import control
from jwtpizza.factory.chaos.domain import ChaosType
from jwtpizza.factory.chaos.schemas import ChaosRequest
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.traffic import TrafficConfig, TrafficRun, run_traffic


async def schedule_surprise(
    settings: FactorySettings, *, within_seconds: float, rng: random.Random | None = None
) -> str:
    """A random chaos type for the demo vendor, starting at a random time in the window.

    The factory draws the start time; the type is returned for tests, not shown to the player.
    """
    chaos_type = (rng or random.Random()).choice(list(ChaosType)).value
    await control.start_chaos(
        settings,
        vendor_id=settings.demo_vendor_id,
        chaos_type=chaos_type,
        request=ChaosRequest(within_seconds=within_seconds),
    )
    return chaos_type


@dataclass
class Traffic:
    """The simulator's run once it has started (a status panel reads `run.stats`)."""

    run: TrafficRun | None = None

    async def stop(self, *, grace_seconds: float) -> None:
        """Stop starting visits; give those under way `grace_seconds` to log out, then
        cancel them."""
        if self.run is None:
            return
        self.run.stop()
        with suppress(TimeoutError):
            await asyncio.wait_for(self.run.finished(), grace_seconds)


@asynccontextmanager
async def traffic_alongside(config: TrafficConfig | None) -> AsyncIterator[Traffic]:
    """Run the simulator (the stack answers already); stop it on leaving."""
    traffic = Traffic()
    if config is None:
        yield traffic
        return
    traffic.run = run_traffic(config)
    # Cancelling the task that waits on the run cancels the visits still under way.
    task = asyncio.create_task(traffic.run.finished())
    try:
        yield traffic
    finally:
        task.cancel()
