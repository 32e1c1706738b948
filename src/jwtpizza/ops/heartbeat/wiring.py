"""The dead man's switch and announced chaos, wired into one ops app:

guards = build_guards(clock=clock, rules=rules, paging=paging)
async with guarding(guards, context):   # checks the heartbeats, reads the chaos feed
    ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from jwtpizza.clock import Clock
from jwtpizza.ops.context import OpsContext
from jwtpizza.ops.heartbeat.watch import HeartbeatWatch
from jwtpizza.ops.loops import every
from jwtpizza.ops.notify.announced import AnnouncedWindows
from jwtpizza.ops.notify.payload import WebhookMessage
from jwtpizza.ops.notify.settings import NotifySettings
from jwtpizza.ops.oncall.models import Page
from jwtpizza.ops.oncall.notify_oncall import Paging
from jwtpizza.ops.rules.service import RuleManager


@dataclass
class Guards:
    settings: NotifySettings
    watch: HeartbeatWatch
    announced: AnnouncedWindows


def build_guards(*, clock: Clock, rules: RuleManager, paging: Paging) -> Guards:
    """The heartbeat watch (paging through the escalator) and the announced windows the
    notifier mutes with (read from the chaos feed here)."""
    settings = paging.notify_settings

    async def page(message: WebhookMessage) -> Page | None:
        return await paging.escalator.page(
            message, policy=settings.heartbeat_policy, source="heartbeat"
        )

    watch = HeartbeatWatch(
        clock=clock, timeout=settings.heartbeat_timeout_seconds, rules=rules, page=page
    )
    return Guards(settings, watch, paging.announced)


@asynccontextmanager
async def guarding(guards: Guards, context: OpsContext) -> AsyncIterator[None]:
    """Check the heartbeats every notify tick on the leader, on a loop of their own (a stuck
    evaluation or paging loop must not stop the check that notices it); read the chaos feed
    every poll on every process (a standby that takes over knows the announced windows).
    Every process keeps the heartbeats it is sent, so a new leader watches them at once."""
    s = guards.settings
    async with (
        every(
            context, s.notify_tick_seconds, guards.watch.check, name="heartbeat", leader_only=True
        ),
        every(context, s.announce_poll_seconds, guards.announced.refresh, name="announced chaos"),
    ):
        yield
