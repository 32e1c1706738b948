"""Shared settings vocabulary: the data directory, and the rule that demo defaults for
secrets are refused outside demo mode. Each component defines its own typed settings
(pydantic-settings with an env prefix) and loads them in its entry point, never at import.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import SecretStr

# Where the JWT Pizza site runs on a developer's machine (the original's dev server, Vite).
LOCAL_SITE_ORIGINS = ("http://localhost:3000", "http://localhost:5173")


class SettingsError(ValueError):
    """A setting is missing or unsafe; the message names it."""


def data_dir() -> Path:
    """Where embedded databases and keys live (`JWTPIZZA_DATA_DIR`, default `./var`)."""
    return Path(os.environ.get("JWTPIZZA_DATA_DIR", "var"))


def sqlite_url(name: str) -> str:
    return f"sqlite+aiosqlite:///{data_dir() / name}"


def require_secret(value: SecretStr | None, *, name: str, demo: bool, demo_value: str) -> SecretStr:
    """The secret, or the demo value in demo mode; refuse a missing or demo secret otherwise."""
    if value is None or not value.get_secret_value():
        if demo:
            return SecretStr(demo_value)
        raise SettingsError(f"{name} must be set (outside demo mode there is no default)")
    if not demo and value.get_secret_value() == demo_value:
        raise SettingsError(f"{name} is the public demo value; set a real secret")
    return value
