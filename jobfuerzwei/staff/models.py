"""Staff accounts (coordinators and read-only observers) and their login sessions."""

from __future__ import annotations

import datetime as dt
import enum
from uuid import UUID

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from jobfuerzwei.db.base import DateTimeUTC, UUIDAuditBase


class StaffRole(enum.StrEnum):
    """What a staff account may do."""

    COORDINATOR = "coordinator"
    """Runs the network: profiles, members, circulation, meetings, exports, staff."""
    OBSERVER = "observer"
    """Social partners, the employment agency: figures and anonymised lists only, read-only."""


class StaffUser(UUIDAuditBase):
    """A staff member (IHK coordinator or observer) who logs in with email, password and a TOTP code."""

    __tablename__ = "staff_users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    role: Mapped[str] = mapped_column(String(20), default=StaffRole.COORDINATOR, server_default="coordinator")
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    """Base32 secret of the second factor; ``None`` until the account has enrolled (required at first login)."""
    language: Mapped[str] = mapped_column(String(5), default="de", server_default="de")
    """Language of the mails the person gets (``i18n.LANGUAGES``):
    the language last chosen with the switch while logged in."""

    @property
    def is_coordinator(self) -> bool:
        """May change things (not an observer)."""
        return self.role == StaffRole.COORDINATOR


class StaffSession(UUIDAuditBase):
    """A login session. The cookie holds a random token; the row holds its hash. A new row at every login.

    ``verified`` becomes true once the second factor is done (or set up at the first login); until then the session
    reaches only the code and set-up pages.
    """

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[UUID] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    pending_totp: Mapped[str | None] = mapped_column(String(64))
    """A new two-factor secret shown at first login, kept here until a code proves the app has it."""
