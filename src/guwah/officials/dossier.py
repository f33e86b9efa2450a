"""``guwah dossier OFFICIAL --out FILE.pdf|.html``: what the case holds on one official, in the
form an evidence annex to a designation request takes — identity (every name form, birth
date), posts over time, the evidence (each excerpt with its file, SHA-256, page or cell, the
page's image where the item has PDF pages or is a scan), the units, facilities and detainee
counts under them (:mod:`guwah.officials.responsibility`), the orders, the sanctions status
per imported list (:func:`guwah.officials.gap.official_statuses`, the gap table's rule), and
the sources and methods.

Leaked text is escaped by Jinja's autoescape (a name is highlighted by splitting the
sentence, never by inserting markup into it); the PDF is WeasyPrint's, with the system's
Noto CJK and Noto Naskh Arabic fonts.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guwah import __version__
from guwah.case import Case
from guwah.core import utcnow
from guwah.lists.match import DEFAULT_THRESHOLD, ListMatcher
from guwah.store.models import Item, Occurrence, Sheet
from guwah.store.models_lists import ListVersion
from guwah.store.models_officials import Official, OfficialMention

from .gap import LISTED, NOT_LISTED, POSSIBLE, Status, list_names_of, official_statuses
from .responsibility import Ref, Responsibility, responsibility, rules

MAX_EXCERPTS = 300  # shown in full; the rest are counted
MAX_IMAGES = 12  # page images embedded
IMAGE_PX = 900  # the longer side of an embedded page image


class DossierError(Exception):
    """An official that cannot be named: unknown, or a name several officials share."""

    def __init__(self, message: str, candidates: list[Official] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


# -- finding the official -----------------------------------------------------------------


def find_officials(session: Session, query: str) -> list[Official]:
    """The officials ``query`` names: a registry id, a name as the registry writes it (any
    of its forms), else every official a name in another script matches (guwah.names)."""
    from guwah.names import score

    from .stage import name_key

    q = query.strip()
    if not q:
        return []
    if q.isdigit():
        o = session.get(Official, int(q))
        return [o] if o is not None else []
    offs = session.scalars(select(Official).order_by(Official.id)).all()
    key = name_key(q).casefold()
    exact = [o for o in offs if key in {name_key(n).casefold() for n in (o.name, *o.names)}]
    if exact:
        return exact
    scored = []
    for o in offs:
        best = max(score(q, n).score for n in dict.fromkeys((o.name, *o.names)))
        if best >= DEFAULT_THRESHOLD:
            scored.append((best, o))
    top = max((s for s, _o in scored), default=0.0)
    return [o for s, o in sorted(scored, key=lambda t: -t[0]) if s >= top - 0.05]


def resolve_official(session: Session, query: str) -> Official:
    found = find_officials(session, query)
    if not found:
        raise DossierError(
            f"no official matches {query!r}: see `guwah officials list` for the registry "
            "(build it with `guwah officials build`)"
        )
    if len(found) > 1:
        raise DossierError(
            f"{len(found)} officials match {query!r}: give the id of one", candidates=found
        )
    return found[0]


# -- the contents -------------------------------------------------------------------------


@dataclass
class NameForm:
    text: str
    script: str
    lang: str  # the HTML lang attribute (fonts follow it)
    derived: bool  # made by guwah.names, not written in a source


@dataclass
class Excerpt:
    ref: Ref
    path: str
    before: str
    name: str
    after: str
    role: str
    title: str
    unit: str
    date: str | None
    method: str
    sheet: str = ""
    image: str | None = None  # a data: URI of the page


@dataclass
class ListStatus:
    list: str
    status: Status
    as_of: str
    version: str  # name@as_of#id: the version screened against
    sha256: str  # of the list file imported
    file_name: str

    @property
    def css(self) -> str:
        return {LISTED: "listed", POSSIBLE: "possible", NOT_LISTED: "not-listed"}[
            self.status.status
        ]


@dataclass
class Dossier:
    official: Official
    names: list[NameForm]
    responsibility: Responsibility
    excerpts: list[Excerpt]
    n_mentions: int
    statuses: list[ListStatus]
    sources: list[tuple[str, str, int]]  # sha256, path, how many links cite it
    generated: str
    version: str
    methods: list[tuple[str, str]] = field(default_factory=list)


_LANG = {"han": "zh-Hans", "arabic": "ug-Arab", "cyrillic": "ug-Cyrl", "latin": "en"}


def name_forms(o: Official) -> list[NameForm]:
    """Every form the sources give, then the forms guwah.names derives (pinyin and
    Wade-Giles for a Han name; Uyghur Latin and Arabic script for a transcribed one)."""
    from guwah.names import detect_script, parse, romanise
    from guwah.names.uyghur import latin_to_arabic

    out: list[NameForm] = []
    seen: set[str] = set()

    def add(text: str, derived: bool) -> None:
        if not text or text.casefold() in seen:
            return
        seen.add(text.casefold())
        script = str(detect_script(text))
        out.append(NameForm(text, script, _LANG.get(script, ""), derived))

    for n in dict.fromkeys((o.name, *o.names)):
        add(n, False)
    for n in [f.text for f in out if f.script == "han"]:
        latins = romanise(n)
        for latin in latins:
            add(latin, True)
        if parse(n).kind != "han" and latins:
            add(latin_to_arabic(latins[0]), True)
    return out


def _split(sentence: str, name: str) -> tuple[str, str, str]:
    """The sentence around the name (its first occurrence, spaces or a dot read as a comma
    allowed between its characters, as OCR writes them)."""
    i = sentence.find(name)
    if i >= 0:
        return sentence[:i], name, sentence[i + len(name) :]
    chars = [re.escape(c) for c in name if c not in "·•・"]
    if chars:
        m = re.search(r"[\s·•・.,，“”\"]*".join(chars), sentence)
        if m:
            return sentence[: m.start()], m.group(), sentence[m.end() :]
    return sentence, "", ""


def _paths(session: Session, item_ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    ids = sorted(item_ids)
    for i in range(0, len(ids), 500):
        first = (
            select(Occurrence.item_id, func.min(Occurrence.id).label("occ"))
            .where(Occurrence.item_id.in_(ids[i : i + 500]))
            .group_by(Occurrence.item_id)
            .subquery()
        )
        for item_id, path in session.execute(
            select(Occurrence.item_id, Occurrence.path).join(first, Occurrence.id == first.c.occ)
        ):
            if item_id is not None:
                out[item_id] = path
    return out


def _page_image(case: Case, item: Item, page_no: int) -> str | None:
    """A page of the item as a data: URI: of the PDF original, of the PDF LibreOffice made
    from it at ingest, or the scan itself; None when there is none or it cannot be read."""
    from PIL import Image

    blob = case.blobs.path_for(item.sha256)
    if not blob.is_file():
        return None
    buf = io.BytesIO()
    try:
        if (item.mime or "").startswith("image/"):
            with Image.open(blob) as im:
                im.thumbnail((IMAGE_PX, IMAGE_PX))
                im.convert("RGB").save(buf, "JPEG", quality=70)
            return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()
        pdf_path: Path | None = blob if item.mime == "application/pdf" else None
        if pdf_path is None:
            from guwah.ingest.extractors.libreoffice import derived_pdf_for

            derived = derived_pdf_for(blob)
            pdf_path = derived if derived is not None and derived.is_file() else None
        if pdf_path is None:
            return None
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(pdf_path))
        try:
            if not 1 <= page_no <= len(pdf):
                return None
            pg = pdf[page_no - 1]
            w, h = pg.get_size()
            image = pg.render(scale=min(1.5, IMAGE_PX / max(w, h, 1.0))).to_pil()
        finally:
            pdf.close()
        image.convert("RGB").save(buf, "JPEG", quality=70)
        return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()
    except Exception:  # noqa: BLE001 — a page that cannot be drawn is left out, not fatal
        return None


def excerpts(
    session: Session, case: Case, official_id: int, images: bool = True
) -> tuple[list[Excerpt], int]:
    """The official's mentions (at most ``MAX_EXCERPTS``, documents before sheets), each with
    its sentence split around the name; and how many there are in all."""
    n = int(
        session.scalar(select(func.count()).where(OfficialMention.official_id == official_id)) or 0
    )
    ms = session.scalars(
        select(OfficialMention)
        .where(OfficialMention.official_id == official_id)
        .order_by(OfficialMention.method == "sheet", OfficialMention.doc_date, OfficialMention.id)
        .limit(MAX_EXCERPTS)
    ).all()
    items = {
        i.id: i for i in session.scalars(select(Item).where(Item.id.in_({m.item_id for m in ms})))
    }
    paths = _paths(session, {m.item_id for m in ms})
    sheets = {
        (s.item_id, s.sheet_index): s.name
        for s in session.scalars(
            select(Sheet).where(Sheet.item_id.in_({m.item_id for m in ms if m.method == "sheet"}))
        )
    }
    out: list[Excerpt] = []
    drawn: dict[tuple[int, int], str | None] = {}
    for m in ms:
        before, name, after = _split(m.sentence, m.name)
        ex = Excerpt(
            Ref("mention", m.sha256, m.location(), m.id),
            paths.get(m.item_id, ""),
            before,
            name,
            after,
            m.role,
            m.title,
            m.unit or m.context_unit,
            m.doc_date,
            m.method,
            sheets.get((m.item_id, m.sheet_index or 0), "") if m.method == "sheet" else "",
        )
        key = (m.item_id, m.page_no or 0)
        # a page is shown once, beside its first excerpt
        page_no = m.page_no if m.method != "sheet" else None
        if images and page_no and key not in drawn and len(drawn) < MAX_IMAGES:
            drawn[key] = ex.image = _page_image(case, items[m.item_id], page_no)
        out.append(ex)
    return out, n


def methods() -> list[tuple[str, str]]:
    return [
        (
            "Mentions",
            "Every page (text, and OCR where a page has no text) and sheet of the case was read "
            "for officials (guwah officials build): names with their titles and units by the "
            "patterns of reference/officials/patterns.json and jieba's tagger, labelled "
            "signatures, attendees, contacts, and sheet columns (填报人, 审核人, 经办民警…). "
            "Each excerpt gives the original's SHA-256 and the page and character span, or "
            "the sheet, row and column.",
        ),
        (
            "One official",
            "Mentions are one official when the name and the jurisdiction (the county, "
            "prefecture, region or ministry of the unit beside the name, else of the "
            "document's issuer, else of the folder) agree; a name alone never joins two.",
        ),
        (
            "Posts",
            "Title and unit as the mentions write them, from the earliest to the latest date "
            "of the documents that show them (or as an imported, published source gives them). "
            "A post without dated evidence is open: every dated detainee in its units counts.",
        ),
        (
            "Units under a post",
            f"reference/officials/responsibility.json v{rules().version}: the kinds of unit "
            "each kind of unit covers, in its jurisdiction and below (GB/T 2260). Facilities are "
            "the registry's and every facility a record names.",
        ),
        (
            "Detainees",
            "Resolved people (never rows) with a record naming the facility; in a post's time "
            "when their earliest plausible detention date is on or before the post's end and no "
            "release date precedes its start. People without a plausible detention date are "
            "counted apart (undated). The references are sample records (SHA-256, sheet, row); "
            "guwah report lists every person behind a count.",
        ),
        (
            "Orders",
            "Document headers (number, date, issuer 落款, recipients 主送, copies 抄送): issued by "
            "one of the official's units, addressed or copied to it (by name, or as 各X for its "
            "kind in the issuer's jurisdiction), or naming the official — in the post's time "
            "when both are dated.",
        ),
        (
            "Sanctions",
            "The names and birth date against every imported list with the lists engine, the "
            "same rule as guwah gap: listed needs the engine's match, nothing contradicting it, "
            "and either a corroborating fact or a name score of at least 0.95; a name-only "
            "match with a conflicting birth year is only possible.",
        ),
        (
            "Derived names",
            "Romanisations marked derived are made by guwah.names from the Chinese form (pinyin, "
            "Wade-Giles, Uyghur Latin and Arabic script from the transcription); no source "
            "writes them.",
        ),
    ]


def dossier(
    session: Session,
    case: Case,
    official_id: int,
    matcher: ListMatcher,
    images: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
) -> Dossier:
    o = session.get(Official, official_id)
    if o is None:
        raise DossierError(f"no official with id {official_id}: see `guwah officials list`")
    resp = responsibility(session, official_id)
    shown, n = excerpts(session, case, official_id, images)
    statuses = list_statuses(session, o, matcher, threshold)
    cited: dict[str, int] = {}
    refs = [e.ref for e in shown]
    refs += [r for p in resp.posts for r in p.post.evidence]
    refs += [r for p in resp.posts for u in p.units for r in u.evidence]
    refs += [r for p in resp.posts for d in p.detainees for r in d.sample]
    refs += [x.ref for x in resp.orders]
    for r in refs:
        if r.sha256:
            cited[r.sha256] = cited.get(r.sha256, 0) + 1
    ids = {
        i: sha
        for i, sha in session.execute(select(Item.id, Item.sha256).where(Item.sha256.in_(cited)))
    }
    paths = _paths(session, set(ids))
    sources = sorted(
        ((sha, paths.get(i, ""), cited[sha]) for i, sha in ids.items()), key=lambda t: t[1]
    )
    return Dossier(
        o,
        name_forms(o),
        resp,
        shown,
        n,
        statuses,
        sources,
        f"{utcnow():%Y-%m-%d %H:%M} UTC",
        __version__,
        methods(),
    )


def list_statuses(
    session: Session, o: Official, matcher: ListMatcher, threshold: float = DEFAULT_THRESHOLD
) -> list[ListStatus]:
    """The official's status on each list the matcher holds, with the version checked."""
    ids = [v for _n, v in matcher.versions]
    versions = {
        v.name: v for v in session.scalars(select(ListVersion).where(ListVersion.id.in_(ids)))
    }
    out = []
    for name, st in official_statuses(o, matcher, list_names_of(matcher), threshold).items():
        v = versions.get(name)
        out.append(
            ListStatus(
                name,
                st,
                v.as_of if v else "",
                v.label if v else st.version,
                v.sha256 if v else "",
                v.file_name if v else "",
            )
        )
    return out


