"""The verification report's own words in the reader's language, at render time.

The checks (``guwah.verify.checks``) write their title, what they compare, why it matters
and their totals in English, as ``guwah verify`` prints them and as ``check_runs.totals``
stores them. A Uyghur or Chinese page looks each text up here by its English (a ``%`` of
the text is ``%%`` in its msgid), a total by its label — the leak's dated window by its
pattern, its dates put back —, with the counts and the share formatted for the locale. An
English page never passes through here: it shows exactly what the checks wrote. A text
this module does not list is shown as written (``tests/test_web_i18n.py`` fails while a
check's title, comparison, reason, total label or a finding's title is left untranslated).
A finding's explanation holds the leak's values in English sentences: it is shown as written.
"""

from __future__ import annotations

import re
from typing import Any

from babel.numbers import format_decimal, format_percent

from guwah.web.i18n import N_, current_language, gettext

TEXTS = frozenset(
    {
        # ids
        N_("Resident ID numbers in photo names"),
        N_(
            "Every 18-digit (and 15-digit legacy) resident ID number in an image file name "
            "against the GB 11643 rules: the ISO 7064 MOD 11-2 check digit, a real birth date, "
            "and a GB/T 2260 region code in use at some time between the birth and the photo "
            "(the code is the county when the number was assigned, GB 11643-1999 § 5.2; "
            "python-stdnum's code history)."
        ),
        N_(
            "Genuine police photos are filed under the ID number of the person photographed; a "
            "number that fails these rules was mistyped or invented. A leak whose numbers "
            "validate almost without exception was produced by a system that checks them, "
            "which is hard to fake at scale."
        ),
        # time
        N_("Photo times"),
        N_(
            "For every photo: the timestamp in its file name against EXIF DateTimeOriginal "
            "(tolerance 5 s) and against its file time (archive member or file mtime, read as "
            "UTC+8 where the format stores UTC; it may not be more than 60 s earlier than the "
            "earlier of the two). The capture time (EXIF, else the name) against the date the "
            "evidence was received, the camera model's release date (camera_models.csv), and "
            "the leak's own window: Tukey's fences (quartiles ± 1.5 × IQR) of all capture "
            "dates."
        ),
        N_(
            "A police photo system names the file from the camera's clock, so the name, EXIF "
            "and file time of a genuine photo agree to the second. Disagreement means a file "
            "was renamed, its metadata rewritten, or the camera clock was off (a whole number "
            "of hours suggests a time-zone setting). A photo dated after the leak was received, "
            "or before its camera model existed, cannot be what it says it is."
        ),
        # images
        N_("Cameras, editing software and thumbnails"),
        N_(
            "EXIF Software, ProcessingSoftware and HostComputer against signatures of image "
            "editors (photo_editors.csv); each photo's camera (make, model, serial) against the "
            "camera of its folder (the camera of at least 60%% of the folder's photos, 5 or "
            "more) and serial numbers against models; the embedded EXIF thumbnail against the "
            "image (16×16 grey signature correlation below 0.9 and 256-bit pHash distance above "
            "64 mean another picture)."
        ),
        N_(
            "An editor's name in the metadata shows the file was opened and saved after it left "
            "the camera; most editors leave the old thumbnail in place, so a thumbnail that "
            "shows another picture exposes a changed image. A station photographs its "
            "detainees with one camera: a photo from another camera in that folder, or one "
            "serial number under two models, points to a photo from elsewhere or rewritten "
            "metadata."
        ),
        # near_duplicates
        N_("Near-duplicate photos"),
        N_(
            "Every pair of images whose 256-bit perceptual hashes (pHash, imagehash "
            "hash_size=16) are within 16 bits, found by multi-index hashing rather than "
            "comparing all pairs, and whose 16×16 grey signatures correlate at 0.99 or more; "
            "and the ID numbers in the file names of each resulting cluster (and of the "
            "several names of one identical file)."
        ),
        N_(
            "Each detainee photo should show one person once. The same picture under two "
            "different ID numbers means a photo was reused for another person, by a clerk or a "
            "forger; copies under one ID are ordinary re-saves, reported for completeness."
        ),
        # documents
        N_("Document metadata against claimed dates"),
        N_(
            "The date a PDF or Word document claims in its text (the last date in its last 6 "
            "non-empty lines, the signature block; else the first date in its first 6: "
            "2018年7月23日, 二〇一八年七月二十三日 or 2018-07-23) against its metadata creation "
            "date (PDF CreationDate, Office created; later by more than 1 day is a finding) and "
            "modification date (later by more than 30 days is noted). Times are compared as "
            "written (Office stores UTC, which can move a date by one day: hence the grace). "
            "Producer software and authors are tabulated."
        ),
        N_(
            "A file cannot be created before it is written, so a genuine document's file dates "
            "are on or shortly after the date it carries. A file created months after its "
            "claimed date is at best a later copy or conversion and at worst a back-dated "
            "fabrication; either way it is weaker evidence of what was known on the claimed "
            "date."
        ),
        # record_ids
        N_("Resident ID numbers in the records"),
        N_(
            "Every ID number in the records' ID columns against the GB 11643 rules: the ISO "
            "7064 MOD 11-2 check digit (18 digits), a real birth date, and a GB/T 2260 region "
            "code in use at some time between the birth and the person's last photo or the "
            "leak's date (the code is the county when the number was assigned, GB 11643-1999 "
            "§ 5.2; python-stdnum's code history; 15-digit legacy numbers have no check digit). "
            "Cells the records stage read as floating-point numbers (6.53121199001011e+17) are "
            "reported as damaged, never repaired."
        ),
        N_(
            "A detainee list produced by a police system holds ID numbers the system "
            "validated; numbers that fail were mistyped or invented. A number that went through "
            "a float has lost its last digits: it cannot identify anyone by itself, and the row "
            "is joined to a person only by name."
        ),
        # cross_field
        N_("ID numbers against their records"),
        N_(
            "For every record with a well-formed ID number: the birth date it encodes against "
            "the recorded birth date (a partial date compared as far as it goes); the sex of "
            "its 17th digit (15-digit: last digit; odd is male) against the recorded sex; the "
            "county name of its region code (every name python-stdnum's code history gives it, "
            "so historical codes such as Tekes 652427/654127 count as Tekes) against the county "
            "named in the household address, current address or county column, else in the "
            "sheet's title or the file's path; and the recorded age against the age the ID's "
            "birth date gives on the person's earliest photo (tolerance 1 year)."
        ),
        N_(
            "Registers exported from the police and household-registration systems copy birth "
            "date, sex and home county from the ID number, so genuine rows agree with it. A row "
            "that disagrees was typed by hand, altered, or belongs to someone else. A different "
            "county can also mean a person registered elsewhere who moved: look at the address."
        ),
        # record_times
        N_("Record dates against photo times"),
        N_(
            "For every person with both: the detention dates in their records against the "
            "times of the photos joined to them by ID number (file name, else EXIF "
            "DateTimeOriginal), and the release dates likewise (tolerance 1 day)."
        ),
        N_(
            "Detainees were photographed when taken in, so a detainee's photo normally dates "
            "from the detention date on. A photo taken earlier may come from another campaign "
            "(ID-card or health checks photographed residents too), so it is context, not an "
            "error; a photo dated after the recorded release contradicts the record or the "
            "photo's time."
        ),
        # joins
        N_("Photos and records joined by ID number"),
        N_(
            "The 18-character ID numbers in photo file names against the ID numbers in the "
            "records (after the records stage's people resolution): a photo whose ID no record "
            "holds is an orphan; a detainee (a record with a detention date, facility, reason "
            "or release date) with an ID number but no photo is missing one when other "
            "detainees of the same roster sheet have photos. Every ID number held by records "
            "with different names, birth dates or sexes (the records stage's people.conflicts)."
        ),
        N_(
            "Photos that join detainee rows tie the two halves of a leak together: a fabricated "
            "photo set would not match thousands of independent rows. Photos of people in no "
            "list may be of people the leaked lists do not cover; a detainee unphotographed on "
            "a roster where the others were photographed is a gap to explain. One ID number "
            "under two names or birth dates means a row was mistyped, altered or copied onto "
            "another person."
        ),
    }
)

