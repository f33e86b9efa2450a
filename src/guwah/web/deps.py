"""What routes share: a database session on the app's case, a strictly checked SHA-256."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session

from guwah.case import Case


def get_session(request: Request) -> Iterator[Session]:
    """A database session on the app's case (a FastAPI dependency)."""
    case: Case = request.app.state.case
    with case.sessions() as session:
        yield session


def get_case(request: Request) -> Case:
    case: Case = request.app.state.case
    return case


# Database row ids and offsets fit SQLite's and PostgreSQL's signed 64-bit integers; a larger
# number in a URL is a 422 with a message, never an overflow deep in the driver (a 500).
MAX_DB_INT = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="A row id.")]
Offset = Annotated[int, Query(ge=0, le=MAX_DB_INT)]

DbSession = Annotated[Session, Depends(get_session)]
CaseDep = Annotated[Case, Depends(get_case)]
# 64 lower-case hex digits, nothing else: a request can never name a path of its own.
Sha256 = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-f]{64}$",
        min_length=64,
        max_length=64,
        description="The item's SHA-256 (64 lower-case hex digits).",
    ),
]
