"""Who is an ops admin: whoever the pizza service says is an admin.

Ops keeps no accounts. A caller presents a service token; ops asks the service's
`GET /api/user/me` with it and trusts an admin answer for a short while, so a console that
polls does not turn into a login storm on the service.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import httpx

from jwtpizza.clock import Clock
from jwtpizza.errors import Forbidden, Unauthorized
from jwtpizza.ops.errors import ServiceUnreachable


@dataclass(frozen=True)
class Admin:
    id: int
    name: str
    email: str


class AdminGate:
    """Checks tokens against the service, caching admin answers for `cache_seconds`."""

    def __init__(
        self, *, http: httpx.AsyncClient, service_url: str, clock: Clock, cache_seconds: float
    ) -> None:
        self._http = http
        self._service_url = service_url.rstrip("/")
        self._me_url = self._service_url + "/api/user/me"
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Admin]] = {}

    async def admin_for(self, token: str) -> Admin:
        """The admin this token belongs to; 401 for a bad token, 403 for a non-admin."""
        key = hashlib.sha256(token.encode()).hexdigest()
        cached = self._cache.get(key)
        now = self._clock.monotonic()
        if cached and now - cached[0] < self._cache_seconds:
            return cached[1]
        admin = await self._ask_service(token)
        self._cache = {k: v for k, v in self._cache.items() if now - v[0] < self._cache_seconds}
        self._cache[key] = (now, admin)
        return admin

    async def login(self, email: str, password: str) -> tuple[int, dict[str, Any]]:
        """The service's answer to a login (`PUT /api/auth`): status and body (the console's
        sign-in; whether the user is an admin is checked with the token afterwards)."""
        try:
            response = await self._http.put(
                self._service_url + "/api/auth",
                json={"email": email, "password": password},
                timeout=10.0,
            )
        except httpx.HTTPError as error:
            raise ServiceUnreachable("the pizza service did not answer the login") from error
        body = response.json() if response.content else {}
        return response.status_code, body if isinstance(body, dict) else {}

    async def _ask_service(self, token: str) -> Admin:
        try:
            response = await self._http.get(
                self._me_url, headers={"Authorization": f"Bearer {token}"}, timeout=5.0
            )
        except httpx.HTTPError as error:
            raise ServiceUnreachable("the pizza service did not answer the admin check") from error
        if response.status_code == 401:
            raise Unauthorized("unauthorized")
        if response.status_code != 200:
            raise ServiceUnreachable(f"the admin check got HTTP {response.status_code}")
        me = response.json()
        if not any(role.get("role") == "admin" for role in me.get("roles", [])):
            raise Forbidden("unauthorized")
        return Admin(id=int(me["id"]), name=str(me.get("name", "")), email=str(me.get("email")))
