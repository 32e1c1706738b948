"""The port to the pizza factory, and its httpx adapter.

The service reaches the factory over HTTP only. Every failure is a `FactoryError` with a
`reason` (the same low-cardinality values the metrics use), so callers decide between
retrying, queueing and rejecting without parsing messages. A pizza whose JWT does not
verify against the factory's JWKS is a failure (`bad_jwt`), never handed to a diner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import httpx
import jwt
import orjson

OVEN_FULL = "oven is full"


@dataclass(frozen=True)
class Pizza:
    jwt: str
    report_url: str | None = None


class FactoryError(Exception):
    """The factory did not make the pizza. `reason` says why, in one word."""

    def __init__(
        self,
        reason: str,
        message: str,
        *,
        status: int | None = None,
        report_url: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.status = status
        self.report_url = report_url
        self.retry_after = retry_after


class FactoryClient(Protocol):
    async def make_pizza(
        self, *, diner: dict[str, Any], order: dict[str, Any], idempotency_key: str
    ) -> Pizza:
        """A verified pizza for the order, or `FactoryError`."""
        ...

    async def probe(self) -> None:
        """Returns if the factory would take our orders now, else `FactoryError`."""
        ...

    async def aclose(self) -> None: ...


def reason_for(status: int, message: str, report_url: str | None) -> str:
    """The outcome reason of a non-2xx factory answer."""
    if status in (401, 403):
        return "auth_rejected"
    if status == 429:
        return "rate_limited"
    if status == 503 and OVEN_FULL in message.lower():
        return "oven_full"
    if 400 <= status < 500:
        return "invalid_order"
    return "chaos" if report_url else "error"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _refusal(response: httpx.Response, body: dict[str, Any]) -> FactoryError:
    """The error a factory answer other than the one asked for stands for."""
    report_url = body.get("reportUrl") if isinstance(body.get("reportUrl"), str) else None
    message = str(body.get("message", f"factory answered {response.status_code}"))
    return FactoryError(
        reason_for(response.status_code, message, report_url),
        message,
        status=response.status_code,
        report_url=report_url,
        retry_after=_retry_after(response),
    )


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx requests sent by aiohttp's client. With httpcore the factory call was a fifth of
    an order's CPU in the service's profile; through aiohttp (its C parser and pool) a pizza
    costs the client about half the CPU (`bench/factory_client.py`). aiohttp's failures
    become the httpx errors that mean the same: refused or unresolvable (`ConnectError`),
    timed out (`ConnectTimeout`, `ReadTimeout`), cut off or garbled (`ReadError`)."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._session is None:  # made on first use, inside the event loop that uses it
            self._session = aiohttp.ClientSession(auto_decompress=False)
        limits = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=limits.get("connect"), sock_read=limits.get("read")
        )
        try:
            async with self._session.request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=await request.aread(),
                allow_redirects=False,
                timeout=timeout,
            ) as answer:
                body = await answer.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc), request=request) from exc
        except (aiohttp.ServerTimeoutError, TimeoutError) as exc:
            raise httpx.ReadTimeout(str(exc), request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.ReadError(str(exc), request=request) from exc
        return httpx.Response(
            answer.status,
            headers=list(answer.raw_headers),
            stream=httpx.ByteStream(body),  # unread, as a transport's answer is
            request=request,
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


class HttpFactoryClient:
    """Orders pizzas over HTTP and verifies each against the factory's published keys.

    Requests go straight to the transport (by default aiohttp's; tests give an ASGI one),
    past `httpx.AsyncClient`, whose redirects, cookies, auth and hooks the factory's two
    calls never use: they were a fifth of the client's CPU per pizza."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float | None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._transport = transport or AiohttpTransport()
        limit = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
        self._extensions = {"timeout": limit}
        self._keys: dict[str, Any] = {}

    async def _send(
        self, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> httpx.Response:
        request = httpx.Request(
            method,
            self._base_url + path,
            content=body,
            headers=headers,
            extensions=self._extensions,
        )
        response = await self._transport.handle_async_request(request)
        await response.aread()
        return response

    async def make_pizza(
        self, *, diner: dict[str, Any], order: dict[str, Any], idempotency_key: str
    ) -> Pizza:
        response = await self._post_order(diner, order, idempotency_key)
        body = self._json(response)
        report_url = body.get("reportUrl") if isinstance(body.get("reportUrl"), str) else None
        if response.status_code >= 300:
            raise _refusal(response, body)
        token = body.get("jwt")
        if not isinstance(token, str) or not await self._verifies(token, order):
            raise FactoryError(
                "bad_jwt", "the factory's pizza did not verify", report_url=report_url
            )
        return Pizza(jwt=token, report_url=report_url)

    async def probe(self) -> None:
        """An empty order: the factory checks our key and applies our vendor's faults (an
        outage, `fail`, a refused key, a rate limit), then refuses the order itself with 400
        and makes no pizza, as the original does. So the 400 says the order path is open,
        which its health check or JWKS cannot: every chaos fault sits on the order path."""
        response = await self._post(b"{}", {})
        if response.status_code != 400:
            raise _refusal(response, self._json(response))

    async def _post_order(
        self, diner: dict[str, Any], order: dict[str, Any], idempotency_key: str
    ) -> httpx.Response:
        body = orjson.dumps({"diner": diner, "order": order})
        return await self._post(body, {"Idempotency-Key": idempotency_key})

    async def _post(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        """POST /api/order with our key; a timeout or an unreachable factory is a
        `FactoryError`."""
        try:
            return await self._send(
                "POST",
                "/api/order",
                body=body,
                headers={
                    "Authorization": f"Bearer {self._api_key}",
                    "Content-Type": "application/json",
                    **headers,
                },
            )
        except httpx.TimeoutException as exc:
            raise FactoryError("timeout", "the factory did not answer in time") from exc
        except httpx.TransportError as exc:
            raise FactoryError("outage", "the factory could not be reached") from exc

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            return {}
        return body if isinstance(body, dict) else {}

    async def _verifies(self, token: str, order: dict[str, Any]) -> bool:
        """Signed by a published key, unexpired, and for this very order (a correctly signed
        pizza for another order is as bad as a forged one)."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = await self._key(str(kid))
            if key is None:
                return False
            claims = jwt.decode(token, key, algorithms=["RS256"], options={"require": ["exp"]})
        except (jwt.PyJWTError, httpx.HTTPError):
            return False
        pizza_order = claims.get("order")
        if "id" not in order:
            return True
        return isinstance(pizza_order, dict) and pizza_order.get("id") == order["id"]

    async def _key(self, kid: str) -> Any:
        if kid not in self._keys:
            response = await self._send("GET", "/.well-known/jwks.json")
            if response.status_code != 200:
                return None
            for entry in self._json(response).get("keys", []):
                self._keys[str(entry.get("kid"))] = jwt.PyJWK(entry).key
        return self._keys.get(kid)

    async def aclose(self) -> None:
        await self._transport.aclose()
