"""Authenticity verification: checks that explain what they compared, and the report.

``run_checks(case)`` runs every registered check (``guwah.verify.checks``, one module per
family; each registers itself with ``guwah.verify.base``) and stores its findings;
``write_report(case, path)`` writes them as HTML, Markdown or JSON. The finding contract
is ``finding.py`` (what a check returns) and ``models.py`` (how it is stored).

May import: ``guwah.case``, ``guwah.core``, ``guwah.cellrefs``, ``guwah.store`` and the
executor of ``guwah.ingest``; it reads what ingest and records stored through the
database, never their code. ``command.py`` is the ``guwah verify`` CLI. The names below
load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guwah.lazy import lazy_package

if TYPE_CHECKING:
    from guwah.verify.base import Check, all_checks, register
    from guwah.verify.context import CheckContext
    from guwah.verify.finding import CheckResult, Finding, Involved, Total
    from guwah.verify.idnumbers import check_id_number, parse_id
    from guwah.verify.stage import VerifyRun, run_checks

__all__ = [
    "Check",
    "CheckContext",
    "CheckResult",
    "Finding",
    "Involved",
    "Total",
    "VerifyRun",
    "all_checks",
    "check_id_number",
    "parse_id",
    "register",
    "run_checks",
]

lazy_package(
    __name__,
    {
        "Check": ".base",
        "all_checks": ".base",
        "register": ".base",
        "CheckContext": ".context",
        "CheckResult": ".finding",
        "Finding": ".finding",
        "Involved": ".finding",
        "Total": ".finding",
        "check_id_number": ".idnumbers",
        "parse_id": ".idnumbers",
        "VerifyRun": ".stage",
        "run_checks": ".stage",
    },
)
