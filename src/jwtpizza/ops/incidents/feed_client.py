"""The components' HTTP feeds ops reads for incidents (the port and its one real adapter).

Ops imports neither the service nor the factory: it reads the factory's chaos feed with an
admin vendor key, and the service's logs, order ledger and integrity check with an admin
login, as any monitoring system would. A feed that cannot be read gives nothing (and a
warning), never an error: the incident goes on without it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import httpx

from jwtpizza.errors import InvalidInput, Unavailable
from jwtpizza.ops.incidents.feed_parsing import same_origin
from jwtpizza.ops.incidents.ledger import Ledger
from jwtpizza.ops.incidents.settings import IncidentSettings

log = logging.getLogger("jwtpizza.ops.incidents")

LOG_LIMIT = 1000
# The log searches whose records can become timeline entries.
LOG_QUERIES: tuple[dict[str, str], ...] = (
    {"status": "5xx"},
    {"type": "resilience"},
    {"q": "/api/support/", "level": "error"},
)


class Feeds:
    """Reads the chaos feed, log search, order ledger and integrity check over HTTP."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        service_url: str,
        factory_url: str,
        settings: IncidentSettings,
    ) -> None:
        self._http = http
        self.service_url = service_url.rstrip("/")
        self.factory_url = factory_url.rstrip("/")
        self._settings = settings
        self._token: str | None = None

    async def _service_token(self, *, fresh: bool = False) -> str | None:
        s = self._settings
        if s.service_email is None or s.service_password is None:
            return None
        if self._token is None or fresh:
            body = {"email": s.service_email, "password": s.service_password.get_secret_value()}
            response = await self._http.put(f"{self.service_url}/api/auth", json=body, timeout=10)
            if response.status_code != 200:
                log.warning("ops could not log in to the service: HTTP %s", response.status_code)
                return None
            self._token = str(response.json()["token"])
        return self._token

    async def _service_get(self, path: str, params: dict[str, str]) -> httpx.Response | None:
        for fresh in (False, True):
            token = await self._service_token(fresh=fresh)
            if token is None:
                return None
            response = await self._http.get(
                self.service_url + path,
                params=params,
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
            if response.status_code != 401:
                return response
        return None

    def _scrape_headers(self) -> dict[str, str]:
        token = self._settings.service_scrape_token
        return {} if token is None else {"Authorization": f"Bearer {token.get_secret_value()}"}

    def _factory_headers(self) -> dict[str, str] | None:
        key = self._settings.factory_api_key
        return None if key is None else {"Authorization": f"Bearer {key.get_secret_value()}"}

    async def chaos_events(self, since: datetime) -> list[dict[str, Any]]:
        """The factory's chaos events since `since` (every vendor's, with an admin key)."""
        headers = self._factory_headers()
        if headers is None:
            return []
        try:
            response = await self._http.get(
                f"{self.factory_url}/api/chaos/events",
                params={"since": since.isoformat()},
                headers=headers,
                timeout=10,
            )
        except httpx.HTTPError as error:
            log.warning("chaos feed unreadable: %s", type(error).__name__)
            return []
        if response.status_code != 200:
            log.warning("chaos feed answered HTTP %s", response.status_code)
            return []
        events: list[dict[str, Any]] = response.json()["events"]
        return events

    async def logs(self, component: str, since: datetime) -> list[dict[str, Any]]:
        """The records of `component` (service or factory) that can become timeline facts."""
        found: dict[tuple[str, str, str], dict[str, Any]] = {}
        for query in LOG_QUERIES:
            params = {**query, "since": since.isoformat(), "limit": str(LOG_LIMIT)}
            for record in await self.search_logs(component, params):
                key = (
                    str(record.get("time")),
                    str(record.get("requestId")),
                    str(record.get("msg")),
                )
                found[key] = record
        return sorted(found.values(), key=lambda r: str(r.get("time")))

    async def search_logs(self, component: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """One log search of `component` (its `GET /api/ops/logs`); nothing if unreadable."""
        try:
            return await self.query_logs(component, params)
        except (InvalidInput, Unavailable) as error:
            log.warning("%s logs unreadable: %s", component, error.message)
            return []

    async def query_logs(self, component: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """One log search of `component`; a filter it refuses is a 400 with its message, a
        search that cannot be made a 503."""
        try:
            if component == "service":
                response = await self._service_get("/api/ops/logs", params)
            else:
                headers = self._factory_headers()
                response = (
                    None
                    if headers is None
                    else await self._http.get(
                        f"{self.factory_url}/api/ops/logs",
                        params=params,
                        headers=headers,
                        timeout=10,
                    )
                )
        except httpx.HTTPError as error:
            raise Unavailable(f"the {component} did not answer ({type(error).__name__})") from error
        if response is None:
            raise Unavailable(f"ops has no credentials for the {component} logs")
        if response.status_code == 400:
            raise InvalidInput(f"{component}: {_message(response)}")
        if response.status_code != 200:
            raise Unavailable(f"the {component} log search answered HTTP {response.status_code}")
        logs: list[dict[str, Any]] = response.json()["logs"]
        return logs

    async def factory_admin(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        """A call to the factory's admin API with ops's admin vendor key: status and body."""
        headers = self._factory_headers()
        if headers is None:
            raise Unavailable(
                "ops has no factory admin key (JWTPIZZA_OPS_INCIDENTS_FACTORY_API_KEY)"
            )
        try:
            response = await self._http.request(
                method, self.factory_url + path, json=body, headers=headers, timeout=10
            )
        except httpx.HTTPError as error:
            raise Unavailable(f"the factory did not answer ({type(error).__name__})") from error
        return response.status_code, response.json() if response.content else None

    def base_url(self, component: str) -> str:
        return self.service_url if component == "service" else self.factory_url

    async def ledger(self, start: datetime, end: datetime) -> Ledger | None:
        """The service's order ledger for [start, end), or None when it cannot be read."""
        params = {"from": start.isoformat(), "to": end.isoformat()}
        try:
            response = await self._service_get("/api/order/stats", params)
        except httpx.HTTPError as error:
            log.warning("order ledger unreadable: %s", type(error).__name__)
            return None
        if response is None or response.status_code != 200:
            return None
        return Ledger.from_json(response.json())

    def is_factory_link(self, url: str) -> bool:
        """Whether `url` is on the configured factory (same scheme, host and port): the only
        report links ops shows or follows."""
        return same_origin(url, self.factory_url)

    async def follow(self, url: str) -> tuple[int, str]:
        """Follow a report link (no credentials: the link carries an opaque fault token); one
        to any other host than the factory's is not followed."""
        if not self.is_factory_link(url):
            return 0, "not followed: the link is not on the configured factory"
        try:
            response = await self._http.get(url, timeout=10)
        except httpx.HTTPError as error:
            return 0, f"unreachable ({type(error).__name__})"
        try:
            message = str(response.json().get("message", ""))
        except ValueError:
            message = response.text[:200]
        return response.status_code, message

    async def integrity(self) -> dict[str, Any] | None:
        """The service's integrity check (`GET /api/health/integrity`)."""
        try:
            response = await self._http.get(
                f"{self.service_url}/api/health/integrity",
                headers=self._scrape_headers(),
                timeout=10,
            )
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        return body

    async def repair(self) -> dict[str, Any] | None:
        """Run the service's safe integrity repairs (admin); their actions and the re-check."""
        for fresh in (False, True):
            token = await self._service_token(fresh=fresh)
            if token is None:
                return None
            try:
                response = await self._http.post(
                    f"{self.service_url}/api/health/integrity/repair",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30,
                )
            except httpx.HTTPError:
                return None
            if response.status_code == 200:
                body: dict[str, Any] = response.json()
                return body
            if response.status_code != 401:
                return None
        return None


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message", ""))[:200]
    except ValueError:
        return response.text[:200]
