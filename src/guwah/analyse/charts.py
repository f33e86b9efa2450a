"""Charts as inline SVG (no script, no network): the same in the report and the workbench.
Every label is escaped; each bar links to the people behind it when it has a reference."""

from __future__ import annotations

from markupsafe import Markup, escape

from guwah.analyse.tables import Count, Table
from guwah.analyse.words import number
from guwah.web.i18n import current_language, gettext


def _ltr() -> str:
    """In a right-to-left page the chart keeps its left-to-right geometry: SVG text inherits
    the page's direction, which would turn each ``text-anchor`` round (labels over the bars,
    the title off the chart). Each label is still shaped and ordered in its own script."""
    return ' direction="ltr"' if current_language.get().direction == "rtl" else ""


def bars(
    table: Table, label_col: int, count_col: int, title: str, href: str = "#", width: int = 640
) -> Markup:
    """A horizontal bar chart of a table's counts, one bar per row (``table`` and ``title``
    in the language being rendered: :func:`guwah.analyse.words.shown`)."""
    rows = [
        (str(r[label_col]), r[count_col]) for r in table.rows if isinstance(r[count_col], Count)
    ]
    if not rows:
        return Markup("")
    top = max(c.n for _l, c in rows) or 1  # type: ignore[union-attr]
    bar_h, left, pad = 18, 230, 4
    height = len(rows) * (bar_h + pad) + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="group" '
        f'aria-label="{escape(title)}"{_ltr()}>',
        f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, c) in enumerate(rows):
        assert isinstance(c, Count)
        y = 24 + i * (bar_h + pad)
        w = max(1, int((width - left - 60) * c.n / top))
        bar = f'<rect x="{left}" y="{y}" width="{w}" height="{bar_h}" fill="#4a6fa5"/>'
        if c.ref:
            name = escape(
                gettext("{label}: {n} (the people behind it)").format(label=label, n=number(c.n))
            )
            bar = f'<a href="{escape(href)}{escape(c.ref)}" aria-label="{name}">{bar}</a>'
        out += [
            f'<text x="{left - 6}" y="{y + 13}" font-size="11" text-anchor="end">'
            f"{escape(label[:34])}</text>",
            bar,
            f'<text x="{left + w + 4}" y="{y + 13}" font-size="11">{number(c.n)}</text>',
        ]
    out.append("</svg>")
    return Markup("".join(out))


def bars_html(table: Table, label_col: int, count_col: int, title: str, width: int = 380) -> Markup:
    """The same chart as HTML (a table of bars), for a PDF in a right-to-left language:
    WeasyPrint draws SVG text a code point at a time, without shaping or bidi (Kozea/WeasyPrint
    #2909), so Uyghur labels would come out as separate letters in reverse; HTML text is
    shaped. No links: a PDF's references are in its appendix."""
    rows = [
        (str(r[label_col]), r[count_col]) for r in table.rows if isinstance(r[count_col], Count)
    ]
    if not rows:
        return Markup("")
    top = max(c.n for _l, c in rows) or 1  # type: ignore[union-attr]
    out = [
        Markup('<figure class="chart"><figcaption>{}</figcaption><table class="bars">').format(
            title
        )
    ]
    for label, c in rows:
        assert isinstance(c, Count)
        w = max(1, int(width * c.n / top))
        out.append(
            Markup(
                '<tr><td dir="auto">{}</td><td><span class="bar" style="width: {}px"></span>'
                " {}</td></tr>"
            ).format(label[:34], w, number(c.n))
        )
    out.append(Markup("</table></figure>"))
    return Markup("").join(out)
