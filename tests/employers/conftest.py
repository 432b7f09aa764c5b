"""Reuse the coordinator's login fixtures for the member pages."""

from tests.coordinator.conftest import logged_in_client, staff_user

__all__ = ["logged_in_client", "staff_user"]
