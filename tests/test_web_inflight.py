"""Many users at once: the workbench lets in no more requests than the case's connection pool
can serve, so that none waits 30 s for a connection and fails (issue 15, item 4: at 50 users
on the large case, 18 of 253 requests failed so with "QueuePool limit … reached")."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from sqlalchemy import select

from guwah.store.models import Person
from guwah.web.app import create_app
from guwah.web.inflight import CONNECTIONS_PER_REQUEST, request_limit
from tests.browser import serving
from tests.web_case import web_case

USERS, PAGES_EACH = 40, 3


def test_forty_users_at_once_never_outnumber_the_pool(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    case = web_case(tmp_path_factory).case
    app = create_app(case)
    engine = app.state.case.engine  # the reader's pool, which the pages draw on
    limit = request_limit(engine)
    capacity = engine.pool.size() + engine.pool._max_overflow  # type: ignore[attr-defined]
    assert limit > 1 and limit * CONNECTIONS_PER_REQUEST <= capacity < USERS
    with case.sessions() as session:
        people = session.scalars(select(Person.id).order_by(Person.id)).all()
    assert len(people) >= USERS * PAGES_EACH

    peak, stop = [0], threading.Event()

    def sample() -> None:  # connections lent at once, while the users ask
        while not stop.is_set():
            peak[0] = max(peak[0], engine.pool.checkedout())
            time.sleep(0.0005)

    statuses: list[int] = []
    start = threading.Barrier(USERS)

    def user(n: int, base: str) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            start.wait()  # all at once
            for k in range(PAGES_EACH):
                statuses.append(client.get(f"/people/{people[n * PAGES_EACH + k]}").status_code)

    with serving(app) as base:
        sampler = threading.Thread(target=sample)
        sampler.start()
        users = [threading.Thread(target=user, args=(n, base)) for n in range(USERS)]
        for t in users:
            t.start()
        for t in users:
            t.join()
        stop.set()
        sampler.join()
    assert statuses == [200] * USERS * PAGES_EACH
    # one connection per person page: never more pages at once than the limit lets in
    assert 2 <= peak[0] <= limit, f"{peak[0]} connections lent at once (limit {limit})"
