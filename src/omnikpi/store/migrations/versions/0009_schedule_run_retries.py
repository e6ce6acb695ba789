"""A failed scheduled run is tried again on its own

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 12:40:00

A report that failed at 08:00 because the mail server or the client's webhook was down
stayed failed until someone pressed "Send again". Each run now counts its attempts and
holds when the scheduler tries it next (``[schedules] retry_minutes``); NULL is "not
again" (it succeeded, its error cannot pass by itself, or its tries are used up).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("schedule_runs", sa.Column("attempts", sa.Integer(), server_default="1",
                                             nullable=False))
    op.add_column("schedule_runs", sa.Column("next_try_at", sa.DateTime(timezone=True),
                                             nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedule_runs") as batch:
        batch.drop_column("next_try_at")
        batch.drop_column("attempts")
