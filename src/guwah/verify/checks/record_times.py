"""``record_times``: the dates in a person's records against the times of their photos.

Police photographed detainees at intake: a detention photo is taken on or after the recorded
detention date and not after the recorded release.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import groupby

from sqlalchemy import select

from guwah.core import iso_date
from guwah.verify import scratch
from guwah.verify.base import Check, register
from guwah.verify.context import CheckContext
from guwah.verify.finding import CheckResult, Finding
from guwah.verify.records_data import (
    PhotoRef,
    RecordRow,
    RecordsData,
    load,
    records_ready,
)

#: dates in records are days, photo times are local seconds: a day either way is tolerated
DAY_TOLERANCE = timedelta(days=1)


def merge_by_person(
    records: Iterator[RecordRow], photos: Iterator[PhotoRef]
) -> Iterator[tuple[int, list[RecordRow], list[PhotoRef]]]:
    """(person, their records, their photos) for each person with records, merging two
    streams ordered by person id: one person's rows in memory at a time."""
    photo = next(photos, None)
    for pid, group in groupby(records, key=lambda r: r.person_id):
        assert pid is not None
        while photo is not None and photo.person_id < pid:
            photo = next(photos, None)
        mine: list[PhotoRef] = []
        while photo is not None and photo.person_id == pid:
            mine.append(photo)
            photo = next(photos, None)
        yield pid, list(group), mine
    # photos of people after the last with records: close their cursor (SQLite cannot
    # drop a table while a statement on the connection is still reading)
    close = getattr(photos, "close", None)
    if close is not None:
        close()


@register
class RecordTimesCheck(Check):
    name = "record_times"
    title = "Record dates against photo times"
    compares = (
        "For every person with both: the detention dates in their records against the times of "
        "the photos joined to them by ID number (file name, else EXIF DateTimeOriginal), and "
        f"the release dates likewise (tolerance {DAY_TOLERANCE.days} day)."
    )
    why = (
        "Detainees were photographed when taken in, so a detainee's photo normally dates from "
        "the detention date on. A photo taken earlier may come from another campaign (ID-card "
        "or health checks photographed residents too), so it is context, not an error; a photo "
        "dated after the recorded release contradicts the record or the photo's time."
    )
    kinds = {
        "photo_before_detention": "a photo predates the recorded detention (info)",
        "photo_after_release": "a photo is dated after the recorded release (warning)",
    }
    requires = "records"

    def ready(self, ctx: CheckContext) -> str | None:
        return records_ready(ctx)

    def run(self, ctx: CheckContext) -> CheckResult:
        data = load(ctx)
        out = ctx.result(params={"tolerance_days": DAY_TOLERANCE.days})
        t, ph = scratch.records, scratch.photos
        dated_rows = data.records(
            t.c.person_id.is_not(None),
            (t.c.detention_day.is_not(None)) | (t.c.release_day.is_not(None)),
            order=(t.c.person_id,),
        )
        timed = data.photos(ph.c.time.is_not(None), order=(ph.c.person_id,))
        n_det = ok_det = n_rel = ok_rel = seq = 0
        scratch.create(data.conn, scratch.pending)
        after = scratch.Batch(data.conn, scratch.pending, 500)
        buckets = [
            (0, "same day"),
            (7, "within a week"),
            (30, "within a month"),
            (90, "within 3 months"),
            (10**6, "later"),
        ]
        dist = {label: 0 for _, label in buckets}
        for _pid, recs, times in merge_by_person(dated_rows, timed):
            if not times:
                continue
            detained = [(d, r) for r in recs if (d := iso_date(r.get("detention_date")))]
            released = [(d, r) for r in recs if (d := iso_date(r.get("release_date")))]
            if detained:
                n_det += 1
                start = min(d for d, _ in detained)
                first = min(p.time.date() for p in times if p.time is not None)
                if first >= start - DAY_TOLERANCE:
                    ok_det += 1
                    gap = (first - start).days
                    dist[next(label for limit, label in buckets if gap <= limit)] += 1
                else:
                    early = [p for p in times if p.time and p.time.date() < start - DAY_TOLERANCE]
                    out.findings.append(self._before(data, start, detained, early, len(times)))
            if released:
                n_rel += 1
                end = max(d for d, _ in released)
                late = [
                    p for p in times if p.time is not None and p.time.date() > end + DAY_TOLERANCE
                ]
                if late:  # written after every photo_before_detention, as before
                    seq += 1
                    after.add(
                        {
                            "seq": seq,
                            "key": "",
                            "finding": pickle.dumps(self._after(data, end, released, late)),
                        }
                    )
                else:
                    ok_rel += 1
        after.flush()
        p = scratch.pending
        for (blob,) in scratch.stream(data.conn, select(p.c.finding).order_by(p.c.seq)):
            out.findings.append(pickle.loads(blob))
        scratch.drop(data.conn, p)
        out.total("detainees with photos, the first not before detention", ok_det, n_det)
        out.total("released people with photos none of which is after release", ok_rel, n_rel)
        out.distributions["Days from detention to first photo"] = [[k, v] for k, v in dist.items()]
        return out

    def _before(
        self,
        data: RecordsData,
        start: date,
        dated: list[tuple[date, RecordRow]],
        photos: list[PhotoRef],
        n_photos: int,
    ) -> Finding:
        last = max(p.time for p in photos if p.time is not None)
        return Finding(
            check=self.name,
            kind="photo_before_detention",
            severity="info",
            title="Photos taken before the recorded detention",
            explanation=(
                f"The records give the detention date {start.isoformat()}, but {len(photos)} "
                f"of the person's {n_photos} photo(s) were taken earlier (the latest of them on "
                f"{last:%Y-%m-%d %H:%M:%S}, {(start - last.date()).days} days before). Either a "
                "photo from an earlier campaign, or a wrong detention date or photo time."
            ),
            items=[data.involved(r, "detention_date") for _, r in dated]
            + [data.photo_involved(p) for p in photos],
            values={
                "detention_date": start.isoformat(),
                "photo_times": sorted(p.time.isoformat() for p in photos if p.time),
            },
        )

    def _after(
        self,
        data: RecordsData,
        end: date,
        dated: list[tuple[date, RecordRow]],
        late: list[PhotoRef],
    ) -> Finding:
        return Finding(
            check=self.name,
            kind="photo_after_release",
            severity="warning",
            title="Photo dated after the recorded release",
            explanation=(
                f"The records give the release date {end.isoformat()}, but {len(late)} photo(s) "
                "of the person are dated later ("
                + ", ".join(f"{p.time:%Y-%m-%d}" for p in late if p.time)
                + "). The release date or the photo's time is wrong, or the person was held again."
            ),
            items=[data.involved(r, "release_date") for _, r in dated]
            + [data.photo_involved(p) for p in late],
            values={
                "release_date": end.isoformat(),
                "photo_times": sorted(p.time.isoformat() for p in late if p.time),
            },
        )
