"""A person as the responder (`--responder me`): what to open and who is paged, before the
clock starts, and a countdown while the run waits for them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from jwtpizza.scenarios.scorecard import clock
from jwtpizza.scenarios.spec import Scenario
from jwtpizza.scenarios.stack import ADMIN, Channels, Stack
from jwtpizza.scenarios.timing import Timing

Say = Callable[[str], None]
COUNTDOWN_SECONDS = 15.0  # at most, wall seconds between two countdown lines


def briefing(stack: Stack, scenario: Scenario, timing: Timing, channels: Channels) -> list[str]:
    """The lines a person reads before the clock starts; they name no fault."""
    who = scenario.responder
    first, *more = who.contacts
    chain = [f"you (primary) by {first}"]
    chain += [f"by {c} {clock(who.escalation_wait)} later if unacknowledged" for c in more]
    chain += [f"then the secondary, then the team, {clock(who.escalation_wait)} apart"]
    where = [f"the console ({stack.ops_url}/oncall and /incidents)", "this terminal"]
    if channels.email:
        where.append(f"email to {channels.email} through {channels.smtp}")
    if channels.ntfy:
        where.append(f"the ntfy topic {channels.ntfy}")
    wall = timing.wall(scenario.run_for)
    return [
        f"You are on call for scenario {scenario.name}: a quiet start, then something breaks.",
        f"Open the ops console: {stack.ops_url}/ (sign in as {ADMIN[0]} / {ADMIN[1]})",
        f"The shop: {stack.service_url}/  The factory: {stack.factory_url}/",
        f"Pages go to {'; '.join(chain)}.",
        f"You see them in {', '.join(where)}.",
        "Acknowledge the page, find what is wrong, end the fault, resolve the incident.",
        f"Speed x{timing.speed:g}: the run lasts up to {clock(scenario.run_for)} of scenario "
        f"time ({clock(wall)} on your clock); nothing answers for you.",
    ]


async def countdown(stack: Stack, scenario: Scenario, timing: Timing, say: Say) -> None:
    """Every scenario minute (at most every COUNTDOWN_SECONDS), the time left and the state
    of the incidents and pages."""
    started = time.monotonic()
    total = timing.wall(scenario.run_for)
    while True:
        await asyncio.sleep(min(COUNTDOWN_SECONDS, timing.wall(60)))
        left = total - (time.monotonic() - started)
        try:
            state = await _state(stack)
        except httpx.HTTPError as error:
            state = f"ops did not answer ({type(error).__name__})"
        when = f"{clock(left)} left (your clock)" if left > 0 else "time is up, fault ended"
        say(f"{when}: {state}")


async def _state(stack: Stack) -> str:
    incidents = await stack.get(f"{stack.ops_url}/api/ops/incidents")
    pages = await stack.get(f"{stack.ops_url}/api/ops/pages")
    open_pages = sum(1 for p in pages if p["status"] == "triggered")
    said = [
        f"incident {i['id']} {i['status']}" + ("" if i["ackedAt"] else " (not acknowledged)")
        for i in incidents
    ]
    said.append(f"{open_pages} unacknowledged page{'s' if open_pages != 1 else ''}")
    return "; ".join(said)
