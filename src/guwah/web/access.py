"""Who is asking, what they may see, and the audit of every read.

Three modes, chosen by the case and by ``guwah serve``:

- **team**: the case has users (``guwah users add``). Every request is signed in — a session
  cookie from ``/login`` (HttpOnly, SameSite=Strict, Secure over HTTPS) or an API token
  (``Authorization: Bearer gwt_…``) — and acts with its user's role.
- **local**: no users, ``guwah serve`` on this machine. A per-run access token is printed in
  the address (as Jupyter does); opening it once sets the session cookie. No other site and
  no other local user without the address can read the case.
- **open**: no users and no token — only when the app is built in a program of one's own
  (``create_app(case)``), never by ``guwah serve``.

Every response to a signed-in request, but for static files, the API's description and the
login page, is written to the audit log (:mod:`guwah.access.audit`): who, role, address,
what (the route and the path), the query string. A role without ``identities`` sees
pseudonyms, masked ID numbers and redacted text in pages and JSON alike; a role without
``originals`` gets 403 for originals and page images.
"""

from __future__ import annotations

import contextvars
import hmac
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from guwah.access import audit
from guwah.access.pseudonym import Pseudonymiser, case_secret, for_case
from guwah.access.roles import LOCAL_ROLE, may
from guwah.access.users import Identity, any_users, check_token
from guwah.case import Case

SESSION_COOKIE = "guwah_session"
SESSION_SECONDS = 12 * 3600
# Open to anyone and not audited: what holds no case data, and the login page itself.
UNAUDITED = ("/static/", "/docs", "/openapi.json", "/login", "/favicon.ico")
# State-changing forms whose route checks the CSRF token in the form (and audits itself).
FORM_CSRF = ("/logout", "/screen")
SELF_AUDITED = ("/logout",)  # routes that write their own audit event
ORIGINALS = ("/raw", ".png")
LOGIN_FAILURES, LOGIN_WINDOW_S = 5, 600

# The pseudonymiser of the request being served, if its role may not see identities: read by
# the template filters, so that every value a page shows passes through it.
current_pseudonymiser: contextvars.ContextVar[Pseudonymiser | None] = contextvars.ContextVar(
    "current_pseudonymiser", default=None
)


