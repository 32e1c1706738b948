"""fractional seconds on MariaDB/MySQL: the first schema's moments kept whole seconds there

The models ask for DATETIME(6) on MariaDB/MySQL (`UtcDateTime`), but the first migration made
plain DATETIME columns, so an order's `created_at` and a job's `lease_until` lost their
fractions there. SQLite and PostgreSQL already keep microseconds: nothing to do on them.

Revision ID: 0004
Revises: 0003
"""

from alembic import op
from sqlalchemy.dialects import mysql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (table, column, nullable)
_MOMENTS = [
    ("orders", "created_at", False),
    ("orders", "updated_at", False),
    ("fulfilment_jobs", "available_at", False),
    ("fulfilment_jobs", "lease_until", True),
    ("sessions", "created_at", False),
    ("sessions", "expires_at", False),
]


def _retype(to: mysql.DATETIME, was: mysql.DATETIME) -> None:
    if op.get_bind().dialect.name not in ("mysql", "mariadb"):
        return
    for table, column, nullable in _MOMENTS:
        op.alter_column(table, column, type_=to, existing_type=was, existing_nullable=nullable)


def upgrade() -> None:
    _retype(mysql.DATETIME(fsp=6), mysql.DATETIME())


def downgrade() -> None:
    _retype(mysql.DATETIME(), mysql.DATETIME(fsp=6))
