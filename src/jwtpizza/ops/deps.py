"""Dependencies declared once, as `Annotated` aliases routes use in their signatures."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.errors import Unauthorized
from jwtpizza.http.bearer import bearer_token
from jwtpizza.http.sessions import database_sessions
from jwtpizza.ops.admins import Admin
from jwtpizza.ops.context import OpsContext


async def get_context(request: Request) -> OpsContext:
    context = request.app.state.ops.context
    assert isinstance(context, OpsContext)
    return context


ContextDep = Annotated[OpsContext, Depends(get_context)]
sessions = database_sessions(get_context)
SessionDep = Annotated[AsyncSession, Depends(sessions.writer)]
# The id of a row in a path: a larger number is a 400, not an overflow in the database driver.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
ReaderDep = Annotated[AsyncSession, Depends(sessions.reader)]


async def admin_user(request: Request, context: ContextDep) -> Admin:
    """The caller, if the pizza service says their token is an admin's; else 401/403."""
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise Unauthorized("unauthorized")
    admin = await context.admins.admin_for(token)
    request.state.user_id = admin.id
    return admin


AdminUser = Annotated[Admin, Depends(admin_user)]
