"""Time-based one-time codes (RFC 6238) for the second login factor of staff and portal accounts.

The replay guard is kept per app (on its state), so each app, and so each test, has its own.
"""

from __future__ import annotations

import hmac
import time
from uuid import UUID

import pyotp

from jobfuerzwei.i18n import N_

ISSUER = "Job für Zwei"
"""The name authenticator apps show next to the account."""
CODE_WRONG = N_("Der Code stimmt nicht oder ist abgelaufen. Bitte geben Sie den aktuellen Code aus Ihrer App ein.")
CODE_FORMAT = N_("Bitte geben Sie den sechsstelligen Code aus Ihrer Authenticator-App ein.")
"""German message ids: translate with ``gettext`` where they are shown."""


class UsedCodes:
    """The last accepted TOTP time step per account, so a code works only once (RFC 6238, section 5.2).

    Held in the process: with several web workers a code could be replayed once per worker within its
    90 seconds, which still needs the password and a code seen over the user's shoulder.
    """

    def __init__(self) -> None:
        self._last: dict[UUID, int] = {}

    def accept(self, account_id: UUID, step: int) -> bool:
        """Record ``step`` for the account unless it (or a later one) was used already."""
        if step <= self._last.get(account_id, -1):
            return False
        self._last[account_id] = step
        return True


def normalise_code(value: str) -> str | None:
    """Six digits (spaces allowed, as apps show ``123 456``), else ``None``."""
    code = "".join(value.split())
    return code if len(code) == 6 and code.isascii() and code.isdigit() else None


def matching_step(secret: str, code: str) -> int | None:
    """The time step whose code equals ``code``, allowing one step of clock drift either way."""
    totp = pyotp.TOTP(secret)
    now = totp.timecode(time.time())
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_secret() -> str:
    """A fresh base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """The secret in blocks of four, as people type it into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account: str) -> str:
    """The ``otpauth://`` address some apps accept instead of the typed secret."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)
