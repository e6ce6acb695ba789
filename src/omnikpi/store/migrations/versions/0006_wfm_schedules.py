"""WFM schedule edits

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 13:30:00

Tables of this feature; the revision numbers are fixed in advance so that features built
side by side keep one linear history.

Empty on purpose: a schedule lives in the dataset folder as the canonical ``shifts`` and
``shift_activities`` tables (what adherence and the other schedule metrics read), a moved
break rewrites them and is recorded in the existing audit log — see "Schedules" in
docs/wfm.md. The revision stays so that the history is the one reserved.
"""

from __future__ import annotations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