# What the totals count (``CheckResult.total``'s labels), each a noun phrase.
LABELS = frozenset(
    {
        N_("distinct ID numbers in photo names valid"),
        N_("photo-name ID numbers in the 15-digit legacy form"),
        N_(
            "photo-name ID numbers whose region code came into use after the birth (assigned "
            "later: normal)"
        ),
        N_("images with an ID number in a file name"),
        N_("photos whose file-name time agrees with EXIF DateTimeOriginal"),
        N_("file times not earlier than the photo's capture"),
        N_("photos with a camera model in the reference table"),
        N_("photos taken on or after their camera model's release"),
        N_("photos with EXIF that name no image editor"),
        N_("photos with camera EXIF (make or model)"),
        N_("photos taken with their folder's camera"),
        N_("embedded thumbnails that show the image"),
        N_("images fingerprinted"),
        N_("images with a near-duplicate"),
        N_("near-duplicate clusters under different ID numbers"),
        N_("identical files under different ID numbers"),
        N_("documents whose text claims a date"),
        N_("dated documents whose metadata was created by the claimed date"),
        N_("distinct ID numbers in the records valid"),
        N_("records with a readable ID number"),
        N_("records whose ID number was damaged (stored as a float)"),
        N_("distinct record ID numbers in the 15-digit legacy form"),
        N_(
            "distinct record ID numbers whose region code came into use after the birth "
            "(assigned later: normal)"
        ),
        N_("records with an ID number"),
        N_("records whose birth date agrees with their ID number"),
        N_("records whose sex agrees with their ID number's sex digit"),
        N_("records whose county agrees with their ID number's region"),
        N_("records whose age agrees with their ID number at the photo date"),
        N_("detainees with photos, the first not before detention"),
        N_("released people with photos none of which is after release"),
        N_("photo occurrences with an ID number that join a record"),
        N_("detainees with a photo"),
        N_("ID numbers in the records without conflicting names, birth dates or sexes"),
    }
)

