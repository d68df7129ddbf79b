"""knows evidence and merge review queue

Revision ID: 0002_knows_merge_queue
Revises: 0001_initial
Create Date: 2026-11-28 08:46:44.183668
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_knows_merge_queue"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "merge_candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("a_id", sa.Integer(), nullable=False),
        sa.Column("b_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["a_id"], ["person.id"], name=op.f("fk_merge_candidate_a_id_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["b_id"], ["person.id"], name=op.f("fk_merge_candidate_b_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_candidate")),
        sa.UniqueConstraint("a_id", "b_id", name="uq_merge_candidate_pair"),
    )
    with op.batch_alter_table("merge_candidate", schema=None) as batch_op:
        batch_op.create_index("ix_merge_candidate_status", ["status"], unique=False)

    op.create_table(
        "knows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("a_id", sa.Integer(), nullable=False),
        sa.Column("b_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("source_record_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("a_id <> b_id", name=op.f("ck_knows_distinct_people")),
        sa.ForeignKeyConstraint(
            ["a_id"], ["person.id"], name=op.f("fk_knows_a_id_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["b_id"], ["person.id"], name=op.f("fk_knows_b_id_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_record.id"],
            name=op.f("fk_knows_source_record_id_source_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knows")),
    )
    with op.batch_alter_table("knows", schema=None) as batch_op:
        batch_op.create_index("ix_knows_a", ["a_id"], unique=False)
        batch_op.create_index("ix_knows_b", ["b_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("knows", schema=None) as batch_op:
        batch_op.drop_index("ix_knows_b")
        batch_op.drop_index("ix_knows_a")

    op.drop_table("knows")
    with op.batch_alter_table("merge_candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_merge_candidate_status")

    op.drop_table("merge_candidate")
