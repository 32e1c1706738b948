"""Synthetic probes: a scripted diner that logs in, reads the menu, orders a pizza and verifies
it at the factory on a schedule, exported as `probe_success` and `probe_duration_seconds`."""

from jwtpizza.ops.probes.probe import OrderProbe, ProbeResult, ProbeSettings, probe_loop

__all__ = ["OrderProbe", "ProbeResult", "ProbeSettings", "probe_loop"]
