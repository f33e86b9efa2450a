"""The officials' section of ``guwah report``: the implicated but not sanctioned (the top of
the gap table, :func:`guwah.officials.gap.unsanctioned`), with the versions of the lists
screened against. Nothing when the case has no officials or no lists."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func, select

from guwah.case import Case
from guwah.lists.match import ListMatcher
from guwah.store.models_lists import ListVersion
from guwah.store.models_officials import Official

from .gap import unsanctioned

TOP = 20


def render_report_section(case: Case, top: int = TOP) -> str:
    """The section's HTML (escaped by Jinja's autoescape), or "" when there is nothing."""
    with case.sessions() as session:
        if not session.scalar(select(func.count()).select_from(Official)):
            return ""
        matcher = ListMatcher.from_session(session)
        if not matcher.entities:
            return ""
        ids = [v for _n, v in matcher.versions]
        versions = session.scalars(
            select(ListVersion).where(ListVersion.id.in_(ids)).order_by(ListVersion.name)
        ).all()
        rows = unsanctioned(session, matcher, top)
        names = [v.name for v in versions]
        env = Environment(
            loader=PackageLoader("guwah.officials", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        return env.get_template("gap_section.html").render(
            rows=rows, versions=versions, names=names, top=top
        )
