"""Fixtures of the offers tests: the coordinator's fixtures (logged in through the real login) re-exported."""

from tests.coordinator.conftest import logged_in_client, staff_user

__all__ = ["logged_in_client", "staff_user"]
