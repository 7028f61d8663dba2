"""A candidate: resume text with found skills highlighted, matches against every job, their resumes and the job each
serves, the original, split, reveal under blind review, a subject access export, and erasure."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from store import audit, people, queries
from store.models import Candidate
from ui import actions, blind
from ui import people as person_actions
from ui.data import read, write
from ui.render import htmx_target, is_htmx, render, wants_json
from ui.routing import BadRequest, page
from ui.security import actor_of, csrf_protect

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _detail(session, candidate_id: int, settings) -> dict | None:
    """The candidate, their resumes and the job each serves, and blind review applied unless revealed."""
    detail = queries.candidate_detail(session, candidate_id)
    if detail is None:
        return None
    merged_into = session.get(Candidate, candidate_id).merged_into
    detail.update(people.person(session, candidate_id), merged_into=merged_into)
    detail["blind"] = (
        people.in_blind_job(session, candidate_id, settings.blind_review) and candidate_id not in detail["revealed"]
    )
    detail["can_reveal"] = detail["blind"]
    return blind.candidate(detail, settings.blind_organisations) if detail["blind"] else detail


async def candidate(request: Request) -> Response:
    candidate_id = request.path_params["candidate_id"]
    detail = await read(request, _detail, candidate_id, request.app.state.settings)
    if detail is None:
        raise HTTPException(404, f"There is no candidate {candidate_id} (they may have been deleted).")
    if detail["merged_into"] is not None and not wants_json(request):
        return RedirectResponse(f"/candidates/{detail['merged_into']}", status_code=303)
    block = "matches" if htmx_target(request) == "candidate-matches" else None
    return render(request, "candidate.html", {"candidate": detail}, block=block)


def _ids(values: list) -> list[int]:
    try:
        return [int(value) for value in values]
    except ValueError:
        raise BadRequest("Resume numbers must be whole numbers.") from None


@csrf_protect
async def split(request: Request) -> Response:
    """POST /candidates/{id}/split: the chosen resumes (document=ID, repeated) become another person."""
    candidate_id = request.path_params["candidate_id"]
    form = await request.form()
    documents = _ids(form.getlist("document"))
    done = await write(request, person_actions.split, candidate_id, documents, actor_of(request))
    if wants_json(request):
        return render(request, None, done)
    return RedirectResponse(f"/candidates/{candidate_id}?split={done['change']}", status_code=303)


@csrf_protect
async def reveal(request: Request) -> Response:
    """POST /candidates/{id}/reveal (reason=...): show who this is under blind review; recorded in the audit log."""
    candidate_id = request.path_params["candidate_id"]
    form = await request.form()
    reason = form.get("reason")
    done = await write(
        request, person_actions.reveal, candidate_id, actor_of(request), reason if isinstance(reason, str) else ""
    )
    if wants_json(request):
        return render(request, None, done)
    return RedirectResponse(f"/candidates/{candidate_id}", status_code=303)


@csrf_protect
async def export(request: Request) -> Response:
    """POST /candidates/{id}/export: everything held on this person as JSON (a subject access request); audited."""
    candidate_id = request.path_params["candidate_id"]
    actor = actor_of(request)

    def work(session):
        data = people.export(session, candidate_id)
        if data is not None:
            audit.record(
                session,
                actor,
                "export",
                candidate_id=candidate_id,
                touch=False,
                detail={"documents": len(data["documents"])},
            )
        return data

    data = await write(request, work)
    if data is None:
        raise HTTPException(404, f"There is no candidate {candidate_id}.")
    body = json.dumps(data, indent=2, sort_keys=True, default=str)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="candidate-{candidate_id}-export.json"'},
    )


async def original(request: Request) -> Response:
    """GET /documents/{id}/original: the archived file as it was dropped or uploaded."""
    document_id = request.path_params["document_id"]
    document = await read(request, queries.document_file, document_id)
    if document is None:
        raise HTTPException(404, f"There is no document {document_id}.")
    if document["candidate_id"] is not None:
        detail = await read(request, _detail, document["candidate_id"], request.app.state.settings)
        if detail is not None and detail["blind"]:
            raise HTTPException(403, "Blind review: reveal this candidate first (the original shows who they are).")
    path = actions.stored_file(request.app.state.settings, document["stored_path"])
    if path is None:
        raise HTTPException(410, f"The original of {document['filename']} is no longer in the store.")
    return FileResponse(
        path,
        media_type=MEDIA_TYPES.get(document["format"], "application/octet-stream"),
        filename=document["filename"],
        content_disposition_type="attachment",
    )


@csrf_protect
async def delete(request: Request) -> Response:
    """POST /candidates/{id}/delete: erase the candidate's rows and stored files (the right to erasure)."""
    candidate_id = request.path_params["candidate_id"]
    files = await write(request, actions.delete_candidate, request.app.state.settings, candidate_id, actor_of(request))
    removed = actions.unlink_all(files)
    if wants_json(request):
        return render(request, None, {"deleted": candidate_id, "files_removed": removed})
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": "/jobs?deleted=1"})
    return RedirectResponse("/jobs?deleted=1", status_code=303)


routes = [
    *page("/candidates/{candidate_id:int}", candidate, "candidate"),
    Route("/candidates/{candidate_id:int}/delete", delete, methods=["POST"], name="candidate.delete"),
    Route("/candidates/{candidate_id:int}/split", split, methods=["POST"], name="candidate.split"),
    Route("/candidates/{candidate_id:int}/reveal", reveal, methods=["POST"], name="candidate.reveal"),
    Route("/candidates/{candidate_id:int}/export", export, methods=["POST"], name="candidate.export"),
    Route("/documents/{document_id:int}/original", original, name="document.original"),
]
