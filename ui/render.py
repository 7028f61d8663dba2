"""One way to answer a page: its template, one block of it for htmx, or its context as JSON (the page's twin)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments.starlette import Jinja2Blocks
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ui.highlight import highlight, mark_surface
from ui.security import csrf_token, logged_in

TEMPLATES = Path(__file__).resolve().parent / "templates"

# The navigation, in order: (label, path, who). A new page is one line here and one module in ui/pages/
# listed in ui/app.py.
NAV: list[tuple[str, str, str]] = [
    ("Jobs", "/jobs", "team"),
    ("Upload", "/upload", "team"),
    ("People", "/people", "team"),
    ("Failed files", "/failed", "team"),
    ("SLOs", "/slo", "team"),
    ("Audit", "/audit", "team"),
    ("Check my resume", "/check", "public"),
]


def score_class(score: float | None) -> str:
    if score is None:
        return "score-none"
    return "score-high" if score >= 70 else "score-mid" if score >= 40 else "score-low"


def years(value: float | int | None) -> str:
    if value is None:
        return "–"
    value = float(value)
    return f"{value:.0f}" if value.is_integer() else f"{value:.1f}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["highlight"] = highlight
    env.filters["mark_surface"] = mark_surface
    env.filters["score_class"] = score_class
    env.filters["years"] = years
    return env


templates = Jinja2Blocks(env=_environment())


def wants_json(request: Request) -> bool:
    return (
        request.url.path.endswith(".json")
        or request.query_params.get("format") == "json"
        or request.headers.get("accept", "").startswith("application/json")
    )


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and not request.headers.get("hx-history-restore-request")


def htmx_target(request: Request) -> str | None:
    return request.headers.get("hx-target") if is_htmx(request) else None


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class _PrettyJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=_default, indent=2).encode("utf-8")


def page_globals(request: Request) -> dict[str, Any]:
    """What every template sees besides its own context (never part of the JSON twin)."""
    state = request.app.state
    team = logged_in(request)
    return {
        "request": request,
        "csrf_token": csrf_token(request),
        "team": team,
        "password_set": bool(state.settings.password),
        "nav": [(label, path) for label, path, who in NAV if who == "public" or team],
        "feed_id": state.feed.last_id,
        "current_path": request.url.path,
    }


def render(
    request: Request,
    template: str | None,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    block: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """The one way to answer: `context` as JSON when the client asked for the twin (or when there is no
    `template`: a probe, or a form post whose HTML answer is a redirect its handler makes), else the template,
    or one block of it for htmx, with `context`, `extra` (what only the HTML needs) and the page globals."""
    if template is None or wants_json(request):
        return _PrettyJSON(dict(context), status_code=status, headers=headers)
    merged = {**context, **(extra or {}), **page_globals(request)}
    return templates.TemplateResponse(request, template, merged, status_code=status, headers=headers, block_name=block)


def error(request: Request, status: int, message: str) -> Response:
    """A readable error as a page, a JSON body or (for htmx) a small fragment the page shows as a flash.

    Handlers raise (HTTPException, BadRequest, ActionError, UploadError); the app's exception handler calls this.
    """
    block = "message" if is_htmx(request) and not wants_json(request) else None
    return render(request, "error.html", {"error": message, "status": status}, status=status, block=block)
