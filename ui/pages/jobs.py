"""The jobs page: every job with its candidates scored, best score and shortlist count; search, filter by status,
and a person's decisions on a job: close, reopen, delete."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from store import queries
from ui import actions
from ui.data import cached_read, write
from ui.render import htmx_target, is_htmx, render, wants_json
from ui.routing import choice_param, page
from ui.security import csrf_protect, logged_in
from ui.pages import rescore

STATUS_FILTERS = ("open", "closed", "all")


async def home(request: Request) -> Response:
    return RedirectResponse("/jobs" if logged_in(request) else "/check", status_code=303)


async def jobs(request: Request) -> Response:
    """GET /jobs?q=…&status=open|closed|all: the jobs whose title contains q (any case); open ones by default."""
    status = choice_param(request.query_params, "status", STATUS_FILTERS, "open")
    q = (request.query_params.get("q") or "").strip()[:100]
    rows = await cached_read(request, queries.jobs_overview, q or None, None if status == "all" else status)
    counts = await cached_read(request, queries.job_status_counts)
    context = {"jobs": rows, "filters": {"q": q, "status": status}, "counts": counts, **await rescore.context(request)}
    block = "jobs_table" if htmx_target(request) == "jobs-table" else None
    return render(request, "jobs.html", context, block=block)


def _back(form, job_id: int) -> str:
    """Where the form returns to: its `next` field when it is a jobs page of this site, else the job's ranking."""
    target = str(form.get("next") or "")
    return target if target.startswith("/jobs") and "//" not in target and "\\" not in target else f"/jobs/{job_id}"


@csrf_protect
async def set_status(request: Request) -> Response:
    """POST /jobs/{id}/status (status=open|closed): close or reopen a job."""
    job_id = request.path_params["job_id"]
    form = await request.form()
    job = await write(request, actions.set_job_status, job_id, str(form.get("status") or ""))
    if wants_json(request):
        return render(request, None, {"job": job})
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Refresh": "true"})
    return RedirectResponse(_back(form, job_id), status_code=303)


@csrf_protect
async def delete(request: Request) -> Response:
    """POST /jobs/{id}/delete: the job, its matches, decisions and archived description are deleted."""
    job_id = request.path_params["job_id"]
    files = await write(request, actions.delete_job, request.app.state.settings, job_id)
    removed = actions.unlink_all(files)
    if wants_json(request):
        return render(request, None, {"deleted": job_id, "files_removed": removed})
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": "/jobs?job_deleted=1"})
    return RedirectResponse("/jobs?job_deleted=1", status_code=303)


routes = [
    *page("/jobs", jobs, "jobs"),
    Route("/jobs/{job_id:int}/status", set_status, methods=["POST"], name="job.status"),
    Route("/jobs/{job_id:int}/delete", delete, methods=["POST"], name="job.delete"),
]
