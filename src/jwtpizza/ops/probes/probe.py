"""The order probe: each step over the public HTTP API, as a diner's browser would.

Steps: `login` (PUT /api/auth), `menu` (GET /api/order/menu), `order` (POST /api/order, the
first store, the cheapest pizza; a 202 queued order counts, the shop accepted it), `verify`
(POST /api/order/verify at the factory, for a pizza made at once). The first step that fails
ends the round; `probe_success{probe="order"}` is 1 only when every step passed, and
`probe_duration_seconds{probe="order"}` is how long the round took. The last failed step
is `probe_failed_step{probe,step}` 1.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import httpx
from prometheus_client import CollectorRegistry, Gauge
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from jwtpizza.ops.background import running

log = logging.getLogger("jwtpizza.ops.probes")
STEPS = ("login", "menu", "order", "verify")


class ProbeSettings(BaseSettings):
    """`JWTPIZZA_OPS_PROBE_*`. Off unless an account is given: each round buys a pizza."""

    model_config = SettingsConfigDict(env_prefix="JWTPIZZA_OPS_PROBE_", extra="ignore")

    email: str | None = None
    password: SecretStr | None = None
    interval_seconds: float = 60.0
    timeout_seconds: float = 10.0

    @property
    def enabled(self) -> bool:
        return bool(self.email and self.password)


@dataclass(frozen=True)
class ProbeResult:
    success: bool
    seconds: float
    failed_step: str | None = None
    reason: str | None = None


class _StepFailed(Exception):
    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step, self.reason = step, reason


class OrderProbe:
    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        service_url: str,
        factory_url: str,
        settings: ProbeSettings,
        registry: CollectorRegistry,
    ) -> None:
        self.http, self.settings = http, settings
        self.service_url, self.factory_url = service_url.rstrip("/"), factory_url.rstrip("/")
        self._success = Gauge(
            "probe_success",
            "1 when the last probe round passed every step",
            ("probe",),
            registry=registry,
        )
        self._duration = Gauge(
            "probe_duration_seconds",
            "How long the last probe round took",
            ("probe",),
            registry=registry,
        )
        self._failed = Gauge(
            "probe_failed_step",
            "1 for the step the last probe round failed",
            ("probe", "step"),
            registry=registry,
        )

    async def _call(self, step: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self.http.request(
                method, url, timeout=self.settings.timeout_seconds, **kwargs
            )
        except httpx.HTTPError as exc:
            raise _StepFailed(step, type(exc).__name__) from None
        if response.status_code >= 300:
            raise _StepFailed(step, f"HTTP {response.status_code}")
        return response

    async def _round(self) -> None:
        password = self.settings.password.get_secret_value() if self.settings.password else ""
        account = {"email": self.settings.email, "password": password}
        login = await self._call("login", "PUT", f"{self.service_url}/api/auth", json=account)
        auth = {"Authorization": f"Bearer {login.json()['token']}"}
        try:
            menu = (await self._call("menu", "GET", f"{self.service_url}/api/order/menu")).json()
            stores = (
                (
                    await self._call(
                        "menu",
                        "GET",
                        f"{self.service_url}/api/franchise",
                        params={"limit": 1},
                    )
                )
                .json()
                .get("franchises", [])
            )
            store = next(((f["id"], s["id"]) for f in stores for s in f.get("stores", [])), None)
            if not menu or store is None:
                raise _StepFailed("menu", "no pizza or no store to order from")
            pizza = min(menu, key=lambda item: item["price"])
            item = {"menuId": pizza["id"], "description": pizza["title"], "price": pizza["price"]}
            body = {"franchiseId": store[0], "storeId": store[1], "items": [item]}
            order = await self._call(
                "order",
                "POST",
                f"{self.service_url}/api/order",
                json=body,
                headers=auth | {"Prefer": "respond-async"},
            )
            jwt = order.json().get("jwt") if order.status_code == 200 else None
            if jwt:
                verified = await self._call(
                    "verify", "POST", f"{self.factory_url}/api/order/verify", json={"jwt": jwt}
                )
                if verified.json().get("message") != "valid":
                    raise _StepFailed("verify", "the factory says the pizza is not valid")
        finally:
            with suppress(httpx.HTTPError):
                await self.http.delete(f"{self.service_url}/api/auth", headers=auth)

    async def run_once(self) -> ProbeResult:
        started = time.perf_counter()
        try:
            await self._round()
            result = ProbeResult(True, time.perf_counter() - started)
        except _StepFailed as failed:
            result = ProbeResult(False, time.perf_counter() - started, failed.step, failed.reason)
            log.warning("probe order failed at %s: %s", failed.step, failed.reason)
        self._success.labels("order").set(1 if result.success else 0)
        self._duration.labels("order").set(result.seconds)
        for step in STEPS:
            self._failed.labels("order", step).set(1 if step == result.failed_step else 0)
        return result


@asynccontextmanager
async def probe_loop(probe: OrderProbe | None) -> AsyncIterator[None]:
    """Run the probe every `interval_seconds` while the app is up (nothing if None)."""
    if probe is None:
        yield
        return

    async def loop() -> None:
        while True:
            await probe.run_once()
            await asyncio.sleep(probe.settings.interval_seconds)

    async with running(loop(), name="probe"):
        yield
