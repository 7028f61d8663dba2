"""Login for the hiring-team pages when SHORTLIST_PASSWORD is set (a signed session cookie), and logout."""

from __future__ import annotations

import asyncio
import hmac

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ui.render import render
from ui.security import SESSION_COOKIE, SESSION_SECONDS, csrf_protect, safe_next

FAILED_LOGIN_DELAY = 0.5


async def login_page(request: Request) -> Response:
    return render(request, "login.html", {"next": safe_next(request.query_params.get("next")), "failed": False})


@csrf_protect
async def login(request: Request) -> Response:
    state = request.app.state
    form = await request.form()
    target = safe_next(form.get("next") if isinstance(form.get("next"), str) else None)
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    if not state.settings.password:
        return RedirectResponse(target, status_code=303)
    if not hmac.compare_digest(password.encode(), state.settings.password.encode()):
        await asyncio.sleep(FAILED_LOGIN_DELAY)
        return render(request, "login.html", {"next": target, "failed": True}, status=401)
    response = RedirectResponse(target, status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        state.signer.new_session(),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    return response


@csrf_protect
async def logout(_request: Request) -> Response:
    response = RedirectResponse("/check", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


routes = [
    Route("/login", login_page, methods=["GET"], name="login"),
    Route("/login", login, methods=["POST"], name="login.post"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
