"""A finding's explanation in the reader's language, at render time.

The checks (``guwah.verify.checks``) write each explanation as English sentences around the
leak's values ("ID 6531… encodes the birth date 1976-03-02, but 1 record(s) say 1976-03-12.")
and store it so. A Uyghur or Chinese page reads it back here: each form the checks write is a
regular expression whose named groups are the values, and a message of the catalogue whose
placeholders put those values back as written (an ID number, a name, a sheet, a date: leaked
data, never translated). A group listed in ``words`` is one of guwah's own words ("male",
"signature block") and is translated too; a group listed in ``inner`` is a text of another
set of forms (the reason an ID number is invalid). Optional sentences the checks append are
groups of their own (``more``), each with its message.

An explanation is translated whole or not at all: one that no form reads (a check's new
wording, an odd value) is shown exactly as the check wrote it, never half translated.
An English page never passes through here. ``tests/test_web_i18n.py`` fails while an
explanation stored in the test case is left in English on a Uyghur or Chinese page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from guwah.web.i18n import N_, current_language, gettext

# guwah's own words inside explanations (every other value is shown as written)
WORDS = {
    "male": N_("male"),
    "female": N_("female"),
    "signature block": N_("signature block"),
    "head": N_("head of the document"),
    "sheet title": N_("sheet title"),
    "sheet name": N_("sheet name"),
    "file path": N_("file path"),
    "file name": N_("file name"),
    "EXIF DateTimeOriginal": "EXIF DateTimeOriginal",  # a tag's name: as written
    "A person": N_("A person"),
    "as written (zip: local time)": N_("as written (zip: local time)"),
    "UTC read as UTC+8": N_("UTC read as UTC+8"),
}


@dataclass(frozen=True)
class Form:
    """One way a check words an explanation."""

    pattern: re.Pattern[str]
    message: str
    more: tuple[tuple[str, str], ...] = ()  # (group of an optional sentence, its message)
    words: tuple[str, ...] = ()  # groups that hold guwah's words (WORDS)
    inner: dict[str, tuple[Form, ...]] = field(default_factory=dict)
    convert: dict[str, Callable[[str], str | None]] = field(default_factory=dict)


def wording(regex: str, message: str, **kw: Any) -> Form:
    return Form(re.compile(regex, re.DOTALL), message, **kw)


_OTHERS = (
    r"(?P<others> The number is also in (?P<n_others>\d+) other record\(s\) that do not "
    r"disagree \(listed as 'same ID number'\)\.)?"
)
_OTHERS_MSG = N_(
    " The number is also in %(n_others)s other record(s) that do not disagree (listed as "
    "'same ID number')."
)

# the reason an ID number fails (guwah.verify.idnumbers), inside the ids and records_ids forms
PROBLEMS = (
    wording(
        r"(?P<text>.+) is not an ID number: 18 digits \(the last may be X\) or 15 digits",
        N_("%(text)s is not an ID number: 18 digits (the last may be X) or 15 digits"),
    ),
    wording(
        r"the check digit of (?P<number>\S+) is (?P<digit>\S), but ISO 7064 MOD 11-2 over its "
        r"first 17 digits gives (?P<expected>\S)",
        N_(
            "the check digit of %(number)s is %(digit)s, but ISO 7064 MOD 11-2 over its first "
            "17 digits gives %(expected)s"
        ),
    ),
    wording(
        r"the birth date digits (?P<digits>\S+) of (?P<number>\S+) is not a real date",
        N_("the birth date digits %(digits)s of %(number)s is not a real date"),
    ),
    wording(
        r"the birth date digits (?P<digits>\S+) of (?P<number>\S+) is not a plausible birth date",
        N_("the birth date digits %(digits)s of %(number)s is not a plausible birth date"),
    ),
    wording(
        r"the region code (?P<code>\S+) of (?P<number>\S+) is not a GB/T 2260 county code",
        N_("the region code %(code)s of %(number)s is not a GB/T 2260 county code"),
    ),
    wording(
        r"the region code (?P<code>\S+) of (?P<number>\S+) was in use at no time between the "
        r"birth year (?P<born>\d+) and the number was seen in (?P<seen>\d+) \(in use: "
        r"(?P<spans>.+?)\), so no number with it could have been assigned to this person",
        N_(
            "the region code %(code)s of %(number)s was in use at no time between the birth "
            "year %(born)s and the number was seen in %(seen)s (in use: %(spans)s), so no "
            "number with it could have been assigned to this person"
        ),
    ),
    wording(
        r"the region code (?P<code>\S+) of (?P<number>\S+) was in use at no time between the "
        r"birth year (?P<born>\d+) and today \(in use: (?P<spans>.+?)\), so no number with it "
        r"could have been assigned to this person",
        N_(
            "the region code %(code)s of %(number)s was in use at no time between the birth "
            "year %(born)s and today (in use: %(spans)s), so no number with it could have been "
            "assigned to this person"
        ),
    ),
    wording(
        r"the region code (?P<code>\S+) of (?P<number>\S+) came into use in (?P<first>\d+), "
        r"after the birth year (?P<born>\d+): the number was assigned after (?P=first) \(in "
        r"use: (?P<spans>.+?)\)",
        N_(
            "the region code %(code)s of %(number)s came into use in %(first)s, after the birth "
            "year %(born)s: the number was assigned after %(first)s (in use: %(spans)s)"
        ),
    ),
)

_RECORDS_N = re.compile(r" \((\d+) record\(s\)\)")
_CONFLICT_PART = re.compile(r"(names|birth dates|sexes) (.+)", re.DOTALL)
_CONFLICT_FIELDS = {
    "names": N_("names %(values)s"),
    "birth dates": N_("birth dates %(values)s"),
    "sexes": N_("sexes %(values)s"),
}


def _word(value: str) -> str:
    return gettext(WORDS[value]) if value in WORDS and WORDS[value] != value else value


def _conflicts(text: str) -> str | None:
    """'names 阿 (2 record(s)), 艾 (1 record(s)); sexes …' with guwah's words translated."""
    parts = []
    for part in text.split("; "):
        m = _CONFLICT_PART.fullmatch(part)
        if m is None:
            return None
        values = _RECORDS_N.sub(
            lambda r: gettext(N_(" (%(n)s record(s))")) % {"n": r.group(1)}, m.group(2)
        )
        parts.append(gettext(_CONFLICT_FIELDS[m.group(1)]) % {"values": values})
    return "; ".join(parts)


