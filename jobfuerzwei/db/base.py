"""Declarative base with a constraint naming convention, and small column helpers shared by the models."""

from __future__ import annotations

import datetime as dt

from advanced_alchemy.base import UUIDAuditBase, orm_registry
from advanced_alchemy.types import DateTimeUTC

__all__ = ["DateTimeUTC", "UUIDAuditBase", "metadata", "utcnow"]

metadata = orm_registry.metadata


def utcnow() -> dt.datetime:
    """Timezone-aware now; the one clock the services use (tests move it through ``jobfuerzwei.db.base.utcnow``)."""
    return dt.datetime.now(dt.UTC)
