"""silences, on-call pages, their notifications and used acknowledge tokens

Revision ID: ops_0002
Revises: ops_0001
Create Date: 2026-11-25 16:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jwtpizza.db import UtcDateTime

revision: str = "ops_0002"
down_revision: str | Sequence[str] | None = "ops_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ops_silence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("matchers", sa.JSON(), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_silence")),
    )
    with op.batch_alter_table("ops_silence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ops_silence_ends_at"), ["ends_at"], unique=False)
    op.create_table(
        "ops_page",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedup_key", sa.String(length=500), nullable=False),
        sa.Column("policy", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("next_step", sa.Integer(), nullable=False),
        sa.Column("next_step_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_page")),
    )
    with op.batch_alter_table("ops_page", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ops_page_dedup_key"), ["dedup_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_ops_page_status"), ["status"], unique=False)
    op.create_table(
        "ops_page_notification",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("receiver", sa.String(length=200), nullable=False),
        sa.Column("integration", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["ops_page.id"],
            name=op.f("fk_ops_page_notification_page_id_ops_page"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_page_notification")),
    )
    with op.batch_alter_table("ops_page_notification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ops_page_notification_page_id"), ["page_id"], unique=False
        )
    op.create_table(
        "ops_ack_token",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_ops_ack_token")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("ops_ack_token")
    with op.batch_alter_table("ops_page_notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ops_page_notification_page_id"))
    op.drop_table("ops_page_notification")
    with op.batch_alter_table("ops_page", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ops_page_status"))
        batch_op.drop_index(batch_op.f("ix_ops_page_dedup_key"))
    op.drop_table("ops_page")
    with op.batch_alter_table("ops_silence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ops_silence_ends_at"))
    op.drop_table("ops_silence")
