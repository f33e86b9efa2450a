"""The Demography section as HTML: for the workbench page and for ``guwah report``.

:func:`render_report_section` is what ``guwah report`` calls: one self-contained
``<section>`` (inline SVG charts, no scripts, no external resources) in which every figure
links to its cell in the original table through the item viewer
(``/items/SHA256?sheet=I&row=R&col=C`` or ``?page=N``). Every text from a table is escaped
and its control characters are shown (``⟨U+202E⟩``), not obeyed.
"""

from __future__ import annotations

from collections import defaultdict

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.case import Case
from guwah.stats.analysis import break_method, breaks, caveats, change
from guwah.stats.indicators import indicators
from guwah.stats.models import StatTable
from guwah.stats.series import Observation, Point, Series, load_series
from guwah.textsafe import visible_controls

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")


def render_report_section(case: Case, base_url: str = "") -> str:
    """The Demography section of a case report as an HTML string.

    ``base_url`` is put in front of every item-viewer link (``http://127.0.0.1:8000`` for
    a report read outside the workbench; empty inside it). An empty case gives a section
    that says nothing was imported.
    """
    with case.sessions() as session:
        return str(render_section(session, base_url=base_url))


def render_section(
    session: Session,
    indicator: str | None = None,
    region: str | None = None,
    base_url: str = "",
    heading: str = "h2",
) -> Markup:
    series = load_series(session, indicator, region)
    tables = list(session.scalars(select(StatTable).order_by(StatTable.id)))
    h, h3 = Markup(heading), Markup("h3" if heading == "h2" else "h4")
    out: list[Markup] = [Markup('<section class="demography">'), Markup(f"<{h}>Demography</{h}>")]
    if not series:
        out.append(Markup("<p>No yearbook tables imported (<code>guwah stats import</code>).</p>"))
        out.append(Markup("</section>"))
        return Markup("").join(out)
    out.append(
        Markup(
            "<p>Figures as printed in official tables, each linked to its cell. A year where "
            "sources print different figures is marked <b>disputed</b> and shows each; nothing "
            "is averaged.</p>"
        )
    )
    by_indicator: dict[str, list[Series]] = defaultdict(list)
    for s in series:
        by_indicator[s.indicator or "?"].append(s)
    for ind_id, group in by_indicator.items():
        ind = indicators().get(ind_id)
        out.append(Markup(f"<{h3}>{{}}</{h3}>").format(ind.label if ind else ind_id))
        out.append(chart(group))
        out.append(_table(group, base_url))
    out.append(_changes(series, base_url, h3))
    out.append(_tables(tables, base_url, h3))
    out.append(Markup("</section>"))
    # controls in table text (U+202E, ESC…) shown, not obeyed: the house rule for outputs
    return Markup(visible_controls(str(Markup("").join(out))))


def _table(group: list[Series], base_url: str) -> Markup:
    years = sorted({y for s in group for y in s.points})
    head = Markup("").join(Markup("<th>{}</th>").format(y) for y in years)
    rows = [Markup("<table class='stats'><tr><th>region</th>{}</tr>").format(head)]
    for s in sorted(group, key=lambda s: s.region_code or "~"):
        cells = Markup("").join(_cell(s.points.get(y), base_url) for y in years)
        name = s.region_name or s.region_raw or "?"
        code = s.region_code or "no code"
        rows.append(Markup("<tr><th>{} <small>{}</small></th>{}</tr>").format(name, code, cells))
    rows.append(Markup("</table>"))
    return Markup("").join(rows)


def _cell(point: Point | None, base_url: str) -> Markup:
    if point is None:
        return Markup("<td></td>")
    cls = Markup(" class='disputed' title='sources disagree'") if point.disputed else Markup("")
    parts = [_figure(o, base_url) for o in point.observations]
    tag = Markup(" <b>disputed</b>") if point.disputed else Markup("")
    return Markup("<td{}>{}{}</td>").format(cls, Markup("<br>").join(parts), tag)


def _figure(o: Observation, base_url: str) -> Markup:
    title = o.cite + (f" · {o.problem}: {o.detail}" if o.problem else "")
    text = o.raw if o.problem is None else f"{o.raw} ({o.problem})"
    return Markup('<a href="{}" title="{}">{}</a>').format(base_url + o.link, title, text)


