"""Two factory processes on one database (SQLite file, and each database server configured)
count login-code requests against one allowance: the limit holds whichever replica a client
asks."""

from __future__ import annotations

import itertools
from pathlib import Path

import httpx
import pytest

from tests.support.live import free_port
from tests.support.processes import Component, clean_env

pytestmark = pytest.mark.slow

PER_VENDOR = 3


def test_two_factory_replicas_share_the_code_limit(database_url: str, tmp_path: Path) -> None:
    env = clean_env(
        JWTPIZZA_FACTORY_DATABASE_URL=database_url,
        JWTPIZZA_FACTORY_CODE_REQUESTS_PER_VENDOR=str(PER_VENDOR),
        JWTPIZZA_FACTORY_DEMO="true",
    )
    replicas = []
    try:
        for name in ("a", "b"):
            port = free_port()
            replica = Component(
                ["factory", "--port", str(port)],
                env,
                tmp_path / f"factory-{name}.log",
                f"http://127.0.0.1:{port}",
            )
            replicas.append(replica.start())
        answers = [
            httpx.post(f"{replica.url}/api/vendor/code", json={"id": "someone"}, timeout=10)
            for replica, _ in zip(itertools.cycle(replicas), range(2 * PER_VENDOR), strict=False)
        ]
    finally:
        for replica in replicas:
            replica.kill()
    statuses = [answer.status_code for answer in answers]
    assert 429 not in statuses[:PER_VENDOR], [a.text for a in answers]
    assert statuses[PER_VENDOR:] == [429] * PER_VENDOR, [a.text for a in answers]
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers[PER_VENDOR:])
