"""A firing's subject tenant and site as columns, for the history of a bounded viewer

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 13:30:00

A site's supervisor opening the alerts page made the server read the whole center's
firings, newest first, parsing each one's facts, until 100 of theirs turned up — a
quiet site after a year of a busy center's alerts read them all. The subject's tenant and
site are copied out of the facts into indexed columns (existing rows too), so the
database finds them.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _text(value: object) -> str | None:
    return str(value)[:150] if value not in (None, "") else None


def upgrade() -> None:
    with op.batch_alter_table("alert_event_details") as batch:
        batch.add_column(sa.Column("subject_tenant", sa.String(length=150), nullable=True))
        batch.add_column(sa.Column("subject_site", sa.String(length=150), nullable=True))
        batch.create_index("ix_alert_event_details_subject",
                           ["subject_tenant", "subject_site"])
    details = sa.table("alert_event_details", sa.column("event_id", sa.Integer()),
                       sa.column("facts", sa.Text()),
                       sa.column("subject_tenant", sa.String()),
                       sa.column("subject_site", sa.String()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(details.c.event_id, details.c.facts)).all()
    for event_id, facts in rows:
        try:
            subject = json.loads(facts or "{}").get("subject")
        except (ValueError, AttributeError):
            continue
        if not isinstance(subject, dict):
            continue
        connection.execute(details.update().where(details.c.event_id == event_id).values(
            subject_tenant=_text(subject.get("tenant")), subject_site=_text(subject.get("site"))))


def downgrade() -> None:
    with op.batch_alter_table("alert_event_details") as batch:
        batch.drop_index("ix_alert_event_details_subject")
        batch.drop_column("subject_site")
        batch.drop_column("subject_tenant")
