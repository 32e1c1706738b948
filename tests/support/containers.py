"""Podman helpers for the container tests: the image (built once per session through
scripts/containers, its Debian-made base cached), containers run and always removed."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/jwtpizza:dev"


# The secrets the compose stack's env file must hold (deploy/compose/env.example).
COMPOSE_SECRETS = (
    "POSTGRES_PASSWORD",
    "JWTPIZZA_JWT_SECRET",
    "JWTPIZZA_FACTORY_API_KEY",
    "JWTPIZZA_METRICS_TOKEN",
    "JWTPIZZA_FACTORY_METRICS_TOKEN",
    "JWTPIZZA_OPS_INTAKE_TOKEN",
    "JWTPIZZA_OPS_ACK_SECRET",
)


def podman_env() -> dict[str, str]:
    exports = subprocess.run(
        [ROOT / "scripts" / "containers", "env"], capture_output=True, text=True, check=True
    ).stdout
    name, _, value = exports.removeprefix("export ").strip().partition("=")
    return {**os.environ, name: value}


def podman(
    *args: str, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["podman", *args],
        env=podman_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


def build(what: str) -> str:
    """`scripts/containers image` or `infra`: the image reference, built or taken from cache."""
    done = subprocess.run(
        [ROOT / "scripts" / "containers", what], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr
    return IMAGE if what == "image" else done.stdout.strip().splitlines()[-1]


def without_podman_noise(text: str) -> list[str]:
    """The container's own lines: podman's complaints about systemd timers left out."""
    return [line for line in text.splitlines() if line and "level=" not in line]


def http(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.request(method, url, json=body, headers=headers, timeout=10)
    try:
        return answer.status_code, answer.json() if answer.content else None
    except ValueError:  # e.g. HAProxy's HTML 502 for a request its replica died under
        return answer.status_code, answer.text


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{url} did not answer within {seconds} s"
        time.sleep(0.5)
