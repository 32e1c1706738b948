"""Shared settings vocabulary: the data directory, and the rule that demo defaults for
secrets are refused outside demo mode. Each component defines its own typed settings
(pydantic-settings with an env prefix) and loads them in its entry point, never at import.
"""

from __future__ import annotations

import os
import secrets
from functools import cache
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


def demo_secret(name: str, folder: Path | None = None) -> str:
    """A demo secret of the data folder (`folder`, else `data_dir()`): random, made on first
    use and kept in `secrets/<name>` there, readable by its owner only. Each data folder has
    its own, so no demo secret is known outside the machine that made it."""
    path = (folder or data_dir()).resolve() / "secrets" / name
    if path.is_file():
        return _kept(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{name}.{os.getpid()}")
    draft.write_text(secrets.token_urlsafe(24) + "\n", "utf-8")
    draft.chmod(0o600)
    try:
        os.link(draft, path)  # atomic: of two processes making it at once, one wins
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return _kept(path)


@cache
def _kept(path: Path) -> str:
    """A demo secret once made (it never changes, so each process reads it once)."""
    return path.read_text("utf-8").strip()


def require_secret(value: SecretStr | None, *, name: str, demo: bool, demo_value: str) -> SecretStr:
    """The secret, or the demo value in demo mode; refuse a missing or demo secret otherwise."""
    if value is None or not value.get_secret_value():
        if demo:
            return SecretStr(demo_value)
        raise SettingsError(f"{name} must be set (outside demo mode there is no default)")
    if not demo and value.get_secret_value() == demo_value:
        raise SettingsError(f"{name} is the public demo value; set a real secret")
    return value
