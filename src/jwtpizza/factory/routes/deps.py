"""Dependencies declared once, as `Annotated` aliases routes use in their signatures.

They are all `async def`: FastAPI runs a plain `def` dependency in a worker thread, a hop
that cost more than the work of most of these.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.errors import Unauthorized
from jwtpizza.factory.accounts import Vendor
from jwtpizza.factory.context import FactoryContext
from jwtpizza.factory.vendors import service as vendors
from jwtpizza.http.bearer import bearer_token
from jwtpizza.http.sessions import database_sessions

INVALID_AUTH = "invalid authentication"


async def get_context(request: Request) -> FactoryContext:
    context = request.app.state.context
    assert isinstance(context, FactoryContext)
    return context


ContextDep = Annotated[FactoryContext, Depends(get_context)]
sessions = database_sessions(get_context)
ReaderDep = Annotated[AsyncSession, Depends(sessions.reader)]
SessionDep = Annotated[AsyncSession, Depends(sessions.writer)]


ApiKey = Annotated[str | None, Header(alias="Authorization", include_in_schema=False)]


async def presented_key(authorization: ApiKey = None) -> str | None:
    """The API key the caller presented, checked by the route itself (orders apply chaos first)."""
    return bearer_token(authorization, bare=True)


PresentedKeyDep = Annotated[str | None, Depends(presented_key)]


async def current_vendor(context: ContextDep, authorization: ApiKey = None) -> Vendor:
    key = bearer_token(authorization, bare=True)
    if key is None:
        raise Unauthorized(INVALID_AUTH)
    async with context.db.reader() as session:
        vendor = await vendors.get_by_api_key(session=session, api_key=key)
    if vendor is None:
        raise Unauthorized(INVALID_AUTH)
    return vendor


VendorDep = Annotated[Vendor, Depends(current_vendor)]


async def optional_admin(context: ContextDep, authorization: ApiKey = None) -> Vendor | None:
    """The calling admin vendor, or None for anyone else (anonymous or not an admin)."""
    key = bearer_token(authorization, bare=True)
    if key is None:
        return None
    async with context.db.reader() as session:
        vendor = await vendors.get_by_api_key(session=session, api_key=key)
    return vendor if vendor is not None and vendor.is_admin else None


OptionalAdminDep = Annotated[Vendor | None, Depends(optional_admin)]


async def admin_vendor(vendor: VendorDep) -> Vendor:
    if not vendor.is_admin:
        raise Unauthorized(INVALID_AUTH)
    return vendor


AdminVendorDep = Annotated[Vendor, Depends(admin_vendor)]


async def client_address(request: Request) -> str:
    """The caller's address as the server saw it (per-address limits)."""
    return request.client.host if request.client else "unknown"


ClientAddressDep = Annotated[str, Depends(client_address)]
