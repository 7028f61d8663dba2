"""A candidate: resume text with found skills highlighted, matches against every job, the original, and erasure."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from store import queries
from ui import actions
from ui.data import read, write
from ui.render import htmx_target, is_htmx, render, wants_json
from ui.routing import page
from ui.security import csrf_protect

MEDIA_TYPES = {"pdf": "application/pdf", "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


async def candidate(request: Request) -> Response:
    candidate_id = request.path_params["candidate_id"]
    detail = await read(request, queries.candidate_detail, candidate_id)
    if detail is None:
        raise HTTPException(404, f"There is no candidate {candidate_id} (they may have been deleted).")
    block = "matches" if htmx_target(request) == "candidate-matches" else None
    return render(request, "candidate.html", {"candidate": detail}, block=block)


async def original(request: Request) -> Response:
    """GET /documents/{id}/original: the archived file as it was dropped or uploaded."""
    document_id = request.path_params["document_id"]
    document = await read(request, queries.document_file, document_id)
    if document is None:
        raise HTTPException(404, f"There is no document {document_id}.")
    path = actions.stored_file(request.app.state.settings, document["stored_path"])
    if path is None:
        raise HTTPException(410, f"The original of {document['filename']} is no longer in the store.")
    return FileResponse(path, media_type=MEDIA_TYPES.get(document["format"], "application/octet-stream"),
                        filename=document["filename"], content_disposition_type="attachment")


@csrf_protect
async def delete(request: Request) -> Response:
    """POST /candidates/{id}/delete: erase the candidate's rows and stored files (the right to erasure)."""
    candidate_id = request.path_params["candidate_id"]
    files = await write(request, actions.delete_candidate, request.app.state.settings, candidate_id)
    removed = actions.unlink_all(files)
    if wants_json(request):
        return render(request, None, {"deleted": candidate_id, "files_removed": removed})
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": "/jobs?deleted=1"})
    return RedirectResponse("/jobs?deleted=1", status_code=303)


routes = [
    *page("/candidates/{candidate_id:int}", candidate, "candidate"),
    Route("/candidates/{candidate_id:int}/delete", delete, methods=["POST"], name="candidate.delete"),
    Route("/documents/{document_id:int}/original", original, name="document.original"),
]
