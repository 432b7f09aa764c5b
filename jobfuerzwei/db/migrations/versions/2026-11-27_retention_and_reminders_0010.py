"""retention and reminders

Retention asks, referral anonymisation, stale-referral reminders and purge run log. (Placeholder reserved in the chain; filled in by the change that adds the models.)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 04:10:00

Keep every migration compatible with the code currently deployed: add columns nullable or with a server default,
and drop them only in a release after the code stopped using them.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
