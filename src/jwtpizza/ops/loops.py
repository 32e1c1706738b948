"""The background loops of a started ops app, and who runs them.

Every process scrapes (a standby's samples are warm when it takes over). Only the leader
(`jwtpizza.ops.leadership`) evaluates rules, saves their alert state, flushes notification
groups and runs escalation steps. A process that becomes leader first restores the saved
alert state and hands the firing alerts to its notifier: their pages are found open (one
page per alert group), and notifications recorded as due but not sent are sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from jwtpizza.ops.background import running
from jwtpizza.ops.context import OpsContext
from jwtpizza.ops.leadership import OnGained
from jwtpizza.ops.monitor.service import run_every
from jwtpizza.ops.oncall.notify_oncall import Paging
from jwtpizza.ops.rules.held_alerts import AlertStates, firing_transition
from jwtpizza.ops.rules.service import RuleManager


def take_over(
    context: OpsContext, rules: RuleManager, states: AlertStates, paging: Paging
) -> OnGained:
    """What a process does on becoming leader, before it evaluates or pages."""

    async def restore() -> None:
        paging.escalator.sweep_due()
        firing = await states.restore(rules)
        now = context.clock.now()
        for rule, alert in firing:
            transition = firing_transition(rule, alert, now)
            context.bus.remember(transition)
            paging.on_transition(transition)

    return restore


@asynccontextmanager
async def monitoring(
    context: OpsContext, rules: RuleManager, states: AlertStates
) -> AsyncIterator[None]:
    """Each round scrapes every target, then (on the leader) evaluates the rule groups that
    are due at that same timestamp (so a group's interval is rounded up to a multiple of the
    scrape interval) and saves the alert state. Evaluating right after the scrape, rather
    than on a separate clock, saves up to an interval of detection time."""

    async def round_(t_ms: int) -> None:
        await context.monitor.scrape_all(t_ms)
        if context.leadership.is_leader():
            await rules.evaluate(t_ms)
            await states.save(rules)

    interval = context.settings.scrape_interval()
    async with running(run_every(context.clock, interval, round_, name="monitor")):
        yield


@asynccontextmanager
async def paging_loop(paging: Paging, context: OpsContext) -> AsyncIterator[None]:
    """Flush notification groups and run escalation steps every tick, on the leader."""

    async def tick(_now_ms: int) -> None:
        if context.leadership.is_leader():
            await paging.tick()

    interval = paging.notify_settings.notify_tick_seconds
    async with running(run_every(context.clock, interval, tick, name="paging")):
        yield


@asynccontextmanager
async def every(
    context: OpsContext,
    interval: float,
    tick: Callable[[], Awaitable[None]],
    *,
    name: str,
    leader_only: bool = False,
) -> AsyncIterator[None]:
    """`tick()` every `interval` seconds for the duration of the block (on the leader alone
    when `leader_only`)."""

    async def run(_now_ms: int) -> None:
        if not leader_only or context.leadership.is_leader():
            await tick()

    async with running(run_every(context.clock, interval, run, name=name)):
        yield
