"""``documents``: a document's metadata dates against the date its text claims.

An order, report or speech carries its date at the end, under the issuing office (the
落款), or at its head. The file's own metadata (PDF CreationDate/ModDate, Office core
properties created/modified) says when the file was made. A file made long after the date
it claims is a later copy at best, and a back-dated fabrication at worst.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, time, timedelta

from guwah.verify.base import Check, register
from guwah.verify.context import CheckContext, DocumentInfo
from guwah.verify.finding import CheckResult, Finding, Involved

#: the signature block and the head: how many non-empty lines are searched for the date
TAIL_LINES = 6
HEAD_LINES = 6
#: created later than the claimed date by more than this → document_backdated
CREATED_GRACE = timedelta(days=1)
#: modified later than the claimed date by more than this → document_modified_later (info)
MODIFIED_GRACE = timedelta(days=30)

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0}
_ARABIC = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CHINESE = re.compile(
    r"([〇○零Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*日"
)
_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")


def _cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23, 三十一 → 31."""
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def dates_in(line: str) -> list[tuple[date, str]]:
    """Every date written in a line, in order: 2018年7月23日, 二〇一八年七月二十三日, 2018-07-23."""
    found: list[tuple[int, date, str]] = []
    for m in _ARABIC.finditer(line):
        found += _make(m, int(m[1]), int(m[2]), int(m[3]))
    for m in _CHINESE.finditer(line):
        year = int("".join(str(_CN_DIGITS[c]) for c in m[1]))
        found += _make(m, year, _cn_number(m[2]), _cn_number(m[3]))
    for m in _ISO.finditer(line):
        found += _make(m, int(m[1]), int(m[2]), int(m[3]))
    return [(d, text) for _pos, d, text in sorted(found, key=lambda x: x[0])]


def _make(m: re.Match[str], y: int, mo: int, d: int) -> list[tuple[int, date, str]]:
    try:
        day = date(y, mo, d)
    except ValueError:
        return []
    return [(m.start(), day, m[0])] if 1949 <= y <= 2100 else []


def claimed_date(doc: DocumentInfo) -> tuple[date, str, int, str] | None:
    """(date, as written, page, where) the text claims: the last date in its last
    ``TAIL_LINES`` non-empty lines, else the first in its first ``HEAD_LINES``."""
    lines = [(p, ln.strip()) for p, text in doc.pages for ln in text.splitlines() if ln.strip()]
    for page, line in reversed(lines[-TAIL_LINES:]):
        found = dates_in(line)
        if found:
            return found[-1][0], found[-1][1], page, "signature block"
    for page, line in lines[:HEAD_LINES]:
        found = dates_in(line)
        if found:
            return found[0][0], found[0][1], page, "head"
    return None


def metadata_dates(doc: DocumentInfo) -> dict[str, tuple[str, datetime]]:
    """field → (label, local time as written): created and modified, PDF or Office."""
    out: dict[str, tuple[str, datetime]] = {}
    pdf = doc.meta.get("pdf") or {}
    office = doc.meta.get("office") or {}
    for key, label, value in (
        ("created", "PDF CreationDate", pdf.get("CreationDate_iso")),
        ("modified", "PDF ModDate", pdf.get("ModDate_iso")),
        ("created", "Office created", office.get("created")),
        ("modified", "Office modified", office.get("modified")),
    ):
        if value and key not in out:
            try:
                out[key] = (label, datetime.fromisoformat(str(value)[:19]))
            except ValueError:
                continue
    return out


