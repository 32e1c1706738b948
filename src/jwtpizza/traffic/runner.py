"""A traffic run: the persona mix on its schedule, or virtual users following load stages.

Embed it in-process (`jwtpizza up`, the scenario runner) with `run_traffic(config)`, which
starts the run in the running event loop and returns the `TrafficRun`: read `.stats` at any
time, `.stop()` it, `await .finished()` for the final stats.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import httpx

from jwtpizza.clock import Clock, SystemClock
from jwtpizza.traffic import personas
from jwtpizza.traffic.mix import DEFAULT_MIX, Visit, check_mix, plan
from jwtpizza.traffic.personas import NAMES, Accounts
from jwtpizza.traffic.shop import Account, Shop
from jwtpizza.traffic.stages import LoadProfile
from jwtpizza.traffic.stats import TrafficStats

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrafficConfig:
    """What to drive and how hard. Times are in the clock's seconds."""

    target: str
    factory: str | None = None
    rate: float = 1.0
    duration_seconds: float | None = None
    seed: int | None = None
    stages: LoadProfile | None = None
    think_seconds: float = 1.0
    mix: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))
    accounts: Accounts = field(default_factory=Accounts)
    # The 22-pizza order takes the factory about 32 s to refuse, so the timeout is longer.
    timeout_seconds: float = 60.0
    slow_ms: float = 500.0
    # Diners order as the website does (`Prefer: respond-async`: a 202 when the kitchen is
    # down); False is the original script's synchronous contract.
    respond_async: bool = False

    def __post_init__(self) -> None:
        check_mix(self.mix, self.rate)


async def dispatch(
    visits: Iterable[Visit],
    *,
    clock: Clock,
    until: float | None,
    wait: Callable[[float], Awaitable[bool]],
    launch: Callable[[Visit], object],
) -> None:
    """Launch each visit at its time (seconds after now) until `until` or until `wait` fails."""
    start = clock.monotonic()
    for visit in visits:
        if until is not None and visit.at >= until:
            break
        if not await wait(start + visit.at - clock.monotonic()):
            return
        launch(visit)
    if until is not None:
        await wait(start + until - clock.monotonic())


