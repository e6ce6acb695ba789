"""A QA sample records whether it was risk-weighted and the zone of its days

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 11:00:00

The sample form sent again within minutes opens the sample it made; a request that
differed only in *risk-weighted* or in the time zone opened the earlier sample too, as
neither was stored. Both are now columns of ``qa_samples`` (NULL on older samples: not
recorded), compared when a form is sent again and shown on the sample's page.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("qa_samples") as batch:
        batch.add_column(sa.Column("risk", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("tz", sa.String(length=150), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("qa_samples") as batch:
        batch.drop_column("tz")
        batch.drop_column("risk")
