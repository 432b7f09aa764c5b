"""A throw-away PostgreSQL instance (initdb + pg_ctl) that a test may stop and start.

The shared cluster on 5432 serves the other tests in parallel and is never touched. As root the server runs as the
``postgres`` user (``runuser``), otherwise as the current user. Trust authentication, 127.0.0.1 only, a free port,
its socket and data in a fresh temporary directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import free_port

PG_BIN = Path(os.environ.get("JFZ_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def pg_available() -> bool:
    """initdb and pg_ctl are installed (and, as root, there is a ``postgres`` user to run them)."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        return False
    return os.geteuid() != 0 or (shutil.which("runuser") is not None and _has_user("postgres"))


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class ThrowawayPostgres:
    """``start()``, ``stop()``, ``start()`` again; ``remove()`` stops it and deletes everything."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="jfz-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    @property
    def admin_url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, *args: str, check: bool = True) -> None:
        command = ["runuser", "-u", "postgres", "--", *args] if self._as_root else list(args)
        result = subprocess.run(  # fixed binaries, our own arguments
            command, cwd=self.root, capture_output=True, text=True, timeout=60, check=False
        )
        if check and result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {result.stderr}{result.stdout}\n{log[-2000:]}")
