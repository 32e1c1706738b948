"""Typed settings of on-call paging and the Alertmanager intake (prefix `JWTPIZZA_OPS_`).

The acknowledge-link secret and the intake token have no defaults outside demo mode.
Without them ops still starts and pages, but its pages carry no acknowledge link and the
intake refuses every call, each saying which setting is missing. In demo mode each is
random, made once per data folder (`jwtpizza up` prints them).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from jwtpizza.ops.notify.settings import DEPLOY_DIR
from jwtpizza.settings import demo_secret

# The files of the data folder that hold the demo secrets (`secrets/<name>`).
DEMO_ACK_SECRET_FILE = "ops-ack-secret"  # noqa: S105 - a file name, not a secret
DEMO_INTAKE_TOKEN_FILE = "ops-intake-token"  # noqa: S105


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
        secret = self._secret(self.ack_secret, DEMO_ACK_SECRET_FILE)
        return secret.encode() if secret else None

    def intake_secret(self) -> str | None:
        return self._secret(self.intake_token, DEMO_INTAKE_TOKEN_FILE)

    def _secret(self, value: SecretStr | None, demo_file: str) -> str | None:
        """The secret set, else in demo mode the data folder's own, else None (missing)."""
        if value is not None and value.get_secret_value():
            return value.get_secret_value()
        return demo_secret(demo_file) if self.demo else None
