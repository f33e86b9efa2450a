"""At most so many requests inside the workbench at once; the others wait their turn.

Each page runs in one of uvicorn's worker threads (40) and reads through a connection of the
case's pool (SQLAlchemy's: 5, and 10 more under load). When pages are slow and users many
(50 on a case of 366,000 people), the threads outnumber the connections: the late ones wait
30 s for one, then fail with a 500 ("QueuePool limit … reached"). Here they wait before
they take a thread, in the event loop, without a time limit, and are served in turn.
Static files hold no connection and pass.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool
from starlette.types import ASGIApp, Receive, Scope, Send

# A request holds two connections at most (its session, and a short read beside it).
CONNECTIONS_PER_REQUEST = 2
UNPOOLED_LIMIT = 8  # an engine without a bounded pool (NullPool, a static pool)


def request_limit(engine: Engine) -> int:
    """How many requests may run at once on ``engine``: what its pool can always serve."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return UNPOOLED_LIMIT
    overflow = int(getattr(pool, "_max_overflow", 0))  # SQLAlchemy has no public getter
    if overflow < 0:  # unbounded overflow
        return UNPOOLED_LIMIT
    return max(1, (pool.size() + overflow) // CONNECTIONS_PER_REQUEST)


class InFlightLimit:
    """Lets at most ``limit`` requests (static files aside) into ``app`` at once."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(limit)

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a semaphore belongs to one event loop (test clients)
            self._loop, self._slots = loop, asyncio.Semaphore(self.limit)
        return self._slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        async with self._semaphore():
            await self.app(scope, receive, send)
