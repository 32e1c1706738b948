"""alert state transition history

Revision ID: ops_0001
Revises:
Create Date: 2026-11-25 16:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jwtpizza.db import UtcDateTime

revision: str = "ops_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ops_alert_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=2000), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("annotations", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("previous", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("active_at", UtcDateTime(), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_alert_event")),
    )
    with op.batch_alter_table("ops_alert_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ops_alert_event_rule"), ["rule"], unique=False)
        batch_op.create_index(batch_op.f("ix_ops_alert_event_at"), ["at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("ops_alert_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ops_alert_event_at"))
        batch_op.drop_index(batch_op.f("ix_ops_alert_event_rule"))
    op.drop_table("ops_alert_event")
