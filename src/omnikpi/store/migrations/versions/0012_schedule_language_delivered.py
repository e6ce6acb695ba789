"""A schedule has a language; a run records who has its file

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 23:00:00

Scheduled files and e-mails were always in English: ``report_schedules.lang`` (en, ru,
uk; existing schedules "en", as they were sent) sets the file's header and the mail's
words. A mail that reached some recipients and was refused for others was marked failed,
and "Send again" sent the others a second copy: ``schedule_runs.delivered_to`` names the
recipients that have the file (NULL: none yet), so a try again skips them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_schedules") as batch:
        batch.add_column(sa.Column("lang", sa.String(length=5), server_default="en",
                                   nullable=False))
    with op.batch_alter_table("schedule_runs") as batch:
        batch.add_column(sa.Column("delivered_to", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedule_runs") as batch:
        batch.drop_column("delivered_to")
    with op.batch_alter_table("report_schedules") as batch:
        batch.drop_column("lang")
