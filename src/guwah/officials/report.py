"""The officials' section of ``guwah report``: the implicated but not sanctioned (the top of
the gap table, :func:`guwah.officials.gap.unsanctioned`), with the versions of the lists
screened against, in the language being rendered (:data:`guwah.web.i18n.current_language`).
Nothing when the case has no officials or no lists."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func, select

from guwah.case import Case
from guwah.lists.match import ListMatcher
from guwah.store.models_lists import ListVersion
from guwah.store.models_officials import Official
from guwah.web.i18n import _, gettext, ngettext

from .gap import LISTED, NOT_LISTED, POSSIBLE, Status, unsanctioned

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
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
        return env.get_template("gap_section.html").render(
            rows=rows, versions=versions, names=names, top=top, hit=_hit
        )


def _hit(hit: Status) -> str:
    """A list cell in the report's language (``guwah gap`` writes :meth:`Status.cell`)."""
    status = {LISTED: _("listed"), POSSIBLE: _("possible"), NOT_LISTED: _("not listed")}
    word = status.get(hit.status, hit.status)
    return word if hit.status == NOT_LISTED else f"{word} ({hit.score:.2f}: {hit.caption})"
