"""The hiring team's upload page: many resumes and job descriptions at once, each followed live through the pipeline."""

from __future__ import annotations

import hashlib

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from store import queries
from ui.data import read
from starlette.exceptions import HTTPException

from ui.render import render, wants_json
from ui.routing import page
from ui.security import csrf_protect
from ui.uploads import ACCEPTED, UploadError, store_upload

KINDS = ("resume", "job")


def limits(request: Request) -> dict:
    settings = request.app.state.settings
    return {
        "max_upload_mb": settings.max_upload_mb,
        "accepted": {kind: list(suffixes) for kind, suffixes in ACCEPTED.items()},
    }


async def upload_page(request: Request) -> Response:
    return render(request, "upload.html", {"limits": limits(request), "files": []})


def _digest(upload_file: UploadFile) -> str:
    digest = hashlib.sha256()
    upload_file.file.seek(0)
    while chunk := upload_file.file.read(1 << 20):
        digest.update(chunk)
    upload_file.file.seek(0)
    return digest.hexdigest()


def _answer(upload_file: UploadFile, kind: str, outcome: str, detail: str = "", **fields) -> dict:
    """One file's answer when it was not stored: a duplicate or a refusal, with the reason."""
    return {
        "filename": upload_file.filename or "",
        "stored_as": None,
        "kind": kind,
        "sha256": fields.pop("sha256", None),
        "size": upload_file.size,
        "status": outcome,
        "outcome": outcome,
        "detail": detail,
        **fields,
    }


async def _one(request: Request, upload_file: UploadFile, kind: str, batch: set[str]) -> dict:
    """Store one file of a batch, or say why not; never raises for a bad file."""
    state = request.app.state
    sha = await run_in_threadpool(_digest, upload_file)
    if sha in batch:
        return _answer(upload_file, kind, "duplicate", "The same file is already earlier in this upload.", sha256=sha)
    batch.add(sha)
    known = (await read(request, queries.documents_by_sha256, [sha])).get(sha)
    if known is not None:
        return _answer(
            upload_file,
            kind,
            "duplicate",
            f"Already read as {known['filename']}; nothing new to add.",
            sha256=sha,
            document_id=known["id"],
            candidate_id=known["candidate_id"],
            job_id=known["job_id"],
        )
    try:
        stored = await run_in_threadpool(
            store_upload,
            upload_file,
            kind,
            state.settings.inbox_dir(kind),
            int(state.settings.max_upload_mb * 1024 * 1024),
        )
    except UploadError as exc:
        state.metrics.upload_rejects.labels(str(exc.status_code)).inc()
        return _answer(upload_file, kind, "refused", exc.message, sha256=sha, http_status=exc.status_code)
    state.metrics.uploads.labels(kind).inc()
    return {**stored.as_dict(), "outcome": "stored"}


@csrf_protect
async def upload(request: Request) -> Response:
    """POST /upload (multipart: kind, files…): every file answered on its own, in order: stored (written
    atomically into inbox/<kind>/), duplicate (already known, not written again) or refused with the reason.
    202 when any file was stored or known; when every file was refused, the first refusal's status."""
    state = request.app.state
    form = await request.form(max_files=state.max_files)
    kind = form.get("kind")
    if kind not in KINDS:
        raise HTTPException(400, "Say whether the files are resumes (kind=resume) or job descriptions (kind=job).")
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and (f.filename or f.size)]
    if not files:
        raise HTTPException(400, "Choose at least one file to upload.")
    batch: set[str] = set()
    answers = [await _one(request, f, kind, batch) for f in files]
    refused = [a for a in answers if a["outcome"] == "refused"]
    status = 202 if len(refused) < len(answers) else refused[0]["http_status"]
    body: dict = {
        "files": answers,
        "stored": sum(a["outcome"] == "stored" for a in answers),
        "duplicate": sum(a["outcome"] == "duplicate" for a in answers),
        "refused": len(refused),
    }
    if status != 202:
        body["error"] = " ".join(a["detail"] for a in refused)
    if status != 202 and not wants_json(request):
        raise HTTPException(status, body["error"])
    return render(request, "upload.html", body, status=status, extra={"limits": limits(request)})


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
