"""Secrets of this server, kept in its database

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 23:30:00

A name no account has, typed at the login, is audited as a digest (a password typed into
the name field must not be stored). The digest was a plain SHA-256: a weak password was
read back from the audit log by guessing in milliseconds. It is now an HMAC keyed with a
random secret made once per database (``server_secrets``), the same in every process of
the server, so the per-name lock-out still counts one name as one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("server_secrets")