# -- rendering ----------------------------------------------------------------------------


def _env() -> Environment:
    return Environment(
        loader=PackageLoader("guwah.officials", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(d: Dossier, pdf: bool = False) -> str:
    return _env().get_template("dossier.html").render(d=d, pdf=pdf)


def write_pdf(html: str, out: Path) -> None:
    from PIL import ImageFile

    strict = ImageFile.LOAD_TRUNCATED_IMAGES
    from weasyprint import HTML  # sets PIL's LOAD_TRUNCATED_IMAGES for the whole process

    ImageFile.LOAD_TRUNCATED_IMAGES = strict  # truncated photos must stay errors elsewhere
    HTML(string=html, base_url=str(out.parent)).write_pdf(out)


def write_dossier(
    case: Case,
    query: str,
    out: Path,
    list_names: list[str] | None = None,
    images: bool = True,
) -> tuple[Official, float, str]:
    """Write the dossier of the official ``query`` names to ``out`` (.html or .pdf); returns
    the official, the seconds taken and the SHA-256 of the file written."""
    started = time.perf_counter()
    case.migrate()
    with case.sessions() as session:
        o = resolve_official(session, query)
        matcher = ListMatcher.from_session(session, list_names or None)
        d = dossier(session, case, o.id, matcher, images)
        pdf = out.suffix.lower() == ".pdf"
        html = render_html(d, pdf=pdf)
        session.expunge(o)
    out.parent.mkdir(parents=True, exist_ok=True)
    if pdf:
        write_pdf(html, out)
    else:
        out.write_text(html, encoding="utf-8")
    return o, time.perf_counter() - started, hashlib.sha256(out.read_bytes()).hexdigest()
