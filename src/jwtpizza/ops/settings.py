"""Typed settings of the ops component (environment prefix `JWTPIZZA_OPS_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from jwtpizza.settings import sqlite_url

# deploy/prometheus/rules/ in a source checkout; a packaged install passes RULE_FILES.
DEFAULT_RULES_DIR = Path(__file__).resolve().parents[3] / "deploy" / "prometheus" / "rules"


class ScrapeTarget(BaseModel):
    """One `/metrics` endpoint, with the `job` label its series get (and extra labels), and
    the bearer token it wants (a component's scrape token outside demo mode; like Prometheus's
    `authorization` option, a secret that is never logged nor shown)."""

    job: str
    url: str
    labels: dict[str, str] = Field(default_factory=dict)
    bearer_token: SecretStr | None = None

    def headers(self) -> dict[str, str]:
        """The scrape's authorization header, if the target wants a token."""
        token = self.bearer_token
        return {} if token is None else {"Authorization": f"Bearer {token.get_secret_value()}"}

    def instance(self) -> str:
        """`host:port`, as Prometheus names a target."""
        rest = self.url.split("://", 1)[-1]
        return rest.split("/", 1)[0]


def stack_targets(service_url: str, factory_url: str) -> list[ScrapeTarget]:
    """The `/metrics` of a service and a factory, as every stack ops watches names them."""
    return [
        ScrapeTarget(
            job="jwt-pizza-service", url=f"{service_url}/metrics", labels={"component": "service"}
        ),
        ScrapeTarget(
            job="jwt-pizza-factory", url=f"{factory_url}/metrics", labels={"component": "factory"}
        ),
    ]


def default_targets() -> list[ScrapeTarget]:
    return stack_targets("http://127.0.0.1:3000", "http://127.0.0.1:4000")


def default_rule_files() -> list[str]:
    return [str(path) for path in sorted(DEFAULT_RULES_DIR.glob("*.yml"))]


class OpsSettings(BaseSettings):
    """Everything the ops component reads from its environment.

    `profile=game-day` scrapes and evaluates every 5 s and caps every rule's `for` at
    `game_day_max_for_seconds`, so a fault is detected within seconds in a compressed drill.
    """

    model_config = SettingsConfigDict(env_prefix="JWTPIZZA_OPS_", extra="ignore")

    # Demo mode (`up`) leaves `/metrics` open; elsewhere it needs `metrics_token` as a bearer.
    demo: bool = False
    metrics_token: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = 3300
    database_url: str = Field(default_factory=lambda: sqlite_url("ops.db"))
    db_pooled: bool = True
    version: str = "20260101.000000"
    service_url: str = "http://127.0.0.1:3000"
    factory_url: str = "http://127.0.0.1:4000"
    targets: list[ScrapeTarget] = Field(default_factory=default_targets)
    rule_files: list[str] = Field(default_factory=default_rule_files)
    profile: Literal["default", "game-day"] = "default"
    scrape_interval_seconds: float = 15.0
    scrape_timeout_seconds: float = 10.0
    evaluation_interval_seconds: float = 15.0
    game_day_interval_seconds: float = 5.0
    game_day_max_for_seconds: float = 5.0
    # Samples older than this are dropped (the longest range a rule reads, plus lookback).
    retention_seconds: float = 15 * 60.0
    max_samples_per_series: int = 400
    # Samples past the retention are thinned and kept this long, for 30-day SLO windows
    # (about 4.6 KB per series per day at a 5-minute resolution; 0 keeps none).
    history_retention_seconds: float = Field(default=31 * 24 * 3600.0, ge=0)
    # The thinned history keeps the last sample of each span this long.
    history_resolution_seconds: float = Field(default=300.0, gt=0)
    # How long an admin token's `/api/user/me` answer is trusted (a token revoked at the
    # service works here at most this long), and how long a refused token is remembered.
    admin_cache_seconds: float = 2.0
    admin_refused_cache_seconds: float = 300.0
    # The edge, as for the service and factory: `X-Forwarded-For` only from these proxies, and
    # a body limit; 1 MiB, since one Alertmanager webhook carries a whole group of alerts.
    trusted_proxies: list[str] = Field(default_factory=list)
    # Anonymous callers, per address (see `jwtpizza.ops.limits`): status page reads, refused
    # attempts (a wrong intake token, a bad ack link), and how late a refusal is answered.
    public_reads_per_minute: int = 120
    refused_per_minute: int = 10
    refused_answer_delay_seconds: float = 1.0
    # The status page is built at most once per this many seconds, whoever asks.
    status_cache_seconds: float = 5.0
    # The log-search proxy: the same search answered from the last one for this long, and
    # the searches each admin may send on per minute.
    log_search_cache_seconds: float = 5.0
    log_searches_per_minute: int = 30
    # One Alertmanager notification: at most this many alerts and incident groups.
    intake_max_alerts: int = 100
    intake_max_groups: int = 3
    max_body_bytes: int = 1024 * 1024
    # This process's name in the leader lease (default: `host:port`; a process restarted
    # under the same name takes its lease back at once).
    leader_id: str = Field(default="", max_length=200)
    # Active/standby (`jwtpizza.ops.leadership`): how long the leader's lease in the ops
    # database lasts; when the leader dies a standby leads within this plus the renewal.
    lease_seconds: float = Field(default=10.0, gt=0)
    # How often the leader renews its lease and a standby tries to take it.
    lease_renew_seconds: float = Field(default=3.0, gt=0)

    @model_validator(mode="after")
    def _renew_within_lease(self) -> OpsSettings:
        if self.lease_renew_seconds >= self.lease_seconds:
            raise ValueError("lease_renew_seconds must be shorter than lease_seconds")
        return self

    def scrape_interval(self) -> float:
        return self.game_day_interval_seconds if self.game_day() else self.scrape_interval_seconds

    def evaluation_interval(self) -> float:
        if self.game_day():
            return self.game_day_interval_seconds
        return self.evaluation_interval_seconds

    def max_for_seconds(self) -> float | None:
        """The cap on a rule's `for` (game day only), else None."""
        return self.game_day_max_for_seconds if self.game_day() else None

    def game_day(self) -> bool:
        return self.profile == "game-day"
