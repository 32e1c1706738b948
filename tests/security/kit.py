"""Attacks against the real apps: both served by uvicorn on loopback ports (see
`tests/support/live.py`), driven over HTTP the way someone with curl would."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx

DINER = {"email": "d@jwt.com", "password": "diner"}
ADMIN = {"email": "a@jwt.com", "password": "admin"}


def login(client: httpx.Client, credentials: dict[str, str]) -> tuple[int, str]:
    """The user id and token of a login that must succeed."""
    response = client.put("/api/auth", json=credentials)
    assert response.status_code == 200, response.text
    body = response.json()
    return int(body["user"]["id"]), str(body["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register(client: httpx.Client, name: str, email: str, password: str) -> tuple[int, str]:
    response = client.post("/api/auth", json={"name": name, "email": email, "password": password})
    assert response.status_code == 200, response.text
    return int(response.json()["user"]["id"]), str(response.json()["token"])


def at_once(
    base_url: str,
    requests: Iterable[tuple[str, str, dict[str, Any]]],
    delays: Iterable[float] | None = None,
) -> list[int]:
    """Send every `(method, path, kwargs)` concurrently (each after its delay, if given);
    their statuses, in order."""
    requests = list(requests)
    waits = list(delays) if delays is not None else [0.0] * len(requests)

    async def run() -> list[int]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:

            async def send(wait: float, method: str, path: str, kwargs: dict[str, Any]) -> int:
                await asyncio.sleep(wait)
                return (await client.request(method, path, **kwargs)).status_code

            return list(
                await asyncio.gather(
                    *(send(w, *request) for w, request in zip(waits, requests, strict=True))
                )
            )

    return asyncio.run(run())


def raw_request(base_url: str, head: str, body: bytes = b"") -> bytes:
    """Send a hand-written request; what the server answers before it closes the connection
    (or 5 seconds pass)."""
    url = urlsplit(base_url)
    answer = b""
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except TimeoutError:
            pass
    return answer
