"""The hiring team's upload page: many resumes and job descriptions at once, each followed live through the pipeline."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from store import queries
from ui.data import read
from ui.render import render
from ui.routing import page
from ui.security import csrf_protect
from ui.uploads import ACCEPTED, UploadError, store_upload

KINDS = ("resume", "job")


def limits(request: Request) -> dict:
    settings = request.app.state.settings
    return {"max_upload_mb": settings.max_upload_mb,
            "accepted": {kind: list(suffixes) for kind, suffixes in ACCEPTED.items()}}


async def upload_page(request: Request) -> Response:
    return render(request, "upload.html", {"limits": limits(request), "files": []})


@csrf_protect
async def upload(request: Request) -> Response:
    """POST /upload (multipart: kind, files…): each file written atomically into inbox/<kind>/; 202, their sha256s."""
    state = request.app.state
    form = await request.form(max_files=state.max_files)
    kind = form.get("kind")
    if kind not in KINDS:
        raise HTTPException(400, "Say whether the files are resumes (kind=resume) or job descriptions (kind=job).")
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and (f.filename or f.size)]
    if not files:
        raise HTTPException(400, "Choose at least one file to upload.")
    stored = []
    for upload_file in files:
        try:
            stored.append(await run_in_threadpool(store_upload, upload_file, kind, state.settings.inbox_dir(kind),
                                                  int(state.settings.max_upload_mb * 1024 * 1024)))
        except UploadError as exc:  # counted, and told which files of the request did go through
            state.metrics.upload_rejects.labels(str(exc.status_code)).inc()
            if stored:
                exc.detail += f" (Already queued: {', '.join(s.filename for s in stored)}.)"
            raise
        state.metrics.uploads.labels(kind).inc()
    return render(request, "upload.html", {"files": [s.as_dict() for s in stored]}, status=202,
                  extra={"limits": limits(request)})


async def status(request: Request) -> Response:
    """GET /upload/status?sha=…: where each file is now (queued, parsing, scored, duplicate, failed)."""
    hashes = [h.lower() for h in request.query_params.getlist("sha") if len(h) == 64][:200]
    statuses = await read(request, queries.file_statuses, hashes)
    return render(request, "upload_status.html", {"files": list(statuses.values())})


routes = [
    *page("/upload", upload_page, "upload"),
    *page("/upload", upload, "upload.post", methods=("POST",)),
    *page("/upload/status", status, "upload.status"),
]
