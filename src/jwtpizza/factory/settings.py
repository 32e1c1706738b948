"""Typed settings of the pizza factory (environment prefix `JWTPIZZA_FACTORY_`)."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from jwtpizza.settings import LOCAL_SITE_ORIGINS, SettingsError, sqlite_url


def parse_timezone(value: str) -> tzinfo:
    """`-07:00` / `+05:30` as a fixed offset, `UTC`, or an IANA name such as `America/Denver`."""
    text = value.strip()
    if text.upper() in ("UTC", "Z"):
        return UTC
    if text[:1] in "+-" and ":" in text:
        hours, minutes = text[1:].split(":", 1)
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        return timezone(-offset if text[0] == "-" else offset)
    try:
        return ZoneInfo(text)
    except (KeyError, ValueError) as exc:
        raise SettingsError(f"JWTPIZZA_FACTORY_CHAOS_TIMEZONE: unknown timezone {value!r}") from exc


class FactorySettings(BaseSettings):
    """Everything the pizza factory reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="JWTPIZZA_FACTORY_", extra="ignore")

    demo: bool = False
    host: str = "127.0.0.1"
    port: int = 4000
    database_url: str = Field(default_factory=lambda: sqlite_url("factory.db"))
    db_pooled: bool = True
    public_base_url: str | None = None
    # Browsers may call the factory from these origins (the site's Verify and docs pages).
    cors_origins: list[str] = Field(default_factory=lambda: list(LOCAL_SITE_ORIGINS))
    version: str = "20260101.000000"
    issuer: str = "cs329.click"
    pizza_ttl_seconds: int = 24 * 3600
    # 2048-bit keys sign about 8x faster than the original's 4096 and are still standard.
    key_bits: int = 2048
    key_refresh_seconds: float = 10.0
    # The order path keeps vendors and their faults in memory; changes made by this process
    # apply at once, changes made elsewhere (the CLI, another replica) within this period.
    vendor_cache_seconds: float = 1.0
    order_delay_seconds: float = 32.0
    max_items: int = 20
    chaos_timezone: str = "-07:00"
    chaos_window_start_hour: int = 8
    chaos_window_end_hour: int = 14
    outage_default_seconds: float = 12 * 60
    ratelimit_retry_after_seconds: float = 30.0
    flaky_default_percent: int = 50
    code_ttl_seconds: float = 600.0
    code_max_attempts: int = 5
    # Login-code emails per vendor id and per client address in a sliding window (an office
    # or classroom behind one NAT shares an address, so its allowance is larger).
    code_requests_per_vendor: int = 5
    code_requests_per_address: int = 60
    code_requests_window_seconds: float = 600.0
    # Vendors may sign themselves up only as `<id>@<this domain>` (the login code goes there);
    # empty: only an admin creates vendors.
    vendor_email_domain: str = "byu.edu"
    trusted_proxies: list[str] = Field(default_factory=list)
    max_body_bytes: int = 64 * 1024
    metrics_token: SecretStr | None = None
    mail: Literal["console", "smtp"] = "console"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = '"CS 329" <no-reply@cs329.click>'
    demo_vendor_id: str = "demo"
    demo_admin_id: str = "instructor"

    def base_url(self) -> str:
        """Where clients reach this factory; report links start with it."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        return f"http://{self.host}:{self.port}"

    def timezone(self) -> tzinfo:
        return parse_timezone(self.chaos_timezone)
