"""Fixtures shared by the retention and reminder tests (the coordinator's login helpers and data builders)."""

from tests.coordinator.conftest import logged_in_client, login, make_member, make_profile, staff_user

__all__ = ["logged_in_client", "login", "make_member", "make_profile", "staff_user"]
