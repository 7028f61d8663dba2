"""The job seeker's "check my resume": one resume and one job description in, score, evidence and advice out.

To keep one way in, both files go through the inbox like any upload, but into a folder of their own,
inbox/checks/<id>/ (written hidden, then renamed, so the pipeline sees the pair at once). That folder,
not a file name, is what makes a check private: the pipeline scores the two files only against each
other and keeps nothing of them but the result, which it erases after SHORTLIST_CHECK_RETENTION_MINUTES
(pipeline/checks.py). The random id in the result's address is the only key to it, so the result page
polls rather than following the team's change feed.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from store.models import SeekerCheck, utcnow
from ui import actions
from ui.advice import advise, verdict
from ui.data import read, write
from ui.render import htmx_target, render, wants_json
from ui.routing import BadRequest, page
from ui.security import csrf_protect
from ui.uploads import UploadError, store_text, store_upload

FOLDER = "checks"  # pipeline.checks.FOLDER; the web does not import the pipeline's driver


def _file(form, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) and (value.filename or value.size) else None


async def check_form(request: Request) -> Response:
    settings = request.app.state.settings
    return render(
        request,
        "check.html",
        {
            "max_upload_mb": settings.max_upload_mb,
            "min_chars": settings.min_chars,
            "retention_minutes": settings.check_retention_minutes,
        },
    )


def _write_pair(settings, resume: UploadFile, job_file: UploadFile | None, job_text: str) -> tuple[str, list]:
    """Both files into a hidden folder, then the folder renamed into inbox/checks/ in one step."""
    check_id = secrets.token_hex(32)
    root = settings.inbox / FOLDER
    temp = root / f".{check_id}.part"
    limit = int(settings.max_upload_mb * 1024 * 1024)
    try:
        stored = [store_upload(resume, "resume", temp, limit, stem="resume")]
        if job_file is not None:
            stored.append(store_upload(job_file, "job", temp, limit, stem="job"))
        else:
            stored.append(store_text(job_text, "job", temp, "job.txt", limit))
        os.replace(temp, root / check_id)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return check_id, stored


@csrf_protect
async def submit(request: Request) -> Response:
    """POST /check (multipart: resume, and job_file or job_text): queue the pair, then go to the result page."""
    state = request.app.state
    settings = state.settings
    form = await request.form()
    resume, job_file = _file(form, "resume"), _file(form, "job_file")
    job_text = (form.get("job_text") or "").strip() if isinstance(form.get("job_text"), str) else ""
    if resume is None:
        raise BadRequest("Choose your resume (PDF, DOCX, TXT or Markdown).")
    if job_file is None and not job_text:
        raise BadRequest("Paste the job description or choose its file.")
    if job_file is not None and job_text:
        raise BadRequest("Give the job description once: paste it or choose a file, not both.")
    if job_text and len(job_text) < settings.min_chars:
        raise BadRequest(
            f"The pasted job description is too short to read skills from "
            f"({len(job_text)} characters; at least {settings.min_chars})."
        )
    try:
        check_id, stored = await run_in_threadpool(_write_pair, settings, resume, job_file, job_text)
    except UploadError as exc:
        state.metrics.upload_rejects.labels(str(exc.status_code)).inc()
        raise
    state.metrics.uploads.labels("check").inc(2)
    url = f"/check/{check_id}"
    if not wants_json(request):
        return RedirectResponse(url, status_code=303)
    return render(
        request,
        None,
        {
            "check": check_id,
            "result": url,
            "files": [{"filename": s.filename, "kind": s.kind, "size": s.size} for s in stored],
        },
        status=202,
    )


def _stored_result(session, check_id: str, retention_minutes: float) -> dict | None:
    row = session.get(SeekerCheck, check_id)
    cutoff = (utcnow() - timedelta(minutes=retention_minutes)).replace(tzinfo=None)
    if row is None or row.created_at.replace(tzinfo=None) < cutoff:
        return None
    return {
        "state": row.state,
        "report": json.loads(row.report) if row.report else None,
        "reason": row.reason,
        "created_at": row.created_at.isoformat(timespec="seconds"),
    }


async def result(request: Request) -> Response:
    """GET /check/{id}: waiting, failed with the reason, or the score with evidence and advice."""
    settings = request.app.state.settings
    check_id = request.path_params["check_id"]
    # The folder is looked at before the store: the watcher commits the result and then erases the folder, so a
    # folder seen first and no row read after means the check is still waiting. The other order can see neither.
    waiting = (settings.inbox / FOLDER / check_id).is_dir()
    stored = await read(request, _stored_result, check_id, settings.check_retention_minutes)
    if stored is None:
        if not waiting:
            raise HTTPException(
                404,
                f"This check is not here: results are erased "
                f"{settings.check_retention_minutes:g} minutes after they are ready, or "
                "when you erase them. Check your resume again to see a new result.",
            )
        stored = {"state": "waiting", "report": None, "reason": "", "created_at": None}
    report = stored["report"]
    context = {
        **stored,
        "check": check_id,
        "retention_minutes": settings.check_retention_minutes,
        "verdict": verdict(report["score"]) if report else None,
        "advice": advise(report) if report else None,
    }
    block = "result" if htmx_target(request) == "check-result" else None
    return render(request, "check_result.html", context, block=block)


@csrf_protect
async def erase(request: Request) -> Response:
    """POST /check/{id}/erase: the person is done; erase the result (and the files, if still waiting)."""
    settings = request.app.state.settings
    check_id = request.path_params["check_id"]
    await run_in_threadpool(shutil.rmtree, settings.inbox / FOLDER / check_id, True)
    erased = await write(request, actions.erase_check, check_id)
    if wants_json(request):
        return render(request, None, {"erased": erased})
    return RedirectResponse("/check?erased=1", status_code=303)


routes = [
    *page("/check", check_form, "check"),
    Route("/check", submit, methods=["POST"], name="check.post"),
    Route("/check.json", submit, methods=["POST"], name="check.post.json"),
    *page("/check/{check_id:sha}", result, "check.result"),
    Route("/check/{check_id:sha}/erase", erase, methods=["POST"], name="check.erase"),
]
