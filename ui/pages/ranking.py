"""A job's ranking: filter, sort, paginate, shortlist/reject/note in place, export the view as CSV."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from store import people, queries
from ui import actions, blind
from ui.pages import rescore
from ui.data import cached_read, read, write
from ui.render import htmx_target, is_htmx, render, wants_json
from ui.routing import BadRequest, choice_param, float_param, int_param, page
from ui.security import actor_of, csrf_protect

PER_PAGE = (25, 50, 100, 200)
# Sortable columns and the direction a first click sorts in.
FIRST_DIRECTION = {
    "score": "desc",
    "name": "asc",
    "years": "desc",
    "status": "asc",
    "required": "desc",
    "updated": "desc",
}
FRESH_SECONDS = 10


@dataclass(frozen=True)
class View:
    """What a ranking page shows: filters, sort and page, read from and written back to the query string."""

    min_score: float | None = None
    status: str | None = None
    skill: str | None = None
    sort: str = "score"
    dir: str = "desc"
    page: int = 1
    per_page: int = 50

    @classmethod
    def parse(cls, params) -> "View":
        sort = choice_param(params, "sort", queries.SORTS, "score")
        skill = (params.get("skill") or "").strip()[:100] or None
        per_page = int_param(params, "per_page", 50, 1, max(PER_PAGE))
        return cls(
            min_score=float_param(params, "min_score", 0, 100),
            status=choice_param(params, "status", queries.STATUSES, None),
            skill=skill,
            sort=sort,
            dir=choice_param(params, "dir", ("asc", "desc"), FIRST_DIRECTION[sort]),
            page=int_param(params, "page", 1, 1, 1_000_000),
            per_page=per_page,
        )

    def params(self, **changes: Any) -> dict[str, Any]:
        """The query parameters that differ from the defaults (short, shareable URLs)."""
        view = replace(self, **changes)
        out: dict[str, Any] = {}
        if view.min_score is not None:
            out["min_score"] = int(view.min_score) if view.min_score.is_integer() else view.min_score
        if view.status:
            out["status"] = view.status
        if view.skill:
            out["skill"] = view.skill
        if view.sort != "score":
            out["sort"] = view.sort
        if view.dir != FIRST_DIRECTION[view.sort]:
            out["dir"] = view.dir
        if view.page != 1:
            out["page"] = view.page
        if view.per_page != 50:
            out["per_page"] = view.per_page
        return out

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))

    def sort_query(self, column: str) -> str:
        direction = ("asc" if self.dir == "desc" else "desc") if column == self.sort else FIRST_DIRECTION[column]
        return self.query(sort=column, dir=direction, page=1)

    def aria_sort(self, column: str) -> str:
        if column != self.sort:
            return "none"
        return "descending" if self.dir == "desc" else "ascending"

    @property
    def filtered(self) -> bool:
        return self.min_score is not None or self.status is not None or self.skill is not None


def _blind(session, job: dict[str, Any], rows: list[dict[str, Any]], settings) -> list[dict[str, Any]]:
    """Blind review: the job's switch, else SHORTLIST_BLIND_REVIEW; revealed people are shown."""
    job["blind"] = people.blind_jobs(session, settings.blind_review).get(job["id"], settings.blind_review)
    if not job["blind"]:
        return rows
    shown = set(people.revealed(session, [row["candidate_id"] for row in rows]))
    return blind.rows(rows, shown, settings.blind_organisations)


def _load(session, job_id: int, view: View, limit: int | None, offset: int, settings):
    job = queries.job_detail(session, job_id)
    if job is None:
        return None
    rows, total = queries.ranking(
        session,
        job_id,
        min_score=view.min_score,
        status=view.status,
        skill=view.skill,
        sort=view.sort,
        descending=view.dir == "desc",
        limit=limit,
        offset=offset,
    )
    return job, _blind(session, job, rows, settings), total, queries.decision_counts(session, job_id)


def _fresh(rows: list[dict[str, Any]]) -> set[int]:
    since = (datetime.now(timezone.utc) - timedelta(seconds=FRESH_SECONDS)).isoformat(timespec="seconds")
    return {row["candidate_id"] for row in rows if row["computed_at"] and row["computed_at"] >= since}


