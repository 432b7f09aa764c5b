"""change counters and the referrals' reached stage

- A counter of write statements on the tables the results figures are computed from, kept by triggers, so that the
  figures can be cached and recomputed only after a change (see ``jobfuerzwei.db.changes``).
- An index on ``circulation_recipients (member_id, created_at)`` for the portal inbox's pages.
- ``referrals.reached_stage``: the furthest stage a referral got to (1 interested … 5 hired), kept with each event;
  the funnel figures count it instead of reading every event. Filled here from the events and the current state.

Only additions.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 11:00:00

SQLite's ``batch_alter_table`` rebuilds a table without its triggers: a later migration that alters one of the
``TRACKED`` tables on SQLite must create its triggers again (``create_triggers`` below).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRACKED = (
    'members',
    'profiles',
    'circulations',
    'circulation_recipients',
    'link_tokens',
    'referrals',
    'referral_events',
)
SQLITE_EVENTS = ('insert', 'update', 'delete')

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION jfz_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_counters (slot, n) VALUES (pg_backend_pid(), 1)
  ON CONFLICT (slot) DO UPDATE SET n = change_counters.n + 1;
  RETURN NULL;
END
$$
"""


def create_triggers(tables: Sequence[str] = TRACKED) -> None:
    """The counting triggers on ``tables`` (idempotent)."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        for table in tables:
            op.execute(f'DROP TRIGGER IF EXISTS jfz_count_changes ON {table}')
            op.execute(
                f'CREATE TRIGGER jfz_count_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}'
                ' FOR EACH STATEMENT EXECUTE FUNCTION jfz_count_change()'
            )
        return
    for table in tables:
        for event in SQLITE_EVENTS:
            op.execute(
                f'CREATE TRIGGER IF NOT EXISTS jfz_count_{table}_{event} AFTER {event.upper()} ON {table} BEGIN'
                ' INSERT INTO change_counters (slot, n) VALUES (0, 1)'
                ' ON CONFLICT (slot) DO UPDATE SET n = change_counters.n + 1; END'
            )


STAGE = (
    "CASE {column} WHEN 'interested' THEN 1 WHEN 'in_contact' THEN 2 WHEN 'interview' THEN 3"
    " WHEN 'offer' THEN 4 WHEN 'hired' THEN 5 ELSE 0 END"
)


def upgrade() -> None:
    with op.batch_alter_table('circulation_recipients', schema=None) as batch_op:
        batch_op.create_index('ix_circulation_recipients_member_id_created_at', ['member_id', 'created_at'], unique=False)
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reached_stage', sa.Integer(), server_default='1', nullable=False))
    furthest_event = (
        f"(SELECT max({STAGE.format(column='e.to_state')}) FROM referral_events e WHERE e.referral_id = referrals.id)"
    )
    current = STAGE.format(column='referrals.state')
    reached = f'coalesce({furthest_event}, 1)'
    op.execute(f'UPDATE referrals SET reached_stage = CASE WHEN {reached} >= {current} THEN {reached} ELSE {current} END')
    op.execute('UPDATE referrals SET reached_stage = 1 WHERE reached_stage < 1')
    op.create_table(
        'change_counters',
        sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('slot', name=op.f('pk_change_counters')),
    )
    create_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in TRACKED:
            op.execute(f'DROP TRIGGER IF EXISTS jfz_count_changes ON {table}')
        op.execute('DROP FUNCTION IF EXISTS jfz_count_change()')
    else:
        for table in TRACKED:
            for event in SQLITE_EVENTS:
                op.execute(f'DROP TRIGGER IF EXISTS jfz_count_{table}_{event}')
    op.drop_table('change_counters')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('reached_stage')
    with op.batch_alter_table('circulation_recipients', schema=None) as batch_op:
        batch_op.drop_index('ix_circulation_recipients_member_id_created_at')
