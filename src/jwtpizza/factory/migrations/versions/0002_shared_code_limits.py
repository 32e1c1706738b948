"""shared code limits: login-code requests every factory replica counts against

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_MOMENT = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "code_limit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("limit_key", sa.String(length=32), nullable=False),
        sa.Column("expires_at", _MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_limit_events")),
    )
    with op.batch_alter_table("code_limit_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_code_limit_events_limit_key_expires_at"),
            ["limit_key", "expires_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_code_limit_events_expires_at"), ["expires_at"], unique=False
        )
    # One row whose lock every check-and-count takes first, so replicas count one at a time.
    op.create_table(
        "code_limit_lock",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_code_limit_lock")),
    )
    lock = sa.table("code_limit_lock", sa.column("name"), sa.column("version"))
    op.bulk_insert(lock, [{"name": "codes", "version": 0}])


def downgrade() -> None:
    op.drop_table("code_limit_lock")
    op.drop_table("code_limit_events")
