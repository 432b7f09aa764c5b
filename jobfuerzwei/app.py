"""Application factory. All wiring happens here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from typing import Any

from advanced_alchemy.extensions.litestar import AsyncSessionConfig, SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar, Request, get
from litestar.config.csrf import CSRFConfig
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from jobfuerzwei.accessibility.controllers import controllers as accessibility_controllers
from jobfuerzwei.audit.controllers import controllers as audit_controllers
from jobfuerzwei.circulation.controllers import controllers as circulation_controllers
from jobfuerzwei.config import Settings, load_settings
from jobfuerzwei.coordinator.controllers import controllers as coordinator_controllers
from jobfuerzwei.dataprotection.controllers import controllers as dataprotection_controllers
from jobfuerzwei.db.engine import create_engine
from jobfuerzwei.employers.controllers import controllers as employer_controllers
from jobfuerzwei.errors import DomainError
from jobfuerzwei.events.controllers import controllers as event_controllers
from jobfuerzwei.heap import tune_gc_after_start
from jobfuerzwei.mail.sink import start_sink
from jobfuerzwei.mail.worker import OutboxWorker
from jobfuerzwei.maintenance import run_periodically
from jobfuerzwei.matches.controllers import controllers as match_controllers
from jobfuerzwei.matching.occupations import default_classifier
from jobfuerzwei.membership.controllers import controllers as membership_controllers
from jobfuerzwei.offers.controllers import controllers as offer_controllers
from jobfuerzwei.portal.auth_controllers import controllers as portal_auth_controllers
from jobfuerzwei.portal.controllers import controllers as portal_controllers
from jobfuerzwei.portal.mail_controllers import controllers as mail_preference_controllers
from jobfuerzwei.portal.member_controllers import controllers as member_portal_controllers
from jobfuerzwei.portal.transfer_controllers import controllers as transfer_controllers
from jobfuerzwei.profiles.controllers import controllers as profile_controllers
from jobfuerzwei.referrals.controllers import controllers as referral_controllers
from jobfuerzwei.results.controllers import controllers as results_controllers
from jobfuerzwei.staff.controllers import controllers as staff_controllers
from jobfuerzwei.web.auth import LoginRequired, login_redirect
from jobfuerzwei.web.csrf import ExpiringCSRFMiddleware
from jobfuerzwei.web.errors import domain_error_handler, http_error_handler, internal_error_handler
from jobfuerzwei.web.language import language_middleware, switch_language
from jobfuerzwei.web.security import (
    add_security_headers,
    client_address,
    host_check_middleware,
    is_rate_limited_request,
    reject_control_characters,
    security_headers,
)
from jobfuerzwei.web.templating import STATIC_DIR, TEMPLATES_DIR, template_engine

log = logging.getLogger("jobfuerzwei")

MAX_BODY_BYTES = 8 * 1024 * 1024
"""Hard cap for any request body (the CV limit of 5 MB is checked with a friendly message below this)."""


@get("/healthz", include_in_schema=False, cache_control=None)
async def healthz(db_session: NamedDependency[AsyncSession]) -> dict[str, str]:
    """200 when the database answers."""
    await db_session.execute(text("SELECT 1"))
    return {"status": "ok"}


def create_app(settings: Settings | None = None, *, engine: AsyncEngine | None = None) -> Litestar:
    """Build the Litestar app; ``engine`` lets tests share one engine across apps."""
    settings = settings or load_settings()
    engine = engine or create_engine(settings.db.url, echo=settings.db.echo, pool_size=settings.db.pool_size)
    session_maker = async_sessionmaker(engine, expire_on_commit=False)
    # reads outside a transaction: the login lookup of kept pages (web.auth.provide_viewer_reading), one round trip
    read_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    db_config = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        before_send_handler="autocommit_include_redirects",
        create_all=False,
    )

    @contextlib.asynccontextmanager
    async def background(app: Litestar) -> AsyncGenerator[None, None]:
        # Build the occupation classifier's index (about 1 s) before the first form needs it, off the event loop.
        await asyncio.to_thread(default_classifier)
        tune_gc_after_start()  # the catalogue index is built: freeze it with the rest (jobfuerzwei.heap)
        sink = start_sink(settings.sink_dir, settings.mail.port) if settings.mail.dev_sink else None
        stop = asyncio.Event()
        tasks = []
        if settings.mail.run_worker_in_app:
            worker = OutboxWorker(settings.mail, session_maker)
            app.state.worker = worker
            tasks.append(asyncio.create_task(worker.run(stop), name="outbox-worker"))
            tasks.append(asyncio.create_task(run_periodically(session_maker, settings, stop), name="maintenance"))
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks)
            if sink is not None:
                sink.stop()
            await engine.dispose()

    async def wake_worker(request: Request[Any, Any, Any]) -> None:
        worker = request.app.state.get("worker")
        if worker is not None and request.method == "POST":
            worker.wakeup.set()

    trusted = settings.security.trusted_proxies
    csrf = CSRFConfig(
        secret=settings.security.secret_key,
        cookie_secure=settings.security.cookie_secure,
        cookie_httponly=True,
        cookie_samesite="lax",
        # RFC 8058: mail providers POST the one-click unsubscribe without cookies; the link's HMAC is the check.
        # Anchored: Litestar searches the patterns anywhere in the path ("/e/healthz/referral" would match).
        exclude=["^/healthz$", "^/mail/unsubscribe/"],
    )
    return Litestar(
        route_handlers=[
            healthz,
            switch_language,
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
            *profile_controllers,
            *staff_controllers,
            *audit_controllers,
            *coordinator_controllers,
            *employer_controllers,
            *circulation_controllers,
            *referral_controllers,
            *match_controllers,
            *dataprotection_controllers,
            *portal_controllers,
            *portal_auth_controllers,
            *membership_controllers,
            *offer_controllers,
            *member_portal_controllers,
            *mail_preference_controllers,
            *transfer_controllers,
            *results_controllers,
            *event_controllers,
            *accessibility_controllers,
        ],
        dependencies={
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            "session_maker": Provide(lambda: session_maker, use_cache=True, sync_to_thread=False),
            "read_engine": Provide(lambda: read_engine, use_cache=True, sync_to_thread=False),
        },
        plugins=[SQLAlchemyPlugin(config=db_config)],
        template_config=TemplateConfig(directory=TEMPLATES_DIR, engine=template_engine(auto_reload=settings.dev_mode)),
        middleware=[
            language_middleware,
            host_check_middleware(settings.security.allowed_hosts),
            RateLimitConfig(
                rate_limit=("minute", settings.security.rate_limit_per_minute),
                check_throttle_handler=is_rate_limited_request,
                identifier_for_request=lambda request: client_address(request, trusted),
            ).middleware,
            DefineMiddleware(ExpiringCSRFMiddleware, config=csrf, max_age=settings.security.csrf_hours * 3600),
        ],
        response_headers=security_headers(),
        before_send=[add_security_headers],
        before_request=reject_control_characters,
        exception_handlers={
            LoginRequired: login_redirect,
            DomainError: domain_error_handler,
            HTTPException: http_error_handler,
            Exception: internal_error_handler,
        },
        lifespan=[background],
        after_response=wake_worker,
        request_max_body_size=MAX_BODY_BYTES,
        # Only the JSON schema (built once, then cached): Litestar's default also renders YAML (about 2 s of CPU per
        # request, never cached: a cheap denial of service) and viewer pages that load scripts from CDNs.
        openapi_config=OpenAPIConfig(title="jobfuerzwei", version="1", render_plugins=[JsonRenderPlugin()]),
        debug=False,
    )
