"""Silences over HTTP (admin): `/api/ops/silences`."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from jwtpizza.ops.deps import AdminUser, ContextDep, ReaderDep, RowId, SessionDep
from jwtpizza.ops.notify import silence_store
from jwtpizza.ops.notify.schemas import SilenceCreate, SilencePublic

router = APIRouter(prefix="/api/ops/silences", tags=["silences"])


@router.get("")
async def list_silences(
    session: ReaderDep,
    context: ContextDep,
    _admin: AdminUser,
    state: Literal["pending", "active", "expired"] | None = Query(default=None),
) -> list[SilencePublic]:
    """Silences, newest first (optionally only pending, active or expired ones)."""
    now = context.clock.now()
    rows = await silence_store.list_silences(session=session, now=now, state=state)
    return [silence_store.public(s, now) for s in rows]


@router.post("", status_code=201)
async def create_silence(
    spec: SilenceCreate, session: SessionDep, context: ContextDep, admin: AdminUser
) -> SilencePublic:
    """Mute the alerts the matchers select until the silence ends."""
    now = context.clock.now()
    silence = await silence_store.create(session=session, spec=spec, by=admin.email, now=now)
    return silence_store.public(silence, now)


@router.delete("/{silence_id}")
async def expire_silence(
    silence_id: RowId, session: SessionDep, context: ContextDep, _admin: AdminUser
) -> SilencePublic:
    """End a silence now."""
    now = context.clock.now()
    silence = await silence_store.expire(session=session, silence_id=silence_id, now=now)
    return silence_store.public(silence, now)
