"""Typed settings of notification (environment prefix `JWTPIZZA_OPS_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jwtpizza.ops.notify.delivery import Backoff

# deploy/ops/ in a source checkout; a packaged install sets NOTIFY_CONFIG.
DEPLOY_DIR = Path(__file__).resolve().parents[4] / "deploy" / "ops"


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JWTPIZZA_OPS_", extra="ignore")

    notify_config: Path = DEPLOY_DIR / "notify.yml"
    # How often due groups are flushed and due escalation steps run.
    notify_tick_seconds: float = 1.0
    delivery_attempts: int = 4
    delivery_backoff_seconds: float = 1.0
    delivery_backoff_max_seconds: float = 30.0
    delivery_timeout_seconds: float = 10.0
    # The dead man's switch: page when a watched Watchdog heartbeat (our evaluator's, or a
    # real Alertmanager's on /api/ops/heartbeat) has been silent this long.
    heartbeat_timeout_seconds: float = Field(default=180.0, gt=0)
    # The escalation policy (oncall.yml) that a stopped heartbeat pages.
    heartbeat_policy: str = "default"
    # Announced chaos (`jwtpizza chaos start --announce`): how often the chaos feed is read.
    announce_poll_seconds: float = Field(default=5.0, gt=0)
    # How long after an announced fault ends its alerts still page nobody (they take a
    # while to resolve once the fault is gone).
    announce_grace_seconds: float = Field(default=300.0, ge=0)

    def backoff(self) -> Backoff:
        return Backoff(
            attempts=self.delivery_attempts,
            base=self.delivery_backoff_seconds,
            cap=self.delivery_backoff_max_seconds,
        )
