"""The pages' client for a component's HTTP API.

Pages reach the service (or the factory) through its public API, not its service functions,
so their traffic passes the same auth, rate limits, metrics and logs as any client's. The
transport is `httpx.ASGITransport` to the very app serving the page: no socket and no second
port, yet the full middleware stack runs. Each call carries the browser's address, so the
API's per-address login limits see the person, not the web layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.requests import Request
from starlette.types import ASGIApp


class ApiError(Exception):
    """The API refused a call: its status and its `{"message": ...}`."""

    def __init__(self, status: int, message: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = body or {}


@dataclass
class ApiResult:
    status: int
    body: Any


class ApiClient:
    """JSON calls to `app` on behalf of one browser request, with its bearer token if any."""

    def __init__(self, app: ASGIApp, *, token: str | None, address: str) -> None:
        self._app = app
        self._token = token
        self._address = address

    @classmethod
    def for_request(cls, request: Request, token: str | None) -> ApiClient:
        address = request.client.host if request.client else "127.0.0.1"
        return cls(request.app, token=token, address=address)

    def with_token(self, token: str | None) -> ApiClient:
        return ApiClient(self._app, token=token, address=self._address)

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiResult:
        """One call; 4xx and 5xx answers raise `ApiError` with the API's message."""
        sent = {"Accept": "application/json", **(headers or {})}
        if self._token:
            sent["Authorization"] = f"Bearer {self._token}"
        # The app answers its own errors; never re-raise them into the page (they are logged).
        transport = httpx.ASGITransport(
            app=self._app, client=(self._address, 0), raise_app_exceptions=False
        )
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            response = await client.request(method, path, json=json, params=params, headers=sent)
        json_answer = response.headers.get("content-type", "").startswith("application/json")
        body = response.json() if response.content and json_answer else response.text or None
        if response.status_code >= 400:
            answer = body if isinstance(body, dict) else {}
            message = answer.get("message")
            raise ApiError(response.status_code, str(message or "request failed"), answer)
        return ApiResult(response.status_code, body)

    async def get(self, path: str, **params: Any) -> Any:
        return (await self.call("GET", path, params=params or None)).body

    async def post(self, path: str, json: Any = None) -> Any:
        return (await self.call("POST", path, json=json)).body

    async def put(self, path: str, json: Any = None) -> Any:
        return (await self.call("PUT", path, json=json)).body

    async def delete(self, path: str, json: Any = None) -> Any:
        return (await self.call("DELETE", path, json=json)).body
