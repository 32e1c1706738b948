"""Where the components of the stack answer: `jwtpizza up` records their URLs in its data
folder, and every command finds them there, as it finds the data folder itself.

Without a record (no `jwtpizza up` yet, or components run one by one) the commands use the
default ports. An explicit `--url` always wins.
"""

from __future__ import annotations

import json
from pathlib import Path

from jwtpizza.settings import data_dir

RECORD = "endpoints.json"
DEFAULTS = {
    "service": "http://127.0.0.1:3000",
    "factory": "http://127.0.0.1:4000",
    "ops": "http://127.0.0.1:3300",
}


def record_endpoints(folder: Path, urls: dict[str, str]) -> None:
    """Remember the URL of each component `jwtpizza up` runs from `folder`."""
    (folder / RECORD).write_text(json.dumps(urls, indent=2) + "\n", "utf-8")


def recorded_endpoints(folder: Path | None = None) -> dict[str, str]:
    """The URLs the last `jwtpizza up` in the data folder recorded (none if it never ran)."""
    try:
        found = json.loads(((folder or data_dir()) / RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(name): str(url) for name, url in found.items() if isinstance(url, str)}


def endpoint(name: str, given: str | None = None) -> str:
    """The base URL of component `name`: `given` (a --url), else `up`'s record, else the
    default port."""
    return given or recorded_endpoints().get(name) or DEFAULTS[name]