@dataclass
class Access:
    """The access settings of one running app."""

    case: Case
    mode: str  # team | local | open
    local_token: str | None = None
    serializer: URLSafeTimedSerializer = field(init=False)
    _pseudonymiser: Pseudonymiser | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def __post_init__(self) -> None:
        secret = case_secret(self.case.root, "session")
        self.serializer = URLSafeTimedSerializer(secret, salt="guwah-session")

    def pseudonymiser(self) -> Pseudonymiser:
        with self._lock:
            if self._pseudonymiser is None:
                self._pseudonymiser = for_case(self.case)
            return self._pseudonymiser

    # -- sessions ---------------------------------------------------------------------------

    def session_cookie(self, identity: Identity) -> tuple[str, str]:
        csrf = secrets.token_urlsafe(24)
        value = self.serializer.dumps({"u": identity.name, "r": identity.role, "c": csrf})
        return value, csrf

    def from_cookie(self, value: str) -> tuple[Identity, str] | None:
        try:
            data = self.serializer.loads(value, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        if self.mode == "team":
            from guwah.store.models_access import User

            with self.case.sessions() as session:
                user = session.query(User).filter_by(name=data["u"], disabled=False).first()
                if user is None or user.role != data["r"]:
                    return None  # removed or re-roled since: sign in again
        return Identity(data["u"], data["r"], "password" if self.mode == "team" else "local"), data[
            "c"
        ]

    # -- login rate limit ---------------------------------------------------------------------

    def too_many_failures(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                q = self._failures[key]
                while q and now - q[0] > LOGIN_WINDOW_S:
                    q.popleft()
                if len(q) >= LOGIN_FAILURES:
                    return True
        return False

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures[key].append(time.monotonic())


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def _identify(access: Access, request: Request) -> tuple[Identity | None, str]:
    """The identity of a request and its CSRF token ('' where none applies)."""
    if access.mode == "open":
        return Identity("local", LOCAL_ROLE, "open"), ""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
        if access.mode == "local":
            ok = access.local_token is not None and hmac.compare_digest(token, access.local_token)
            return (Identity("local", LOCAL_ROLE, "token"), "") if ok else (None, "")
        with access.case.sessions() as session:
            return check_token(session, token), ""
    cookie = request.cookies.get(SESSION_COOKIE)
    found = access.from_cookie(cookie) if cookie else None
    return found if found else (None, "")


def _refusal(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api"):
        return Response(
            json.dumps({"detail": message}), status_code=status, media_type="application/json"
        )
    from guwah.web.render import render

    html = render(request, "error.html", case_root="", error=message, identity=None, csrf="")
    return Response(html, status_code=status, media_type="text/html")


def _local_sign_in(access: Access, request: Request) -> Response | None:
    """A request carrying the per-run token: set the session cookie and drop the token."""
    token = request.query_params.get("token")
    if access.mode != "local" or token is None or access.local_token is None:
        return None
    if not hmac.compare_digest(token, access.local_token):
        return _refusal(request, 401, "this access token is not the one of this run")
    rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
    response = RedirectResponse(request.url.path + ("?" + urlencode(rest) if rest else ""), 303)
    value, _ = access.session_cookie(Identity("local", LOCAL_ROLE, "local"))
    set_session(response, request, value)
    return response


def set_session(response: Response, request: Request, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


async def _redacted_json(response: Response, pseudo: Pseudonymiser) -> Response:
    body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
    data = pseudo.walk(json.loads(body)) if body else None
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(
        json.dumps(data, ensure_ascii=False),
        status_code=response.status_code,
        headers=headers,
        media_type="application/json",
    )


def form_csrf_ok(request: Request, sent: str) -> bool:
    """A form's ``csrf`` field against the session's token (routes in :data:`FORM_CSRF`)."""
    identity = getattr(request.state, "identity", None)
    if identity is not None and identity.via in ("token", "open"):
        return True
    expected = getattr(request.state, "csrf", "")
    return bool(expected) and hmac.compare_digest(sent, expected)


def _csrf_ok(request: Request, csrf: str, identity: Identity) -> bool:
    if identity.via in ("token", "open"):
        return True  # not a cookie: another site cannot make the browser send it
    sent = request.headers.get("x-csrf-token", "")
    return bool(csrf) and hmac.compare_digest(sent, csrf)


async def access_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    access: Access = request.app.state.access
    path = request.url.path
    exempt = path.startswith(UNAUDITED)
    signed_in = _local_sign_in(access, request)
    if signed_in is not None:
        return signed_in
    identity, csrf = _identify(access, request)
    request.state.identity, request.state.csrf = identity, csrf
    if identity is None:
        if exempt:
            return await call_next(request)
        if access.mode == "team" and not path.startswith("/api"):
            return RedirectResponse(f"/login?next={path}", 303)
        hint = (
            "sign in at /login or send an API token (Authorization: Bearer …)"
            if access.mode == "team"
            else "open the address that `guwah serve` printed: it carries this run's access token"
        )
        return _refusal(request, 401, f"not signed in: {hint}")
    own_check = path in FORM_CSRF
    if (
        request.method not in ("GET", "HEAD")
        and not exempt
        and not own_check
        and not _csrf_ok(request, csrf, identity)
    ):
        return _refusal(request, 403, "missing or wrong CSRF token: reload the page and try again")
    if (
        path.startswith("/items/")
        and path.endswith(ORIGINALS)
        and not may(identity.role, "originals")
    ):
        return _refusal(request, 403, f"the role {identity.role} may not download originals")
    pseudo = None if may(identity.role, "identities") else access.pseudonymiser()
    token = current_pseudonymiser.set(pseudo)
    try:
        response = await call_next(request)
    finally:
        current_pseudonymiser.reset(token)
    if pseudo is not None and response.headers.get("content-type", "").startswith(
        "application/json"
    ):
        response = await _redacted_json(response, pseudo)
    if not exempt and path not in SELF_AUDITED and response.status_code < 400:
        route = request.scope.get("route")
        audit.record(
            access.case.sessions,
            user=identity.name,
            role=identity.role,
            action=getattr(route, "name", "") or request.method.lower(),
            target=path,
            query=request.url.query,
            address=client_address(request),
            details={"status": response.status_code, "via": identity.via, "method": request.method},
        )
    return response


def make_access(case: Case, local_token: str | None) -> Access:
    with case.sessions() as session:
        team = any_users(session)
    mode = "team" if team else ("local" if local_token else "open")
    return Access(case, mode, local_token if mode == "local" else None)
