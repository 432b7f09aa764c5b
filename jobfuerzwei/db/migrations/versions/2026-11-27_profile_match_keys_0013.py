"""profile match keys

Duplicate detection's keys as indexed columns of ``profiles`` (see ``jobfuerzwei.profiles.matchkeys``): the review
looks a profile's possible duplicates up instead of reading every profile. Filled here for existing rows with a
frozen copy of the normalisation rules (a migration must not change when the app's code does). Only additions.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 12:00:00
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = (('email_key', 254), ('phone_key', 40), ('place_key', 200))
BATCH = 5000


def _phone(value: str) -> str:
    digits = re.sub(r'\D', '', value)
    if value.strip().startswith('+'):
        digits = '0' + digits[2:] if digits.startswith('49') else '00' + digits
    elif digits.startswith('0049'):
        digits = '0' + digits[4:]
    return digits if len(digits) >= 6 else ''


def upgrade() -> None:
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        for name, length in KEYS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), server_default='', nullable=False))
            batch_op.create_index(batch_op.f(f'ix_profiles_{name}'), [name], unique=False)
    connection = op.get_bind()
    profiles = sa.table(
        'profiles',
        sa.column('id'),
        sa.column('partner_email', sa.String()),
        sa.column('partner_phone', sa.String()),
        sa.column('residence', sa.String()),
        *(sa.column(name, sa.String()) for name, _ in KEYS),
    )
    rows = connection.execute(
        sa.select(profiles.c.id, profiles.c.partner_email, profiles.c.partner_phone, profiles.c.residence)
    ).all()
    update = (
        profiles.update()
        .where(profiles.c.id == sa.bindparam('row_id'))
        .values(email_key=sa.bindparam('e'), phone_key=sa.bindparam('p'), place_key=sa.bindparam('r'))
    )
    for start in range(0, len(rows), BATCH):
        connection.execute(
            update,
            [
                {
                    'row_id': row_id,
                    'e': (email or '').strip().lower(),
                    'p': _phone(phone or ''),
                    'r': ' '.join((residence or '').casefold().split()),
                }
                for row_id, email, phone, residence in rows[start : start + BATCH]
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        for name, _ in reversed(KEYS):
            batch_op.drop_index(batch_op.f(f'ix_profiles_{name}'))
            batch_op.drop_column(name)
    if op.get_bind().dialect.name == 'sqlite':  # the rebuilt table lost the change counters' triggers (0012)
        for event in ('insert', 'update', 'delete'):
            op.execute(
                f'CREATE TRIGGER IF NOT EXISTS jfz_count_profiles_{event} AFTER {event.upper()} ON profiles BEGIN'
                ' INSERT INTO change_counters (slot, n) VALUES (0, 1)'
                ' ON CONFLICT (slot) DO UPDATE SET n = change_counters.n + 1; END'
            )
