"""QA forms belong to a tenant (or to the operator, for every tenant)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:40:00

A supervisor of one tenant saving a form under a key another tenant used replaced that
tenant's form (its newest version) for its samples and calibrations. Each form now names
the tenant it belongs to; '' is the operator's, shared by every tenant. Versions stay
numbered per key across tenants, so (form_key, version) stays unique and the exported
``form_id`` (``key@vN``) names one form.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("qa_forms", sa.Column("tenant_key", sa.String(length=150),
                                        server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("qa_forms") as batch:
        batch.drop_column("tenant_key")
