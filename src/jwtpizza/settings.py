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


def data_dir_record() -> Path:
    """Where `jwtpizza up` records its data folder, for commands run from anywhere."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "jwtpizza" / "data-dir"


def recorded_data_dir() -> Path | None:
    try:
        text = data_dir_record().read_text("utf-8").strip()
    except OSError:
        return None
    return Path(text) if text else None


def record_data_dir(folder: Path) -> None:
    """Remember `folder` (absolute) as the data folder of the stack started last."""
    record = data_dir_record()
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(f"{folder.resolve()}\n", "utf-8")


def data_dir() -> Path:
    """Where embedded databases and keys live: `JWTPIZZA_DATA_DIR`, else the folder the last
    `jwtpizza up` recorded, else `./var`."""
    if configured := os.environ.get("JWTPIZZA_DATA_DIR"):
        return Path(configured)
    return recorded_data_dir() or Path("var")


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
