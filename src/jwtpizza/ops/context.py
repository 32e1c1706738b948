"""The parts every ops feature shares, built once by `jwtpizza.ops.assembly` and reached
through `deps.py`."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from jwtpizza.clock import Clock
from jwtpizza.db import Database
from jwtpizza.observability import Observability
from jwtpizza.ops.admins import AdminGate
from jwtpizza.ops.alerts.events import AlertBus
from jwtpizza.ops.leadership import Leadership
from jwtpizza.ops.monitor.service import Monitor
from jwtpizza.ops.settings import OpsSettings
from jwtpizza.ops.telemetry import MonitorMetrics


@dataclass
class OpsContext:
    """The ops component's parts. `http` is the one client for every outgoing call
    (scrapes, the admin check, the chaos feed); tests inject its transport."""

    settings: OpsSettings
    db: Database
    clock: Clock
    http: httpx.AsyncClient
    obs: Observability
    bus: AlertBus
    monitor: Monitor
    monitor_metrics: MonitorMetrics
    admins: AdminGate
    # Whether this process leads (only the leader evaluates, notifies, pages and escalates).
    leadership: Leadership