def _sources(text: str) -> str | None:
    """'household_address, sheet title': a field's name as written, a phrase translated."""
    return ", ".join(_word(s) for s in text.split(", "))


_SPAN = re.compile(r"(?:(?P<d>\d+) days (?P<dh>\d+) h|(?P<h>\d+) h (?P<hm>\d+) min (?P<hs>\d+) s"
                   r"|(?P<m>\d+) min (?P<ms>\d+) s|(?P<s>\d+) s)")  # fmt: skip


def _span(text: str) -> str | None:
    """A difference as guwah.verify.checks.time.span words it: '8 h 0 min 12 s'."""
    m = _SPAN.fullmatch(text)
    if m is None:
        return None
    g = m.groupdict()
    if g["d"]:
        return gettext(N_("%(d)s days %(h)s h")) % {"d": g["d"], "h": g["dh"]}
    if g["h"]:
        return gettext(N_("%(h)s h %(m)s min %(s)s s")) % {"h": g["h"], "m": g["hm"], "s": g["hs"]}
    if g["m"]:
        return gettext(N_("%(m)s min %(s)s s")) % {"m": g["m"], "s": g["ms"]}
    return gettext(N_("%(s)s s")) % {"s": g["s"]}


FORMS: tuple[Form, ...] = (
    # cross_field
    wording(
        r"ID (?P<number>\S+) encodes the birth date (?P<expected>\S+), but (?P<rows>\d+) "
        r"record\(s\) say (?P<recorded>.+?)\." + _OTHERS,
        N_(
            "ID %(number)s encodes the birth date %(expected)s, but %(rows)s record(s) say "
            "%(recorded)s."
        ),  # fmt: skip
        more=(("others", _OTHERS_MSG),),
    ),
    wording(
        r"ID (?P<number>\S+) encodes (?P<expected>male|female) \(sex digit (?P<digit>\d)\: odd "
        r"is male, even female\), but (?P<rows>\d+) record\(s\) say (?P<recorded>.+?)\." + _OTHERS,
        N_(
            "ID %(number)s encodes %(expected)s (sex digit %(digit)s: odd is male, even female), "
            "but %(rows)s record(s) say %(recorded)s."
        ),  # fmt: skip
        more=(("others", _OTHERS_MSG),),
        words=("expected",),
    ),
    wording(
        r"The region code (?P<code>\S+) of ID (?P<number>\S+) is (?P<expected>.+?) \(GB/T 2260, "
        r"every name the code has had\), but (?P<rows>\d+) record\(s\) place the person in "
        r"(?P<recorded>.+?) \(from the (?P<sources>.+?)\)\. The ID region is the county of first "
        r"registration: a person who moved keeps it, so check the address before concluding the "
        r"number is wrong\." + _OTHERS,
        N_(
            "The region code %(code)s of ID %(number)s is %(expected)s (GB/T 2260, every name the "
            "code has had), but %(rows)s record(s) place the person in %(recorded)s (from the "
            "%(sources)s). The ID region is the county of first registration: a person who moved "
            "keeps it, so check the address before concluding the number is wrong."
        ),  # fmt: skip
        more=(("others", _OTHERS_MSG),),
        convert={"sources": _sources},
    ),
    wording(
        r"ID (?P<number>\S+) gives age (?P<expected>\d+) on the person's first photo "
        r"\((?P<when>[^)]+)\), but (?P<rows>\d+) record\(s\) say (?P<recorded>.+?) \(tolerance "
        r"(?P<tol>\d+) year\)\." + _OTHERS,
        N_(
            "ID %(number)s gives age %(expected)s on the person's first photo (%(when)s), but "
            "%(rows)s record(s) say %(recorded)s (tolerance %(tol)s year)."
        ),  # fmt: skip
        more=(("others", _OTHERS_MSG),),
    ),
    # documents
    wording(
        r"The text claims (?P<text>.+?) \((?P<claimed>\d{4}-\d{2}-\d{2}), (?P<where>signature "
        r"block|head), page (?P<page>\d+)\); the metadata (?P<label>PDF CreationDate|PDF ModDate"
        r"|Office created|Office modified) is (?P<when>\S+ \S+), (?P<days>-?\d+) days later\."
        r"(?P<made> The file was made after the date it carries: a later copy or conversion, or "
        r"a back-dated document\.)?(?P<edited> The file was edited after the date it carries\.)?",
        N_(
            "The text claims %(text)s (%(claimed)s, %(where)s, page %(page)s); the metadata "
            "%(label)s is %(when)s, %(days)s days later."
        ),  # fmt: skip
        more=(
            (
                "made",
                N_(
                    " The file was made after the date it carries: a later copy or "
                    "conversion, or a back-dated document."
                ),
            ),  # fmt: skip
            ("edited", N_(" The file was edited after the date it carries.")),
        ),
        words=("where",),
    ),
    wording(
        r"The metadata (?P<ml>PDF ModDate|Office modified) (?P<modified>\S+ \S+) is earlier than "
        r"(?P<cl>PDF CreationDate|Office created) (?P<created>\S+ \S+): one of them was set by "
        r"hand or by a wrong clock\.",
        N_(
            "The metadata %(ml)s %(modified)s is earlier than %(cl)s %(created)s: one of them was "
            "set by hand or by a wrong clock."
        ),  # fmt: skip
    ),
    # ids, records_ids
    wording(
        r"(?P<problem>.+?)\. It names (?P<n>\d+) image\(s\)\.",
        N_("%(problem)s. It names %(n)s image(s)."),
        inner={"problem": PROBLEMS},
    ),
    wording(
        r"(?P<problem>.+?)\. It appears in (?P<n>\d+) record\(s\) in (?P<files>\d+) file\(s\) "
        r"and names (?P<photos>\d+) photo\(s\)\.",
        N_(
            "%(problem)s. It appears in %(n)s record(s) in %(files)s file(s) and names "
            "%(photos)s photo(s)."
        ),  # fmt: skip
        inner={"problem": PROBLEMS},
    ),
    wording(
        r"(?P<problem>.+?)\. It appears in (?P<n>\d+) record\(s\) in (?P<files>\d+) file\(s\)\.",
        N_("%(problem)s. It appears in %(n)s record(s) in %(files)s file(s)."),
        inner={"problem": PROBLEMS},
    ),
    wording(
        r"The ID cell holds (?P<raw>.+?), a floating-point number: a spreadsheet keeps only 15 "
        r"significant digits, so the last digits of the 18-digit number \(and its check digit\) "
        r"are lost and cannot be verified\.(?P<joined> The records stage joined the row\(s\) by "
        r"name to the person with ID (?P<ids>.+?)\.)?(?P<alone> No person with that number and "
        r"name was found: the row stands alone\.)?",
        N_(
            "The ID cell holds %(raw)s, a floating-point number: a spreadsheet keeps only 15 "
            "significant digits, so the last digits of the 18-digit number (and its check digit) "
            "are lost and cannot be verified."
        ),  # fmt: skip
        more=(
            (
                "joined",
                N_(" The records stage joined the row(s) by name to the person with ID %(ids)s."),
            ),  # fmt: skip
            (
                "alone",
                N_(" No person with that number and name was found: the row stands alone."),
            ),  # fmt: skip
        ),
    ),
    # images
    wording(
        r"EXIF (?P<tag>.+?) is (?P<value>.+?), the signature of (?P<editor>.+?): the file was "
        r"opened and saved by it after the camera wrote it\.(?P<later> EXIF DateTime \(last "
        r"saved\) (?P<saved>\S+ \S+|\S+) is later than DateTimeOriginal (?P<taken>\S+ \S+|\S+)\.)?",
        N_(
            "EXIF %(tag)s is %(value)s, the signature of %(editor)s: the file was opened and "
            "saved by it after the camera wrote it."
        ),  # fmt: skip
        more=(
            (
                "later",
                N_(
                    " EXIF DateTime (last saved) %(saved)s is later than DateTimeOriginal "
                    "%(taken)s."
                ),
            ),  # fmt: skip
        ),
    ),
    wording(
        r"(?P<n_main>\d+) of the (?P<n>\d+) photos in (?P<folder>.+?) were taken with "
        r"(?P<main>.+?); this one says (?P<cam>.+?)\.",
        N_(
            "%(n_main)s of the %(n)s photos in %(folder)s were taken with %(main)s; this one says "
            "%(cam)s."
        ),  # fmt: skip
    ),
    wording(
        r"The serial number (?P<serial>.+?) appears with (?P<k>\d+) camera models "
        r"\((?P<names>.+?)\); one camera has one model\.",
        N_(
            "The serial number %(serial)s appears with %(k)s camera models (%(names)s); one "
            "camera has one model."
        ),  # fmt: skip
    ),
    wording(
        r"The EXIF thumbnail \((?P<w>[^×]*)×(?P<h>[^)]*)\) differs from the image: pHash "
        r"distance (?P<dist>\d+) of 256 bits \(limit (?P<lim>\d+)\), signature correlation "
        r"(?P<corr>-?[\d.]+) \(limit (?P<clim>[\d.]+)\)\. The camera writes both at once; the "
        r"image was changed and the old thumbnail kept\.",
        N_(
            "The EXIF thumbnail (%(w)s×%(h)s) differs from the image: pHash distance %(dist)s of "
            "256 bits (limit %(lim)s), signature correlation %(corr)s (limit %(clim)s). The camera "
            "writes both at once; the image was changed and the old thumbnail kept."
        ),  # fmt: skip
    ),
    # joins
    wording(
        r"The ID number (?P<number>\S+) in the file name of (?P<k>\d+) photo\(s\) appears in none "
        r"of the (?P<n>[\d,]+) records\. The person may be outside the lists that leaked, or the "
        r"number in the name is wrong\.(?P<near> A record holds this number as a damaged float "
        r"\(digits lost\): it may be that record's person\.)?",
        N_(
            "The ID number %(number)s in the file name of %(k)s photo(s) appears in none of the "
            "%(n)s records. The person may be outside the lists that leaked, or the number in the "
            "name is wrong."
        ),  # fmt: skip
        more=(
            (
                "near",
                N_(
                    " A record holds this number as a damaged float (digits lost): it may "
                    "be that record's person."
                ),
            ),  # fmt: skip
        ),
    ),
    wording(
        r"(?P<name>.+?) \(ID (?P<number>\S+)\) is listed as detained \(sheet (?P<sheets>.+?)\) "
        r"but no photo carries the ID number, while other detainees of the same roster were "
        r"photographed\. The photo may be missing from the leak, filed under another number, or "
        r"the person was never photographed\.",
        N_(
            "%(name)s (ID %(number)s) is listed as detained (sheet %(sheets)s) but no photo "
            "carries the ID number, while other detainees of the same roster were photographed. "
            "The photo may be missing from the leak, filed under another number, or the person "
            "was never photographed."
        ),  # fmt: skip
        words=("name",),
    ),
    wording(
        r"The ID number (?P<number>\S+) is given in the records with different (?P<parts>.+?)\. "
        r"An ID number belongs to one person: a row was mistyped, altered or copied onto someone "
        r"else\.",
        N_(
            "The ID number %(number)s is given in the records with different %(parts)s. An ID "
            "number belongs to one person: a row was mistyped, altered or copied onto someone "
            "else."
        ),  # fmt: skip
        convert={"parts": _conflicts},
    ),
    # near_duplicates
    wording(
        r"(?P<k>\d+) images show the same picture \(pHash distance up to (?P<d>\d+) of 256 bits, "
        r"signature correlation at least (?P<c>-?[\d.]+); sizes (?P<sizes>.+?)\) but their file "
        r"names carry (?P<m>\d+) different ID numbers \((?P<ids>.+?)\): one person's photo was "
        r"filed under another person's number\.",
        N_(
            "%(k)s images show the same picture (pHash distance up to %(d)s of 256 bits, "
            "signature correlation at least %(c)s; sizes %(sizes)s) but their file names carry "
            "%(m)s different ID numbers (%(ids)s): one person's photo was filed under another "
            "person's number."
        ),  # fmt: skip
    ),
    wording(
        r"(?P<k>\d+) different files show the same picture \(pHash distance up to (?P<d>\d+) of "
        r"256 bits, signature correlation at least (?P<c>-?[\d.]+); sizes (?P<sizes>.+?)\), under "
        r"the ID number (?P<id>\S+): re-saved or resized copies\.",
        N_(
            "%(k)s different files show the same picture (pHash distance up to %(d)s of 256 "
            "bits, signature correlation at least %(c)s; sizes %(sizes)s), under the ID number "
            "%(id)s: re-saved or resized copies."
        ),  # fmt: skip
    ),
    wording(
        r"(?P<k>\d+) different files show the same picture \(pHash distance up to (?P<d>\d+) of "
        r"256 bits, signature correlation at least (?P<c>-?[\d.]+); sizes (?P<sizes>.+?)\), with "
        r"no ID number in their names: re-saved or resized copies\.",
        N_(
            "%(k)s different files show the same picture (pHash distance up to %(d)s of 256 "
            "bits, signature correlation at least %(c)s; sizes %(sizes)s), with no ID number in "
            "their names: re-saved or resized copies."
        ),  # fmt: skip
    ),
    wording(
        r"The identical file \(SHA-256 (?P<sha>[0-9a-f]+)…\) occurs under names carrying "
        r"(?P<m>\d+) different ID numbers \((?P<ids>.+?)\)\.",
        N_(
            "The identical file (SHA-256 %(sha)s…) occurs under names carrying %(m)s different "
            "ID numbers (%(ids)s)."
        ),  # fmt: skip
    ),
    # record_times
    wording(
        r"The records give the detention date (?P<start>\S+), but (?P<k>\d+) of the person's "
        r"(?P<n>\d+) photo\(s\) were taken earlier \(the latest of them on (?P<last>\S+ \S+), "
        r"(?P<days>-?\d+) days before\)\. Either a photo from an earlier campaign, or a wrong "
        r"detention date or photo time\.",
        N_(
            "The records give the detention date %(start)s, but %(k)s of the person's %(n)s "
            "photo(s) were taken earlier (the latest of them on %(last)s, %(days)s days before). "
            "Either a photo from an earlier campaign, or a wrong detention date or photo time."
        ),
    ),  # fmt: skip
    wording(
        r"The records give the release date (?P<end>\S+), but (?P<k>\d+) photo\(s\) of the "
        r"person are dated later \((?P<dates>[^)]*)\)\. The release date or the photo's time is "
        r"wrong, or the person was held again\.",
        N_(
            "The records give the release date %(end)s, but %(k)s photo(s) of the person are "
            "dated later (%(dates)s). The release date or the photo's time is wrong, or the "
            "person was held again."
        ),  # fmt: skip
    ),
    # time
    wording(
        r"The file name (?P<name>.+?) says the photo was taken at (?P<t1>\S+ \S+); its EXIF "
        r"DateTimeOriginal says (?P<t2>\S+ \S+), (?P<span>.+?) later \(tolerance (?P<tol>\d+) "
        r"s\)\.(?P<hint> The difference is a whole number of hours \((?P<hours>\d+) h\): a "
        r"camera clock set to another time zone, or a time rewritten by hand\.)?",
        N_(
            "The file name %(name)s says the photo was taken at %(t1)s; its EXIF DateTimeOriginal "
            "says %(t2)s, %(span)s later (tolerance %(tol)s s)."
        ),  # fmt: skip
        more=(
            (
                "hint",
                N_(
                    " The difference is a whole number of hours (%(hours)s h): a camera "
                    "clock set to another time zone, or a time rewritten by hand."
                ),
            ),
        ),
        convert={"span": _span},
    ),  # fmt: skip
    wording(
        r"The file name (?P<name>.+?) says the photo was taken at (?P<t1>\S+ \S+); its EXIF "
        r"DateTimeOriginal says (?P<t2>\S+ \S+), (?P<span>.+?) earlier \(tolerance (?P<tol>\d+) "
        r"s\)\.(?P<hint> The difference is a whole number of hours \((?P<hours>\d+) h\): a "
        r"camera clock set to another time zone, or a time rewritten by hand\.)?",
        N_(
            "The file name %(name)s says the photo was taken at %(t1)s; its EXIF DateTimeOriginal "
            "says %(t2)s, %(span)s earlier (tolerance %(tol)s s)."
        ),  # fmt: skip
        more=(
            (
                "hint",
                N_(
                    " The difference is a whole number of hours (%(hours)s h): a camera "
                    "clock set to another time zone, or a time rewritten by hand."
                ),
            ),
        ),
        convert={"span": _span},
    ),  # fmt: skip
    wording(
        r"(?P<name>.+?) has the file time (?P<mt>\S+ \S+) \((?P<zone>as written \(zip: local "
        r"time\)|UTC read as UTC\+8)\), (?P<span>.+?) before the photo was taken "
        r"\((?P<t>\S+ \S+)\)\. A file cannot be written before its photo is taken unless a clock "
        r"was wrong or the time was rewritten\.",
        N_(
            "%(name)s has the file time %(mt)s (%(zone)s), %(span)s before the photo was taken "
            "(%(t)s). A file cannot be written before its photo is taken unless a clock was wrong "
            "or the time was rewritten."
        ),  # fmt: skip
        words=("zone",),
        convert={"span": _span},
    ),
    wording(
        r"The 14 digits (?P<ts>\S+) in (?P<name>.+?) read as yyyymmddHHMMSS are not a real date "
        r"and time\.",
        N_(
            "The 14 digits %(ts)s in %(name)s read as yyyymmddHHMMSS are not a real date and time."
        ),  # fmt: skip
    ),
    wording(
        r"The photo's (?P<src>EXIF DateTimeOriginal|file name) time (?P<t>\S+ \S+) is after the "
        r"evidence was received \((?P<received>\S+ \S+), UTC\+8\)\.",
        N_(
            "The photo's %(src)s time %(t)s is after the evidence was received (%(received)s, "
            "UTC+8)."
        ),  # fmt: skip
        words=("src",),
    ),
    wording(
        r"EXIF Model says (?P<model>.+?), first made public on (?P<released>\S+) "
        r"\(camera_models\.csv\), but the photo's (?P<src>EXIF DateTimeOriginal|file name) time "
        r"is (?P<t>\S+ \S+), (?P<days>-?\d+) days earlier\. Either the camera or the date is not "
        r"genuine\.",
        N_(
            "EXIF Model says %(model)s, first made public on %(released)s (camera_models.csv), "
            "but the photo's %(src)s time is %(t)s, %(days)s days earlier. Either the camera or "
            "the date is not genuine."
        ),  # fmt: skip
        words=("src",),
    ),
    wording(
        r"The photo's (?P<src>EXIF DateTimeOriginal|file name) time (?P<t>\S+) is outside the "
        r"window in which the leak's photos were taken, (?P<a>\S+) – (?P<b>\S+) \(quartiles of "
        r"all capture dates ± (?P<f>[\d.]+) × the interquartile range\)\.",
        N_(
            "The photo's %(src)s time %(t)s is outside the window in which the leak's photos were "
            "taken, %(a)s – %(b)s (quartiles of all capture dates ± %(f)s × the interquartile "
            "range)."
        ),  # fmt: skip
        words=("src",),
    ),
)


def read_whole(forms: tuple[Form, ...], text: str) -> str | None:
    """``text`` in the page's language by the first form that reads it whole, or None."""
    for form in forms:
        m = form.pattern.fullmatch(text)
        if m is None:
            continue
        values: dict[str, str] = {k: v for k, v in m.groupdict().items() if v is not None}
        ok = True
        for name in form.words:
            if name in values:
                values[name] = _word(values[name])
        for name, sub in form.inner.items():
            read = read_whole(sub, values.get(name, ""))
            ok = ok and read is not None
            values[name] = read or ""
        for name, fn in form.convert.items():
            if name in values:
                done = fn(values[name])
                ok = ok and done is not None
                values[name] = done or ""
        if not ok:
            continue
        out = gettext(form.message) % values
        for group, message in form.more:
            if values.get(group):
                out += gettext(message) % values
        return out
    return None


def explanation(text: Any) -> str:
    """A finding's explanation in the page's language; English, or a text no form reads,
    exactly as the check wrote it."""
    value = "" if text is None else str(text)
    if not current_language.get().catalogue:
        return value
    return read_whole(FORMS, value) or value