@register
class DocumentsCheck(Check):
    name = "documents"
    title = "Document metadata against claimed dates"
    compares = (
        "The date a PDF or Word document claims in its text (the last date in its last "
        f"{TAIL_LINES} non-empty lines, the signature block; else the first date in its first "
        f"{HEAD_LINES}: 2018年7月23日, 二〇一八年七月二十三日 or 2018-07-23) against its metadata "
        "creation date (PDF CreationDate, Office created; later by more than "
        f"{CREATED_GRACE.days} day is a finding) and modification date (later by more than "
        f"{MODIFIED_GRACE.days} days is noted). Times are compared as written (Office "
        "stores UTC, which can move a date by one day: hence the grace). Producer software "
        "and authors are tabulated."
    )
    why = (
        "A file cannot be created before it is written, so a genuine document's file dates "
        "are on or shortly after the date it carries. A file created months after its claimed "
        "date is at best a later copy or conversion and at worst a back-dated fabrication; "
        "either way it is weaker evidence of what was known on the claimed date."
    )
    kinds = {
        "document_backdated": "metadata creation date after the claimed date (warning)",
        "document_modified_later": "modified long after the claimed date (info)",
        "document_dates_inverted": "modified before it was created (warning)",
    }

    def run(self, ctx: CheckContext) -> CheckResult:
        out = ctx.result(
            params={
                "tail_lines": TAIL_LINES,
                "head_lines": HEAD_LINES,
                "created_grace_days": CREATED_GRACE.days,
                "modified_grace_days": MODIFIED_GRACE.days,
            }
        )
        n_docs = with_claim = with_meta = consistent = 0
        producers: Counter[str] = Counter()
        authors: Counter[str] = Counter()
        for doc in ctx.iter_documents():
            n_docs += 1
            pdf, office = doc.meta.get("pdf") or {}, doc.meta.get("office") or {}
            producers[
                " / ".join(
                    x
                    for x in (pdf.get("Creator"), pdf.get("Producer"), office.get("application"))
                    if x
                )
                or "(none)"
            ] += 1
            authors[pdf.get("Author") or office.get("creator") or "(none)"] += 1
            meta = metadata_dates(doc)
            if (
                "created" in meta
                and "modified" in meta
                and meta["modified"][1] < meta["created"][1] - timedelta(minutes=1)
            ):
                out.findings.append(self._inverted(doc, meta))
            claim = claimed_date(doc)
            if claim is None:
                continue
            with_claim += 1
            if not meta:
                continue
            with_meta += 1
            end = datetime.combine(claim[0], time()) + timedelta(days=1)  # end of that day
            ok = not ("created" in meta and meta["created"][1] - end >= CREATED_GRACE)
            if not ok:
                out.findings.append(self._late(doc, claim, meta["created"], "created"))
            elif "modified" in meta and meta["modified"][1] - end >= MODIFIED_GRACE:
                out.findings.append(self._late(doc, claim, meta["modified"], "modified"))
            consistent += ok
        out.total("documents whose text claims a date", with_claim, n_docs)
        out.total(
            "dated documents whose metadata was created by the claimed date", consistent, with_meta
        )
        out.distributions["Document software (creator / producer / application)"] = [
            [k, v] for k, v in producers.most_common(30)
        ]
        out.distributions["Document authors"] = [[k, v] for k, v in authors.most_common(30)]
        if not n_docs:
            out.notes.append("no PDF or Word documents in the case")
        return out

    def _late(
        self,
        doc: DocumentInfo,
        claim: tuple[date, str, int, str],
        meta: tuple[str, datetime],
        which: str,
    ) -> Finding:
        claimed, text, page, where = claim
        label, when = meta
        days = (when.date() - claimed).days
        created = which == "created"
        return Finding(
            check=self.name,
            kind="document_backdated" if created else "document_modified_later",
            severity="warning" if created else "info",
            title=(
                "Document file created after the date it claims"
                if created
                else "Document modified long after the date it claims"
            ),
            explanation=(
                f"The text claims {text} ({claimed}, {where}, page {page}); the metadata "
                f"{label} is {when:%Y-%m-%d %H:%M:%S}, {days} days later."
                + (
                    " The file was made after the date it carries: a later copy or conversion, "
                    "or a back-dated document."
                    if created
                    else " The file was edited after the date it carries."
                )
            ),
            items=[
                Involved(doc.sha256, doc.path, doc.item_id, "metadata", {"metadata": label}),
                Involved(
                    doc.sha256, doc.path, doc.item_id, "claimed date", {"page": page, "text": text}
                ),
            ],
            values={
                "claimed_date": claimed.isoformat(),
                "claimed_text": text,
                which: when.isoformat(),
                "days_after": days,
            },
        )

    def _inverted(self, doc: DocumentInfo, meta: dict[str, tuple[str, datetime]]) -> Finding:
        (cl, created), (ml, modified) = meta["created"], meta["modified"]
        return Finding(
            check=self.name,
            kind="document_dates_inverted",
            severity="warning",
            title="Document modified before it was created",
            explanation=(
                f"The metadata {ml} {modified:%Y-%m-%d %H:%M:%S} is earlier than {cl} "
                f"{created:%Y-%m-%d %H:%M:%S}: one of them was set by hand or by a wrong clock."
            ),
            items=[
                Involved(doc.sha256, doc.path, doc.item_id, "metadata", {"metadata": cl}),
                Involved(doc.sha256, doc.path, doc.item_id, "metadata", {"metadata": ml}),
            ],
            values={"created": created.isoformat(), "modified": modified.isoformat()},
        )
