"""sync sources, cursors and DAV items

Revision ID: 0007_sync_sources
Revises: 0004_nudges_reviews
Create Date: 2026-12-05 16:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_sync_sources"
down_revision = "0004_nudges_reviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.String(length=10), nullable=True),
        sa.Column("last_message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_source")),
        sa.UniqueConstraint("url", name="uq_sync_source_url"),
    )
    op.create_table(
        "sync_cursor",
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("folder", sa.String(length=500), nullable=False),
        sa.Column("validity", sa.Text(), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("url", "folder", name=op.f("pk_sync_cursor")),
    )
    op.create_table(
        "sync_item",
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("folder", sa.String(length=500), nullable=False),
        sa.Column("href", sa.String(length=1000), nullable=False),
        sa.Column("etag", sa.Text(), nullable=False),
        sa.Column("record_keys", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("url", "folder", "href", name=op.f("pk_sync_item")),
    )


def downgrade() -> None:
    op.drop_table("sync_item")
    op.drop_table("sync_cursor")
    op.drop_table("sync_source")
