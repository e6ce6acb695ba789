"""QA coaching and error kinds

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 13:30:00

Tables of this feature; the revision numbers are fixed in advance so that features built
side by side keep one linear history.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qa_error_kinds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["evaluation_id"], ["qa_evaluations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["qa_form_items.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id", "item_id"),
    )
    with op.batch_alter_table("qa_error_kinds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_error_kinds_evaluation_id"), ["evaluation_id"],
                              unique=False)
    op.create_table(
        "qa_coaching_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=150), nullable=False),
        sa.Column("tenant", sa.String(length=150), nullable=True),
        sa.Column("site", sa.String(length=150), nullable=True),
        sa.Column("coach", sa.String(length=150), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("qa_coaching_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_coaching_sessions_agent_id"), ["agent_id"],
                              unique=False)
    op.create_table(
        "qa_coaching_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["qa_coaching_sessions.id"],
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "item_key"),
    )
    with op.batch_alter_table("qa_coaching_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_coaching_items_session_id"), ["session_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("qa_coaching_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_coaching_items_session_id"))
    op.drop_table("qa_coaching_items")
    with op.batch_alter_table("qa_coaching_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_coaching_sessions_agent_id"))
    op.drop_table("qa_coaching_sessions")
    with op.batch_alter_table("qa_error_kinds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_error_kinds_evaluation_id"))
    op.drop_table("qa_error_kinds")
