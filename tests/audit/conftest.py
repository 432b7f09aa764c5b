from tests.circulation.conftest import coordinator

__all__ = ["coordinator"]
