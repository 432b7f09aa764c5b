"""retention and reminders

Retention asks, referral anonymisation, stale-referral reminders, the purge run log and the coordinators' weekly
digest. Only additions: new tables and nullable columns.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 04:10:00

Keep every migration compatible with the code currently deployed: add columns nullable or with a server default,
and drop them only in a release after the code stopped using them.
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('coordinator_digests',
    sa.Column('id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('week_of', sa.Date(), nullable=False),
    sa.Column('sent_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coordinator_digests')),
    sa.UniqueConstraint('week_of', name=op.f('uq_coordinator_digests_week_of'))
    )
    op.create_table('purge_runs',
    sa.Column('id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('started_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('finished_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('unconfirmed_deleted', sa.Integer(), nullable=False),
    sa.Column('inactive_asked', sa.Integer(), nullable=False),
    sa.Column('inactive_deleted', sa.Integer(), nullable=False),
    sa.Column('referrals_anonymised', sa.Integer(), nullable=False),
    sa.Column('applications_deleted', sa.Integer(), nullable=False),
    sa.Column('audit_deleted', sa.Integer(), nullable=False),
    sa.Column('invitations_deleted', sa.Integer(), nullable=False),
    sa.Column('failed_rules', sa.String(length=200), nullable=False),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purge_runs'))
    )
    with op.batch_alter_table('purge_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purge_runs_started_at'), ['started_at'], unique=False)

    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_asked_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True))

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('reminded_at')

    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.drop_column('retention_asked_at')

    with op.batch_alter_table('purge_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purge_runs_started_at'))

    op.drop_table('purge_runs')
    op.drop_table('coordinator_digests')
