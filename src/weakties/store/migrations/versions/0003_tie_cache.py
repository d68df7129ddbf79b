"""tie strength cache

Revision ID: 0003_tie_cache
Revises: 0002_knows_merge_queue
Create Date: 2026-11-28 09:00:44.859336
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_tie_cache"
down_revision = "0002_knows_merge_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "tie",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_tie_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_tie")),
    )
    with op.batch_alter_table("tie", schema=None) as batch_op:
        batch_op.create_index("ix_tie_strength", ["strength"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("tie", schema=None) as batch_op:
        batch_op.drop_index("ix_tie_strength")

    op.drop_table("tie")
