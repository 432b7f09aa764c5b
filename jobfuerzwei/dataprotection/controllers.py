"""The coordinator's page of the records of processing activities (Art. 30 GDPR); it prints well."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.dataprotection.retention import recent_runs
from jobfuerzwei.dataprotection.services import measures, records
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.web.auth import provide_staff
from jobfuerzwei.web.pages import page


class RecordsController(Controller):
    """Verzeichnis von Verarbeitungstätigkeiten, generated from the running settings."""

    path = "/coordinator/records"
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def show_records(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        """Purposes, legal bases, data, recipients and retention of every processing activity; the last purge runs."""
        return page(
            request,
            "coordinator/records.html",
            activities=records(settings),
            measures=measures(),
            privacy_version=settings.privacy_version,
            purge_runs=await recent_runs(db_session),
        )


controllers: list[type[Controller]] = [RecordsController]
