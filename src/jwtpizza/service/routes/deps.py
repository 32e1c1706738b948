"""Request dependencies, declared once as `Annotated` aliases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Query, Request

from jwtpizza.errors import Forbidden, Unauthorized
from jwtpizza.http.bearer import bearer_token
from jwtpizza.service.auth.principal import Principal
from jwtpizza.service.context import ServiceContext
from jwtpizza.service.ids import FranchisePathId, PathId


async def get_context(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.context
    return context


ContextDep = Annotated[ServiceContext, Depends(get_context)]


async def optional_user(request: Request, context: ContextDep) -> Principal | None:
    """The caller if they sent a valid token, else None."""
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return None
    try:
        principal = await context.principals.authenticate(
            db=context.db, token=token, secret=context.tokens.secret, now=context.clock.now()
        )
    except Unauthorized:
        return None
    request.state.user_id = principal.id
    return principal


OptionalUser = Annotated[Principal | None, Depends(optional_user)]


async def current_user(user: OptionalUser) -> Principal:
    """The caller; 401 "unauthorized" without a valid token."""
    if user is None:
        raise Unauthorized("unauthorized")
    return user


CurrentUser = Annotated[Principal, Depends(current_user)]


def admin_only(message: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only admins through, with the original's 403 message."""

    async def check(user: CurrentUser) -> Principal:
        if not user.is_admin:
            raise Forbidden(message)
        return user

    return check


AdminUser = Annotated[Principal, Depends(admin_only("unauthorized"))]
MenuAdmin = Annotated[Principal, Depends(admin_only("unable to add menu item"))]
FranchiseCreator = Annotated[Principal, Depends(admin_only("unable to create a franchise"))]
FranchiseDeleter = Annotated[Principal, Depends(admin_only("unable to delete a franchise"))]


def franchise_manager(message: str) -> Callable[[int, Principal], Awaitable[Principal]]:
    """Admins, or franchisees of the `franchise_id` in the path; else 403 with `message`."""

    async def check(franchise_id: FranchisePathId, user: CurrentUser) -> Principal:
        if not user.may_manage_franchise(franchise_id):
            raise Forbidden(message)
        return user

    return check


StoreCreator = Annotated[Principal, Depends(franchise_manager("unable to create a store"))]
StoreDeleter = Annotated[Principal, Depends(franchise_manager("unable to delete a store"))]


async def self_or_admin(user_id: PathId, user: CurrentUser) -> Principal:
    """The user named in the path, or an admin; else 403 "unauthorized"."""
    if user.id != user_id and not user.is_admin:
        raise Forbidden("unauthorized")
    return user


SelfOrAdmin = Annotated[Principal, Depends(self_or_admin)]


async def scraper(request: Request) -> None:
    """Business figures (integrity, like /metrics) only with the scrape token, if one is set."""
    await request.app.state.observability.scrape_guard(request)


Scraper = Annotated[None, Depends(scraper)]


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]


class Paging:
    """`page`, `limit` and the `*`-wildcard `name` filter of list endpoints."""

    def __init__(
        self,
        page: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
        name: Annotated[str, Query(max_length=255)] = "*",
    ) -> None:
        self.page = page
        self.limit = limit
        self.name = name


PageParams = Annotated[Paging, Depends()]
