"""an account's scope is explicit: users.all_tenants

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 05:40:00

A supervisor created without a tenant or sites saw every tenant by omission; from now on
that needs ``--all-tenants`` (this column). Accounts created before keep their access
and are reported as unscoped by ``omnikpi users list`` and at server start.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("all_tenants", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("all_tenants")
