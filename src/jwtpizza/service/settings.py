"""Typed settings of the pizza service (environment prefix `JWTPIZZA_`)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from jwtpizza.service.resilience import ResilienceSettings
from jwtpizza.settings import LOCAL_SITE_ORIGINS, require_secret, sqlite_url

DEMO_JWT_SECRET = "demo-jwt-secret-not-for-production"  # noqa: S105 - refused outside demo


class ServiceSettings(BaseSettings):
    """Everything the pizza service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="JWTPIZZA_", extra="ignore")

    demo: bool = False
    host: str = "127.0.0.1"
    port: int = 3000
    database_url: str = Field(default_factory=lambda: sqlite_url("service.db"))
    db_pooled: bool = True
    db_pool_size: int = 20  # per worker, for its reads and again for its writes
    jwt_secret: SecretStr | None = None
    token_ttl_seconds: int = 8 * 3600
    bcrypt_rounds: int = 10
    # Passwords set through the API (registration, a user's update): the original took any
    # non-empty one, and clients written for it (the course's tests) register with "a".
    # Raise it for a stricter policy.
    password_min_length: int = Field(default=1, ge=1)
    # Admin accounts made with `jwtpizza admin create`.
    admin_password_min_length: int = Field(default=4, ge=1)
    list_per_page: int = 10
    cors_origins: list[str] = Field(default_factory=lambda: list(LOCAL_SITE_ORIGINS))
    login_max_failures: int = 5
    login_window_seconds: float = 60.0
    # Registrations (any outcome) per client address in a sliding window.
    register_max_per_address: int = 20
    register_window_seconds: float = 600.0
    # A refused (429) login or registration is answered after this delay, so clients
    # hammering in a loop are slowed to one attempt per connection per delay.
    refused_answer_delay_seconds: float = 1.0
    # Order stats (admin) each admin may ask for per minute; they run one at a time.
    order_stats_per_minute: int = 30
    max_stores_per_franchise: int = 50
    # Peers (addresses or CIDR ranges) whose X-Forwarded-For names the client; empty: none.
    trusted_proxies: list[str] = Field(default_factory=list)
    max_body_bytes: int = 64 * 1024
    # Bearer token for /metrics and /api/health/integrity; required outside demo mode.
    metrics_token: SecretStr | None = None
    factory_url: str = "http://127.0.0.1:4000"
    factory_api_key: SecretStr | None = None
    factory_max_items: int = 20
    factory_oversize_timeout_seconds: float = 60.0
    queue_max_age_seconds: float = 3600.0
    # On shutdown, orders under way at the factory get this long to end before their jobs
    # are left for the next start (`jwtpizza up` gives them the factory's slowest answer).
    stop_grace_seconds: float = 5.0
    # How often the ledger/integrity check runs for the `integrity_problems` metric (0: never).
    integrity_check_seconds: float = 60.0
    queue_backoff_base_seconds: float = 0.5
    queue_backoff_max_seconds: float = 10.0
    resilience: ResilienceSettings = Field(default_factory=ResilienceSettings)
    docs_show_config: bool = False
    version: str = "20260101.000000"

    def secret_key(self) -> str:
        """The JWT signing secret; raises `SettingsError` if unset outside demo mode."""
        secret = require_secret(
            self.jwt_secret, name="JWTPIZZA_JWT_SECRET", demo=self.demo, demo_value=DEMO_JWT_SECRET
        )
        return secret.get_secret_value()
