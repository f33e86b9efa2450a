"""Generate one township: its people, rosters, photos, planted anomalies and junk."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from . import names as nm
from . import photos as ph
from .anomalies import Anomaly
from .archives import DiskSink, MboxSink, Sink, TarGzSink, ZipSink
from .data import reference
from .ids import FIRST_CARDS, break_check_digit, county_of, retired_before
from .people import (
    TODAY,
    Detention,
    IdAllocator,
    Person,
    PhotoRef,
    RowRef,
    VillageBuilder,
    choose_weighted,
    detention_candidates_weight,
    pick_ethnicity,
)
from .plan import PHOTO_NAMINGS, RESIDENTS_PER_DETAINEE, Plan, TownshipPlan
from .rosters import (
    DETAINEE_LAYOUTS,
    FACILITY_LAYOUT,
    VILLAGE_LAYOUTS,
    RosterBuilder,
    Style,
    cn_date,
)
from .spreadsheets import Book, Cell, Sheet, to_csv, to_xls, to_xlsx
from .truth import TruthWriter

PHOTO_START, PHOTO_END = date(2018, 1, 2), date(2018, 7, 31)
DETENTION_START, DETENTION_END = date(2017, 4, 1), date(2018, 7, 25)
FORMATS = (("xlsx", 5), ("xls", 2.5), ("csv", 2.5))
ENCODINGS = (("gbk", 3.5), ("gb18030", 1.5), ("utf-8-sig", 3), ("utf-8", 2))


@dataclass
class Context:
    """What every township writes into."""

    seed: int
    plan: Plan
    sink: DiskSink
    truth: TruthWriter
    tick: Callable[[], None]
    anomalies: list[Anomaly] = field(default_factory=list)
    copies: list[dict[str, str]] = field(default_factory=list)
    junk: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _clock(rng: random.Random, day: date) -> datetime:
    return datetime.combine(day, time(8, 30)) + timedelta(seconds=rng.randrange(11 * 3600))


def photo_time(rng: random.Random, det: Detention | None) -> datetime:
    """Photos were taken Jan-Jul 2018, never before the person's detention."""
    if det and det.date >= PHOTO_START:
        day = min(det.date + timedelta(days=rng.choice([0, 0, 0, 1, 2, 3])), PHOTO_END)
    else:
        day = _day(rng, PHOTO_START, PHOTO_END)
    return _clock(rng, day)


def photo_name(pattern: str, id_number: str, t: datetime) -> str:
    return pattern.format(id=id_number, ts=f"{t:%Y%m%d%H%M%S}") + ".jpg"


