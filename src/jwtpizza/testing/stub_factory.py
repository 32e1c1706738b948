"""A stand-in pizza factory that answers at once: RS256 pizzas, a JWKS, and switchable
failures. It speaks the factory's HTTP contract, so the service cannot tell it apart;
the benchmarks use it to measure the service alone, and service tests use it to script
upstream answers precisely."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


@dataclass
class StubBehaviour:
    """What the stub answers next: None for a pizza, else (status, body)."""

    failure: tuple[int, dict[str, Any]] | None = None
    bad_jwt: bool = False
    calls: list[dict[str, Any]] = field(default_factory=list)
    pizzas: dict[str, str] = field(default_factory=dict)


def create_stub_factory(behaviour: StubBehaviour | None = None) -> FastAPI:
    state = behaviour or StubBehaviour()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = uuid.uuid4().hex
    public_jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    app = FastAPI()
    app.state.behaviour = state

    @app.get("/.well-known/jwks.json")
    async def jwks() -> dict[str, Any]:
        return {"keys": [{**public_jwk, "kid": kid, "alg": "RS256", "use": "sig"}]}

    @app.post("/api/order", response_model=None)
    async def order(request: Request) -> JSONResponse | dict[str, Any]:
        body = await request.json()
        if "diner" not in body or "order" not in body:  # the service's breaker probe
            if state.failure is not None:
                return JSONResponse(state.failure[1], status_code=state.failure[0])
            return JSONResponse({"message": "Missing required parameters"}, status_code=400)
        idempotency_key = request.headers.get("idempotency-key", "")
        state.calls.append({"body": body, "key": idempotency_key})
        if state.failure is not None:
            status, payload = state.failure
            return JSONResponse(payload, status_code=status)
        if idempotency_key in state.pizzas:
            return {"jwt": state.pizzas[idempotency_key]}
        now = int(time.time())
        claims = {
            **body,
            "vendor": {"id": "stub", "name": "stub"},
            "iat": now,
            "exp": now + 86400,
            "iss": "stub",
        }
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
        if state.bad_jwt:
            token = token[:-8] + "deadbeef"
        state.pizzas[idempotency_key] = token
        return {"jwt": token}

    return app
