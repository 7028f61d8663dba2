"""The jobs page: every job with its candidates scored, best score and shortlist count."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from store import queries
from ui.data import cached_read
from ui.pages import rescore
from ui.render import htmx_target, render
from ui.routing import page
from ui.security import logged_in

# Jobs from the job seeker's check page (ui/pages/check.py): the pipeline names a job after its file,
# "file:<stem>", and the check page names its files "check-<hash>-…".
CHECK_PREFIX = "file:check-"


def is_check(row: dict) -> bool:
    return row["identity"].startswith(CHECK_PREFIX)


async def home(request: Request) -> Response:
    return RedirectResponse("/jobs" if logged_in(request) else "/check", status_code=303)


async def jobs(request: Request) -> Response:
    rows = await cached_read(request, queries.jobs_overview)
    context = {
        "jobs": [row for row in rows if not is_check(row)],
        "checks": [row for row in rows if is_check(row)],
        **await rescore.context(request),
    }
    block = "jobs_table" if htmx_target(request) == "jobs-table" else None
    return render(request, "jobs.html", context, block=block)


routes = [*page("/jobs", jobs, "jobs")]
