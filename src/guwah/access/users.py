"""Users (Argon2id password hashes) and API tokens (stored as SHA-256 only)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from guwah.access.roles import roles
from guwah.case import CaseError
from guwah.core import utcnow
from guwah.store.models_access import ApiToken, User

TOKEN_PREFIX = "gwt_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 12
_hasher = PasswordHasher()
# Checked against when the user does not exist, so that a wrong name costs what a wrong
# password costs (no user enumeration by timing).
_DUMMY = _hasher.hash("guwah: no such user")


@dataclass(frozen=True)
class Identity:
    """Who a request acts as."""

    name: str
    role: str
    via: str  # password | token | local


def any_users(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User).where(~User.disabled)))


def add_user(session: Session, name: str, role: str, password: str) -> User:
    if not NAME.match(name):
        raise CaseError(
            f"a user name is 1–64 letters, digits or . _ @ - (starting with a letter or digit): "
            f"{name!r}"
        )
    if role not in roles():
        raise CaseError(f"unknown role {role!r}: one of {', '.join(roles())}")
    if len(password) < MIN_PASSWORD:
        raise CaseError(f"the password must have at least {MIN_PASSWORD} characters")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise CaseError(f"a user {name!r} exists already; remove it first to replace it")
    user = User(name=name, role=role, password_hash=_hasher.hash(password), created_at=utcnow())
    session.add(user)
    session.flush()
    return user


def remove_user(session: Session, name: str) -> None:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise CaseError(f"no user {name!r} in this case (guwah users list)")
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.delete(user)


def check_password(session: Session, name: str, password: str) -> Identity | None:
    """The user, if ``password`` is theirs; None otherwise (same cost either way)."""
    user = session.scalar(select(User).where(User.name == name, ~User.disabled))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    return Identity(user.name, user.role, "password") if user else None


def create_token(session: Session, name: str, label: str = "") -> tuple[ApiToken, str]:
    """A new token for user ``name``; the token itself is returned once and never stored."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise CaseError(f"no user {name!r} in this case: add one with guwah users add")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        label=label,
        token_sha256=hashlib.sha256(token.encode()).hexdigest(),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row, token


def revoke_token(session: Session, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise CaseError(f"no token {token_id} in this case (guwah tokens list)")
    row.revoked_at = row.revoked_at or utcnow()


def check_token(session: Session, token: str) -> Identity | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = session.execute(
        select(User.name, User.role)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_sha256 == digest, ApiToken.revoked_at.is_(None), ~User.disabled)
    ).first()
    return Identity(row.name, row.role, "token") if row else None
