"""`/readyz` tells the truth about writes: a real `jwtpizza service` whose SQLite database sits
on a tiny tmpfs that fills up answers 503 on `/readyz` and on orders (one log line for the
episode, no traceback), and is ready again once space is freed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from jwtpizza.readiness import PROBE_SECONDS, PROBE_TIMEOUT_SECONDS
from tests.support.live import free_port, prepare_service_db
from tests.support.resilience import ORDER, ServiceProcess, Stack, diner_headers, service_env

pytestmark = pytest.mark.slow

# A probe answer is kept PROBE_SECONDS; one more probe may take up to its timeout.
NOTICED_WITHIN = PROBE_SECONDS + PROBE_TIMEOUT_SECONDS + 1.0


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs (mounting needs root, as the container tests here do)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk: Path) -> Path:
    """Write a file until the disk is full."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def ready_status(url: str) -> int:
    return httpx.get(f"{url}/readyz", timeout=10).status_code


def wait_for_status(url: str, status: int, within: float) -> float:
    """Seconds until `/readyz` answers `status`; fails after `within`."""
    started = time.monotonic()
    while (seen := ready_status(url)) != status:
        assert time.monotonic() - started < within, f"/readyz still {seen}"
        time.sleep(0.1)
    return time.monotonic() - started


def test_readyz_fails_while_the_disk_is_full_and_recovers(tmp_path: Path, tiny_disk: Path) -> None:
    stack = Stack(tmp_path)
    stack.start_factory()
    url = f"sqlite+aiosqlite:///{tiny_disk / 'service.db'}"
    asyncio.run(prepare_service_db(url))
    env = service_env(
        database_url=url, port=free_port(), factory_url=stack.factory, api_key=stack.vendor_key
    )
    service = ServiceProcess(env, tmp_path / "service.log").start()
    try:
        headers = diner_headers(service.url)
        assert ready_status(service.url) == 200
        assert httpx.post(f"{service.url}/api/order", json=ORDER, headers=headers).status_code in (
            200,
            202,
        )
        filler = fill(tiny_disk)
        wait_for_status(service.url, 503, NOTICED_WITHIN)
        refused = [
            httpx.post(f"{service.url}/api/order", json=ORDER, headers=headers, timeout=10)
            for _ in range(20)
        ]
        assert {r.status_code for r in refused} == {503}, [r.text for r in refused]
        assert all(r.headers["Retry-After"] for r in refused)
        body = httpx.get(f"{service.url}/readyz").json()
        assert body["database"] == "refusing writes" and body["status"] == "unavailable"

        filler.unlink()
        wait_for_status(service.url, 200, NOTICED_WITHIN)
        again = httpx.post(f"{service.url}/api/order", json=ORDER, headers=headers, timeout=10)
        assert again.status_code in (200, 202), again.text
    finally:
        service.stop()
        stack.stop_factory()
    log = (tmp_path / "service.log").read_text()
    assert log.count("database unavailable, answering 503") == 1, log
    assert "Traceback" not in log, log
