"""Scenarios: the real incidents of DESIGN §1 replayed end to end in compressed time, each
declared in a YAML file (files/), run on a throwaway stack, and judged by a scorecard."""

from jwtpizza.scenarios.runner import run
from jwtpizza.scenarios.scorecard import AlertResult, Scorecard
from jwtpizza.scenarios.spec import Scenario, ScenarioError, available, load, load_file
from jwtpizza.scenarios.timing import Timing

__all__ = [
    "AlertResult", "Scenario", "ScenarioError", "Scorecard", "Timing", "available", "load",
    "load_file", "run",
]  # fmt: skip
