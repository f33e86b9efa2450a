"""A citation and a location in the reader's language, at render time.

:mod:`guwah.web.citation` writes a citation's text in English (the JSON API gives it so, for
scripts and for a submission written in English). A Uyghur or Chinese page shows the same
citation with guwah's words in its language: every value — a path, a sheet's name, a hash,
the custodian, a finding's title as the check stored it (translated like every finding
title) — is put back as written. An English page shows exactly what
:func:`guwah.web.citation` wrote.
"""

from __future__ import annotations

import re
from typing import Any

from guwah.verify.report import location_text
from guwah.web.i18n import N_, current_language, gettext, word
from guwah.web.verify_words import finding_title

# the parts of a location (guwah.verify.report.location_text), each with its value
LOCATION_PARTS = (
    ("exif_tag", N_("EXIF tag %(v)s")),
    ("metadata", N_("metadata %(v)s")),
    ("page", N_("page %(v)s")),
    ("sheet", N_("sheet %(v)s")),
    ("row", N_("row %(v)s")),
    ("col", N_("column %(v)s")),
    ("file_name", N_("file name %(v)s")),
    ("text", N_("text %(v)s")),
)

# how the records stage resolved a person (people.method)
PERSON_METHODS = {
    "id_number": N_("ID number"),
    "name_birth": N_("name and birth date"),
    "single": N_("a single record"),
}


# what an involved item is to a finding (guwah.verify: Involved.role) or to a citation
ROLES = {
    "photo": N_("photo"),
    "record": N_("record"),
    "metadata": N_("metadata"),
    "claimed date": N_("claimed date"),
    "same ID number": N_("same ID number"),
}
_RECORD_ROLE = re.compile(r"record (\d+)")


def role_words(role: Any) -> str:
    """An involved item's role in the page's language ("record 12" keeps its number); a role
    this module does not know, and every role on an English page, as stored."""
    text = "" if role is None else str(role)
    if _english():
        return text
    if text in ROLES:
        return gettext(ROLES[text])
    m = _RECORD_ROLE.fullmatch(text)
    return gettext("record %(id)s") % {"id": m.group(1)} if m else text


def _english() -> bool:
    return not current_language.get().catalogue


def location_words(loc: dict[str, Any] | None) -> str:
    """A place inside an item in words ("sheet 名单, row 5, column C"); English as
    :func:`guwah.verify.report.location_text` writes it."""
    loc = loc or {}
    if _english():
        return location_text(loc)
    parts = [
        gettext(message) % {"v": loc[key]}
        for key, message in LOCATION_PARTS
        if loc.get(key) not in (None, "")
    ]
    if loc.get("field"):
        written = f" = {loc['value']!r}" if loc.get("value") not in (None, "") else ""
        parts.append(f"{loc['field']}{written}")
    if loc.get("file_time"):
        parts.append(gettext(N_("file time")))
    return ", ".join(parts)


def _what(cite: dict[str, Any]) -> str:
    kind = cite.get("kind")
    if kind == "item" and "name" in cite:
        return gettext(N_("%(name)s (%(type)s, %(size)s bytes)")) % {
            "name": cite["name"],
            "type": cite.get("mime") or gettext(N_("unknown type")),
            "size": cite.get("size"),
        }
    if kind == "record":
        loc = cite.get("location") or {}
        values = {"id": cite.get("record_id"), "person": cite.get("person_id"),
                  "sheet": loc.get("sheet"), "row": loc.get("row")}  # fmt: skip
        if cite.get("person_id") is None:
            return gettext(N_("Record %(id)s: sheet %(sheet)s, row %(row)s")) % values
        return gettext(N_("Record %(id)s of person %(person)s: sheet %(sheet)s, row %(row)s")) % (
            values
        )
    if kind == "finding":
        return gettext(
            N_("Finding %(id)s of guwah verify, %(check)s/%(kind)s (%(severity)s): %(title)s")
        ) % {
            "id": cite.get("finding_id"),
            "check": cite.get("check"),
            "kind": cite.get("finding_kind"),
            "severity": word(cite.get("severity")),
            "title": finding_title(cite.get("title")),
        }
    if kind == "person" and "n_records" in cite:
        method = str(cite.get("method") or "")
        return gettext(
            N_(
                "Person %(id)s (%(name)s), resolved by %(method)s from %(records)s records and "
                "%(photos)s photos"
            )
        ) % {
            "id": cite.get("person_id"),
            "name": cite.get("name") if cite.get("name") != "no name" else gettext("no name"),
            "method": gettext(PERSON_METHODS[method]) if method in PERSON_METHODS else method,
            "records": cite["n_records"],
            "photos": cite["n_photos"],
        }
    return str(cite.get("what", ""))


def localized(cite: dict[str, Any], in_text: int = 20) -> dict[str, Any]:
    """The citation as a page in the reader's language shows it: its text, what it is and
    where each item is in words of that language, every value as written. English: as is."""
    if _english():
        return cite
    items = [{**it, "location_text": location_words(it.get("location"))}
             for it in cite.get("items") or []]  # fmt: skip
    phrases = []
    for it in items[:in_text]:
        values = {"path": it.get("path") or gettext(N_("(no path)")),
                  "location": it["location_text"], "sha256": it.get("sha256")}  # fmt: skip
        message = (
            N_("%(path)s, %(location)s (SHA-256 %(sha256)s)")
            if it["location_text"]
            else N_("%(path)s (SHA-256 %(sha256)s)")
        )
        phrases.append(gettext(message) % values)
    listed = "; ".join(phrases)
    if len(items) > in_text:
        listed += gettext(N_("; and %(n)s more")) % {"n": len(items) - in_text}
    what = _what(cite)
    head = cite.get("custody_head") or {}
    values = {
        "what": what,
        "items": listed,
        "custodian": cite.get("custodian") or gettext("not recorded"),
        "seq": head.get("seq"),
        "hash": head.get("hash"),
        "tool": cite.get("tool"),
        "url": cite.get("url"),
        "accessed": cite.get("accessed"),
    }
    text = (
        gettext(
            N_(
                "%(what)s. %(items)s. Custodian: %(custodian)s. Custody log head #%(seq)s %(hash)s. "
                "%(tool)s, %(url)s, accessed %(accessed)s."
            )
            if listed
            else N_(
                "%(what)s. Custodian: %(custodian)s. Custody log head #%(seq)s %(hash)s. %(tool)s, "
                "%(url)s, accessed %(accessed)s."
            )
        )
        % values
    )
    first = items[0]["location_text"] if items else ""
    return {**cite, "what": what, "text": text, "items": items, "location_text": first}