async def ranking(request: Request) -> Response:
    """The page, its table alone for htmx, or the JSON twin; the rows are read once per version of the data
    (the feed-invalidated cache), the HTML is rendered for each request with its own CSRF token."""
    job_id = request.path_params["job_id"]
    view = View.parse(request.query_params)
    loaded = await cached_read(
        request, _load, job_id, view, view.per_page, (view.page - 1) * view.per_page, request.app.state.settings
    )
    if loaded is None:
        raise HTTPException(404, f"There is no job {job_id}.")
    job, rows, total, counts = loaded
    context = {
        "job": job,
        "filters": {k: v for k, v in asdict(view).items() if k not in ("page", "per_page")},
        "total": total,
        "page": view.page,
        "per_page": view.per_page,
        "pages": max(1, math.ceil(total / view.per_page)),
        "counts": counts,
        "candidates": rows,
        **await rescore.context(request, job_id),
    }
    extra = {"view": view, "fresh": _fresh(rows), "per_page_options": PER_PAGE, "statuses": queries.STATUSES}
    block = "table" if htmx_target(request) == "ranking-table" else None
    return render(request, "ranking.html", context, block=block, extra=extra)


CSV_COLUMNS = (
    "rank",
    "candidate_id",
    "name",
    "email",
    "score",
    "status",
    "note",
    "matched",
    "missing_required",
    "missing_preferred",
    "resume_years",
    "job_years",
    "resume_file",
)


def csv_cell(value: Any) -> Any:
    """A cell safe to open in a spreadsheet: lists joined, formula-looking text neutralised."""
    if isinstance(value, list):
        value = "; ".join(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


async def export(request: Request) -> Response:
    """GET /jobs/{id}.csv: every row of the current view (filters and sort; not just the page)."""
    job_id = request.path_params["job_id"]
    view = View.parse(request.query_params)
    loaded = await read(request, _load, job_id, view, None, 0, request.app.state.settings)
    if loaded is None:
        raise HTTPException(404, f"There is no job {job_id}.")
    job, rows, _, _ = loaded

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for index, row in enumerate(rows, 1):
            writer.writerow([csv_cell(row[column]) for column in CSV_COLUMNS])
            if index % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    slug = "".join(ch if ch.isalnum() else "-" for ch in job["title"].lower()).strip("-") or f"job-{job_id}"
    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}-ranking.csv"'},
    )


@csrf_protect
async def decide(request: Request) -> Response:
    """POST a status (new|shortlisted|rejected) and/or a note for one candidate on one job."""
    job_id, candidate_id = request.path_params["job_id"], request.path_params["candidate_id"]
    form = await request.form()
    status = form.get("status") or None
    note = form.get("note")
    if status is not None and status not in queries.STATUSES:
        raise BadRequest(f"status must be one of: {', '.join(queries.STATUSES)}.")
    if status is None and note is None:
        raise BadRequest("Send a status, a note, or both.")
    await write(
        request,
        actions.decide,
        job_id,
        candidate_id,
        status=status,
        note=note if isinstance(note, str) else None,
        actor=actor_of(request),
    )

    def load(session):
        row = queries.ranking_row(session, job_id, candidate_id)
        job = queries.job_detail(session, job_id)
        if row is not None and job is not None:
            row = _blind(session, job, [row], request.app.state.settings)[0]
        return row, queries.decision_counts(session, job_id)

    row, counts = await read(request, load)
    if wants_json(request) or is_htmx(request):
        said = {"shortlisted": "shortlisted", "rejected": "rejected", "new": "back to new"}
        flash = f"{row['name']}: note saved." if status is None else f"{row['name']} {said[status]}."
        return render(
            request,
            "_decision.html",
            {"candidate": row, "counts": counts},
            extra={"row": row, "job_id": job_id, "fresh": set(), "flash": flash},
        )
    return RedirectResponse(f"/jobs/{job_id}#row-{candidate_id}", status_code=303)


routes = [
    *page("/jobs/{job_id:int}", ranking, "ranking"),
    Route("/jobs/{job_id:int}.csv", export, name="ranking.csv"),
    Route("/jobs/{job_id:int}/candidates/{candidate_id:int}/decision", decide, methods=["POST"], name="decide"),
]
