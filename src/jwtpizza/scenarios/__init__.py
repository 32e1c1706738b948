"""Scenarios: the real incidents of the reports replayed end to end in compressed time, each
declared in a YAML file (files/), run on a throwaway stack, and judged by a scorecard.

`run` (the runner) brings the whole stack in, so it is imported only when asked for:
`scenario list` and bad input stay quick."""

from __future__ import annotations

from typing import Any

from jwtpizza.scenarios.scorecard import AlertResult, Scorecard
from jwtpizza.scenarios.spec import Scenario, ScenarioError, available, load, load_file
from jwtpizza.scenarios.timing import Timing

__all__ = [
    "AlertResult",
    "Scenario",
    "ScenarioError",
    "Scorecard",
    "Timing",
    "available",
    "load",
    "load_file",
    "run",
]


def __getattr__(name: str) -> Any:
    if name == "run":
        from jwtpizza.scenarios.runner import run

        return run
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
