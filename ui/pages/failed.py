"""Failed files: what the pipeline quarantined and why, with a retry that puts the file back into inbox/ and a
dismiss that deletes it."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from store import queries
from store.models import Failure
from ui import actions
from ui.data import read, write
from ui.render import htmx_target, is_htmx, render, wants_json
from ui.routing import page
from ui.security import csrf_protect


async def failed(request: Request) -> Response:
    include_retried = request.query_params.get("all") in ("1", "true", "yes")
    rows = await read(request, queries.failures, include_retried=include_retried)
    block = "failed_table" if htmx_target(request) == "failed-table" else None
    return render(request, "failed.html", {"failures": rows, "include_retried": include_retried}, block=block)


def _failure(session, failure_id: int):
    failure = session.get(Failure, failure_id)
    return None if failure is None else failure.model_dump()


@csrf_protect
async def retry(request: Request) -> Response:
    """POST /failed/{id}/retry: move the file back to inbox/<kind>/ under its name, forget its attempts."""
    settings = request.app.state.settings
    failure_id = request.path_params["failure_id"]
    failure = await read(request, _failure, failure_id)
    if failure is None:
        raise HTTPException(404, "No such failed file.")
    if failure["retried_at"] is not None:
        raise actions.ActionError(409, f"{failure['filename']} was already retried.")
    source = actions.quarantined_file(settings, failure)
    await write(request, actions.mark_retried, failure_id)
    try:
        target = await run_in_threadpool(actions.move_back, settings, source, failure)
    except OSError as exc:
        await write(request, actions.mark_retried, failure_id, False)
        raise actions.ActionError(500, f"Could not move {failure['filename']} back into the inbox: {exc}") from exc
    message = f"{failure['filename']} is back in inbox/{target.parent.name}/ as {target.name}."
    if wants_json(request) or is_htmx(request):
        return render(
            request,
            "_failed_retried.html",
            {"retried": failure_id, "inbox_path": str(target), "message": message},
            extra={"failure": failure},
        )
    return RedirectResponse("/failed", status_code=303)


@csrf_protect
async def dismiss(request: Request) -> Response:
    """POST /failed/{id}/dismiss: a person is done with a quarantined file: forget it and delete the file."""
    settings = request.app.state.settings
    failure_id = request.path_params["failure_id"]
    failure, files = await write(request, actions.dismiss_failure, settings, failure_id)
    removed = actions.unlink_all(files)
    if wants_json(request):
        return render(
            request, None, {"dismissed": failure_id, "filename": failure["filename"], "files_removed": removed}
        )
    if is_htmx(request):
        return Response(status_code=200)
    return RedirectResponse("/failed", status_code=303)


routes = [
    *page("/failed", failed, "failed"),
    Route("/failed/{failure_id:int}/dismiss", dismiss, methods=["POST"], name="failed.dismiss"),
    Route("/failed/{failure_id:int}/retry", retry, methods=["POST"], name="failed.retry"),
]
