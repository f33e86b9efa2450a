"""The workbench's interface in English, Uyghur (Arabic script, right to left) and Chinese.

Only the interface is translated: every leaked value (names, cells, paths, sheet text) is
data and is shown as written. The catalogues are gettext ``.po`` files under ``locale/``
(``locale/ug``, ``locale/zh_Hans``), read with Babel at first use and kept in memory: there is
no compile step and no ``.mo`` file in the repository (see docs/web.md for translators).

The language of a request: ``?lang=ug`` (remembered in the ``guwah_lang`` cookie, SameSite=Lax,
path /), else the cookie, else the browser's ``Accept-Language``, else English. Unknown codes
are ignored. :func:`gettext` reads the language of the request being served (a context
variable set by :func:`language_middleware`), so templates and route code share it.
"""

from __future__ import annotations

import contextvars
import gettext as _gettext
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from urllib.parse import quote, urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from fastapi import Request, Response

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
COOKIE = "guwah_lang"
COOKIE_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class Language:
    code: str  # what ?lang= and the cookie carry: a BCP 47 tag
    catalogue: str  # the folder under locale/ ('' for English, the source language)
    name: str  # the language's name in itself
    direction: str  # ltr | rtl


LANGUAGES = (
    Language("en", "", "English", "ltr"),
    Language("ug", "ug", "ئۇيغۇرچە", "rtl"),
    Language("zh-Hans", "zh_Hans", "简体中文", "ltr"),
)
DEFAULT = LANGUAGES[0]
_BY_CODE = {lang.code: lang for lang in LANGUAGES}
# Other spellings of the same choices (Accept-Language sends regions, people type ?lang=zh).
_ALIASES = {
    "en": "en",
    "ug": "ug",
    "ug-arab": "ug",
    "ug-cn": "ug",
    "ug-arab-cn": "ug",
    "uig": "ug",
    "zh": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-my": "zh-Hans",
    "zh-hans-cn": "zh-Hans",
}

current_language: contextvars.ContextVar[Language] = contextvars.ContextVar(
    "current_language", default=DEFAULT
)


def language(code: str | None) -> Language | None:
    """The language a code names (``ug``, ``zh-Hans``, ``zh_CN``, ``en-GB``), or None."""
    if not code:
        return None
    key = code.strip().replace("_", "-").lower()
    if key in _ALIASES:
        return _BY_CODE[_ALIASES[key]]
    if key.startswith("en-"):
        return DEFAULT
    return None


def from_accept_language(header: str | None) -> Language | None:
    """The best of our languages for an ``Accept-Language`` header (RFC 9110 §12.5.4)."""
    if not header:
        return None
    ranked: list[tuple[float, int, Language]] = []
    for pos, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _sep, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        found = language(tag)
        if found is not None and quality > 0:
            ranked.append((-quality, pos, found))
    return min(ranked, key=lambda r: (r[0], r[1]))[2] if ranked else None


def of_request(request: Request) -> tuple[Language, Language | None]:
    """The language of a request, and the one it chose with ``?lang=`` (None if it did not)."""
    chosen = language(request.query_params.get("lang"))
    found = (
        chosen
        or language(request.cookies.get(COOKIE))
        or from_accept_language(request.headers.get("accept-language"))
        or DEFAULT
    )
    return found, chosen


@cache
def translations(lang: Language) -> _gettext.NullTranslations:
    """The catalogue of ``lang``, read from its ``.po`` once (English: the msgids)."""
    if not lang.catalogue:
        return _gettext.NullTranslations()
    po = LOCALE_DIR / lang.catalogue / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang.catalogue)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)  # a fuzzy entry is not yet a translation
    buf.seek(0)
    return Translations(fp=buf)


def gettext(message: str) -> str:
    """``message`` in the language of the request being served."""
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention: marked, not translated here
    return message


# Words the code shows as they are stored (a finding's severity): translated when shown.
WORDS = {w: w for w in (N_("error"), N_("warning"), N_("info"))}


# How the records stage linked a relative to a person (``person_relations.method``).
RELATION_METHODS = {
    "relatives_column": N_("named in a record's relatives column"),
    "household": N_("in the same household register"),
}


def relation_method(method: object) -> str:
    """How a relative was linked, in words of the page's language; an unknown method as stored."""
    text = str(method or "")
    return gettext(RELATION_METHODS[text]) if text in RELATION_METHODS else text


# What a citation can be of (guwah.web.citation): whole phrases, for languages whose word for
# "this" or whose word order depends on the noun.
CITE_TITLES = {
    "item": (N_("Cite this item"), N_("Back to the item"), N_("Cite item")),
    "record": (N_("Cite this record"), N_("Back to the record"), N_("Cite record")),
    "finding": (N_("Cite this finding"), N_("Back to the finding"), N_("Cite finding")),
    "person": (N_("Cite this person"), N_("Back to the person"), N_("Cite person")),
}


def cite_title(kind: str) -> str:
    """The heading of a citation: "Cite this item"."""
    phrases = CITE_TITLES.get(kind)
    return gettext(phrases[0]) if phrases else f"Cite this {kind}"


def cite_back(kind: str) -> str:
    phrases = CITE_TITLES.get(kind)
    return gettext(phrases[1]) if phrases else f"Back to the {kind}"


def cite_page_title(kind: str) -> str:
    """The citation page's title in the browser's tab: "Cite item"."""
    phrases = CITE_TITLES.get(kind)
    return gettext(phrases[2]) if phrases else f"Cite {kind}"


def word(value: object) -> str:
    """A stored word of the interface (``error``) in the request's language; others as they are."""
    text = str(value)
    return gettext(WORDS[text]) if text in WORDS else text


def switch_links(request: Request) -> list[dict[str, str]]:
    """The header's language switch: this page again in each language."""
    rest = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    # a path of this site only: "//other.example" (a 404 page) would name another host
    path = "/" + quote(request.url.path.lstrip("/\\"), safe="/!$'()*+,;=:@-._~")
    now = current_language.get()
    return [
        {
            "code": lang.code,
            "name": lang.name,
            "dir": lang.direction,
            "href": path + "?" + urlencode([*rest, ("lang", lang.code)]),
            "current": "true" if lang == now else "",
        }
        for lang in LANGUAGES
    ]


async def language_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Serve the request in its language; remember a ``?lang=`` choice in a cookie."""
    from guwah.web.guards import refused_cross_site

    lang, chosen = of_request(request)
    request.state.language = lang
    token = current_language.set(lang)
    try:
        response = await call_next(request)
    finally:
        current_language.reset(token)
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Content-Language", lang.code)
        response.headers.append("Vary", "Accept-Language, Cookie")
    if chosen is not None and not refused_cross_site(request):
        response.set_cookie(
            COOKIE,
            chosen.code,
            max_age=COOKIE_SECONDS,
            path="/",
            samesite="lax",
            httponly=True,
            secure=request.url.scheme == "https",
        )
    return response
