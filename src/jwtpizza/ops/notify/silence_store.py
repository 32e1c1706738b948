"""Silences in the ops database: create, list, expire, and the active ones for dispatch."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.db import Database
from jwtpizza.errors import Conflict, InvalidInput, NotFound
from jwtpizza.ops.notify.matchers import Matcher
from jwtpizza.ops.notify.models import Silence
from jwtpizza.ops.notify.muting import SilenceWindow, check_new_silence
from jwtpizza.ops.notify.schemas import MatcherIn, SilenceCreate, SilencePublic

DEFAULT_SILENCE = timedelta(hours=1)


def state_of(silence: Silence, now: datetime) -> str:
    if silence.ends_at <= now:
        return "expired"
    return "active" if silence.starts_at <= now else "pending"


def matchers_of(silence: Silence) -> tuple[Matcher, ...]:
    return tuple(MatcherIn.model_validate(m).to_matcher() for m in silence.matchers)


def public(silence: Silence, now: datetime) -> SilencePublic:
    return SilencePublic(
        id=silence.id,
        matchers=[MatcherIn.model_validate(m) for m in silence.matchers],
        starts_at=silence.starts_at,
        ends_at=silence.ends_at,
        created_by=silence.created_by,
        comment=silence.comment,
        state=state_of(silence, now),
    )


async def create(*, session: AsyncSession, spec: SilenceCreate, by: str, now: datetime) -> Silence:
    """Store a silence; one with no matcher, or matching everything, is refused."""
    matchers = spec.parsed_matchers()
    starts = spec.starts_at or now
    if spec.ends_at is not None and spec.duration_seconds is not None:
        raise InvalidInput("give endsAt or durationSeconds, not both")
    if spec.ends_at is not None:
        ends = spec.ends_at
    else:
        seconds = spec.duration_seconds
        ends = starts + (timedelta(seconds=seconds) if seconds else DEFAULT_SILENCE)
    check_new_silence(matchers, starts, ends)
    silence = Silence(
        matchers=[MatcherIn.of(m).model_dump(by_alias=True) for m in matchers],
        starts_at=starts,
        ends_at=ends,
        created_by=spec.created_by or by,
        comment=spec.comment,
        created_at=now,
    )
    session.add(silence)
    await session.flush()
    return silence


async def list_silences(
    *, session: AsyncSession, now: datetime, state: str | None = None
) -> list[Silence]:
    rows = await session.scalars(select(Silence).order_by(Silence.id.desc()))
    return [s for s in rows if state is None or state_of(s, now) == state]


async def expire(*, session: AsyncSession, silence_id: int, now: datetime) -> Silence:
    silence = await session.get(Silence, silence_id)
    if silence is None:
        raise NotFound(f"no silence {silence_id}")
    if silence.ends_at <= now:
        raise Conflict(f"silence {silence_id} has already expired")
    silence.starts_at, silence.ends_at = min(silence.starts_at, now), now
    return silence


async def active_windows(db: Database, now: datetime) -> list[SilenceWindow]:
    """The silences in force at `now`, as the dispatcher reads them."""
    async with db.reader() as session:
        query = select(Silence).where(Silence.starts_at <= now, Silence.ends_at > now)
        rows = await session.scalars(query)
        return [SilenceWindow(s.id, matchers_of(s), s.starts_at, s.ends_at) for s in rows]
