"""Templates and their filters: numbers, sizes, marked snippets, the script of a text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from guwah import __version__
from guwah.han import is_han
from guwah.search.query import Snippet
from guwah.textsafe import shown_controls, visible_controls
from guwah.web import i18n
from guwah.web.access import current_pseudonymiser
from guwah.web.cite_words import localized, location_words, role_words
from guwah.web.finding_words import explanation
from guwah.web.name_words import name_explanation
from guwah.web.queries import cell_link, location_link
from guwah.web.verify_words import check_text, finding_title, total_text

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def number(n: Any) -> str:
    """A count: ``1,234`` in English; in the locale's digits and grouping (Babel) otherwise."""
    lang = i18n.current_language.get()
    if lang.catalogue and isinstance(n, int) and not isinstance(n, bool):
        from babel.numbers import format_decimal

        return format_decimal(n, locale=lang.catalogue)
    return f"{n:,}" if isinstance(n, int) else str(n)


def filesize(n: int | None) -> str:
    if n is None:
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def marked(snippet: Snippet) -> Markup:
    """The snippet with its matches in ``<mark>``, everything else escaped (pseudonymised
    views: the redacted text, unmarked — a mark could cut a name in two)."""
    pseudo = current_pseudonymiser.get()
    if pseudo is not None:
        return _esc(pseudo.redact(snippet.text))
    out, pos = [], 0
    text = snippet.text
    for start, end in snippet.marks:
        out += [_esc(text[pos:start]), Markup("<mark>"), _esc(text[start:end]), Markup("</mark>")]
        pos = end
    out.append(_esc(text[pos:]))
    return Markup("").join(out)


def _esc(text: str) -> Markup:
    return escape(visible_controls(text))


def shown(value: Any) -> Any:
    """Every ``{{ value }}``: controls made visible; redacted where the role sees no identities."""
    value = shown_controls(value)
    pseudo = current_pseudonymiser.get()
    if pseudo is None or not isinstance(value, str):
        return value
    return Markup(pseudo.redact(str(value))) if isinstance(value, Markup) else pseudo.redact(value)


def lang(text: str | None) -> str:
    """A ``lang`` value for content: ``ug-Arab`` for Arabic script, ``zh`` for Han, else ''.

    The direction itself comes from ``dir="auto"``; ``lang`` picks the right fonts.
    """
    if not text:
        return ""
    for ch in text:
        code = ord(ch)
        if 0x0600 <= code <= 0x06FF or 0xFB50 <= code <= 0xFEFF:
            return "ug-Arab"
        if is_han(ch):
            return "zh-Hans"
    return ""


# the sheet grid glosses the cells of these columns (value_gloss knows them); others stay bare
GLOSSED_FIELDS = frozenset(
    {"facility", "category", "notes", "reason", "relation_to_head", "sex", "ethnicity",
     "county", "township", "village"}
)  # fmt: skip


def gloss(value: Any, field: str | None) -> Markup:
    """What a record value means (English, and Uyghur where the data has it), for beside the
    original; nothing where no data file explains it (``guwah.person.glossary``)."""
    from guwah.person.glossary import value_gloss

    g = value_gloss(field, value if isinstance(value, str) else None)
    return _gloss_markup(g)


def field_name(field: str | None) -> Markup:
    """A records field's English (and Uyghur) name."""
    from guwah.person.glossary import field_gloss

    return _gloss_markup(field_gloss(field))


def _gloss_markup(g: Any) -> Markup:
    if g is None:
        return Markup("")
    parts = [Markup('<span class="gloss" lang="en" title="{}">{}</span>').format(g.source, g.en)]
    if g.ug:
        parts.append(Markup(' <span class="gloss" lang="ug-Arab" dir="rtl">{}</span>').format(g.ug))
    return Markup("").join(parts)


def make_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"]),
        finalize=shown,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # {% trans %} blocks are extracted and looked up with their whitespace collapsed
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.filters.update(
        number=number,
        filesize=filesize,
        marked=marked,
        lang=lang,
        gloss=gloss,
        field_name=field_name,
        ui=i18n.word,
        check_text=check_text,
        finding_title=finding_title,
        explanation=explanation,
        name_explanation=name_explanation,
        relation_method=i18n.relation_method,
        total_text=total_text,
        location=location_words,
        role=role_words,
        jsonish=lambda v: json.dumps(v, ensure_ascii=False),
    )
    env.globals.update(
        version=__version__,
        cell_link=cell_link,
        location_link=location_link,
        glossed_fields=GLOSSED_FIELDS,
        cite_title=i18n.cite_title,
        cite_localized=localized,
        cite_back=i18n.cite_back,
        cite_page_title=i18n.cite_page_title,
    )
    return env


ENV = make_env()


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page template with the case and the request in its context."""
    case = request.app.state.case
    context.setdefault("identity", getattr(request.state, "identity", None))
    context.setdefault("csrf", getattr(request.state, "csrf", ""))
    context.setdefault("pseudonymised", current_pseudonymiser.get() is not None)
    html = render(request, template, case_root=str(case.root), **context)
    return HTMLResponse(html, status_code=status_code)


def render(request: Request, template: str, **context: Any) -> str:
    """A template in the request's language: ``<html lang dir>`` and the language switch."""
    lang = getattr(request.state, "language", None) or i18n.current_language.get()
    token = i18n.current_language.set(lang)
    try:
        return ENV.get_template(template).render(
            request=request,
            ui_lang=lang.code,
            ui_dir=lang.direction,
            languages=i18n.switch_links(request),
            **context,
        )
    finally:
        i18n.current_language.reset(token)
