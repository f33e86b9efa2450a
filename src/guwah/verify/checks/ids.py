"""``ids``: the resident ID numbers in photo file names validate (GB 11643, GB/T 2260)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from guwah.verify.base import Check, register
from guwah.verify.context import CheckContext, ImageInfo
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
        out = CheckResult(params={"source": "python-stdnum cn.ric / cn/loc"})
        where: dict[str, list[tuple[ImageInfo, str]]] = defaultdict(list)
        seen: dict[str, date] = {}
        for img in ctx.images:
            for occ in img.occurrences:
                for number in occ.photo_name.ids:
                    where[number].append((img, occ.path))
                    t = occ.photo_name.timestamp
                    if t is not None and (number not in seen or t.date() > seen[number]):
                        seen[number] = t.date()
        today = ctx.received.date() if ctx.received else None
        valid = legacy = later = 0
        counties: Counter[str] = Counter()
        for number, places in sorted(where.items()):
            problems = check_id_number(number, today=today, seen=seen.get(number, today))
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
        n = len(where)
        out.total("distinct ID numbers in photo names valid", valid, n)
        out.total("photo-name ID numbers in the 15-digit legacy form", legacy, n)
        out.total(
            "photo-name ID numbers whose region code came into use after the birth "
            "(assigned later: normal)",
            later,
            n,
        )
        n_photos = sum(1 for i in ctx.images if any(o.photo_name.ids for o in i.occurrences))
        out.total("images with an ID number in a file name", n_photos, len(ctx.images))
        out.distributions["Valid photo-name ID numbers by region code"] = [
            [k, v] for k, v in counties.most_common()
        ]
        if not ctx.images:
            out.notes.append("no images in the case")
        return out

    def _finding(
        self, number: str, problem: IdProblem, places: list[tuple[ImageInfo, str]]
    ) -> Finding:
        items = [
            Involved(img.sha256, path, img.item_id, "photo", {"file_name": path.rsplit("/", 1)[-1]})
            for img, path in places
        ]
        n = len({img.item_id for img, _ in places})
        return Finding(
            check=self.name,
            kind=problem.code,
            severity="error" if problem.severity == "error" else "warning",
            title=TITLES.get(problem.code, "Invalid ID number in a photo name"),
            explanation=f"{problem.message}. It names {n} image(s).",
            items=items,
            values={"id_number": number, **problem.values},
        )
