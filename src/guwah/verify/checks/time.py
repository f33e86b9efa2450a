"""``time``: photo times agree with each other and are possible.

A photo's time is written in three places: its file name (``…_20180211162010.jpg``), its
EXIF ``DateTimeOriginal`` and its file time (an archive member's or file's mtime). They
should agree, and the time should be possible: not after the evidence was received, not
before the camera model existed, not far outside the leak's own window.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from guwah.verify import image_data, scratch
from guwah.verify.base import Check, register
from guwah.verify.context import CheckContext, ImageInfo, Occ
from guwah.verify.finding import CheckResult, Finding, Involved
from guwah.verify.image_data import capture_of, exif_time
from guwah.verify.reference import camera_for

#: file-name time vs EXIF DateTimeOriginal: camera clocks write whole seconds; a renaming
#: tool may round, so a few seconds are tolerated
NAME_EXIF_TOLERANCE = timedelta(seconds=5)
#: a file time may be earlier than the capture only by clock differences between computers
MTIME_TOLERANCE = timedelta(seconds=60)
#: the leak's local time zone: Beijing time (UTC+8), used by the police systems
LOCAL_UTC_OFFSET = timedelta(hours=8)
#: the window is Tukey's fences on capture dates, needing this many dated photos
WINDOW_MIN_PHOTOS = 20
WINDOW_IQR_FACTOR = 1.5
EXIF_TAG = "EXIF DateTimeOriginal"


def local_mtime(occ: Occ) -> datetime | None:
    if occ.mtime is None:
        return None
    return occ.mtime if occ.local_time else occ.mtime + LOCAL_UTC_OFFSET


def span(delta: timedelta) -> str:
    """A difference in words: '8 h 0 min 12 s', '12 days 3 h'."""
    s = abs(int(delta.total_seconds()))
    days, rest = divmod(s, 86400)
    h, rest = divmod(rest, 3600)
    m, sec = divmod(rest, 60)
    if days:
        return f"{days} days {h} h"
    if h:
        return f"{h} h {m} min {sec} s"
    return f"{m} min {sec} s" if m else f"{sec} s"


@dataclass(frozen=True)
class _Img:
    """What a finding names of an image read back from the scratch table."""

    item_id: int
    sha256: str
    path: str | None


def quartiles(counts: list[tuple[int, int]], n: int) -> tuple[float, float, float]:
    """``statistics.quantiles(data, n=4)`` (method 'exclusive') of the ``n`` values given
    as sorted (value, count) pairs: the same interpolation, on ranks of the multiset."""

    def at(k: int) -> int:  # the k-th (0-based) value of the sorted multiset
        seen = 0
        for value, c in counts:
            seen += c
            if k < seen:
                return value
        raise IndexError(k)

    m = n + 1
    out: list[float] = []
    for i in range(1, 4):
        j = i * m // 4
        j = 1 if j < 1 else n - 1 if j > n - 1 else j
        delta = i * m - j * 4
        out.append((at(j - 1) * (4 - delta) + at(j) * delta) / 4)
    return out[0], out[1], out[2]


@register
class TimeCheck(Check):
    name = "time"
    title = "Photo times"
    compares = (
        "For every photo: the timestamp in its file name against EXIF DateTimeOriginal "
        f"(tolerance {NAME_EXIF_TOLERANCE.seconds} s) and against its file time (archive member "
        f"or file mtime, read as UTC+8 where the format stores UTC; it may not be more than "
        f"{MTIME_TOLERANCE.seconds} s earlier than the earlier of the two). The capture time (EXIF, else "
        "the name) against the date the evidence was received, the camera model's release "
        "date (camera_models.csv), and the leak's own window: Tukey's fences "
        f"(quartiles ± {WINDOW_IQR_FACTOR} × IQR) of all capture dates."
    )
    why = (
        "A police photo system names the file from the camera's clock, so the name, EXIF and "
        "file time of a genuine photo agree to the second. Disagreement means a file was "
        "renamed, its metadata rewritten, or the camera clock was off (a whole number of "
        "hours suggests a time-zone setting). A photo dated after the leak was received, or "
        "before its camera model existed, cannot be what it says it is."
    )
    kinds = {
        "exif_time_mismatch": "file-name time and EXIF DateTimeOriginal disagree (warning)",
        "file_time_before_capture": "the file time is earlier than the photo was taken (warning)",
        "name_time_invalid": "the file name's 14-digit timestamp is not a real time (warning)",
        "photo_in_future": "taken after the evidence was received (error)",
        "camera_anachronism": "taken before the camera model was released (error)",
        "photo_outside_window": "taken far outside the leak's own date window (warning)",
    }

    def run(self, ctx: CheckContext) -> CheckResult:
        out = ctx.result(
            params={
                "name_exif_tolerance_s": NAME_EXIF_TOLERANCE.seconds,
                "mtime_tolerance_s": MTIME_TOLERANCE.seconds,
                "local_utc_offset_h": LOCAL_UTC_OFFSET.seconds // 3600,
            }
        )
        days: Counter[str] = Counter()
        months: Counter[str] = Counter()
        sources: Counter[str] = Counter()
        compared = agree = mt_n = mt_ok = n_images = 0
        for img in ctx.iter_images():
            n_images += 1
            exif_t = exif_time(img)
            named = [(o, o.photo_name.timestamp) for o in img.occurrences]
            name_times = [(o, t) for o, t in named if t is not None]
            for occ in img.occurrences:
                pn = occ.photo_name
                if pn.timestamp_text and pn.timestamp is None:
                    out.findings.append(self._invalid_name(img, occ))
            capture = capture_of(img)
            if capture is not None:
                days[capture[0].date().isoformat()] += 1
                months[capture[0].strftime("%Y-%m")] += 1
                sources[capture[1]] += 1
            if exif_t is not None and name_times:
                compared += 1
                bad = [(o, t) for o, t in name_times if abs(t - exif_t) > NAME_EXIF_TOLERANCE]
                if bad:
                    out.findings.append(self._mismatch(img, exif_t, bad))
                else:
                    agree += 1
            claimed = [t for _, t in name_times] + ([exif_t] if exif_t else [])
            if claimed:
                t = min(claimed)  # name/EXIF disagreements are reported above, not again
                for occ in img.occurrences:
                    mt = local_mtime(occ)
                    if mt is None:
                        continue
                    mt_n += 1
                    if mt < t - MTIME_TOLERANCE:
                        out.findings.append(self._early_file(img, occ, mt, t))
                    else:
                        mt_ok += 1
        out.total("photos whose file-name time agrees with EXIF DateTimeOriginal", agree, compared)
        out.total("file times not earlier than the photo's capture", mt_ok, mt_n)
        self._possible(ctx, out, days)
        sources["no time"] = n_images - sum(days.values())
        out.distributions["Photos by month"] = [[k, months[k]] for k in sorted(months)]
        out.distributions["Photos by day"] = [[k, days[k]] for k in sorted(days)]
        out.distributions["Where the capture time comes from"] = [
            [k, v] for k, v in sources.most_common()
        ]
        return out

    # -- possible times ------------------------------------------------------------------

    def _possible(self, ctx: CheckContext, out: CheckResult, days: Counter[str]) -> None:
        """Capture times against receipt, camera release and the leak's window: a second
        pass over the images' capture times (the scratch table), in item id order."""
        received = ctx.received + LOCAL_UTC_OFFSET if ctx.received else None
        window = self._window(days)
        if window:
            out.params["window"] = [window[0].isoformat(), window[1].isoformat()]
        known = after_release = in_window = n_models = n_captures = 0
        image_data.ensure(ctx)
        t_img = scratch.images
        rows = scratch.stream(
            ctx.conn,
            select(
                t_img.c.item_id,
                t_img.c.sha256,
                t_img.c.path,
                t_img.c.capture,
                t_img.c.capture_src,
                t_img.c.model,
            )
            .where(t_img.c.capture.is_not(None))
            .order_by(t_img.c.item_id),
        )
        for item_id, sha, path, iso, src, model in rows:
            n_captures += 1
            img = _Img(item_id, sha, path)
            t = datetime.fromisoformat(iso)
            if received is not None and t > received:
                out.findings.append(self._future(img, t, src, received))
            if model:
                n_models += 1
                cam = camera_for(model)
                if cam is not None:
                    known += 1
                    if t.date() < cam.released:
                        out.findings.append(self._anachronism(img, t, src, cam.model, cam.released))
                    else:
                        after_release += 1
            if window:
                if window[0] <= t.date() <= window[1]:
                    in_window += 1
                else:
                    out.findings.append(self._outside(img, t, src, window))
        out.total("photos with a camera model in the reference table", known, n_models)
        out.total("photos taken on or after their camera model's release", after_release, known)
        if window:
            out.total(
                f"dated photos inside the leak's window {window[0]} – {window[1]}",
                in_window,
                n_captures,
            )
        else:
            out.notes.append(
                f"fewer than {WINDOW_MIN_PHOTOS} dated photos: the leak's window was not derived"
            )

    @staticmethod
    def _window(days: Counter[str]) -> tuple[date, date] | None:
        """Tukey's fences on the capture dates, from their counts by day (the quartiles of
        ``statistics.quantiles(…, n=4)``, its default 'exclusive' method, computed on the
        sorted multiset without listing it)."""
        n = sum(days.values())
        if n < WINDOW_MIN_PHOTOS:
            return None
        q1, _q2, q3 = quartiles(
            sorted((date.fromisoformat(d).toordinal(), c) for d, c in days.items()), n
        )
        iqr = max(q3 - q1, 1.0)
        lo = int(q1 - WINDOW_IQR_FACTOR * iqr)
        hi = int(q3 + WINDOW_IQR_FACTOR * iqr + 0.999)
        return date.fromordinal(lo), date.fromordinal(hi)

    # -- findings ------------------------------------------------------------------------

    def _item(
        self, img: ImageInfo | _Img, occ: Occ | None = None, tag: str | None = None
    ) -> Involved:
        path = occ.path if occ else img.path
        loc: dict[str, str] = {}
        if tag:
            loc["exif_tag"] = tag
        if occ is not None:
            loc["file_name"] = occ.photo_name.name
        return Involved(img.sha256, path, img.item_id, "photo", loc)

    def _mismatch(
        self, img: ImageInfo, exif_t: datetime, bad: list[tuple[Occ, datetime]]
    ) -> Finding:
        occ, name_t = bad[0]
        delta = exif_t - name_t
        hours = abs(delta.total_seconds()) / 3600
        whole = hours >= 1 and abs(hours - round(hours)) * 3600 <= NAME_EXIF_TOLERANCE.seconds
        direction = "later" if delta > timedelta(0) else "earlier"
        hint = (
            f" The difference is a whole number of hours ({round(hours)} h): a camera clock "
            "set to another time zone, or a time rewritten by hand."
            if whole
            else ""
        )
        return Finding(
            check=self.name,
            kind="exif_time_mismatch",
            severity="warning",
            title="File-name time and EXIF DateTimeOriginal disagree",
            explanation=(
                f"The file name {occ.photo_name.name} says the photo was taken at "
                f"{name_t:%Y-%m-%d %H:%M:%S}; its EXIF DateTimeOriginal says "
                f"{exif_t:%Y-%m-%d %H:%M:%S}, {span(delta)} {direction} (tolerance "
                f"{NAME_EXIF_TOLERANCE.seconds} s).{hint}"
            ),
            items=[self._item(img, o, EXIF_TAG) for o, _ in bad],
            values={
                "name_time": name_t.isoformat(),
                "exif_time": exif_t.isoformat(),
                "difference_s": int(delta.total_seconds()),
                "whole_hours": whole,
            },
        )

    def _early_file(self, img: ImageInfo, occ: Occ, mt: datetime, t: datetime) -> Finding:
        zone = "as written (zip: local time)" if occ.local_time else "UTC read as UTC+8"
        return Finding(
            check=self.name,
            kind="file_time_before_capture",
            severity="warning",
            title="File time earlier than the photo",
            explanation=(
                f"{occ.photo_name.name} has the file time {mt:%Y-%m-%d %H:%M:%S} ({zone}), "
                f"{span(t - mt)} before the photo was taken ({t:%Y-%m-%d %H:%M:%S}). A file "
                "cannot be written before its photo is taken unless a clock was wrong or the "
                "time was rewritten."
            ),
            items=[Involved(img.sha256, occ.path, img.item_id, "photo", {"file_time": True})],
            values={"file_time": mt.isoformat(), "capture_time": t.isoformat()},
        )

    def _invalid_name(self, img: ImageInfo, occ: Occ) -> Finding:
        return Finding(
            check=self.name,
            kind="name_time_invalid",
            severity="warning",
            title="File-name timestamp is not a real time",
            explanation=(
                f"The 14 digits {occ.photo_name.timestamp_text} in {occ.photo_name.name} read "
                "as yyyymmddHHMMSS are not a real date and time."
            ),
            items=[self._item(img, occ)],
            values={"timestamp": occ.photo_name.timestamp_text},
        )

    def _future(self, img: _Img, t: datetime, src: str, received: datetime) -> Finding:
        return Finding(
            check=self.name,
            kind="photo_in_future",
            severity="error",
            title="Photo dated after the evidence was received",
            explanation=(
                f"The photo's {src} time {t:%Y-%m-%d %H:%M:%S} is after the evidence was "
                f"received ({received:%Y-%m-%d %H:%M}, UTC+8)."
            ),
            items=[self._item(img, None, EXIF_TAG if src.startswith("EXIF") else None)],
            values={"capture_time": t.isoformat(), "source": src, "received": received.isoformat()},
        )

    def _anachronism(self, img: _Img, t: datetime, src: str, model: str, released: date) -> Finding:
        return Finding(
            check=self.name,
            kind="camera_anachronism",
            severity="error",
            title="Photo taken before its camera model existed",
            explanation=(
                f"EXIF Model says {model}, first made public on {released:%Y-%m-%d} "
                f"(camera_models.csv), but the photo's {src} time is {t:%Y-%m-%d %H:%M:%S}, "
                f"{(released - t.date()).days} days earlier. Either the camera or the date is "
                "not genuine."
            ),
            items=[self._item(img, None, "Image Model")],
            values={
                "model": model,
                "released": released.isoformat(),
                "capture_time": t.isoformat(),
                "source": src,
            },
        )

    def _outside(self, img: _Img, t: datetime, src: str, window: tuple[date, date]) -> Finding:
        return Finding(
            check=self.name,
            kind="photo_outside_window",
            severity="warning",
            title="Photo dated outside the leak's window",
            explanation=(
                f"The photo's {src} time {t:%Y-%m-%d} is outside the window in which the leak's "
                f"photos were taken, {window[0]} – {window[1]} (quartiles of all capture dates ± "
                f"{WINDOW_IQR_FACTOR} × the interquartile range)."
            ),
            items=[self._item(img, None, EXIF_TAG if src.startswith("EXIF") else None)],
            values={
                "capture_time": t.isoformat(),
                "source": src,
                "window": [window[0].isoformat(), window[1].isoformat()],
            },
        )
