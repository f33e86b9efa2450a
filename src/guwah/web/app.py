"""The FastAPI application: one case, read-only, pages and a JSON API.

Pages and the API only read the case; what the workbench writes is the audit of those reads,
sign-ins, and rendered PDF page images (derived data cached under ``CASE/derived/web/``). Requests must name
the workbench's own host (no DNS rebinding) and come from its own pages or a navigation (no
other site may embed or probe what it serves): see :mod:`guwah.web.guards`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from guwah import __version__
from guwah.case import Case
from guwah.web.access import access_middleware, make_access
from guwah.web.guards import LOOPBACK_HOSTS, HeadAsGet, LoopbackHostOnly, refused_cross_site
from guwah.web.i18n import language_middleware
from guwah.web.inflight import InFlightLimit, request_limit
from guwah.web.render import STATIC, page

# Pages load scripts, styles and images only from the workbench itself: nothing from a CDN.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
)
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # Another site may not embed, probe or read anything the workbench serves.
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
log = logging.getLogger(__name__)


def create_app(
    case: Case,
    *,
    allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
    local_token: str | None = None,
) -> FastAPI:
    """The workbench over ``case``, answering only requests addressed to ``allowed_hosts``.

    With users in the case, everyone signs in (team mode); without, ``local_token`` is the
    per-run access token of a local workbench, or None for no sign-in at all (a program's
    own use: ``guwah serve`` always gives a token). See :mod:`guwah.web.access`.
    """
    from guwah.web.api import router as api_router
    from guwah.web.routes_analysis import router as analysis_router
    from guwah.web.routes_auth import router as auth_router
    from guwah.web.routes_browse import router as browse_router
    from guwah.web.routes_cite import router as cite_router
    from guwah.web.routes_demography import router as demography_router
    from guwah.web.routes_items import router as items_router
    from guwah.web.routes_lists import router as lists_router
    from guwah.web.routes_match import router as match_router
    from guwah.web.routes_officials import router as officials_router
    from guwah.web.routes_pages import router as pages_router
    from guwah.web.routes_people import router as people_router

    app = FastAPI(
        title="guwah workbench",
        version=__version__,
        description=(
            "Read-only JSON API over one guwah case: search, people, items (hashes, paths, "
            "custody, findings), verification findings and the case status."
        ),
        docs_url=None,  # served below from the vendored Swagger UI, never a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.case = case.reader()  # the database itself refuses writes, not only the routes
    # Sign-ins and the audit of reads are the only writes: through the case's own engine.
    app.state.access = make_access(case, local_token)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth_router)
    app.include_router(pages_router)
    app.include_router(items_router)
    app.include_router(people_router)
    app.include_router(demography_router)
    app.include_router(api_router)
    app.include_router(analysis_router)
    app.include_router(match_router)
    app.include_router(lists_router)
    app.include_router(officials_router)
    app.include_router(cite_router)
    app.include_router(browse_router)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="guwah API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
        )

    # Innermost: around the routes alone, so that what the guards refuse never waits here.
    app.add_middleware(InFlightLimit, limit=request_limit(app.state.case.engine))
    app.middleware("http")(access_middleware)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if refused_cross_site(request):
            response: Response = Response("requests from other sites are refused", status_code=403)
        else:
            try:
                response = await call_next(request)
            except Exception:  # the 500 keeps the headers below and says nothing of the cause
                log.exception("error serving %s", request.url.path)
                response = Response("internal error: see the server log", status_code=500)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        static = request.url.path.startswith("/static/")
        response.headers.setdefault("Cache-Control", "no-cache" if static else "no-store")
        docs = request.url.path.startswith("/docs")  # Swagger UI starts with an inline script
        response.headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else CSP)
        return response

    app.middleware("http")(language_middleware)  # outside the others: their pages too
    app.add_middleware(HeadAsGet)
    app.add_middleware(LoopbackHostOnly, allowed=tuple(allowed_hosts))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api") or request.url.path.startswith("/static"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return page(request, "error.html", status_code=exc.status_code, error=exc.detail)

    return app
