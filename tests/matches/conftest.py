"""The coordinator client of the circulation tests serves the matching pages too."""

from tests.circulation.conftest import coordinator

__all__ = ["coordinator"]
