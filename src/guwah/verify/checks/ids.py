"""``ids``: the resident ID numbers in photo file names validate (GB 11643, GB/T 2260)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import groupby
from operator import itemgetter

from sqlalchemy import func, select

from guwah.verify import image_data, scratch
from guwah.verify.base import Check, register
from guwah.verify.context import CheckContext
from guwah.verify.finding import CheckResult, Finding, Involved
from guwah.verify.idnumbers import LATER, IdProblem, check_id_number, parse_id

TITLES = {
    "id_bad_checksum": "ID number in a photo name fails its check digit",
    "id_bad_date": "ID number in a photo name encodes no real birth date",
    "id_unknown_region": "ID number in a photo name has an unknown region code",
    "id_region_not_in_use": "ID number's region code was in use at no time in its holder's life",
}


@register
class IdNumbersCheck(Check):
    name = "ids"
    title = "Resident ID numbers in photo names"
    compares = (
        "Every 18-digit (and 15-digit legacy) resident ID number in an image file name against "
        "the GB 11643 rules: the ISO 7064 MOD 11-2 check digit, a real birth date, and a "
        "GB/T 2260 region code in use at some time between the birth and the photo (the "
        "code is the county when the number was assigned, GB 11643-1999 § 5.2; "
        "python-stdnum's code history)."
    )
    why = (
        "Genuine police photos are filed under the ID number of the person photographed; a "
        "number that fails these rules was mistyped or invented. A leak whose numbers validate "
        "almost without exception was produced by a system that checks them, which is hard "
        "to fake at scale."
    )
    kinds = {
        "id_bad_checksum": "the check digit is wrong (error)",
        "id_bad_date": "the birth-date digits are not a real date (error)",
        "id_unknown_region": "the region code is not a GB/T 2260 code (error)",
        "id_region_not_in_use": "the region code was in use at no time between the birth and the "
        "photo, e.g. retired before the birth (warning)",
    }

    def run(self, ctx: CheckContext) -> CheckResult:
        out = ctx.result(params={"source": "python-stdnum cn.ric / cn/loc"})
        image_data.ensure(ctx)
        conn = ctx.conn
        t, img = scratch.photo_ids, scratch.images
        rows = scratch.stream(
            conn,
            select(t.c.number, t.c.day, t.c.item_id, t.c.path, img.c.sha256)
            .join(img, img.c.item_id == t.c.item_id)
            .order_by(scratch.binary(conn, t.c.number), t.c.seq),
        )
        today = ctx.received.date() if ctx.received else None
        n = valid = legacy = later = 0
        counties: Counter[str] = Counter()
        for number, group in groupby(rows, key=itemgetter(0)):
            places: list[tuple[int, str, str]] = []
            last: str | None = None  # the latest date of a name with a time
            for _n, day, item_id, path, sha in group:
                places.append((item_id, sha, path))
                if day is not None and (last is None or day > last):
                    last = day
            n += 1
            seen = date.fromisoformat(last) if last is not None else today
            problems = check_id_number(number, today=today, seen=seen)
            if len(number) == 15:
                legacy += 1
            later += any(p.code == LATER for p in problems)
            problems = [p for p in problems if p.code != LATER]
            if not problems:
                valid += 1
                info = parse_id(number)
                counties[f"{number[:6]} {info.county if info else '?'}"] += 1
            for problem in problems:
                out.findings.append(self._finding(number, problem, places))
        out.total("distinct ID numbers in photo names valid", valid, n)
        out.total("photo-name ID numbers in the 15-digit legacy form", legacy, n)
        out.total(
            "photo-name ID numbers whose region code came into use after the birth "
            "(assigned later: normal)",
            later,
            n,
        )
        n_photos = conn.scalar(select(func.count()).select_from(img).where(img.c.n_ids > 0))
        out.total("images with an ID number in a file name", int(n_photos or 0), ctx.n_images)
        out.distributions["Valid photo-name ID numbers by region code"] = [
            [k, v] for k, v in counties.most_common()
        ]
        if not ctx.n_images:
            out.notes.append("no images in the case")
        return out

    def _finding(
        self, number: str, problem: IdProblem, places: list[tuple[int, str, str]]
    ) -> Finding:
        items = [
            Involved(sha, path, item_id, "photo", {"file_name": path.rsplit("/", 1)[-1]})
            for item_id, sha, path in places
        ]
        n = len({item_id for item_id, _, _ in places})
        return Finding(
            check=self.name,
            kind=problem.code,
            severity="error" if problem.severity == "error" else "warning",
            title=TITLES.get(problem.code, "Invalid ID number in a photo name"),
            explanation=f"{problem.message}. It names {n} image(s).",
            items=items,
            values={"id_number": number, **problem.values},
        )
