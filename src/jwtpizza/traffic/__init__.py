"""The traffic simulator: personas over the public HTTP API, and k6-style load stages."""

from jwtpizza.traffic.mix import DEFAULT_MIX, ORIGINAL_MIX, Visit, plan
from jwtpizza.traffic.personas import Accounts
from jwtpizza.traffic.runner import TrafficConfig, TrafficRun, dispatch, run_traffic
from jwtpizza.traffic.shop import Account
from jwtpizza.traffic.stages import LoadProfile, Stage, parse_duration, parse_stages
from jwtpizza.traffic.stats import EndpointSummary, OrderOutcome, TrafficStats

__all__ = [
    "DEFAULT_MIX",
    "ORIGINAL_MIX",
    "Account",
    "Accounts",
    "EndpointSummary",
    "LoadProfile",
    "OrderOutcome",
    "Stage",
    "TrafficConfig",
    "TrafficRun",
    "TrafficStats",
    "Visit",
    "dispatch",
    "parse_duration",
    "parse_stages",
    "plan",
    "run_traffic",
]
