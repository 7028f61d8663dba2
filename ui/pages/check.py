"""The job seeker's "check my resume": one resume and one job description in, score, evidence and advice out.

To keep one way in, both files are written into inbox/ like any upload and the page waits for the
pipeline's result. Their names start with "check-" and their content hash, so a pasted job
description never replaces a hiring team's job of the same name.
"""
from __future__ import annotations

import hashlib

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from store import queries
from ui.advice import advise, verdict
from ui.data import read
from ui.render import htmx_target, render, wants_json
from ui.routing import BadRequest, page
from ui.security import csrf_protect
from ui.uploads import UploadError, store_text, store_upload

PREFIX = "check-"


def _digest(upload: UploadFile) -> str:
    digest = hashlib.sha256()
    upload.file.seek(0)
    while chunk := upload.file.read(1 << 20):
        digest.update(chunk)
    upload.file.seek(0)
    return digest.hexdigest()


def _file(form, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) and (value.filename or value.size) else None


async def check_form(request: Request) -> Response:
    settings = request.app.state.settings
    return render(request, "check.html", {"max_upload_mb": settings.max_upload_mb, "min_chars": settings.min_chars})


@csrf_protect
async def submit(request: Request) -> Response:
    """POST /check (multipart: resume, and job_file or job_text): queue both, then go to the result page."""
    state = request.app.state
    settings = state.settings
    form = await request.form()
    resume, job_file = _file(form, "resume"), _file(form, "job_file")
    job_text = (form.get("job_text") or "").strip() if isinstance(form.get("job_text"), str) else ""
    if resume is None:
        raise BadRequest("Choose your resume (PDF, DOCX or TXT).")
    if job_file is None and not job_text:
        raise BadRequest("Paste the job description or choose its file.")
    if job_file is not None and job_text:
        raise BadRequest("Give the job description once: paste it or choose a file, not both.")
    if job_text and len(job_text) < settings.min_chars:
        raise BadRequest(f"The pasted job description is too short to read skills from "
                         f"({len(job_text)} characters; at least {settings.min_chars}).")
    limit = int(settings.max_upload_mb * 1024 * 1024)
    try:
        resume_sha = await run_in_threadpool(_digest, resume)
        stored_resume = await run_in_threadpool(store_upload, resume, "resume", settings.inbox_dir("resume"), limit,
                                                f"{PREFIX}{resume_sha[:12]}-")
        if job_file is not None:
            job_sha = await run_in_threadpool(_digest, job_file)
            stored_job = await run_in_threadpool(store_upload, job_file, "job", settings.inbox_dir("job"), limit,
                                                 f"{PREFIX}{job_sha[:12]}-")
        else:
            text_sha = hashlib.sha256(job_text.encode("utf-8")).hexdigest()
            stored_job = await run_in_threadpool(store_text, job_text, "job", settings.inbox_dir("job"),
                                                 f"{PREFIX}{text_sha[:12]}-job-description.txt", limit)
    except UploadError as exc:
        state.metrics.upload_rejects.labels(str(exc.status_code)).inc()
        raise
    state.metrics.uploads.labels("check").inc(2)
    url = f"/check/{stored_resume.sha256}/{stored_job.sha256}"
    if not wants_json(request):
        return RedirectResponse(url, status_code=303)
    return render(request, None, {"resume": stored_resume.as_dict(), "job": stored_job.as_dict(), "result": url},
                  status=202)


def _result(session, resume_sha: str, job_sha: str) -> dict:
    statuses = queries.file_statuses(session, [resume_sha, job_sha])
    documents = queries.documents_by_sha256(session, [resume_sha, job_sha])
    resume_doc, job_doc = documents.get(resume_sha), documents.get(job_sha)
    report = None
    if resume_doc and job_doc and resume_doc["candidate_id"] and job_doc["job_id"]:
        report = queries.match_report(session, job_doc["job_id"], resume_doc["candidate_id"], resume_doc["id"])
    failed = [s for s in statuses.values() if s["status"] == "failed"]
    wrong_kind = (resume_doc and resume_doc["kind"] != "resume") or (job_doc and job_doc["kind"] != "job")
    state = "done" if report else "failed" if failed or wrong_kind else "waiting"
    return {
        "state": state,
        "resume": {**statuses[resume_sha], "filename": resume_doc["filename"] if resume_doc else None},
        "job": {**statuses[job_sha], "filename": job_doc["filename"] if job_doc else None},
        "report": report,
        "verdict": verdict(report["score"]) if report else None,
        "advice": advise(report) if report else [],
    }


async def result(request: Request) -> Response:
    """GET /check/{resume sha256}/{job sha256}: waiting, failed, or the score with evidence and advice."""
    resume_sha, job_sha = request.path_params["resume_sha"], request.path_params["job_sha"]
    context = await read(request, _result, resume_sha, job_sha)
    context["hashes"] = [resume_sha, job_sha]
    block = "result" if htmx_target(request) == "check-result" else None
    return render(request, "check_result.html", context, block=block)


routes = [
    *page("/check", check_form, "check"),
    Route("/check", submit, methods=["POST"], name="check.post"),
    Route("/check.json", submit, methods=["POST"], name="check.post.json"),
    *page("/check/{resume_sha:sha}/{job_sha:sha}", result, "check.result"),
]
