"""Domain exceptions; ``create_app`` maps them to error pages."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the domain errors; ``message`` is shown to the user (translated where it is raised)."""

    status_code = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):  # noqa: N818  # domain vocabulary
    """No such thing, or not for you (foreign ids answer 404 too)."""

    status_code = 404


class NotAllowed(DomainError):  # noqa: N818
    """The caller may not do this."""

    status_code = 403


class InvalidTransition(DomainError):  # noqa: N818
    """The requested state change is not allowed from the current state."""

    status_code = 409


class LinkInvalid(DomainError):  # noqa: N818
    """A mailed link is unknown, expired, revoked or already used."""

    status_code = 410