def _changes(series: list[Series], base_url: str, h3: Markup) -> Markup:
    rows: list[Markup] = []
    cav: list[str] = []
    found_breaks: list[str] = []
    for s in series:
        vals = s.values()
        if len(vals) >= 2:
            first, last = min(vals), max(vals)
            c = change(s, first, last)
            links = Markup(" ").join(
                Markup('<a href="{}">{}</a>').format(base_url + o.link, o.cite)
                for o in c.observations
            )
            rows.append(Markup("<li>{} <small>({})</small></li>").format(c.text(), links))
        found_breaks += [b.text() for b in breaks(s)]
        cav += [c for c in caveats(s) if c not in cav]
    out = [Markup(f"<{h3}>Changes (first to last year with an agreed figure)</{h3}><ul>")]
    out += rows or [Markup("<li>none</li>")]
    out.append(Markup("</ul>"))
    out.append(
        Markup(f"<{h3}>Breaks in trend</{h3}><p><small>Method: {{}}.</small></p><ul>").format(
            break_method()
        )
    )
    out += [Markup("<li>{}</li>").format(b) for b in found_breaks] or [
        Markup("<li>none found</li>")
    ]
    out.append(Markup(f"</ul><{h3}>Caveats</{h3}><ul>"))
    out += [Markup("<li>{}</li>").format(c) for c in cav]
    out.append(Markup("</ul>"))
    return Markup("").join(out)


def _tables(tables: list[StatTable], base_url: str, h3: Markup) -> Markup:
    out = [Markup(f"<{h3}>Tables read</{h3}><ul>")]
    for t in tables:
        link = f"{base_url}/items/{t.sha256}"
        where = f"sheet {t.sheet_index}" if t.sheet_index is not None else f"page {t.page_no}"
        problems = Markup("").join(
            Markup("<br><small>⚠ {}</small>").format(p.get("message", "")) for p in t.problems
        )
        out.append(
            Markup('<li><a href="{}">{} {} · table {}</a> ({}, {} figures): {}{}</li>').format(
                link,
                t.source,
                t.edition or "",
                t.table_ref,
                where,
                t.n_values,
                t.title[:120],
                problems,
            )
        )
    out.append(Markup("</ul>"))
    return Markup("").join(out)


def chart(group: list[Series], width: int = 640, height: int = 220) -> Markup:
    """A line chart (inline SVG) of the agreed figures of series of one indicator."""
    lines = [(s, s.values()) for s in group if len(s.values()) >= 2][: len(COLOURS)]
    if not lines:
        return Markup("")
    ys = [v for _s, vals in lines for v in vals.values()]
    xs = [y for _s, vals in lines for y in vals]
    x0, x1 = min(xs), max(xs)
    lo, hi = min(0.0, min(ys)), max(ys) * 1.05 or 1.0
    pad = 40

    def px(year: int) -> float:
        return pad + (year - x0) / max(1, x1 - x0) * (width - 2 * pad)

    def py(v: float) -> float:
        return height - pad + (lo - v) / (hi - lo) * (height - 2 * pad) if hi != lo else height / 2

    parts = [
        Markup(
            '<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img">'
            '<line x1="{p}" y1="{b}" x2="{r}" y2="{b}" stroke="#999"/>'
        ).format(w=width, h=height, p=pad, b=height - pad, r=width - pad)
    ]
    for year in range(x0, x1 + 1):
        parts.append(
            Markup('<text x="{:.1f}" y="{}" font-size="10" text-anchor="middle">{}</text>').format(
                px(year), height - pad + 14, year
            )
        )
    for frac in (0.0, 0.5, 1.0):
        v = lo + (hi - lo) * frac
        parts.append(
            Markup('<text x="{}" y="{:.1f}" font-size="10" text-anchor="end">{}</text>').format(
                pad - 4, py(v) + 3, f"{v:,.4g}"
            )
        )
    for i, (s, vals) in enumerate(lines):
        colour = COLOURS[i % len(COLOURS)]
        # a line only between consecutive years: a gap in the figures is a gap in the line
        for run in _runs(sorted(vals)):
            if len(run) > 1:
                pts = " ".join(f"{px(y):.1f},{py(vals[y]):.1f}" for y in run)
                parts.append(
                    Markup(
                        '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>'
                    ).format(colour, pts)
                )
        for y, v in sorted(vals.items()):
            parts.append(
                Markup(
                    '<circle cx="{:.1f}" cy="{:.1f}" r="2.5" fill="{}"><title>{} {}: {}</title></circle>'
                ).format(px(y), py(v), colour, s.region_name or s.region_raw or "?", y, f"{v:,.6g}")
            )
        last_y = max(vals)
        parts.append(
            Markup('<text x="{:.1f}" y="{:.1f}" font-size="10" fill="{}">{}</text>').format(
                px(last_y) + 4, py(vals[last_y]), colour, s.region_name or s.region_raw or "?"
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _runs(years: list[int]) -> list[list[int]]:
    """Consecutive years together: [2010, 2011, 2013] → [[2010, 2011], [2013]]."""
    out: list[list[int]] = []
    for year in years:
        if out and year == out[-1][-1] + 1:
            out[-1].append(year)
        else:
            out.append([year])
    return out
