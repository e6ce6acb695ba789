"""quality assurance: forms, samples, evaluations, calibration

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 07:06:30.995497
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "qa_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("channel_kind", sa.String(length=20), nullable=False),
        sa.Column("pass_score", sa.Float(), nullable=True),
        sa.Column("created_by", sa.String(length=150), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("form_key", "version"),
    )
    op.create_table(
        "qa_calibrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("contact_ids", sa.Text(), nullable=False),
        sa.Column("evaluators", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=150), nullable=False),
        sa.Column("tenant", sa.String(length=150), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["qa_forms.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "qa_form_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("group_name", sa.String(length=200), nullable=False),
        sa.Column("item_key", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("allow_na", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["form_id"], ["qa_forms.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("qa_form_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_form_items_form_id"), ["form_id"], unique=False)

    op.create_table(
        "qa_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("min_per_agent", sa.Integer(), nullable=False),
        sa.Column("period_from", sa.String(length=40), nullable=True),
        sa.Column("period_to", sa.String(length=40), nullable=True),
        sa.Column("evaluator", sa.String(length=150), nullable=True),
        sa.Column("form_id", sa.Integer(), nullable=True),
        sa.Column("tenant", sa.String(length=150), nullable=True),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=150), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["qa_forms.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "qa_sample_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.String(length=200), nullable=False),
        sa.Column("chain", sa.Text(), nullable=False),
        sa.Column("agent_id", sa.String(length=150), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=True),
        sa.Column("queue", sa.String(length=150), nullable=True),
        sa.Column("tenant", sa.String(length=150), nullable=True),
        sa.Column("site", sa.String(length=150), nullable=True),
        sa.Column("evaluator", sa.String(length=150), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["sample_id"], ["qa_samples.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sample_id", "contact_id"),
    )
    with op.batch_alter_table("qa_sample_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_sample_items_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_qa_sample_items_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_qa_sample_items_sample_id"), ["sample_id"], unique=False
        )

    op.create_table(
        "qa_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("sample_item_id", sa.Integer(), nullable=True),
        sa.Column("calibration_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.String(length=200), nullable=False),
        sa.Column("chain_id", sa.String(length=200), nullable=True),
        sa.Column("agent_id", sa.String(length=150), nullable=False),
        sa.Column("tenant", sa.String(length=150), nullable=True),
        sa.Column("site", sa.String(length=150), nullable=True),
        sa.Column("evaluator", sa.String(length=150), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("critical_error", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("agent_comment", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["calibration_id"],
            ["qa_calibrations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["qa_forms.id"],
        ),
        sa.ForeignKeyConstraint(
            ["sample_item_id"],
            ["qa_sample_items.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("qa_evaluations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_evaluations_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_qa_evaluations_calibration_id"), ["calibration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_qa_evaluations_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_qa_evaluations_form_id"), ["form_id"], unique=False)

    op.create_table(
        "qa_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["evaluation_id"], ["qa_evaluations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["qa_form_items.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("qa_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qa_answers_evaluation_id"), ["evaluation_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("qa_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_answers_evaluation_id"))

    op.drop_table("qa_answers")
    with op.batch_alter_table("qa_evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_evaluations_form_id"))
        batch_op.drop_index(batch_op.f("ix_qa_evaluations_contact_id"))
        batch_op.drop_index(batch_op.f("ix_qa_evaluations_calibration_id"))
        batch_op.drop_index(batch_op.f("ix_qa_evaluations_agent_id"))

    op.drop_table("qa_evaluations")
    with op.batch_alter_table("qa_sample_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_sample_items_sample_id"))
        batch_op.drop_index(batch_op.f("ix_qa_sample_items_contact_id"))
        batch_op.drop_index(batch_op.f("ix_qa_sample_items_agent_id"))

    op.drop_table("qa_sample_items")
    op.drop_table("qa_samples")
    with op.batch_alter_table("qa_form_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_form_items_form_id"))

    op.drop_table("qa_form_items")
    op.drop_table("qa_calibrations")
    op.drop_table("qa_forms")
