"""Signed cookies: the optional login session and the CSRF token every state change must echo back."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Awaitable, Callable

import itsdangerous
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

SESSION_COOKIE = "shortlist_session"
CSRF_COOKIE = "shortlist_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 12 * 3600
# Paths anyone may open when a password is set: the job seeker's check, login, probes, metrics, assets.
PUBLIC_PREFIXES = (
    "/login",
    "/logout",
    "/static/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/check",
    "/events",
    "/favicon.ico",
)


def stored_secret(store: Path) -> str:
    """The key kept in `store/.secret` (made once, readable by the owner only), so that a restart keeps
    sessions and open pages' CSRF tokens valid when SHORTLIST_SECRET is not set."""
    path = store / ".secret"
    try:
        return path.read_text().strip() or _new_secret(path)
    except FileNotFoundError:
        return _new_secret(path)


def _new_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with os.fdopen(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
        handle.write(secret)
    try:
        os.link(temp, path)  # the first process to start wins; the others read its key
    except FileExistsError:
        secret = path.read_text().strip()
    finally:
        temp.unlink()
    return secret


class Signer:
    """Signed cookie values with the app's secret (SHORTLIST_SECRET, else the one kept in the store), through
    itsdangerous (what Starlette's own sessions use): HMAC-SHA256, one salt per purpose, timestamps for sessions."""

    def __init__(self, secret: str) -> None:
        self.secret = secret or secrets.token_hex(32)

    def _signer(self, purpose: str) -> itsdangerous.TimestampSigner:
        return itsdangerous.TimestampSigner(self.secret, salt=f"shortlist.{purpose}", digest_method=hashlib.sha256)

    def sign(self, value: str, purpose: str) -> str:
        return self._signer(purpose).sign(value).decode()

    def unsign(self, signed: str | None, purpose: str, max_age: int | None = None) -> str | None:
        """The value, or None when the signature is wrong, the token malformed or older than `max_age` seconds."""
        if not signed:
            return None
        try:
            return self._signer(purpose).unsign(signed, max_age=max_age).decode()
        except itsdangerous.BadSignature:  # SignatureExpired is one
            return None

    # --- CSRF: double-submit of a signed random token ---
    def new_csrf(self) -> str:
        return self.sign(secrets.token_urlsafe(18), "csrf")

    def csrf_ok(self, cookie: str | None, sent: str | None) -> bool:
        return bool(cookie and sent and hmac.compare_digest(cookie, sent) and self.unsign(cookie, "csrf"))

    # --- login session ---
    def new_session(self) -> str:
        return self.sign(f"team-{secrets.token_hex(8)}", "session")

    def session_ok(self, cookie: str | None) -> bool:
        return self.unsign(cookie, "session", max_age=SESSION_SECONDS) is not None


def csrf_token(request: Request) -> str:
    """The token this page embeds: the cookie's, or a new one the response middleware sets."""
    token = request.scope.get("shortlist.csrf")
    if token is None:
        signer: Signer = request.app.state.signer
        cookie = request.cookies.get(CSRF_COOKIE)
        token = cookie if cookie and signer.unsign(cookie, "csrf") else signer.new_csrf()
        request.scope["shortlist.csrf"] = token
    return token


def logged_in(request: Request) -> bool:
    settings = request.app.state.settings
    return not settings.password or request.app.state.signer.session_ok(request.cookies.get(SESSION_COOKIE))


def actor_of(request: Request) -> str:
    """Who the audit log names: the name a reverse proxy vouches for (X-Remote-User), else the team's session or
    the open team UI, with the client's address (Shortlist has one shared password, not accounts)."""
    user = (request.headers.get("x-remote-user") or "").strip()[:100]
    host = request.client.host if request.client else "unknown"
    if user:
        return f"{user} ({host})"
    return f"team session ({host})" if request.app.state.settings.password else f"team ({host})"


Endpoint = Callable[[Request], Awaitable[Response]]


def csrf_protect(endpoint: Endpoint) -> Endpoint:
    """Refuse a state change unless it echoes the CSRF cookie in the X-CSRF-Token header or a csrf_token field."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        try:
            return await _checked(request, endpoint)
        finally:  # Starlette leaves the temporary files of a parsed multipart form open; every POST ends here
            await request.close()

    wrapper.csrf_protected = True  # type: ignore[attr-defined]
    return wrapper


async def _checked(request: Request, endpoint: Endpoint) -> Response:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form(max_files=request.app.state.max_files)
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not request.app.state.signer.csrf_ok(request.cookies.get(CSRF_COOKIE), sent):
        from ui.render import error

        return error(
            request,
            403,
            "This form has expired or did not come from Shortlist (CSRF check failed). Reload the page and try again.",
        )
    return await endpoint(request)


class SecurityMiddleware:
    """Sets the CSRF cookie and security headers on every response; asks for the password when one is set."""

    def __init__(self, app: ASGIApp, signer: Signer, password: str) -> None:
        self.app = app
        self.signer = signer
        self.password = password

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = scope["path"]
        if (
            self.password
            and not path.startswith(PUBLIC_PREFIXES)
            and path != "/"
            and not self.signer.session_ok(request.cookies.get(SESSION_COOKIE))
        ):
            await _login_required(request)(scope, receive, send)
            return
        cookie = request.cookies.get(CSRF_COOKIE)

        async def send_wrapper(message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend(SECURITY_HEADERS)
                token = scope.get("shortlist.csrf")
                if token and token != cookie:
                    secure = "; Secure" if scope.get("scheme") == "https" else ""
                    headers.append(
                        (b"set-cookie", f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}".encode())
                    )
            await send(message)

        await self.app(scope, receive, send_wrapper)


SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        b"frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


def _login_required(request: Request) -> Response:
    from ui.render import error, wants_json

    if wants_json(request) or request.method not in ("GET", "HEAD") or request.headers.get("hx-request"):
        response = error(request, 401, "Log in to use the hiring-team pages.")
        if request.headers.get("hx-request"):
            response.headers["HX-Redirect"] = "/login"
        return response
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="/")


def safe_next(value: str | None) -> str:
    """Only same-site paths are followed after login (no //evil.example or scheme)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/jobs"
    return value
