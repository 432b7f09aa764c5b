"""Online backup of the SQLite database (``jobfuerzwei backup PATH``); PostgreSQL uses ``pg_dump``.

A plain file copy of a database in WAL mode can miss the committed pages still in ``-wal`` or catch a file half
written. SQLite's backup API copies one consistent snapshot (a read transaction: writers go on meanwhile, WAL
keeps them out of the snapshot) into a new file, which is checked and then renamed into place.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path


class BackupError(Exception):
    """The backup could not be made (wrong database kind, target exists, copy is damaged)."""


@dataclass(frozen=True)
class BackupResult:
    """What was written."""

    path: Path
    size: int


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite+aiosqlite:///…`` URL."""
    if not url.startswith("sqlite"):
        raise BackupError("the database is not SQLite; back up PostgreSQL with pg_dump (see README, Backups)")
    return Path(url.split("///", 1)[1])


def backup_sqlite(url: str, target: Path) -> BackupResult:
    """Copy the database of ``url`` into the new file ``target`` (mode 0600: it holds personal data)."""
    source = sqlite_path(url)
    if not source.exists():
        raise BackupError(f"no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name")
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # private before a byte is written
    os.close(fd)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # one step: a single consistent snapshot
            dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal next to it
            check = dst.execute("PRAGMA integrity_check").fetchone()[0]
            broken_keys = dst.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            dst.close()
    finally:
        src.close()
    if check != "ok" or broken_keys:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its check: {check}, {len(broken_keys)} broken foreign key(s)")
    partial.rename(target)
    return BackupResult(path=target, size=target.stat().st_size)