class TownshipBuilder:
    def __init__(self, ctx: Context, tp: TownshipPlan) -> None:
        self.ctx = ctx
        self.tp = tp
        self.seed = ctx.seed
        self.rng = random.Random(f"guwah-synth/{ctx.seed}/township/{tp.index}")
        self.ids = IdAllocator(tp.index_in_county)
        self.facilities = ctx.plan.facilities[tp.county.name]
        self.villages: list[list[Person]] = []
        self.photo_jobs: list[list[tuple[Person, dict[str, Any]]]] = []
        self.extra_jobs: list[tuple[Person, dict[str, Any]]] = []
        self.orphans: list[Person] = []
        self.marks: list[tuple[str, Person, dict[str, Any]]] = []
        self.conflicts: dict[str, dict[str, object]] = {}

    # -- people -------------------------------------------------------------------------
    def _detention(self, rng: random.Random) -> Detention:
        ref = reference().detention
        fac = rng.choices(self.facilities, weights=[f[2] for f in self.facilities])[0]
        reason = rng.choices(ref["reasons"], weights=[r[2] for r in ref["reasons"]])[0]
        return Detention(
            fac[0], fac[1], _day(rng, DETENTION_START, DETENTION_END), reason[0], reason[1]
        )

    def people(self) -> None:
        tp = self.tp
        mix = tp.county.ethnic_mix
        for vi, v in enumerate(tp.villages):
            rng = random.Random(f"guwah-synth/{self.seed}/village/{v.index}")
            vb = VillageBuilder(rng, v, self.ids)
            d = tp.detainees[vi]
            dominant = pick_ethnicity(rng, mix)
            share = 0.5 if dominant == "han" else 0.85
            per = self.ctx.plan.residents_per_detainee
            cap = int(max(8.0, per if per != RESIDENTS_PER_DETAINEE else 8.0) * d) + 60
            while len(vb.people) < cap and (
                len(vb.people) < per * d
                or sum(detention_candidates_weight(p) >= 0.3 for p in vb.people) < 1.3 * d
            ):
                vb.household(dominant if rng.random() < share else pick_ethnicity(rng, mix))
            for p in choose_weighted(rng, vb.people, d):
                p.detention = self._detention(rng)
            free = [
                p for p in vb.people if p.detention is None and TODAY.year - p.birth_date.year >= 16
            ]
            jobs: list[tuple[Person, dict[str, Any]]] = [(p, {}) for p in vb.people if p.detention]
            for p in rng.sample(free, min(len(free), tp.resident_photos[vi])):
                jobs.append((p, {}))
            jobs.sort(key=lambda j: j[0].key)
            self.villages.append(vb.people)
            self.photo_jobs.append(jobs)
            self._plant(rng, vi, vb, jobs)

    def _plant(
        self,
        rng: random.Random,
        vi: int,
        vb: VillageBuilder,
        jobs: list[tuple[Person, dict[str, Any]]],
    ) -> None:
        """Plant this village's share of anomalies on distinct detainees."""
        plan = self.tp.anomalies[vi]
        pool = [j for j in jobs if j[0].detention]
        rng.shuffle(pool)
        ref = reference()

        def take() -> tuple[Person, dict[str, Any]] | None:
            return pool.pop() if len(pool) > 2 else None

        def take_born_after(year: int) -> tuple[Person, dict[str, Any]] | None:
            """A detainee born after ``year`` (so that a code retired by then is impossible)."""
            for i in range(len(pool) - 1, -1, -1):
                if len(pool) > 2 and pool[i][0].birth_date.year > year:
                    return pool.pop(i)
            return None

        for kind, n in plan.items():
            for _ in range(n):
                if kind == "orphan_photo":
                    head = vb.household(pick_ethnicity(rng, self.tp.county.ethnic_mix))[0]
                    vb.people.remove(head)
                    for m in head.members[1:]:
                        vb.people.remove(m)
                    head.members = [head]
                    head.in_records = False
                    head.anomalies.append(kind)
                    self.extra_jobs.append((head, {"village": vi}))
                    self.marks.append((kind, head, {}))
                    continue
                job = take_born_after(FIRST_CARDS) if kind == "id_region_not_in_use" else take()
                if job is None:
                    break
                p, opts = job
                p.anomalies.append(kind)
                info: dict[str, Any] = {}
                if kind == "id_bad_checksum":
                    good = p.id_number
                    p.id_number = break_check_digit(good, rng)
                    info = {"correct": good}
                elif kind == "id_birthdate_mismatch":
                    shift = rng.choice([-1, 1]) * rng.randint(3, 700)
                    p.recorded["birth_date"] = p.birth_date + timedelta(days=shift)
                elif kind == "id_sex_mismatch":
                    p.recorded["sex"] = "F" if p.sex == "M" else "M"
                elif kind == "id_region_mismatch":
                    codes = [
                        c for c in ref.region_mismatch_codes if county_of(c, p.birth_date.year)
                    ]
                    p.id_number = self.ids.allocate_foreign(
                        rng,
                        rng.choice(codes),
                        p.birth_date,
                        p.sex,
                        self.tp.county_index,
                        self.tp.index_in_county,
                    )
                elif kind == "id_region_not_in_use":
                    # a code retired before the birth: no number could carry it
                    code = retired_before(p.village.county.name, p.birth_date.year)[0]
                    p.id_number = self.ids.allocate_foreign(
                        rng,
                        code.code,
                        p.birth_date,
                        p.sex,
                        self.tp.county_index,
                        self.tp.index_in_county,
                    )
                    info = {"region": code}
                elif kind == "id_conflict":
                    if rng.random() < 0.6:
                        other: object = nm.random_name(rng, p.ethnicity, p.sex)
                        while other == p.name:
                            other = nm.random_name(rng, p.ethnicity, p.sex)
                        self.conflicts[p.key] = {"name": other}
                    else:
                        shift = rng.choice([-1, 1]) * rng.randint(30, 900)
                        self.conflicts[p.key] = {"birth_date": p.birth_date + timedelta(days=shift)}
                elif kind == "missing_photo":
                    jobs.remove(job)
                elif kind == "duplicate_photo":
                    target = take()
                    if target is None:
                        p.anomalies.pop()
                        break
                    target[0].anomalies.append(kind)
                    self.extra_jobs.append((target[0], {"duplicate_of": p, "village": vi}))
                    info = {"target": target[0]}
                else:  # photo kinds carried by the person's own photo
                    opts["anomaly"] = kind
                self.marks.append((kind, p, info))

    # -- spreadsheets -------------------------------------------------------------------
    def _book_meta(
        self, rng: random.Random, day: date, title: str
    ) -> tuple[datetime, datetime, str]:
        created = _clock(rng, day)
        author = rng.choice(
            reference().documents["authors"] + [nm.random_name(rng, "han", "M").chinese]
        )
        return created, created + timedelta(minutes=rng.randint(5, 600)), author

    def _write_book(
        self,
        sink: Sink,
        rel: str,
        fmt: str,
        sheets: list[tuple[Sheet, list[Any]]],
        day: date,
        title: str,
    ) -> None:
        rng = self.rng
        created, modified, author = self._book_meta(rng, day, title)
        if fmt == "csv":
            for sheet, placements in sheets:
                enc = _weighted(rng, ENCODINGS)
                name = rel if len(sheets) == 1 else rel.replace(".csv", f"_{sheet.name}.csv")
                path = sink.write(name, to_csv(sheet, enc), modified)
                self._placed(path, None, placements)
                self.ctx.tick()
                self.ctx.count("spreadsheets")
            return
        book = Book(
            [s for s, _ in sheets],
            author,
            title,
            created,
            modified,
            "SYNTHETIC — generated by guwah synth",
        )
        if rng.random() < 0.25:
            book.sheets.append(Sheet(name=rng.choice(["Sheet2", "Sheet3"]), rows=[]))
        data = to_xlsx(book) if fmt == "xlsx" else to_xls(book)
        path = sink.write(rel + "." + fmt if not rel.endswith(fmt) else rel, data, modified)
        for sheet, placements in sheets:
            self._placed(path, sheet.name, placements)
        self.ctx.tick()
        self.ctx.count("spreadsheets")

    def _placed(self, path: str, sheet: str | None, placements: list[Any]) -> None:
        for pl in placements:
            pl.person.rows.append(RowRef(path, sheet, pl.row, pl.overrides))

    def spreadsheets(self) -> None:
        tp, rng = self.tp, self.rng
        ref = reference().detention
        tar: TarGzSink | None = None
        sink: Sink = self.ctx.sink
        base = f"{tp.police_dir}/表格"
        if tp.sheets_in_tar:
            tar = TarGzSink(self.ctx.sink, f"{tp.police_dir}/表格备份.tar.gz")
            sink, base = tar, "表格"
        county, town = tp.county.name, tp.name
        detainees = [[p for p in ps if p.detention] for ps in self.villages]
        all_det = [p for ps in detainees for p in ps]
        last = max((p.detention.date for p in all_det if p.detention), default=date(2018, 6, 1))
        fill = min(last + timedelta(days=rng.randint(1, 10)), date(2018, 8, 31))
        clerk = f"制表人：{nm.random_name(rng, 'han', 'M').chinese}    审核人：{nm.random_name(rng, 'uyghur', 'M').chinese}"

        # township detainee roster
        fmt = _weighted(rng, FORMATS)
        style = Style.pick(rng, fmt)
        layout = rng.choice(DETAINEE_LAYOUTS)
        if "birth_date" not in layout:  # a conflict must show in a column the roster has
            for key, over in self.conflicts.items():
                if "birth_date" in over:
                    p = next(p for p in all_det if p.key == key)
                    self.conflicts[key] = {"name": nm.random_name(rng, p.ethnicity, p.sex)}
        title = f"{county}{town}在押人员花名册"
        sheets = []
        for v, ps in zip(tp.villages, detainees, strict=True):
            if not ps:
                continue
            titles = [f"{county}{town}{v.name}在押人员花名册" if fmt == "csv" else title]
            if rng.random() < 0.6:
                titles.append(f"填报单位：{town}派出所        填报日期：{cn_date(fill)}")
            rb = RosterBuilder(rng, v.name, titles, layout, style)
            for p in ps:
                rb.add(p, {"note": rng.choice(ref["notes"])}, self.conflicts.get(p.key))
            sheets.append((rb.finish(clerk), rb.placements))
        if fmt != "csv" and rng.random() < 0.3 and sheets:
            summary: list[list[Cell]] = [[f"{town}在押人员汇总"], ["村", "人数"]]
            summary += [[s.name, len(pl)] for s, pl in sheets]
            sheets.insert(0, (Sheet("汇总", summary, merges=[(0, 0, 0, 1)], title_rows=1), []))
        if sheets:
            name = rng.choice(
                [f"{county}{town}在押人员花名册", f"{town}在押人员名单（{fill.month}月）"]
            )
            self._write_book(sink, f"{base}/{name}.{fmt}", fmt, sheets, fill, title)

        # village rosters
        for v, ps in zip(tp.villages, self.villages, strict=True):
            fmt = _weighted(rng, FORMATS)
            style = Style.pick(rng, fmt)
            layout = rng.choice(VILLAGE_LAYOUTS)
            chunks: list[list[Person]] = [[]]
            for p in ps:
                if fmt != "xls" and len(chunks[-1]) >= 300 and p.role == "head":
                    chunks.append([])
                chunks[-1].append(p)
            title = rng.choice([f"{county}{town}{v.name}人口信息花名册", f"{v.name}户籍人口登记表"])
            sheets = []
            for chunk in chunks:
                label = v.name if len(chunks) == 1 else f"{chunk[0].group}-{chunk[-1].group}组"
                rb = RosterBuilder(rng, label, [title], layout, style)
                for p in chunk:
                    cat = ref["categories_detained"] if p.detention else ref["categories_free"]
                    rb.add(
                        p,
                        {
                            "category": rng.choice(cat),
                            "note": rng.choice(ref["notes"]),
                        },
                    )
                sheets.append((rb.finish(clerk), rb.placements))
            day = _day(rng, date(2018, 2, 1), date(2018, 8, 20))
            stem = rng.choice([f"{v.name}人口信息表", f"{town}{v.name}花名册", f"{v.name}户籍人口"])
            self._write_book(sink, f"{base}/{stem}.{fmt}", fmt, sheets, day, title)

        # transfer list for the county's first training centre; the leak's first township
        # sent its list by e-mail, as an .xlsx attached to a message of a mail export
        fac = self.facilities[0][0]
        sent = [p for p in all_det if p.detention and p.detention.facility == fac]
        mail: MboxSink | None = None
        if sent:
            fmt = _weighted(rng, FORMATS)
            if self.tp is self.ctx.plan.townships[0]:
                fmt = "xlsx"
                mail = MboxSink(
                    self.ctx.sink,
                    f"{tp.police_dir}/邮件导出.mbox",
                    f"{town}派出所 <paichusuo@police.example.cn>",
                    f"{fac} <transfers@police.example.cn>",
                )
            style = Style.pick(rng, fmt)
            title = f"{town}送{fac}人员名单"
            rb = RosterBuilder(rng, "名单", [title], FACILITY_LAYOUT, style)
            for p in sent:
                rb.add(p, {})
            self._write_book(
                mail or sink,
                f"{base}/送{fac}人员名单.{fmt}",
                fmt,
                [(rb.finish(clerk), rb.placements)],
                fill,
                title,
            )
        if mail is not None:
            mail.close()
            self.ctx.tick()
        if tar is not None:
            tar.close()
            self.ctx.tick()

    # -- photos -------------------------------------------------------------------------
    def photos(self) -> None:
        tp, rng = self.tp, self.rng
        station = ph.Station(tp.camera, tp.serial, tp.background)
        disk = self.ctx.sink
        copies_left = tp.copies
        n_jobs = sum(len(j) for j in self.photo_jobs) or 1
        written: dict[str, tuple[str, bytes, datetime]] = {}
        for vi, jobs in enumerate(self.photo_jobs):
            v = tp.villages[vi]
            outer = inner = None
            if vi == tp.zip_village:
                outer = ZipSink(disk, f"{tp.police_dir}/{v.name}照片.zip")
                inner = ZipSink(outer, f"{v.name}/补录照片.zip")
            for p, opts in jobs:
                path, data, t = self._photo(station, p, opts, disk, outer, inner)
                written[p.key] = (path, data, t)
                if outer is None and copies_left and rng.random() < 2.5 * tp.copies / n_jobs:
                    copies_left -= 1
                    rel = disk.unique(
                        f"{tp.county.police}/备份/{tp.name}/{path.rsplit('/', 1)[-1]}"
                    )
                    copy = disk.write(rel, data, t)
                    self.ctx.tick()
                    self.ctx.copies.append({"path": copy, "copy_of": path})
                    p.photos.append(PhotoRef(copy, t, copy_of=path))
            if inner is not None and outer is not None:
                if not inner.members:
                    inner.write("说明.txt", "补录照片".encode(), datetime(2018, 8, 1))
                inner.close()
                outer.close()
                self.ctx.tick()
        for p, opts in self.extra_jobs:
            src = opts.get("duplicate_of")
            if isinstance(src, Person):
                orig_path, orig, t = written[src.key]
                drng = random.Random(f"guwah-synth/{self.seed}/dup/{p.key}")
                data = ph.derive_duplicate(orig, drng)
                rel = disk.unique(
                    f"{tp.police_dir}/人员照片/{t:%Y-%m}/{photo_name('{id}_{ts}', p.id_number, t)}"
                )
                path = disk.write(rel, data, t)
                self.ctx.tick()
                self.ctx.count("photos")
                p.photos.append(PhotoRef(path, t, duplicate_of=orig_path))
                self.ctx.anomalies.append(
                    Anomaly(
                        "duplicate_photo",
                        [path, orig_path],
                        "image",
                        f"{path} is a re-encoded/resized copy of {orig_path} (ID {src.id_number}) "
                        f"filed under another person's ID {p.id_number}",
                        person=p.key,
                        id_number=p.id_number,
                        values={"original_id": src.id_number, "original_person": src.key},
                    )
                )
            else:
                self._photo(station, p, opts, disk, None, None)

    def _photo(
        self,
        station: ph.Station,
        p: Person,
        opts: dict[str, Any],
        disk: DiskSink,
        outer: ZipSink | None,
        inner: ZipSink | None,
    ) -> tuple[str, bytes, datetime]:
        rng = random.Random(f"guwah-synth/{self.seed}/photo/{p.key}")
        t = photo_time(rng, p.detention)
        kind = opts.get("anomaly")
        camera, serial, software, modified, exif_t = (
            station.camera,
            station.serial,
            station.camera.firmware,
            None,
            t,
        )
        values: dict[str, Any] = {}
        pattern = self.tp.naming if rng.random() < 0.9 else rng.choice(PHOTO_NAMINGS)
        if kind == "exif_time_mismatch":
            pattern = "{id}_{ts}" if pattern == "{id}" else pattern
            delta = rng.choice(
                [
                    timedelta(hours=8),
                    timedelta(hours=-8),
                    timedelta(days=rng.randint(1, 40)),
                    timedelta(days=-rng.randint(1, 40)),
                ]
            )
            exif_t = t + delta + timedelta(seconds=rng.randint(0, 59))
            values = {"name_time": t.isoformat(), "exif_time": exif_t.isoformat()}
        elif kind == "edited_photo":
            software = rng.choice(reference().detention["photo_editors"])
            modified = t + timedelta(days=rng.randint(20, 300), seconds=rng.randrange(86400))
            values = {"software": software, "modified": modified.isoformat()}
        elif kind == "camera_anachronism":
            late = [
                c for c in reference().cameras if c.role == "anachronism" and c.released > t.date()
            ]
            camera = rng.choice(late)
            serial, software = f"{rng.randrange(10**9, 10**10)}", camera.firmware
            values = {
                "model": camera.model,
                "released": f"{camera.released:%Y-%m-%d}",
                "photo_time": t.isoformat(),
            }
        img = ph.render(rng, station.background)
        data = ph.encode(
            img,
            seed=self.seed,
            camera=camera,
            serial=serial,
            original=exif_t,
            software=software,
            modified=modified,
        )
        name = photo_name(pattern, p.id_number, t)
        if outer is not None and inner is not None:
            target = inner if rng.random() < 0.25 else outer
            path = target.write(name if target is inner else f"{p.village.name}/{name}", data, t)
        else:
            path = disk.write(
                disk.unique(f"{self.tp.police_dir}/人员照片/{t:%Y-%m}/{name}"), data, t
            )
            self.ctx.tick()
        self.ctx.count("photos")
        p.photos.append(PhotoRef(path, t))
        if kind:
            fields = {
                "exif_time_mismatch": "DateTimeOriginal",
                "edited_photo": "Software",
                "camera_anachronism": "Model",
            }
            expected = {
                "exif_time_mismatch": f"EXIF DateTimeOriginal {exif_t:%Y-%m-%d %H:%M:%S} disagrees with the file name time {t:%Y-%m-%d %H:%M:%S}",
                "edited_photo": f"EXIF Software says {software}: the file was edited after it was taken",
                "camera_anachronism": f"camera {camera.model} was released {camera.released:%Y-%m-%d}, after the photo time {t:%Y-%m-%d}",
            }
            self.ctx.anomalies.append(
                Anomaly(
                    kind,
                    [path],
                    fields[kind],
                    expected[kind],
                    person=p.key,
                    id_number=p.id_number,
                    values=values,
                )
            )
        if "orphan_photo" in p.anomalies:
            self.ctx.anomalies.append(
                Anomaly(
                    "orphan_photo",
                    [path],
                    "id_number",
                    f"the ID {p.id_number} in the file name appears in no record",
                    person=p.key,
                    id_number=p.id_number,
                )
            )
        return path, data, t

    # -- anomalies on records ---------------------------------------------------------
    def record_anomalies(self) -> None:
        for kind, p, info in self.marks:
            if kind not in {
                "id_bad_checksum",
                "id_birthdate_mismatch",
                "id_sex_mismatch",
                "id_region_mismatch",
                "id_region_not_in_use",
                "id_conflict",
                "missing_photo",
            }:
                continue
            rows = p.rows
            locs = [{"path": r.path, "sheet": r.sheet, "row": r.row} for r in rows]
            items = [r.path for r in rows]
            a = Anomaly(kind, items, "", "", person=p.key, id_number=p.id_number, locations=locs)
            if kind == "id_bad_checksum":
                a.items += [x.path for x in p.photos]
                a.field = "id_number"
                a.expected = f"check digit of {p.id_number} is wrong (a valid number would end in {info['correct'][-1]})"
                a.values = {"correct_check_digit": info["correct"][-1]}
            elif kind == "id_birthdate_mismatch":
                rec = p.recorded["birth_date"]
                a.field = "birth_date"
                a.expected = f"ID {p.id_number} encodes birth date {p.birth_date:%Y-%m-%d} but the records say {rec:%Y-%m-%d}"
                a.values = {
                    "id_birth_date": f"{p.birth_date:%Y-%m-%d}",
                    "recorded": f"{rec:%Y-%m-%d}",
                }
            elif kind == "id_sex_mismatch":
                idsex = "male" if p.sex == "M" else "female"
                rec_sex = "female" if p.sex == "M" else "male"
                a.field = "sex"
                a.expected = f"ID {p.id_number} encodes {idsex} (17th digit {p.id_number[16]}) but the records say {rec_sex}"
                a.values = {"id_sex": idsex, "recorded": rec_sex}
            elif kind == "id_region_mismatch":
                code = p.id_number[:6]
                region = county_of(code, p.birth_date.year)
                a.field = "address"
                a.expected = f"ID region {code} ({region}) is not the address county {p.village.county.name} ({p.village.county.code})"
                a.values = {
                    "id_region": code,
                    "id_region_name": region,
                    "address_county": p.village.county.name,
                }
            elif kind == "id_region_not_in_use":
                rc = info["region"]
                a.items += [x.path for x in p.photos]
                a.field = "id_number"
                a.expected = (
                    f"region code {rc.code} of {p.id_number} ({rc.county}) was retired in "
                    f"{rc.end}, before the birth in {p.birth_date.year}"
                )
                a.values = {
                    "id_region": rc.code,
                    "retired": rc.end,
                    "birth_year": p.birth_date.year,
                }
                if rc.county != p.village.county.name:
                    a.also = ["id_region_mismatch"]
            elif kind == "id_conflict":
                over = self.conflicts[p.key]
                fld = next(iter(over))
                conflict_rows = [r for r in rows if r.overrides]
                true_value = p.name.chinese if fld == "name" else f"{p.birth_date:%Y-%m-%d}"
                other = next(iter(conflict_rows[0].overrides.values())) if conflict_rows else ""
                a.field = fld
                a.expected = f"ID {p.id_number} appears as {fld} {true_value} and, in another sheet, as {other}"
                a.values = {"values": [true_value, other]}
                if fld == "birth_date":
                    a.also = ["id_birthdate_mismatch"]
            elif kind == "missing_photo":
                a.field = "photo"
                a.expected = (
                    f"detainee {p.id_number} ({p.name.chinese}) is in the records but has no photo"
                )
            self.ctx.anomalies.append(a)

    # -- junk -------------------------------------------------------------------------
    def junk(self) -> None:
        rng, tp, disk = self.rng, self.tp, self.ctx.sink
        when = datetime(2018, 8, 2, 10, 0)
        for i in range(tp.junk):
            choice = ("thumbs", "ds", "ini", "empty", "lock")[i % 5 if i < 5 else rng.randrange(5)]
            month = f"2018-0{rng.randint(1, 7)}"
            if choice == "thumbs":
                rel, data = (
                    f"{tp.police_dir}/人员照片/{month}/Thumbs.db",
                    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(2040),
                )
            elif choice == "ds":
                rel, data = (
                    f"{tp.police_dir}/.DS_Store",
                    b"\x00\x00\x00\x01Bud1" + rng.randbytes(6136),
                )
            elif choice == "ini":
                rel, data = (
                    f"{tp.police_dir}/desktop.ini",
                    b"[.ShellClassInfo]\r\nIconResource=C:\\Windows\\System32\\SHELL32.dll,4\r\n",
                )
            elif choice == "empty":
                rel, data = f"{tp.police_dir}/新建文本文档.txt", b""
            else:
                user = b"Administrator"
                rel, data = (
                    f"{tp.police_dir}/表格/~${tp.name}花名册.xlsx",
                    bytes([len(user)]) + user + bytes(162 - 1 - len(user)),
                )
            path = disk.write(disk.unique(rel), data, when)
            self.ctx.junk.append(path)
            self.ctx.tick()

    def build(self) -> None:
        self.people()
        self.spreadsheets()
        self.photos()
        self.record_anomalies()
        self.junk()
        for ps in self.villages:
            for p in ps:
                self.ctx.truth.person(p)
        for p, _opts in self.extra_jobs:
            if not p.in_records:
                self.ctx.truth.person(p)
