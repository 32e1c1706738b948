"""shared limits and the franchise stamp: login and registration limits every worker counts
against, and a version stamp for every replica's cached franchise lists

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_MOMENT = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "limit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("attempt", sa.String(length=32), nullable=True),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("expires_at", _MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_limit_events")),
    )
    with op.batch_alter_table("limit_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_limit_events_key_expires_at"), ["key", "expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_limit_events_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_limit_events_attempt"), ["attempt"], unique=False)
    versions = sa.table("data_versions", sa.column("name"), sa.column("version"))
    op.bulk_insert(
        versions, [{"name": "franchises", "version": 0}, {"name": "limits", "version": 0}]
    )


def downgrade() -> None:
    op.execute("DELETE FROM data_versions WHERE name IN ('franchises', 'limits')")
    op.drop_table("limit_events")
