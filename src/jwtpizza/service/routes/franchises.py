"""Routes under /api/franchise."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response
from pydantic import TypeAdapter

from jwtpizza.service.etags import etag_of, tagged_json
from jwtpizza.service.franchises import service
from jwtpizza.service.franchises.schemas import (
    AdminOut,
    FranchiseCreate,
    FranchiseCreated,
    FranchiseList,
    FranchiseOut,
    StoreCreate,
    StoreCreated,
    StoreList,
    StoreOut,
)
from jwtpizza.service.ids import FranchisePathId, PathId
from jwtpizza.service.routes.deps import (
    ContextDep,
    CurrentUser,
    FranchiseCreator,
    FranchiseDeleter,
    OptionalUser,
    PageParams,
    StoreCreator,
    StoreDeleter,
)

router = APIRouter(prefix="/api/franchise", tags=["franchises"])


@router.get("", response_model=FranchiseList)
async def list_franchises(
    paging: PageParams,
    user: OptionalUser,
    context: ContextDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """List franchises (pages start at 0; `*` in name is a wildcard; with an `ETag`)."""
    if not (user and user.is_admin):
        body, etag = await context.franchises.public_page(
            context.db, page=paging.page, limit=paging.limit, name=paging.name
        )
        return tagged_json(body, etag, if_none_match)
    async with context.db.reader() as session:
        rows, more = await service.list_franchises(
            session=session, page=paging.page, limit=paging.limit, name_filter=paging.name
        )
        franchises = await service.describe(session=session, franchises=rows, with_admin_view=True)
    body = FranchiseList(franchises=franchises, more=more).model_dump_json().encode()
    return tagged_json(body, etag_of(body), if_none_match)


_FRANCHISE_LIST = TypeAdapter(list[FranchiseOut])


@router.get("/{user_id}", response_model=list[FranchiseOut])
async def user_franchises(
    user_id: PathId,
    user: CurrentUser,
    context: ContextDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """List a user's franchises (yourself, or anyone as admin; with an `ETag`)."""
    franchises: list[FranchiseOut] = []
    if user.id == user_id or user.is_admin:
        async with context.db.reader() as session:
            rows = await service.for_user(session=session, user_id=user_id)
            franchises = await service.describe(
                session=session, franchises=rows, with_admin_view=True
            )
    body = _FRANCHISE_LIST.dump_json(franchises)
    return tagged_json(body, etag_of(body), if_none_match)


@router.post("")
async def create_franchise(
    body: FranchiseCreate, _admin: FranchiseCreator, context: ContextDep
) -> FranchiseCreated:
    """Create a franchise (admin)."""
    async with context.db.writer() as session:
        franchise, admins = await service.create(
            session=session, name=body.name, admin_emails=[a.email for a in body.admins]
        )
    return FranchiseCreated(
        name=franchise.name,
        admins=[AdminOut(id=u.id, name=u.name, email=u.email) for u in admins],
        id=franchise.id,
    )


@router.delete("/{franchise_id}")
async def delete_franchise(
    franchise_id: PathId, _admin: FranchiseDeleter, context: ContextDep
) -> dict[str, str]:
    """Delete a franchise and its stores (admin)."""
    async with context.db.writer() as session:
        await service.delete_franchise(session=session, franchise_id=franchise_id)
    return {"message": "franchise deleted"}


@router.get("/{franchise_id}/store")
async def list_stores(franchise_id: PathId, paging: PageParams, context: ContextDep) -> StoreList:
    """List a franchise's stores, a page at a time (pages start at 0)."""
    async with context.db.reader() as session:
        rows, more = await service.list_stores(
            session=session, franchise_id=franchise_id, page=paging.page, limit=paging.limit
        )
    return StoreList(stores=[StoreOut(id=s.id, name=s.name) for s in rows], more=more)


@router.post("/{franchise_id}/store")
async def create_store(
    franchise_id: FranchisePathId, body: StoreCreate, _user: StoreCreator, context: ContextDep
) -> StoreCreated:
    """Create a store (admin, or a franchisee of the franchise)."""
    async with context.db.writer() as session:
        store = await service.create_store(
            session=session,
            franchise_id=franchise_id,
            name=body.name,
            max_stores=context.settings.max_stores_per_franchise,
        )
    return StoreCreated(id=store.id, franchiseId=store.franchise_id, name=store.name)


@router.delete("/{franchise_id}/store/{store_id}")
async def delete_store(
    franchise_id: FranchisePathId, store_id: PathId, _user: StoreDeleter, context: ContextDep
) -> dict[str, str]:
    """Delete a store (admin, or a franchisee of the franchise)."""
    async with context.db.writer() as session:
        await service.delete_store(session=session, franchise_id=franchise_id, store_id=store_id)
    return {"message": "store deleted"}
