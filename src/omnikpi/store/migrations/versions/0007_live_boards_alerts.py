"""saved wallboards and alert history

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:30:00

Tables of this feature; the revision numbers are fixed in advance so that features built
side by side keep one linear history.
"""

from __future__ import annotations

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
