"""Signing in and out of a team workbench (``/login``, ``/logout``)."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from guwah.access import audit
from guwah.access.users import check_password
from guwah.web.access import SESSION_COOKIE, Access, client_address, form_csrf_ok, set_session
from guwah.web.i18n import gettext as _
from guwah.web.render import page

router = APIRouter(include_in_schema=False)
CSRF_COOKIE = "guwah_login_csrf"


def _safe_next(target: str) -> str:
    """Only a path of this site: never ``//other.example`` or ``https://…``."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


def _form(request: Request, next_: str, message: str = "", status: int = 200) -> HTMLResponse:
    csrf = secrets.token_urlsafe(24)
    response = page(
        request,
        "login.html",
        status_code=status,
        csrf=csrf,
        next=_safe_next(next_),
        message=message,
    )
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/login")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:  # noqa: A002
    return _form(request, next)


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",  # noqa: A002
) -> Response:
    access: Access = request.app.state.access
    address = client_address(request)
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf, expected):
        return _form(request, next, _("The form expired: please sign in again."), 403)
    if access.too_many_failures(f"addr:{address}", f"user:{name}"):
        refused = _form(request, next, _("Too many failed attempts: wait ten minutes."), 429)
        refused.headers["Retry-After"] = "600"
        return refused
    with access.case.sessions() as session:
        identity = check_password(session, name, password)
    if identity is None:
        access.failed(f"addr:{address}", f"user:{name}")
        audit.record(
            access.case.sessions, user=name, role="", action="login_failed", address=address
        )
        return _form(request, next, _("Wrong user or password."), 401)
    audit.record(
        access.case.sessions,
        user=identity.name,
        role=identity.role,
        action="login",
        address=address,
    )
    value, _csrf = access.session_cookie(identity)
    done = RedirectResponse(_safe_next(next), 303)
    set_session(done, request, value)
    done.delete_cookie(CSRF_COOKIE, path="/login")
    return done


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=64)] = "") -> Response:
    access: Access = request.app.state.access
    if not form_csrf_ok(request, csrf):
        return Response("missing or wrong CSRF token", status_code=403)
    identity = request.state.identity
    audit.record(
        access.case.sessions,
        user=identity.name,
        role=identity.role,
        action="logout",
        address=client_address(request),
    )
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
