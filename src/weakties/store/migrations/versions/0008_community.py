"""community members, the pool they contribute to, and asks between them

Revision ID: 0008_community
Revises: 0007_sync_sources
Create Date: 2026-12-06 04:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_community"
down_revision = "0007_sync_sources"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pool_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_person")),
    )
    op.create_index("ix_pool_person_name_key", "pool_person", ["name_key"])
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("sharing", sa.String(length=8), nullable=False),
        sa.Column("share_names", sa.Boolean(), nullable=False),
        sa.Column("pool_person_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", _WHEN, nullable=False),
        sa.Column("published_at", _WHEN, nullable=True),
        sa.Column("published_state", sa.Text(), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "sharing IN ('none', 'exists', 'full')", name=op.f("ck_member_sharing_level")
        ),
        sa.ForeignKeyConstraint(
            ["pool_person_id"],
            ["pool_person.id"],
            name=op.f("fk_member_pool_person_id_pool_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
        sa.UniqueConstraint("handle", name="uq_member_handle"),
    )
    op.create_table(
        "pool_identity",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("pool_person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_pool_identity_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pool_person_id"],
            ["pool_person.id"],
            name=op.f("fk_pool_identity_pool_person_id_pool_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", "digest", name=op.f("pk_pool_identity")),
    )
    op.create_index("ix_pool_identity_digest", "pool_identity", ["digest"])
    op.create_index("ix_pool_identity_person", "pool_identity", ["pool_person_id"])
    op.create_table(
        "pool_contact",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("pool_person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("org", sa.String(length=300), nullable=True),
        sa.Column("org_key", sa.String(length=300), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("strength", sa.Float(), nullable=True),
        sa.Column("category", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_pool_contact_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pool_person_id"],
            ["pool_person.id"],
            name=op.f("fk_pool_contact_pool_person_id_pool_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", "pool_person_id", name=op.f("pk_pool_contact")),
    )
    op.create_index("ix_pool_contact_person", "pool_contact", ["pool_person_id"])
    op.create_index("ix_pool_contact_org_key", "pool_contact", ["org_key"])
    op.create_table(
        "pool_arc",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("a_id", sa.Integer(), nullable=False),
        sa.Column("b_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("p_ab", sa.Float(), nullable=False),
        sa.Column("p_ba", sa.Float(), nullable=False),
        sa.CheckConstraint("a_id <> b_id", name=op.f("ck_pool_arc_distinct_people")),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_pool_arc_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["a_id"],
            ["pool_person.id"],
            name=op.f("fk_pool_arc_a_id_pool_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["b_id"],
            ["pool_person.id"],
            name=op.f("fk_pool_arc_b_id_pool_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", "a_id", "b_id", name=op.f("pk_pool_arc")),
    )
    op.create_index("ix_pool_arc_b", "pool_arc", ["b_id"])
    op.create_table(
        "ask",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("broker_id", sa.Integer(), nullable=False),
        sa.Column("target_person_id", sa.Integer(), nullable=True),
        sa.Column("via_person_id", sa.Integer(), nullable=True),
        sa.Column("target_label", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("decided_at", _WHEN, nullable=True),
        sa.CheckConstraint("requester_id <> broker_id", name=op.f("ck_ask_distinct_members")),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["member.id"],
            name=op.f("fk_ask_requester_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["broker_id"], ["member.id"], name=op.f("fk_ask_broker_id_member"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["target_person_id"],
            ["pool_person.id"],
            name=op.f("fk_ask_target_person_id_pool_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["via_person_id"],
            ["pool_person.id"],
            name=op.f("fk_ask_via_person_id_pool_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ask")),
    )
    op.create_index("ix_ask_broker", "ask", ["broker_id"])
    op.create_index("ix_ask_requester", "ask", ["requester_id"])


def downgrade() -> None:
    for table in ("ask", "pool_arc", "pool_contact", "pool_identity", "member", "pool_person"):
        op.drop_table(table)