class TrafficRun:
    """One run's state: live stats, the seed it used, and a way to stop it."""

    def __init__(
        self,
        config: TrafficConfig,
        *,
        clock: Clock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.seed = (
            config.seed if config.seed is not None else random.SystemRandom().randrange(10**6)
        )
        self.stats = TrafficStats()
        self._clock = clock or SystemClock()
        self._transport = transport
        self._stopping = asyncio.Event()
        self._started = self._clock.monotonic()
        self._emails = count(1)
        self._tag = f"{self.seed}-{int(self._clock.now().timestamp())}"
        self._task: asyncio.Task[TrafficStats] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.run())

    def stop(self) -> None:
        """Stop starting visits; visits under way log out and end."""
        self._stopping.set()

    async def finished(self) -> TrafficStats:
        assert self._task is not None, "start() the run first"
        return await self._task

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def elapsed(self) -> float:
        return self._clock.monotonic() - self._started

    def snapshot(self) -> dict[str, Any]:
        """The live counters as JSON, for status panels and scorecards."""
        return {
            **self.stats.as_dict(),
            "elapsedSeconds": round(self.elapsed(), 3),
            "seed": self.seed,
        }

    async def run(self) -> TrafficStats:
        """Drive the target until the duration or the stages end, or `stop()`."""
        limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
        async with httpx.AsyncClient(
            transport=self._transport, timeout=self.config.timeout_seconds, limits=limits
        ) as client:
            self._started = self._clock.monotonic()  # after the client's setup (TLS context)
            shop = Shop(
                client,
                self.stats,
                target=self.config.target,
                factory=self.config.factory,
                slow_ms=self.config.slow_ms,
                respond_async=self.config.respond_async,
            )
            async with asyncio.TaskGroup() as group:
                if self.config.stages is not None:
                    await self._load(group, shop, self.config.stages)
                else:
                    await self._mix(group, shop)
                self._stopping.set()
        self.stats.virtual_users = 0
        self.stats.elapsed_seconds = self.elapsed()
        return self.stats

    async def pause(self, seconds: float) -> bool:
        """Wait on the run's clock; False at once if the run is stopping."""
        if self._stopping.is_set():
            return False
        if seconds <= 0:
            return True
        sleeper = asyncio.ensure_future(self._clock.sleep(seconds))
        stopper = asyncio.ensure_future(self._stopping.wait())
        _, pending = await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return not self._stopping.is_set()

    async def _mix(self, group: asyncio.TaskGroup, shop: Shop) -> None:
        visits = plan(self.config.mix, rate=self.config.rate, seed=self.seed)
        await dispatch(
            visits,
            clock=self._clock,
            until=self.config.duration_seconds,
            wait=self.pause,
            launch=lambda visit: self._launch(group, shop, visit),
        )

    def _launch(self, group: asyncio.TaskGroup, shop: Shop, visit: Visit) -> None:
        self.stats.launched(visit.persona, self.elapsed() - visit.at)
        group.create_task(self._visit(shop, visit))

    def _visitor(self, shop: Shop, rng: random.Random) -> personas.Visitor:
        return personas.Visitor(shop, rng, self.config.accounts, self._rest, self._new_email)

    async def _rest(self, seconds: float) -> None:
        await self.pause(seconds)

    def _new_email(self) -> str:
        return f"traffic-{self._tag}-{next(self._emails)}@jwt.com"

    async def _visit(self, shop: Shop, visit: Visit) -> None:
        visitor = self._visitor(shop, random.Random(visit.seed(self.seed)))
        await self._guarded(personas.PERSONAS[visit.persona](visitor))

    async def _guarded(self, work: Awaitable[None]) -> None:
        # The run's promise is to keep going whatever the target answers: a visit that meets
        # an answer it cannot use ends, and is counted (and logged) instead of ending the run.
        try:
            await work
        except Exception as exc:
            log.warning("a visit ended on an unexpected answer", exc_info=exc)
            self.stats.errors[f"unexpected answer ({type(exc).__name__})"] += 1

    async def _load(self, group: asyncio.TaskGroup, shop: Shop, profile: LoadProfile) -> None:
        users: dict[int, asyncio.Task[None]] = {}
        while (elapsed := self.elapsed()) < profile.total_seconds:
            for index in range(profile.users_at(elapsed)):
                if index not in users or users[index].done():
                    user = self._guarded(self._user(shop, profile, index))
                    users[index] = group.create_task(user)
            self.stats.virtual_users = sum(not task.done() for task in users.values())
            if not await self.pause(min(1.0, profile.total_seconds - elapsed)):
                return

    async def _user(self, shop: Shop, profile: LoadProfile, index: int) -> None:
        """A virtual user with its own account: iterations with think time, while wanted."""
        rng = random.Random(f"{self.seed}/vu/{index}")
        visitor = self._visitor(shop, rng)
        account = Account(self._new_email(), f"pw-{rng.randrange(10**8):08d}")

        async def think() -> bool:
            return await self.pause(self.config.think_seconds * rng.uniform(0.5, 1.5))

        registered = False
        while not self.stopping and profile.users_at(self.elapsed()) > index:
            if not registered:
                session = await shop.register(f"{rng.choice(NAMES)} VU{index}", account)
                registered = session is not None
                if session is not None:
                    await shop.logout(session[0])
            else:
                await personas.load_iteration(visitor, account, think)
            await think()


def run_traffic(
    config: TrafficConfig,
    *,
    clock: Clock | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> TrafficRun:
    """Start a run in the running event loop and return it at once."""
    run = TrafficRun(config, clock=clock, transport=transport)
    run.start()
    return run
