"""Legacy and slide formats in the leak: speeches and notices saved as Word 97 (.doc), and
training slides as .pptx (python-pptx) and an older .ppt of the same deck.

The .doc and .ppt files are made by LibreOffice from the .docx/.pptx (two runs in all, for a
handful of files, to keep ``guwah synth`` fast); LibreOffice's output is reproducible, so
the same seed still gives the same bytes. Without LibreOffice only the .pptx is written and
the truth file says so.
"""

from __future__ import annotations

import io
import random
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from .archives import normalise_ooxml
from .documents import SYNTHETIC_DOC, Meta, Text, cn, to_docx
from .plan import Plan
from .township import Context
from .truth import official_mentions

_CONVERT_SECONDS = 180.0
DECK_TITLE = "{county}教育转化工作培训"


def write_office_files(
    ctx: Context, plan: Plan, documents: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Write the .doc, .pptx and .ppt files; return their truth entries."""
    from guwah.ingest.extractors.libreoffice import soffice

    rng = random.Random(f"guwah-synth/{ctx.seed}/office")
    per_kind = 1  # at every scale: each conversion costs ingest a LibreOffice run
    decks = [_deck(ctx, plan, rng, i) for i in range(per_kind)]
    out: list[dict[str, Any]] = []
    for data, entry in decks:
        entry["path"] = ctx.sink.write(ctx.sink.unique(entry["path"]), data, _when(entry))
        ctx.tick()
        ctx.count("documents")
        out.append(entry)
    if soffice() is None:
        return out
    speeches = _sources(documents, speech=True)[:per_kind]
    notices = _sources(documents, speech=False)[:per_kind]
    out += _converted(ctx, speeches + notices, "doc")
    out += _converted(ctx, [d for d in out if d["format"] == "pptx"], "ppt")
    return out


def _sources(documents: list[dict[str, Any]], speech: bool) -> list[dict[str, Any]]:
    """Top-level documents of a kind, not planted as anomalies (a copy would be one too)."""
    return [
        d
        for d in documents
        if d["format"] in ("docx", "pdf")
        and "!/" not in d["path"]
        and (d["kind"] == "speech") == speech
        and not d.get("anomalies")
    ]


def _as_docx(entry: dict[str, Any], seed: int) -> bytes:
    """The document of a truth entry typed again in Word (its text lines, its metadata)."""
    lines = entry["text"]
    claimed = date.fromisoformat(entry["claimed_date"])
    at = len(lines) - 1 - lines[::-1].index(cn(claimed))  # the date line under the signature
    text = Text(
        kind=entry["kind"],
        title=lines[0],
        number=lines[1],
        body=lines[2 : at - 2],
        signature=lines[at - 1],
        claimed=claimed,
        cc=lines[at + 1] if at + 1 < len(lines) else "",
    )
    created, modified = (datetime.fromisoformat(entry[k]) for k in ("created", "modified"))
    return to_docx(text, Meta(entry["author"], created, modified, seed))


def _when(entry: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(entry["modified"])


def _converted(ctx: Context, sources: list[dict[str, Any]], to: str) -> list[dict[str, Any]]:
    """The same documents saved by LibreOffice in an older format, beside the originals."""
    from guwah.ingest.extractors.libreoffice import convert_files

    if not sources:
        return []
    with tempfile.TemporaryDirectory(prefix="guwah-synth-") as tmp:
        work = Path(tmp)
        srcs = []
        for n, d in enumerate(sources):
            if to == "doc":
                src = work / f"f{n}.docx"
                src.write_bytes(_as_docx(d, ctx.seed))
            else:
                src = work / f"f{n}{Path(d['path']).suffix}"
                src.write_bytes((ctx.sink.root / d["path"]).read_bytes())
            srcs.append(src)
        convert_files(srcs, to, work / "out", _CONVERT_SECONDS)
        out = []
        for n, d in enumerate(sources):
            data = (work / "out" / f"f{n}.{to}").read_bytes()
            rel = ctx.sink.unique(d["path"].rsplit(".", 1)[0] + f".{to}")
            entry = {**d, "path": ctx.sink.write(rel, data, _when(d)), "format": to}
            entry["converted_from"] = d["path"]
            ctx.tick()
            ctx.count("documents")
            out.append(entry)
    return out


def _deck(ctx: Context, plan: Plan, rng: random.Random, n: int) -> tuple[bytes, dict[str, Any]]:
    """A training deck for one county: facilities, quotas, the officials who sign off."""
    import pptx
    from pptx.util import Pt

    county = plan.counties[n % len(plan.counties)]
    officials = [o for o in plan.officials if o.county == county.name]
    facilities = [f[0] for f in plan.facilities[county.name]]
    total = plan.county_detainees.get(county.name, 0)
    day = datetime(2018, 1, 8) + timedelta(days=rng.randrange(200))
    created = datetime.combine(day.date(), time(9)) + timedelta(seconds=rng.randrange(8 * 3600))
    modified = created + timedelta(minutes=rng.randint(30, 600))
    title = DECK_TITLE.format(county=county.name)
    slides = [
        (
            title,
            [f"{county.police}", f"{day.year}年{day.month}月{day.day}日"],
            "开场：说明培训目的。",
        ),
        (
            "一、工作要求",
            [
                "严格落实“应收尽收”要求",
                f"全县在押学员 {total} 人",
                "严防逃跑、严防滋事、严防非正常死亡",
            ],
            f"强调数字：{total} 人，按月上报。",
        ),
        (
            "二、教培中心",
            [f"{fac}：封闭管理，分级管控" for fac in facilities],
            "各中心负责人会后留下。",
        ),
        (
            "三、责任分工",
            [f"{o.name.chinese}（{o.post}）" for o in officials],
            "由各责任人签字确认。",
        ),
    ]
    prs = pptx.Presentation()
    for i, (head, bullets, notes) in enumerate(slides):
        slide = prs.slides.add_slide(prs.slide_layouts[0 if i == 0 else 1])
        slide.shapes.title.text = head
        body = slide.placeholders[1].text_frame
        body.text = bullets[0]
        for line in bullets[1:]:
            para = body.add_paragraph()
            para.text = line
            para.font.size = Pt(20)
        slide.notes_slide.notes_text_frame.text = notes
    author = officials[0].name.chinese if officials else county.police
    cp = prs.core_properties
    cp.author = author
    cp.last_modified_by = author
    cp.title = title
    cp.comments = SYNTHETIC_DOC.format(seed=ctx.seed)
    cp.keywords = "SYNTHETIC"
    cp.created, cp.modified, cp.revision = created, modified, 3
    buf = io.BytesIO()
    prs.save(buf)
    data = normalise_ooxml(buf.getvalue(), modified, created, modified)
    text = [line for head, bullets, notes in slides for line in (head, *bullets, notes)]
    entry: dict[str, Any] = {
        "path": f"{county.police}/培训/{title}.pptx",
        "format": "pptx",
        "kind": "training_slides",
        "title": title,
        "number": "",
        "claimed_date": f"{day:%Y-%m-%d}",
        "created": created.isoformat(),
        "modified": modified.isoformat(),
        "author": author,
        "county": county.name,
        "officials": [{"name": o.name.chinese, "post": o.post} for o in officials],
        "facilities": facilities,
        "slides": [{"title": h, "text": b, "notes": nt} for h, b, nt in slides],
        "text": text,
    }
    entry |= official_mentions(text, [o.to_json() for o in officials], county.police)
    return data, entry
