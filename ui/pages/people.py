"""People: possible duplicates side by side with Merge, Keep apart and Undo; the audit log; who retention erases
next; the per-job blind review switch."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from store import audit, people
from ui import people as person_actions
from ui.data import read, write
from ui.render import htmx_target, render, wants_json
from ui.routing import BadRequest, choice_param, int_param, page
from ui.security import actor_of, csrf_protect

PAIR_STATUSES = ("open", "merged", "apart")


def _duplicates(session, status: str):
    return {"pairs": people.duplicates(session, status), "counts": people.pair_counts(session), "status": status}


async def duplicates(request: Request) -> Response:
    """GET /people: pairs of people who may be one, with the signals that agree and disagree."""
    status = choice_param(request.query_params, "status", PAIR_STATUSES, "open")
    context = await read(request, _duplicates, status)
    block = "pairs" if htmx_target(request) == "pairs" else None
    return render(request, "people.html", context, block=block)


def _answer(request: Request, done: dict, back: str) -> Response:
    if wants_json(request):
        return render(request, None, done)
    return RedirectResponse(back, status_code=303)


@csrf_protect
async def merge(request: Request) -> Response:
    """POST /people/pairs/{id}/merge: the later person joins the earlier one (undoable)."""
    done = await write(request, person_actions.merge, request.path_params["pair_id"], actor_of(request))
    return _answer(request, done, f"/people?status=merged&merged={done['change']}")


@csrf_protect
async def apart(request: Request) -> Response:
    """POST /people/pairs/{id}/apart (apart=0 takes it back): two different people; the pair leaves the queue."""
    form = await request.form()
    again = form.get("apart") in ("0", "false", "no")
    done = await write(request, person_actions.keep_apart, request.path_params["pair_id"], actor_of(request), not again)
    return _answer(request, done, "/people")


@csrf_protect
async def undo(request: Request) -> Response:
    """POST /people/changes/{id}/undo: a merge or a split taken back."""
    done = await write(request, person_actions.undo, request.path_params["change_id"], actor_of(request))
    back = "/people" if done["undone"] == "merge" else f"/candidates/{done['candidate_id']}"
    return _answer(request, done, back)


@csrf_protect
async def blind(request: Request) -> Response:
    """POST /jobs/{id}/blind (blind=on|off|default): this job's blind review switch."""
    form = await request.form()
    value = form.get("blind")
    choices = {"on": True, "off": False, "default": None}
    if value not in choices:
        raise BadRequest("blind must be on, off or default.")
    job_id = request.path_params["job_id"]
    done = await write(request, person_actions.set_blind, job_id, choices[str(value)], actor_of(request))
    return _answer(request, done, f"/jobs/{job_id}")


async def audit_log(request: Request) -> Response:
    """GET /audit: who did what and when (filter by candidate= or action=)."""
    params = request.query_params
    candidate_id = int_param(params, "candidate", 0, 0, 2**62) or None
    action = choice_param(params, "action", audit.ACTIONS, None)
    rows = await read(request, audit.entries, candidate_id=candidate_id, action=action, limit=500)
    return render(
        request,
        "audit.html",
        {"entries": rows, "candidate": candidate_id, "action": action},
        extra={"actions": audit.ACTIONS},
    )


async def retention(request: Request) -> Response:
    """GET /retention: who the retention period erases, and when (SHORTLIST_RETENTION_DAYS)."""
    settings = request.app.state.settings
    rows = await read(request, people.retention_due, settings.retention_days, settings.retention_notice_days)
    return render(
        request,
        "retention.html",
        {
            "days": settings.retention_days,
            "blind": settings.blind_review,
            "notice_days": settings.retention_notice_days,
            "due": rows,
        },
    )


routes = [
    *page("/people", duplicates, "people"),
    Route("/people/pairs/{pair_id:int}/merge", merge, methods=["POST"], name="people.merge"),
    Route("/people/pairs/{pair_id:int}/apart", apart, methods=["POST"], name="people.apart"),
    Route("/people/changes/{change_id:int}/undo", undo, methods=["POST"], name="people.undo"),
    Route("/jobs/{job_id:int}/blind", blind, methods=["POST"], name="job.blind"),
    *page("/audit", audit_log, "audit"),
    *page("/retention", retention, "retention"),
]
