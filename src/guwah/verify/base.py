"""The check interface and the registry of checks.

A check is a small class: a name, what it compares, why it matters (all shown in the
report's methods section), the finding kinds it can produce, and ``run(ctx)`` returning a
:class:`CheckResult`. Register it with ``@register``; ``guwah verify --check NAME`` runs one.
Checks that need a later stage (records) say so in ``requires`` and are skipped, with a
note, until that stage has run.
"""

from __future__ import annotations

import importlib
from typing import ClassVar

from guwah.verify.context import CheckContext
from guwah.verify.finding import CheckResult

#: the check modules, in report order; each registers its checks on import
CHECK_MODULES = (
    "ids",
    "time",
    "images",
    "near_duplicates",
    "documents",
    "records_ids",
    "cross_field",
    "record_times",
    "joins",
)


class Check:
    name: ClassVar[str]
    title: ClassVar[str]
    compares: ClassVar[str]  # what it compares, in one or two sentences
    why: ClassVar[str]  # why that matters for authenticity
    version: ClassVar[str] = "1"
    #: finding kind → what it means
    kinds: ClassVar[dict[str, str]] = {}
    #: a stage that must have run first (e.g. "records"); None: items and pages suffice
    requires: ClassVar[str | None] = None

    def run(self, ctx: CheckContext) -> CheckResult:
        raise NotImplementedError

    def prepare(self, ctx: CheckContext) -> None:
        """Work the check needs done and committed before its findings are replaced
        (fingerprints computed and cached); nothing by default."""

    def ready(self, ctx: CheckContext) -> str | None:
        """None if the check can run on this case, else what to do first."""
        return None


REGISTRY: dict[str, type[Check]] = {}


def register(cls: type[Check]) -> type[Check]:
    if cls.name in REGISTRY and REGISTRY[cls.name] is not cls:
        raise ValueError(f"two checks are named {cls.name!r}")
    REGISTRY[cls.name] = cls
    return cls


def all_checks() -> dict[str, type[Check]]:
    """Every registered check, by name, in report order."""
    for module in CHECK_MODULES:
        importlib.import_module(f"guwah.verify.checks.{module}")
    # report order whatever order the modules were first imported in (a test or a tool
    # importing one check module first would otherwise run its check first)
    rank = {f"guwah.verify.checks.{m}": i for i, m in enumerate(CHECK_MODULES)}
    ordered = sorted(REGISTRY.items(), key=lambda kv: rank.get(kv[1].__module__, len(rank)))
    return dict(ordered)
