"""Authenticity verification: checks that explain what they compared, and the report.

``run_checks(case)`` runs every registered check (``guwah.verify.checks``) and stores its
findings; ``write_report(case, path)`` writes them as HTML, Markdown or JSON.
"""

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
