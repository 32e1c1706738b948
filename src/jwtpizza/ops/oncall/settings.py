"""Typed settings of on-call paging and the Alertmanager intake (prefix `JWTPIZZA_OPS_`).

The acknowledge-link secret and the intake token have no defaults outside demo mode.
Without them ops still starts and pages, but its pages carry no acknowledge link and the
intake refuses every call, each saying which setting is missing.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from jwtpizza.ops.notify.settings import DEPLOY_DIR
from jwtpizza.settings import require_secret

DEMO_ACK_SECRET = "demo-ack-secret"  # noqa: S105 - the public demo value, refused outside demo
DEMO_INTAKE_TOKEN = "demo-intake-token"  # noqa: S105


class OncallSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JWTPIZZA_OPS_", extra="ignore")

    demo: bool = False
    oncall_config: Path = DEPLOY_DIR / "oncall.yml"
    # Signs acknowledge links; an Alertmanager presents the intake token as a bearer.
    ack_secret: SecretStr | None = None
    intake_token: SecretStr | None = None
    ack_link_ttl_seconds: float = 24 * 3600.0
    # Where responders reach this ops component (acknowledge links start with it);
    # by default the address ops listens on.
    public_url: str | None = None

    def ack_key(self) -> bytes | None:
        secret = self._secret(self.ack_secret, "JWTPIZZA_OPS_ACK_SECRET", DEMO_ACK_SECRET)
        return secret.encode() if secret else None

    def intake_secret(self) -> str | None:
        return self._secret(self.intake_token, "JWTPIZZA_OPS_INTAKE_TOKEN", DEMO_INTAKE_TOKEN)

    def _secret(self, value: SecretStr | None, name: str, demo_value: str) -> str | None:
        if value is None and not self.demo:
            return None
        secret = require_secret(value, name=name, demo=self.demo, demo_value=demo_value)
        return secret.get_secret_value()
