"""The coordinator client of the circulation tests serves the membership pages too."""

from tests.circulation.conftest import coordinator

__all__ = ["coordinator"]
