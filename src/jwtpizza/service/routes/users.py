"""Routes under /api/user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from jwtpizza.errors import InvalidInput
from jwtpizza.service.auth.service import (
    delete_account,
    end_sessions,
    start_session,
    verify_current_password,
)
from jwtpizza.service.ids import PathId
from jwtpizza.service.routes.deps import (
    AdminUser,
    ClientAddress,
    ContextDep,
    CurrentUser,
    SelfOrAdmin,
)
from jwtpizza.service.users import service
from jwtpizza.service.users.schemas import UpdatedUser, UserList, UserMe, UserUpdate

router = APIRouter(prefix="/api/user", tags=["users"])


@router.get("/me")
async def get_me(user: CurrentUser) -> UserMe:
    """Get the authenticated user."""
    roles = service.roles_out(list(user.roles))
    return UserMe(id=user.id, name=user.name, email=user.email, roles=roles, iat=user.issued_at)


@router.put("/{user_id}")
async def update_user(
    user_id: PathId,
    body: UserUpdate,
    user: SelfOrAdmin,
    context: ContextDep,
    address: ClientAddress,
) -> UpdatedUser:
    """Update a user (yourself, or anyone as admin). Your own email or password needs
    `currentPassword`; a new password ends the user's other sessions."""
    settings = context.settings
    if user_id == user.id and (body.email is not None or body.password is not None):
        await verify_current_password(
            db=context.db,
            principal=user,
            password=body.currentPassword,
            address=address,
            limiter=context.limiter,
        )
    async with context.db.writer() as session:
        target = await service.get(session=session, user_id=user_id)
        target = await service.update(
            session=session,
            user=target,
            name=body.name,
            email=body.email,
            password=body.password,
            bcrypt_rounds=settings.bcrypt_rounds,
            password_min_length=settings.password_min_length,
        )
        if body.password is not None:
            keep = user.token_id if target.id == user.id else None
            await end_sessions(session=session, user_id=target.id, keep=keep)
        public = service.to_public(target)
        # A fresh token only for yourself: an admin never receives another user's token.
        token = None
        if target.id == user.id:
            token = await start_session(
                write=await context.db.plain_within(session),
                user=public,
                settings=context.tokens,
                now=context.clock.now(),
            )
    return UpdatedUser(user=public, token=token)


@router.get("")
async def list_users(
    _admin: AdminUser,
    context: ContextDep,
    page: Annotated[int, Query(ge=0, le=1_000_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    name: Annotated[str, Query(max_length=255)] = "*",
) -> UserList:
    """Gets a list of users (admin; pages start at 1)."""
    async with context.db.reader() as session:
        users, more = await service.list_users(
            session=session, page=max(page, 1), limit=limit, name_filter=name
        )
        return UserList(users=[service.to_public(u) for u in users], more=more)


@router.delete("/{user_id}")
async def delete_user(user_id: PathId, admin: AdminUser, context: ContextDep) -> dict[str, str]:
    """Delete a user (admin)."""
    if user_id == admin.id:
        raise InvalidInput("an admin cannot delete their own account")
    async with context.db.writer() as session:
        await delete_account(session=session, user_id=user_id)
    return {"message": "user deleted"}
