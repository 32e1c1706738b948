"""The database room: one module per concern.

- `database`: `Database`, a component's reader and writer sessions, retries and errors;
- `engines`: the pooled engines for SQLite, MariaDB/MySQL and PostgreSQL;
- `sqlite`: the aiosqlite connection that runs statements on the event loop's thread;
- `plain` and `statements`: the one door for raw SQL, the driver calls (`PlainWrite`,
  `read_plain`) and every statement written by hand. An import contract keeps SQL text out
  of every other package;
- `types`: column types (`UtcDateTime`); `naming`: the constraint naming convention;
- `migrate`: running a component's Alembic migrations (imported on its own: it needs Alembic).
"""

from jwtpizza.db.database import (
    TRANSACTION_ATTEMPTS,
    Database,
    hold_after_commit,
    is_integrity_error,
    is_retryable,
)
from jwtpizza.db.engines import dialect_of
from jwtpizza.db.plain import PlainWrite, StatementWatch
from jwtpizza.db.sqlite import CHECKPOINT_EVERY
from jwtpizza.db.types import UtcDateTime, naive_utc, utc_time

__all__ = [
    "CHECKPOINT_EVERY",
    "TRANSACTION_ATTEMPTS",
    "Database",
    "PlainWrite",
    "StatementWatch",
    "UtcDateTime",
    "dialect_of",
    "hold_after_commit",
    "is_integrity_error",
    "is_retryable",
    "naive_utc",
    "utc_time",
]
