"""The re-score's progress: a fragment the jobs and ranking pages show and refresh over SSE, with its JSON twin."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from store import rescore as store_rescore
from ui.data import cached_read
from ui.render import is_htmx, render
from ui.routing import int_param, page


async def context(request: Request, job_id: int | None = None) -> dict:
    """What `_rescore.html` needs: the status and, for one job, the taxonomy versions its scores come from."""
    status = await cached_read(request, store_rescore.status)
    scored_with = await cached_read(request, store_rescore.ranking_versions, job_id) if job_id else []
    return {"rescore": status, "scored_with": scored_with, "rescore_job": job_id}


async def rescore(request: Request) -> Response:
    """GET /rescore (?job_id= adds one ranking's versions): the page, its status block for htmx, or JSON."""
    job_id = int_param(request.query_params, "job_id", 0, 0, 2**62) or None
    data = await context(request, job_id)
    return render(request, "rescore.html", data, block="status" if is_htmx(request) else None)


routes = [*page("/rescore", rescore, "rescore")]
