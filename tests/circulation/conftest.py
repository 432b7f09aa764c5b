from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from tests.circulation.helpers import session_cookie


@pytest.fixture
async def coordinator(
    client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> AsyncTestClient[Litestar]:
    """The ``client`` with a live coordinator session."""
    await session_cookie(client, db_session, settings)
    return client
