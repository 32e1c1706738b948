"""action items (the learning loop, issue 24)

Revision ID: ops_0004_action_items
Revises: ops_0003
Create Date: 2026-12-07 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jwtpizza.db import UtcDateTime

revision: str = "ops_0004_action_items"
down_revision: str | Sequence[str] | None = "ops_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ops_action_item",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("done_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["ops_incident.id"],
            name=op.f("fk_ops_action_item_incident_id_ops_incident"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_action_item")),
    )
    for column in ("incident_id", "status"):
        op.create_index(op.f(f"ix_ops_action_item_{column}"), "ops_action_item", [column])


def downgrade() -> None:
    """Downgrade schema."""
    for column in ("status", "incident_id"):
        op.drop_index(op.f(f"ix_ops_action_item_{column}"), table_name="ops_action_item")
    op.drop_table("ops_action_item")
