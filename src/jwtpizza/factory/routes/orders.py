"""Order signing, verification and the public key set."""

from __future__ import annotations

from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Depends, Header, Request

from jwtpizza.errors import Forbidden
from jwtpizza.factory.orders import signing
from jwtpizza.factory.orders.schemas import OrderRequest, VerifyRequest
from jwtpizza.factory.orders.service import OrderDesk
from jwtpizza.factory.routes.deps import ContextDep, PresentedKeyDep

router = APIRouter()


async def get_desk(request: Request) -> OrderDesk:
    desk = request.app.state.desk
    assert isinstance(desk, OrderDesk)
    return desk


DeskDep = Annotated[OrderDesk, Depends(get_desk)]


@router.post("/api/order", tags=["order"])
async def make_pizza(
    body: OrderRequest,
    desk: DeskDep,
    api_key: PresentedKeyDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> dict[str, Any]:
    """Make a pizza: a signed JWT of `{vendor, diner, order}` (vendor API key required)."""
    return await desk.order(api_key=api_key, idempotency_key=idempotency_key, body=body)


@router.post("/api/order/verify", tags=["order"])
async def verify_pizza(body: VerifyRequest, context: ContextDep) -> dict[str, Any]:
    """Verify a pizza's signature, issuer and expiry."""
    await context.keys.fresh()
    try:
        payload = signing.verify(
            body.jwt or "", context.keys, issuer=context.settings.issuer, now=context.clock.now()
        )
    except jwt.InvalidTokenError:
        raise Forbidden("invalid") from None
    return {"message": "valid", "payload": payload}


@router.get("/.well-known/jwks.json", tags=["order"])
async def jwks(context: ContextDep) -> dict[str, Any]:
    """The public keys of pizzas that may still be valid (retired keys included)."""
    await context.keys.fresh()
    return context.keys.jwks()
