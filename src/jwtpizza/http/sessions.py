"""A request's database session as a dependency, for a component whose context holds its
`Database` (the factory's and ops'): one reader or one writer session per request.

    sessions = database_sessions(get_context)
    ReaderDep = Annotated[AsyncSession, Depends(sessions.reader)]
    SessionDep = Annotated[AsyncSession, Depends(sessions.writer)]
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.db import Database

SessionDependency = Callable[..., AsyncIterator[AsyncSession]]


class HasDatabase(Protocol):
    db: Database


@dataclass(frozen=True)
class Sessions:
    reader: SessionDependency
    writer: SessionDependency


def database_sessions(get_context: Callable[..., Awaitable[HasDatabase]]) -> Sessions:
    """The two session dependencies over the database of the context `get_context` gives."""

    async def reader_session(
        context: HasDatabase = Depends(get_context),
    ) -> AsyncIterator[AsyncSession]:
        async with context.db.reader() as session:
            yield session

    async def writer_session(
        context: HasDatabase = Depends(get_context),
    ) -> AsyncIterator[AsyncSession]:
        async with context.db.writer() as session:
            yield session

    return Sessions(reader=reader_session, writer=writer_session)
