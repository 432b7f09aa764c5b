"""Fixtures shared by the portal tests."""

from tests.circulation.conftest import coordinator

__all__ = ["coordinator"]
