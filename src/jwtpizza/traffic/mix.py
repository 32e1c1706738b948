"""The persona mix and its schedule: when each persona starts a visit, as a pure function.

A visit's start times come from the persona's own random source (seeded from the run's seed
and the persona's name), so the schedule is the same whatever the target answers and however
the visits interleave. `--rate` divides every period.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import count

from jwtpizza.errors import InvalidInput

# The original traffic script's loops, as seconds between visits.
ORIGINAL_MIX: dict[str, float] = {
    "menu": 3.0,
    "bad-login": 25.0,
    "franchisee": 120.0,
    "diner": 50.0,
    "big-order": 300.0,
}
# What a real shop also sees: new diners, returning diners reading their history, visitors
# choosing a store, and an admin looking around.
ADDED_MIX: dict[str, float] = {
    "register": 180.0,
    "history": 90.0,
    "browse": 20.0,
    "admin": 240.0,
}
DEFAULT_MIX: dict[str, float] = {**ORIGINAL_MIX, **ADDED_MIX}

# Each interval is the period times a factor in this range, so visits do not march in step.
JITTER = (0.8, 1.2)
# The first visit of each persona comes within this fraction of its period: like the
# original script, everything starts at once, but not in the same millisecond.
FIRST_WITHIN = 0.1


@dataclass(frozen=True, order=True)
class Visit:
    """Persona `persona`'s `number`th visit starts `at` seconds into the run."""

    at: float
    persona: str
    number: int

    def seed(self, run_seed: int) -> str:
        """The seed of this visit's own choices (pizzas, store, names)."""
        return f"{run_seed}/{self.persona}/{self.number}"


def check_mix(mix: Mapping[str, float], rate: float) -> None:
    if not rate > 0:
        raise InvalidInput(f"rate {rate:g} must be more than zero (1 is the original's pace)")
    unknown = sorted(set(mix) - set(DEFAULT_MIX))
    if unknown:
        raise InvalidInput(f"unknown persona {unknown[0]!r}; known: {', '.join(DEFAULT_MIX)}")
    if any(not period > 0 for period in mix.values()):
        raise InvalidInput("every persona's period must be more than zero")


def persona_visits(persona: str, period: float, *, rate: float, seed: int) -> Iterator[Visit]:
    """One persona's visits, forever."""
    rng = random.Random(f"{seed}/{persona}/schedule")
    interval = period / rate
    at = rng.uniform(0, interval * FIRST_WITHIN)
    for number in count(1):
        yield Visit(at, persona, number)
        at += interval * rng.uniform(*JITTER)


def plan(mix: Mapping[str, float], *, rate: float, seed: int) -> Iterator[Visit]:
    """Every persona's visits merged in time order, forever."""
    check_mix(mix, rate)
    return heapq.merge(
        *(persona_visits(name, period, rate=rate, seed=seed) for name, period in mix.items())
    )
