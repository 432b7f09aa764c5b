"""languages

The language of the mails each recipient gets: partners (profiles), member contacts, staff and membership
applicants. Only additions: columns with a server default ("de", the language every existing row was written in).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 08:00:00

Keep every migration compatible with the code currently deployed: add columns nullable or with a server default,
and drop them only in a release after the code stopped using them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('profiles', 'member_contacts', 'staff_users', 'membership_applications')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='de', nullable=False))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('language')
