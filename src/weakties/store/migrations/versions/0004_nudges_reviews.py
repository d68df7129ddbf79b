"""nudge states and stored reviews

Revision ID: 0004_nudges_reviews
Revises: 0003_tie_cache
Create Date: 2026-11-28 09:09:11.987304
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_nudges_reviews"
down_revision = "0003_tie_cache"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "nudge_state",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_nudge_state")),
    )
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("closes_on", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint("month", name="uq_review_month"),
    )


def downgrade() -> None:

    op.drop_table("review")
    op.drop_table("nudge_state")
