"""The leak's internal documents: which ones, where they go, and ``document_backdated``."""

from __future__ import annotations

import gc
import random
from datetime import date, datetime, time, timedelta
from typing import Any

from .anomalies import Anomaly
from .archives import Sink, TarGzSink
from .data import reference
from .documents import EXTENSIONS, FORMATS, Meta, Text, to_docx, to_pdf, to_scan
from .plan import Plan
from .township import Context
from .truth import official_mentions, quoted_officials

CLAIM_START, CLAIM_END = date(2017, 3, 1), date(2018, 9, 30)


def _fill(template: dict[str, Any], ctx: dict[str, Any]) -> Text:
    def f(s: str) -> str:
        return s.format_map(ctx)

    return Text(
        kind=template["kind"],
        title=f(template["title"]),
        number=f(template["number"]),
        body=[f(b) for b in template["body"]],
        signature=f(template["signature"]),
        claimed=ctx["claimed"],
        cc=f(template["cc"]),
    )


def write_documents(ctx: Context, plan: Plan) -> list[dict[str, Any]]:
    """Write ``plan.n_docs`` documents; return their truth entries."""
    rng = random.Random(f"guwah-synth/{ctx.seed}/documents")
    ref = reference()
    templates = ref.documents["templates"]
    formats = [FORMATS[i % len(FORMATS)] for i in range(plan.n_docs)]
    rng.shuffle(formats)
    backdated = set(
        rng.sample([i for i, f in enumerate(formats) if f in ("docx", "pdf")], plan.n_backdated)
    )
    tars: dict[str, TarGzSink] = {}
    out: list[dict[str, Any]] = []
    for i, fmt in enumerate(formats):
        county = plan.counties[i % len(plan.counties)]
        template = templates[(i // len(plan.counties) + rng.randrange(2)) % len(templates)]
        officials = {o.role: o for o in plan.officials if o.county == county.name}
        facs = plan.facilities[county.name]
        towns = [tp.name for tp in plan.townships if tp.county.name == county.name]
        claimed = CLAIM_START + timedelta(days=rng.randrange((CLAIM_END - CLAIM_START).days))
        total = plan.county_detainees.get(county.name, 0)
        fill: dict[str, Any] = {
            "county": county.name,
            "latin": county.latin,
            "police": county.police,
            "abbr": county.abbr,
            "prefecture": county.prefecture,
            "facility1": facs[0][0],
            "facility2": facs[1][0],
            "township": rng.choice(towns),
            "year": claimed.year,
            "n1": rng.randint(3, 120),
            "n2": total,
            "n3": max(1, total // rng.randint(3, 9)),
            "date_cn": f"{claimed.year}年{claimed.month}月{claimed.day}日",
            "claimed": claimed,
        }
        fill |= {f"official_{role}": o.name.chinese for role, o in officials.items()}
        text = _fill(template, fill)
        created = datetime.combine(claimed, time(9)) - timedelta(
            days=rng.randint(0, 3), seconds=-rng.randrange(8 * 3600)
        )
        if i in backdated:
            created = datetime.combine(claimed, time(10)) + timedelta(
                days=rng.randint(90, 900), seconds=rng.randrange(8 * 3600)
            )
        modified = created + timedelta(minutes=rng.randint(10, 3000))
        author_role = officials[template["author_role"]]
        author = rng.choice([author_role.name.chinese, rng.choice(ref.documents["authors"])])
        meta = Meta(author=author, created=created, modified=modified, seed=ctx.seed)
        if fmt == "docx":
            data = to_docx(text, meta)
        elif fmt == "pdf":
            data = to_pdf(text, meta)
            gc.collect()  # fontTools leaves reference cycles worth ~10 MB per PDF
        else:
            data = to_scan(text, meta, fmt, rng, rng.choice(ref.scanners))
        ext = EXTENSIONS[fmt]
        safe = text.title.replace("/", "／")
        if fmt.startswith("scan"):
            rel = f"{county.police}/扫描件/DOC{created:%Y%m%d%H%M%S}.{ext}"
        elif template["kind"] == "speech":
            rel = f"内部讲话/{safe}.{ext}"
        else:
            rel = f"{county.police}/文件/{claimed.year}年/{safe}.{ext}"
        sink: Sink = ctx.sink
        if fmt in ("docx", "pdf") and rng.random() < 0.2 and template["kind"] != "speech":
            if county.name not in tars:
                tars[county.name] = TarGzSink(ctx.sink, f"{county.police}/文件/文件归档.tar.gz")
            sink, rel = tars[county.name], rel.split("/文件/", 1)[1]
        else:
            rel = ctx.sink.unique(rel)
        if isinstance(sink, TarGzSink) and any(m[0] == rel for m in sink.members):
            rel = rel.replace(f".{ext}", f"_{i}.{ext}")
        path = sink.write(rel, data, modified)
        if sink is ctx.sink:
            ctx.tick()
        ctx.count("documents")
        entry = {
            "path": path,
            "format": fmt,
            "kind": text.kind,
            "title": text.title,
            "number": text.number,
            "claimed_date": f"{claimed:%Y-%m-%d}",
            "created": created.isoformat(),
            "modified": modified.isoformat(),
            "author": author,
            "county": county.name,
            "officials": [
                {"name": o.name.chinese, "post": o.post}
                for o in officials.values()
                if o.name.chinese in "".join(text.lines())
            ],
            "facilities": [f[0] for f in facs if f[0] in "".join(text.lines())],
            "text": text.lines(),
        }
        named = [o.to_json() for o in officials.values()]
        entry |= official_mentions(text.lines(), named + quoted_officials(), text.signature)
        if i in backdated:
            entry["anomalies"] = ["document_backdated"]
            ctx.anomalies.append(
                Anomaly(
                    "document_backdated",
                    [path],
                    "created",
                    f"metadata creation date {created:%Y-%m-%d} is after the date the document claims, "
                    f"{claimed:%Y-%m-%d}",
                    values={"claimed_date": f"{claimed:%Y-%m-%d}", "created": created.isoformat()},
                )
            )
        out.append(entry)
        if fmt == "pdf" and i % 7 == 3 and not path.count("!/"):
            copy = ctx.sink.write(
                ctx.sink.unique(f"新建文件夹/{rel.rsplit('/', 1)[-1]}"), data, modified
            )
            ctx.tick()
            ctx.copies.append({"path": copy, "copy_of": path})
    for tar in tars.values():
        tar.close()
        ctx.tick()
    return out
