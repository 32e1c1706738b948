"""incidents, their roles, alerts and timeline entries

Revision ID: ops_0003
Revises: ops_0002
Create Date: 2026-11-25 16:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jwtpizza.db import UtcDateTime

revision: str = "ops_0003"
down_revision: str | Sequence[str] | None = "ops_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _child(name: str, *columns: sa.Column, unique: str) -> None:  # type: ignore[type-arg]
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["ops_incident.id"],
            name=op.f(f"fk_{name}_incident_id_ops_incident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("incident_id", unique, name=op.f(f"uq_{name}_incident_id")),
    )
    op.create_index(op.f(f"ix_{name}_incident_id"), name, ["incident_id"], unique=False)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ops_incident",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=True),
        sa.Column("declared_by", sa.String(length=200), nullable=False),
        sa.Column("declared_at", UtcDateTime(), nullable=False),
        sa.Column("acked_at", UtcDateTime(), nullable=True),
        sa.Column("acked_by", sa.String(length=200), nullable=True),
        sa.Column("mitigated_at", UtcDateTime(), nullable=True),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.Column("postmortem_at", UtcDateTime(), nullable=True),
        sa.Column("root_cause", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_incident")),
    )
    for column in ("status", "group_key", "root_cause"):
        op.create_index(op.f(f"ix_ops_incident_{column}"), "ops_incident", [column])
    _child(
        "ops_incident_role",
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        unique="role",
    )
    _child(
        "ops_incident_alert",
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("joined_at", UtcDateTime(), nullable=False),
        unique="fingerprint",
    )
    _child(
        "ops_incident_entry",
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("evidence", sa.String(length=2000), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        unique="key",
    )
    op.create_index(op.f("ix_ops_incident_entry_at"), "ops_incident_entry", ["at"])


def downgrade() -> None:
    """Downgrade schema."""
    for name in ("ops_incident_entry", "ops_incident_alert", "ops_incident_role"):
        op.drop_table(name)
    op.drop_table("ops_incident")
