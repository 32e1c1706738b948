"""a page escalates every alert group of one incident: its incident and groups

Revision ID: ops_0005
Revises: ops_0004_action_items
Create Date: 2026-12-07 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ops_0005"
down_revision: str | Sequence[str] | None = "ops_0004_action_items"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("ops_page") as batch:
        batch.add_column(sa.Column("incident_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("groups", sa.JSON(), nullable=True))
        batch.create_index(batch.f("ix_ops_page_incident_id"), ["incident_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("ops_page") as batch:
        batch.drop_index(batch.f("ix_ops_page_incident_id"))
        batch.drop_column("groups")
        batch.drop_column("incident_id")