# What each finding is (``Finding.title``), as the checks name them; an editor's name in a
# title is data, put back as written.
FINDING_TITLES = frozenset(
    {
        N_("Recorded birth date disagrees with the ID number"),
        N_("Recorded sex disagrees with the ID number"),
        N_("ID number's county is not the address county"),
        N_("Recorded age disagrees with the ID number at the photo date"),
        N_("Document file created after the date it claims"),
        N_("Document modified long after the date it claims"),
        N_("Document modified before it was created"),
        N_("ID number in a photo name fails its check digit"),
        N_("ID number in a photo name encodes no real birth date"),
        N_("ID number in a photo name has an unknown region code"),
        N_("ID number's region code was in use at no time in its holder's life"),
        N_("Invalid ID number in a photo name"),
        N_("Photo from another camera than its folder's"),
        N_("One camera serial number under several models"),
        N_("Embedded thumbnail shows another picture"),
        N_("Detainee with no photo"),
        N_("Photo whose ID number is in no record"),
        N_("One ID number, several people"),
        N_("Near-identical images"),
        N_("One photo file under different ID numbers"),
        N_("The same photo under different ID numbers"),
        N_("Photos taken before the recorded detention"),
        N_("Photo dated after the recorded release"),
        N_("ID number in the records is not 18 or 15 digits"),
        N_("ID number in the records fails its check digit"),
        N_("ID number in the records encodes no real birth date"),
        N_("ID number in the records has an unknown region code"),
        N_("ID number stored as a floating-point number: digits may be lost"),
        N_("Invalid ID number in the records"),
        N_("File-name time and EXIF DateTimeOriginal disagree"),
        N_("File time earlier than the photo"),
        N_("File-name timestamp is not a real time"),
        N_("Photo dated after the evidence was received"),
        N_("Photo taken before its camera model existed"),
        N_("Photo dated outside the leak's window"),
    }
)
EDITED = re.compile(r"Photo saved by (.+)", re.DOTALL)
EDITED_MESSAGE = N_("Photo saved by %(editor)s")

# A label with values (``time``: the leak's own window, two dates).
WINDOW = re.compile(r"dated photos inside the leak's window (\S+) – (\S+)")
WINDOW_MESSAGE = N_("dated photos inside the leak's window %(start)s – %(end)s")


def _msgid(text: str) -> str:
    return text.replace("%", "%%")


def _locale() -> str | None:
    return current_language.get().catalogue


def check_text(text: Any) -> str:
    """A check's title, comparison or reason in the page's language (English: as written)."""
    value = "" if text is None else str(text)
    if not _locale() or _msgid(value) not in TEXTS:
        return value
    return gettext(_msgid(value)).replace("%%", "%")


def total_label(label: str) -> str:
    """What a total counts, in the page's language; a label not listed stays as written."""
    if not _locale():
        return label
    m = WINDOW.fullmatch(label)
    if m:
        return gettext(WINDOW_MESSAGE) % {"start": m.group(1), "end": m.group(2)}
    return gettext(_msgid(label)).replace("%%", "%") if _msgid(label) in LABELS else label


def total_text(total: dict[str, Any]) -> str:
    """One total, "297 of 299 … valid, 99.3%": in English exactly as the check wrote it."""
    locale = _locale()
    if not locale:
        return str(total.get("text", ""))
    n, of = int(total.get("n") or 0), int(total.get("of") or 0)
    values = {
        "n": format_decimal(n, locale=locale),
        "of": format_decimal(of, locale=locale),
        "label": total_label(str(total.get("label", ""))),
    }
    if not of:
        return gettext("%(n)s of %(of)s %(label)s") % values
    values["share"] = format_percent(n / of, "#,##0.0%", locale=locale)
    return gettext("%(n)s of %(of)s %(label)s, %(share)s") % values


def finding_title(title: Any) -> str:
    """A finding's title in the page's language; the editor a title names stays as written."""
    value = "" if title is None else str(title)
    if not _locale():
        return value
    if value in FINDING_TITLES:
        return gettext(value)
    m = EDITED.fullmatch(value)
    return gettext(EDITED_MESSAGE) % {"editor": m.group(1)} if m else value
