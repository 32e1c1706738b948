"""Who is an ops admin: whoever the pizza service says is an admin.

Ops keeps no accounts. A caller presents a service token; ops asks the service's
`GET /api/user/me` with it and trusts an admin answer for a few seconds only (so a console that
polls does not turn into a login storm on the service, and a token revoked at the service stops
working here within that bound). A refused token is remembered longer: it cannot become good,
so a loop of garbage tokens costs the service nothing; one that is not even shaped like the
service's tokens is refused without asking. Logging out through ops revokes the token at the
service and forgets it here at once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import httpx

from jwtpizza.clock import Clock
from jwtpizza.errors import Forbidden, Unauthorized
from jwtpizza.ops.errors import ServiceUnreachable

# The service's tokens are JWTs: three base64url parts.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
MAX_TOKEN_LENGTH = 4096
# Refused tokens remembered at most (the oldest are dropped first).
MAX_REFUSED = 10_000


@dataclass(frozen=True)
class Admin:
    id: int
    name: str
    email: str


class AdminGate:
    """Checks tokens against the service, caching admin answers for `cache_seconds` and
    refusals for `refused_cache_seconds`."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        service_url: str,
        clock: Clock,
        cache_seconds: float,
        refused_cache_seconds: float,
    ) -> None:
        self._http = http
        self._service_url = service_url.rstrip("/")
        self._me_url = self._service_url + "/api/user/me"
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._refused_seconds = refused_cache_seconds
        self._cache: dict[str, tuple[float, Admin]] = {}
        self._refused: dict[str, float] = {}

    async def admin_for(self, token: str) -> Admin:
        """The admin this token belongs to; 401 for a bad token, 403 for a non-admin."""
        if len(token) > MAX_TOKEN_LENGTH or not TOKEN_SHAPE.fullmatch(token):
            raise Unauthorized("unauthorized")
        key = _key(token)
        now = self._clock.monotonic()
        if now - self._refused.get(key, -self._refused_seconds) < self._refused_seconds:
            raise Unauthorized("unauthorized")
        cached = self._cache.get(key)
        if cached and now - cached[0] < self._cache_seconds:
            return cached[1]
        try:
            admin = await self._ask_service(token)
        except Unauthorized:
            self._remember_refused(key, now)
            raise
        self._cache = {k: v for k, v in self._cache.items() if now - v[0] < self._cache_seconds}
        self._cache[key] = (now, admin)
        return admin

    async def logout(self, token: str) -> None:
        """Revoke the token at the service (`DELETE /api/auth`) and forget it here."""
        self._cache.pop(_key(token), None)
        try:
            response = await self._http.delete(
                self._service_url + "/api/auth",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10.0,
            )
        except httpx.HTTPError as error:
            raise ServiceUnreachable("the pizza service did not answer the logout") from error
        if response.status_code not in (200, 401):
            raise ServiceUnreachable(f"the logout got HTTP {response.status_code}")
        self._remember_refused(_key(token), self._clock.monotonic())

    def _remember_refused(self, key: str, now: float) -> None:
        if len(self._refused) >= MAX_REFUSED:
            self._refused = {
                k: at for k, at in self._refused.items() if now - at < self._refused_seconds
            }
            while len(self._refused) >= MAX_REFUSED:
                del self._refused[next(iter(self._refused))]
        self._refused[key] = now

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


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
