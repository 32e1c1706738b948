"""Typed settings of the observability subsystem (environment prefix `JWTPIZZA_OBS_`)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ObservabilitySettings(BaseSettings):
    """What a component's metrics, logs and traces do; every export is off by default."""

    model_config = SettingsConfigDict(env_prefix="JWTPIZZA_OBS_", extra="ignore")

    source: str = "jwt-pizza-dev"
    logging_enabled: bool = True
    log_level: str = "info"
    log_stdout: bool = False
    log_store_size: int = 5000
    body_cap_bytes: int = 4096
    active_user_window_seconds: float = 300.0
    active_users_from_tokens: bool = True
    tracing_enabled: bool = True
    trace_store_size: int = 2000

    loki_url: str | None = None
    loki_account: str | None = None
    loki_api_key: SecretStr | None = None
    loki_batch_size: int = 200
    loki_queue_size: int = 5000
    loki_flush_seconds: float = 5.0

    otlp_metrics_url: str | None = None
    otlp_traces_url: str | None = None
    otlp_account: str | None = None
    otlp_api_key: SecretStr | None = None
    otlp_interval_seconds: float = 10.0


def bearer(account: str | None, key: SecretStr | None) -> str | None:
    """Grafana Cloud's `Authorization` value, `Bearer <accountId>:<apiKey>`, if both are set."""
    if not account or key is None:
        return None
    return f"Bearer {account}:{key.get_secret_value()}"
