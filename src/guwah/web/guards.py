"""Guards in front of every route: the Host header, requests from other sites, HEAD.

- **DNS rebinding**: a page on another site can make its own name resolve to 127.0.0.1 and
  then read the workbench as if it were that site. Such requests carry the other site's name
  in ``Host``; only the loopback names are answered (400 otherwise).
- **Cross-site probing**: ``<img src="http://127.0.0.1:8000/items/<sha>/raw">`` on another
  site would tell it whether the case holds a photo. Browsers say where a request comes
  from in ``Sec-Fetch-Site``; anything but the workbench's own pages or a top-level GET
  navigation (a link followed, an address typed) is refused.
- **HEAD** is answered as GET without the body.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def host_name(header: str) -> str:
    """The name in a ``Host`` header, without the port: ``[::1]:8000`` → ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def refused_cross_site(request: Request) -> bool:
    """Whether a browser says this request comes from another site and is not a navigation."""
    site = request.headers.get("sec-fetch-site")
    if site in (None, "same-origin", "none"):
        return False
    navigation = (
        request.method in ("GET", "HEAD")  # a form posted from another site is no navigation
        and request.headers.get("sec-fetch-mode") == "navigate"
        and request.headers.get("sec-fetch-dest", "document") in ("document", "empty")
    )
    return not navigation


class LoopbackHostOnly:
    """Answers only requests whose ``Host`` names one of ``allowed``."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...] = LOOPBACK_HOSTS) -> None:
        self.app = app
        self.allowed = {a.lower() for a in allowed}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            if host_name(host) not in self.allowed:
                response = PlainTextResponse(
                    f"this workbench answers only requests to {', '.join(sorted(self.allowed))}",
                    status_code=400,
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class HeadAsGet:
    """HEAD runs the GET route and sends its headers only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
