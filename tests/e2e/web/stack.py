"""The real service and factory as separate processes on free loopback ports, for the browser.

    with running_stack(tmp_path) as stack:
        stack.shop_url, stack.portal_url, stack.new_login_code(), stack.start_chaos("fail")

Both run `jwtpizza service` / `jwtpizza factory` exactly as a person would, configured through
the environment; the factory mails login codes to its console, which the test reads.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from jwtpizza.factory.demo import ensure_demo_admin, ensure_demo_vendor
from tests.support.live import factory_settings, free_port, prepare_service_db
from tests.support.processes import JWTPIZZA


@dataclass
class Stack:
    shop_url: str
    portal_url: str
    admin_key: str
    factory_log: Path
    codes_seen: int = 0

    def new_login_code(self, timeout: float = 10) -> str:
        """The code in the factory's newest console mail, waiting for one not seen before."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            codes = re.findall(r"JWT Pizza Factory code is (\w+)\.", self.factory_log.read_text())
            if len(codes) > self.codes_seen:
                self.codes_seen = len(codes)
                return codes[-1]
            time.sleep(0.1)
        raise AssertionError("the factory mailed no new login code")

    def start_chaos(self, chaos_type: str, vendor: str = "demo", **body: Any) -> None:
        response = httpx.put(
            f"{self.portal_url}/api/admin/chaos/{vendor}/{chaos_type}",
            json={"start": "now", **body},
            headers={"Authorization": f"Bearer {self.admin_key}"},
        )
        assert response.status_code == 200, response.text


def wait_until_up(probe: str, process: subprocess.Popen[bytes], log: Path) -> None:
    # Generous: on a loaded 2-core machine importing and migrating can take a while.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{probe} exited:\n{log.read_text()[-2000:]}"
        try:
            if httpx.get(probe, timeout=1).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{probe} did not start:\n{log.read_text()[-2000:]}")


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path, probe: str) -> Iterator[None]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            wait_until_up(probe, proc, log)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def running_stack(tmp_path: Path, **service_env: str) -> Iterator[Stack]:
    """A seeded service (demo users, menu, franchise) ordering from a factory with the demo
    vendor and admin. `service_env` adds `JWTPIZZA_*` settings (e.g. resilience timings)."""
    factory_port, service_port = free_port(), free_port()
    fsettings = factory_settings(tmp_path, factory_port)
    vendor_key = asyncio.run(ensure_demo_vendor(fsettings))
    admin_key = asyncio.run(ensure_demo_admin(fsettings))
    service_db = f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    asyncio.run(prepare_service_db(service_db))
    portal_url = f"http://127.0.0.1:{factory_port}"
    shop_url = f"http://127.0.0.1:{service_port}"
    factory_env = {
        "JWTPIZZA_FACTORY_DATABASE_URL": fsettings.database_url,
        "JWTPIZZA_FACTORY_PUBLIC_BASE_URL": portal_url,
        "JWTPIZZA_FACTORY_MAIL": "console",
    }
    shop_env = {
        "JWTPIZZA_DATABASE_URL": service_db,
        "JWTPIZZA_JWT_SECRET": "browser-test-secret-" + "0123456789abcdef" * 2,
        "JWTPIZZA_FACTORY_URL": portal_url,
        "JWTPIZZA_FACTORY_API_KEY": vendor_key,
        "JWTPIZZA_BCRYPT_ROUNDS": "4",
        **service_env,
    }
    factory_log, service_log = tmp_path / "factory.log", tmp_path / "service.log"
    factory_cmd = [JWTPIZZA, "factory", "--port", str(factory_port), "--demo"]
    service_cmd = [JWTPIZZA, "service", "--port", str(service_port)]
    with (
        process(factory_cmd, factory_env, factory_log, f"{portal_url}/.well-known/jwks.json"),
        process(service_cmd, shop_env, service_log, f"{shop_url}/healthz"),
    ):
        yield Stack(
            shop_url=shop_url, portal_url=portal_url, admin_key=admin_key, factory_log=factory_log
        )
