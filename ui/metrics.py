"""The web process's Prometheus metrics, named after the product's SLI table, and the middleware that records them."""

from __future__ import annotations

import time

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
UNMATCHED = "other"


class WebMetrics:
    """Metric objects of one app, in their own registry (a fresh one per app keeps tests apart)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        if registry is None:
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_latency_seconds",
            "HTTP request latency by method and route template.",
            ("method", "route"),
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.sse_clients = Gauge("sse_clients", "Browsers connected to the live-update stream.", registry=self.registry)
        self.feed_events = Counter(
            "ui_feed_events_total", "Change-feed events read by the web's feed reader.", registry=self.registry
        )
        self.feed_errors = Counter("ui_feed_errors_total", "Failed polls of the change feed.", registry=self.registry)
        self.uploads = Counter(
            "ui_uploads_total",
            "Files accepted by the upload and check pages, by kind.",
            ("kind",),
            registry=self.registry,
        )
        self.upload_rejects = Counter(
            "ui_upload_rejections_total", "Uploads refused, by HTTP status.", ("status",), registry=self.registry
        )

    def endpoint(self, _request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def route_template(routes: list[BaseRoute], scope: Scope) -> str:
    """The path template of the route a request matches ("/jobs/{job_id}"), never the raw path."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return _template(route)
        if match == Match.PARTIAL and partial is None:
            partial = route
    return _template(partial) if partial is not None else UNMATCHED


def _template(route: BaseRoute) -> str:
    if isinstance(route, (Route, Mount)):
        path = route.path
        for convertor in (":int", ":sha", ":path", ":str", ":float"):
            path = path.replace(convertor + "}", "}")
        return path or "/"
    return UNMATCHED


class MetricsMiddleware:
    """Counts every response and times it; long-lived streams (untimed routes) are counted, not timed."""

    def __init__(
        self, app: ASGIApp, metrics: WebMetrics, routes: list[BaseRoute], untimed: frozenset[str] = frozenset()
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes
        self.untimed = untimed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        route = route_template(self.routes, scope)
        status = {"code": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                self.metrics.requests.labels(method, route, str(message["status"])).inc()
                status["counted"] = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except BaseException:
            if not status.get("counted"):
                self.metrics.requests.labels(method, route, "500").inc()
            raise
        finally:
            if route not in self.untimed:
                self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)
