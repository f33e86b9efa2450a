"""The matcher for a case, built once per set of list versions and reused (the web app and
the API ask for it on every request; it only reads the database)."""

from __future__ import annotations

import threading

from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from .match import ListMatcher
from .versions import latest_versions

_lock = threading.Lock()
_cache: dict[tuple[str, tuple[int, ...]], ListMatcher] = {}


def matcher_for(session: Session, list_name: str = "all") -> ListMatcher:
    """The matcher over the latest version of ``list_name`` (or of every list: ``all``).

    KeyError when no such list is imported.
    """
    try:
        versions = latest_versions(session, None if list_name == "all" else [list_name])
    except (OperationalError, ProgrammingError):  # a case made before the lists tables
        versions = []
    if not versions:
        raise KeyError(
            "no lists imported in this case" if list_name == "all" else f"no list named {list_name}"
        )
    bind = session.get_bind()
    key = (str(getattr(bind, "url", id(bind))), tuple(sorted(v.id for v in versions)))
    with _lock:
        m = _cache.get(key)
        if m is None:
            names = [v.name for v in versions]
            m = _cache[key] = ListMatcher.from_session(session, names)
            if len(_cache) > 8:
                _cache.pop(next(iter(_cache)))
        return m


def matcher_or_empty(session: Session) -> ListMatcher:
    """The cached matcher over every list, or an empty one when none is imported (screening
    still checks the indicators)."""
    try:
        return matcher_for(session, "all")
    except KeyError:
        return ListMatcher([])
