"""Roles and their permissions, read from ``reference/access_roles.json``."""

from __future__ import annotations

from typing import Any

from guwah.core import reference_json

# The role of the single user of a local workbench (no users configured): everything.
LOCAL_ROLE = "owner"


def _table() -> dict[str, Any]:
    data: dict[str, Any] = reference_json("access_roles.json")
    return data


def roles() -> list[str]:
    return list(_table()["roles"])


def permissions(role: str) -> frozenset[str]:
    entry = _table()["roles"].get(role)
    return frozenset(entry["permissions"]) if entry else frozenset()


def may(role: str, permission: str) -> bool:
    return permission in permissions(role)


def describe() -> dict[str, Any]:
    return _table()
