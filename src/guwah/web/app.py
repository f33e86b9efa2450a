"""The FastAPI application: one case, read-only, pages and a JSON API.

Every route is a GET (or HEAD): the workbench never writes to the case, except rendered PDF
page images, which are derived data cached under ``CASE/derived/web/``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from guwah import __version__
from guwah.case import Case
from guwah.web.render import STATIC, page

# Pages load scripts, styles and images only from the workbench itself: nothing from a CDN.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
)


def create_app(case: Case) -> FastAPI:
    """The workbench over ``case``."""
    from guwah.web.api import router as api_router
    from guwah.web.routes_demography import router as demography_router
    from guwah.web.routes_items import router as items_router
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
    app.state.case = case
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages_router)
    app.include_router(items_router)
    app.include_router(people_router)
    app.include_router(demography_router)
    app.include_router(api_router)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="guwah API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
        )

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response("the workbench is read-only", status_code=405)
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if not request.url.path.startswith("/docs"):  # Swagger UI needs its own scripts
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api") or request.url.path.startswith("/static"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return page(request, "error.html", status_code=exc.status_code, error=exc.detail)

    return app
