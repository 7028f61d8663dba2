"""The Starlette application: pages, live feed, probes and metrics, wired to one set of settings."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from store.db import make_engine, migrate
from store.settings import Settings, ensure_dirs, load
from ui import feed as live
from ui.data import ReadCache
from ui.metrics import MetricsMiddleware, WebMetrics
from ui.pages import auth, candidates, check, failed, health, jobs, people, ranking, rescore, slo, upload
from ui.render import error
from ui.security import SecurityMiddleware, Signer, stored_secret
from ui.uploads import BodyLimitMiddleware

log = logging.getLogger("shortlist.ui")
STATIC = Path(__file__).resolve().parent / "static"
# Pages in order; a new page is a module in ui/pages/ added here and to render.NAV.
PAGES = (jobs, ranking, candidates, people, upload, check, failed, slo, rescore, auth, health)
MAX_FILES_PER_REQUEST = 100
UNTIMED_ROUTES = frozenset({"/events"})


def _routes(metrics: WebMetrics) -> list:
    routes: list = [Route("/", jobs.home, name="home")]
    for module in PAGES:
        routes.extend(module.routes)
    routes += [
        Route("/events", live.events, name="events"),
        Route("/metrics", metrics.endpoint, name="metrics"),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return routes


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "There is nothing at this address.", 405: "This address does not accept that method."}
    detail = (
        exc.detail
        if exc.detail and exc.detail not in ("Not Found", "Method Not Allowed")
        else messages.get(exc.status_code, "The request could not be handled.")
    )
    return error(request, exc.status_code, detail)


async def _server_error(request: Request, _exc: Exception) -> Response:
    return error(request, 500, "Something went wrong on our side; it has been logged. Try again in a moment.")


def create_app(
    settings: Settings | None = None, *, registry: CollectorRegistry | None = None, feed_interval: float = 0.5
) -> Starlette:
    """The web app for `settings` (read from SHORTLIST_* when omitted); `registry` isolates metrics in tests."""
    settings = settings or load()
    metrics = WebMetrics(registry)
    write_engine = make_engine(settings.database_url)
    read_engine = write_engine.execution_options(sqlite_begin="DEFERRED")
    feed = live.Feed(read_engine, metrics, interval=feed_interval)
    signer = Signer(settings.secret or stored_secret(settings.store))

    @asynccontextmanager
    async def lifespan(_app: Starlette):
        await run_in_threadpool(ensure_dirs, settings)
        await run_in_threadpool(migrate, settings, write_engine)
        await feed.start()
        try:
            yield
        finally:
            await feed.stop()
            write_engine.dispose()

    routes = _routes(metrics)
    request_limit = int(settings.max_upload_mb * 1024 * 1024) * 10 + 1024 * 1024
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(MetricsMiddleware, metrics=metrics, routes=routes, untimed=UNTIMED_ROUTES),
            Middleware(BodyLimitMiddleware, limit=request_limit),
            Middleware(SecurityMiddleware, signer=signer, password=settings.password),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.write_engine = write_engine
    app.state.read_engine = read_engine
    app.state.feed = feed
    app.state.read_cache = ReadCache()
    app.state.signer = signer
    app.state.max_files = MAX_FILES_PER_REQUEST
    return app
