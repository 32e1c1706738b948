"""Engines: pooled (or not) SQLAlchemy engines for SQLite, MariaDB/MySQL and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from jwtpizza.db.sqlite import sqlite_engine


def dialect_of(url: str) -> str:
    """`sqlite`, `mysql` or `postgresql`."""
    name = make_url(url).get_backend_name()
    return "mysql" if name == "mariadb" else name


def engines(url: str, *, pooled: bool, pool_size: int) -> tuple[AsyncEngine, AsyncEngine]:
    """The writer's engine and the readers' for the database at `url`."""
    if dialect_of(url) == "sqlite":
        return (
            sqlite_engine(url, writer=True, pooled=pooled),
            sqlite_engine(url, writer=False, pooled=pooled),
        )
    return (
        server_engine(url, writer=True, pooled=pooled, pool_size=pool_size),
        server_engine(url, writer=False, pooled=pooled, pool_size=pool_size),
    )


def server_engine(url: str, *, writer: bool, pooled: bool, pool_size: int) -> AsyncEngine:
    reads: dict[str, Any] = {} if writer else {"isolation_level": "AUTOCOMMIT"}
    if not pooled:
        return create_async_engine(url, poolclass=NullPool, **reads)
    # Nothing to reset when a connection comes back to the pool: a reader holds no transaction
    # (autocommit), and a writer's ends in COMMIT or ROLLBACK before it does (a Connection or
    # Session closed inside one rolls it back; a PlainWrite ends its own or drops the
    # connection). On MariaDB the reset was a ROLLBACK round trip after every write.
    reads["pool_reset_on_return"] = None
    # No overflow: under steady load above the pool's size, SQLAlchemy closed each overflow
    # connection as it came back and opened another for the next request, a new server
    # connection (and its login) per request; waiting for a pooled one is far cheaper.
    return create_async_engine(url, pool_size=pool_size, max_overflow=0, pool_recycle=1800, **reads)
