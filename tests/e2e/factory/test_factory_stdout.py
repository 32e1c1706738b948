"""The standalone factory keeps stdout for what an operator reads, not a line per request."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx

from tests.support.live import free_port
from tests.support.processes import JWTPIZZA


def answers(url: str) -> bool:
    try:
        return httpx.get(url).status_code == 200
    except httpx.TransportError:
        return False


def test_the_standalone_factory_writes_no_line_per_request(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "JWTPIZZA_FACTORY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'factory.db'}",
        "JWTPIZZA_DATA_DIR": str(tmp_path / "var"),
    }
    factory = subprocess.Popen(
        [str(JWTPIZZA), "factory", "--port", str(port), "--host", "127.0.0.1"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/.well-known/jwks.json"
        deadline = time.monotonic() + 60
        while not answers(url):
            assert time.monotonic() < deadline, "the factory did not start"
            time.sleep(0.2)
        for _ in range(5):
            assert httpx.get(url).status_code == 200
    finally:
        factory.terminate()
        output, _ = factory.communicate(timeout=30)
    assert "Uvicorn running" in output  # it did write what an operator needs
    assert "jwks.json" not in output
