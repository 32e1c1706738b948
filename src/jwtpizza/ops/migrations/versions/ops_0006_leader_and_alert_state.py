"""active/standby ops: the leader lease, and the rules' pending and firing alerts

Revision ID: ops_0006_leader_and_alert_state
Revises: ops_0005
Create Date: 2026-12-07 12:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jwtpizza.db import UtcDateTime

revision: str = "ops_0006_leader_and_alert_state"
down_revision: str | Sequence[str] | None = "ops_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ops_leader_lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("acquired_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ops_leader_lease")),
    )
    op.create_table(
        "ops_alert_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("group", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("annotations", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("active_at", UtcDateTime(), nullable=False),
        sa.Column("fired_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_ops_alert_state")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("ops_alert_state")
    op.drop_table("ops_leader_lease")
