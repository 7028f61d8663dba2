"""Probes: /healthz (the process answers) and /readyz (database reachable, watcher heartbeat fresh)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from store import queries
from ui.data import read
from ui.render import render

PROBE_TIMEOUT = 2.0


async def healthz(request: Request) -> Response:
    return render(request, None, {"status": "ok"})


def _checks(session, stale_after: float) -> dict[str, str]:
    session.connection().execute(text("SELECT 1"))
    age = queries.heartbeat_age(session, "watcher", datetime.now(timezone.utc))
    if age is None:
        watcher = "failed: the watcher has never written a heartbeat (is `python -m pipeline watch` running?)"
    elif age > stale_after:
        watcher = f"failed: the watcher's last heartbeat is {age:.0f} s old (limit {stale_after:g} s)"
    else:
        watcher = "ok"
    return {"database": "ok", "watcher": watcher}


async def readyz(request: Request) -> Response:
    """200 when ready; 503 naming the check that failed."""
    stale_after = 3 * request.app.state.settings.heartbeat_seconds
    try:
        checks = await asyncio.wait_for(read(request, _checks, stale_after), PROBE_TIMEOUT)
    except asyncio.TimeoutError:
        checks = {"database": f"failed: no answer within {PROBE_TIMEOUT:g} s", "watcher": "unknown"}
    except Exception as exc:  # any database error makes the process unready, with the reason
        checks = {"database": f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}", "watcher": "unknown"}
    ready = all(value == "ok" for value in checks.values())
    failed = [name for name, value in checks.items() if value != "ok"]
    return render(
        request,
        None,
        {"status": "ready" if ready else "not ready", "failed": failed, "checks": checks},
        status=200 if ready else 503,
    )


routes = [
    Route("/healthz", healthz, methods=["GET", "HEAD"], name="healthz"),
    Route("/readyz", readyz, methods=["GET", "HEAD"], name="readyz"),
]
