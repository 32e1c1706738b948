"""Settings of incidents, reports and runbooks (environment prefix `JWTPIZZA_OPS_INCIDENTS_`).

Ops reads the service's logs and order ledger with an admin login, and the factory's chaos
feed with an admin vendor key: both are secrets and never appear in a log or an answer.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# docs/runbooks/ in a source checkout; a packaged install passes RUNBOOK_DIR.
DEFAULT_RUNBOOK_DIR = Path(__file__).resolve().parents[4] / "docs" / "runbooks"


class IncidentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JWTPIZZA_OPS_INCIDENTS_", extra="ignore")

    # How ops logs in to the pizza service (logs and the order ledger need an admin).
    service_email: str | None = None
    service_password: SecretStr | None = None
    # The service's scrape token (its METRICS_TOKEN), for its integrity check outside demo mode.
    service_scrape_token: SecretStr | None = None
    # The factory's admin vendor key, for the chaos feed of every vendor.
    factory_api_key: SecretStr | None = None
    # Alerts with these `severity` labels declare an incident when they fire (the others join
    # an open one); the same rule in `up`, scenarios and the docs.
    declare_severities: list[str] = Field(default_factory=lambda: ["critical", "high"])
    # Alerts labelled `scope: host` (the machine's CPU and memory, whatever load it is) stay
    # out of incidents unless this is on.
    host_alerts: bool = False
    # Runbooks act on their own only with autopilot on (`jwtpizza ops --autopilot`).
    autopilot: bool = False
    runbook_dir: Path = DEFAULT_RUNBOOK_DIR
    reports_dir: Path = Path("incidentReports")
    mttd_target_seconds: float = 120.0
    # A compressed run (a scenario at `--speed N`) sets N: its postmortems state the speed
    # and give durations in scenario time.
    time_speed: float = Field(default=1.0, gt=0)
    # How often an open incident's timeline is gathered from the feeds (0: with each scrape).
    assemble_interval_seconds: float = 0.0
    # How far before the first alert the feeds are read for the fault's start.
    lookback_seconds: float = 600.0
    # How often a runbook's wait steps look again.
    runbook_poll_seconds: float = 1.0
    # The metric drawn on the report's chart.
    chart_metric: str = "pizza_failures_total"
