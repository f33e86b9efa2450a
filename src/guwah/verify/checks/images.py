"""``images``: editing software, camera clusters per location, EXIF thumbnails.

Photos taken at one police station come from that station's camera: one make, model and
serial number per folder. EXIF tags naming an image editor show a file was opened and
saved by one; an embedded thumbnail that shows another picture than the image shows the
image was changed after the camera wrote the thumbnail.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from guwah.store.models import ImageHash
from guwah.verify import image_data, scratch
from guwah.verify.base import Check, register
from guwah.verify.cache import ensure_fingerprints, fingerprint_of
from guwah.verify.context import CheckContext, ImageInfo
from guwah.verify.finding import CheckResult, Finding, Involved
from guwah.verify.hashing import ALGO, correlation
from guwah.verify.image_data import Camera
from guwah.verify.reference import editor_in

#: EXIF tags that name the software that last wrote a file
SOFTWARE_TAGS = ("Image Software", "Image ProcessingSoftware", "Image HostComputer")
#: a folder needs this many photos, and its main camera this share, to call the camera
#: "the folder's camera"
CLUSTER_MIN_PHOTOS = 5
CLUSTER_MIN_SHARE = 0.6
#: thumbnail vs image: a signature correlation below this and a pHash farther than this
THUMB_MIN_CORRELATION = 0.9
THUMB_MAX_DISTANCE = 64


@dataclass(frozen=True)
class _Img:
    """What a finding names of an image read back from the scratch tables."""

    item_id: int
    sha256: str
    path: str | None


def camera_text(cam: Camera) -> str:
    make, model, serial = cam
    name = model if model.upper().startswith(make.split(" ")[0].upper()) else f"{make} {model}"
    return f"{name.strip()} (serial {serial})" if serial else name.strip()


@register
class ImagesCheck(Check):
    name = "images"
    title = "Cameras, editing software and thumbnails"
    compares = (
        "EXIF Software, ProcessingSoftware and HostComputer against signatures of image "
        "editors (photo_editors.csv); each photo's camera (make, model, serial) against the "
        f"camera of its folder (the camera of at least {CLUSTER_MIN_SHARE:.0%} of the folder's "
        f"photos, {CLUSTER_MIN_PHOTOS} or more) and serial numbers against models; the "
        "embedded EXIF thumbnail against the image (16×16 grey signature correlation below "
        f"{THUMB_MIN_CORRELATION} and 256-bit pHash distance above {THUMB_MAX_DISTANCE} mean "
        "another picture)."
    )
    why = (
        "An editor's name in the metadata shows the file was opened and saved after it left "
        "the camera; most editors leave the old thumbnail in place, so a thumbnail that shows "
        "another picture exposes a changed image. A station photographs its detainees with "
        "one camera: a photo from another camera in that folder, or one serial number under "
        "two models, points to a photo from elsewhere or rewritten metadata."
    )
    kinds = {
        "edited_photo": "EXIF names image-editing software (warning)",
        "thumbnail_mismatch": "the embedded thumbnail shows another picture (warning)",
        "camera_outlier": "a photo from another camera than its folder's (info)",
        "serial_conflict": "one camera serial number under several models (warning)",
    }

    def prepare(self, ctx: CheckContext) -> None:
        image_data.ensure(ctx)
        imgs = scratch.images
        with_thumb = ctx.conn.scalar(
            select(imgs.c.item_id).where(imgs.c.thumb.is_not(None), imgs.c.status == "ok").limit(1)
        )
        if with_thumb is not None:
            ensure_fingerprints(ctx)

    def run(self, ctx: CheckContext) -> CheckResult:
        out = ctx.result(
            params={
                "cluster_min_photos": CLUSTER_MIN_PHOTOS,
                "cluster_min_share": CLUSTER_MIN_SHARE,
                "thumbnail_min_correlation": THUMB_MIN_CORRELATION,
                "thumbnail_max_distance": THUMB_MAX_DISTANCE,
            }
        )
        self._editors(ctx, out)
        image_data.ensure(ctx)
        self._clusters(ctx, out)
        self._thumbnails(ctx, out)
        if not ctx.n_images:
            out.notes.append("no images in the case")
        return out

    # -- editing software ----------------------------------------------------------------

    def _editors(self, ctx: CheckContext, out: CheckResult) -> None:
        with_exif = edited = 0
        software: Counter[str] = Counter()
        for img in ctx.iter_images():
            if not img.exif:
                continue
            with_exif += 1
            soft = img.exif.get("Image Software")
            software[soft or "(none)"] += 1
            for tag in SOFTWARE_TAGS:
                value = img.exif.get(tag)
                ed = editor_in(value) if value else None
                if ed is None:
                    continue
                edited += 1
                out.findings.append(self._edited(img, tag, value or "", ed.editor, ed.severity))
                break
        out.total("photos with EXIF that name no image editor", with_exif - edited, with_exif)
        out.distributions["EXIF Software"] = [[k, v] for k, v in software.most_common(30)]

    def _edited(self, img: ImageInfo, tag: str, value: str, editor: str, severity: str) -> Finding:
        taken = img.summary.get("datetime_original")
        saved = img.summary.get("datetime")
        later = bool(taken and saved and saved[:19] > taken[:19])
        when = (
            f" EXIF DateTime (last saved) {saved[:19]} is later than DateTimeOriginal "
            f"{(taken or '')[:19]}."
            if later and saved
            else ""
        )
        return Finding(
            check=self.name,
            kind="edited_photo",
            severity="info" if severity == "info" else "warning",
            title=f"Photo saved by {editor}",
            explanation=(
                f"EXIF {tag} is {value!r}, the signature of {editor}: the file was opened and "
                f"saved by it after the camera wrote it.{when}"
            ),
            items=[Involved(img.sha256, img.path, img.item_id, "photo", {"exif_tag": tag})],
            values={
                "tag": tag,
                "value": value,
                "editor": editor,
                "datetime_original": taken,
                "datetime": saved,
            },
        )

    # -- camera clusters -----------------------------------------------------------------

    def _clusters(self, ctx: CheckContext, out: CheckResult) -> None:
        conn = ctx.conn
        cams, imgs = scratch.cams, scratch.images
        # each folder's cameras: (camera, photos, first item id) → the main camera is the
        # most frequent, ties to the one seen first (as Counter.most_common orders them)
        per_folder: dict[str, list[tuple[Camera, int, int]]] = defaultdict(list)
        for folder, make, model, serial, n, first in conn.execute(
            select(
                cams.c.folder,
                cams.c.make,
                cams.c.model,
                cams.c.serial,
                func.count(),
                func.min(cams.c.item_id),
            ).group_by(cams.c.folder, cams.c.make, cams.c.model, cams.c.serial)
        ):
            per_folder[folder].append(((make, model, serial), int(n), int(first)))
        consistent = checked = 0
        table: list[list[object]] = []
        mains: dict[str, Camera] = {}
        for folder in sorted(per_folder):
            counts = sorted(per_folder[folder], key=lambda c: (-c[1], c[2]))
            main, n_main, _first = counts[0]
            members = sum(c[1] for c in counts)
            table.append([folder, camera_text(main), f"{len(counts)} camera(s)", members])
            if members < CLUSTER_MIN_PHOTOS or n_main / members < CLUSTER_MIN_SHARE:
                continue
            checked += members
            consistent += n_main
            mains[folder] = main
        folders = sorted(mains)
        flagged: set[int] = set()  # outliers already reported (one finding per photo)
        for k in range(0, len(folders), 500):
            chunk = folders[k : k + 500]
            rows = conn.execute(
                select(
                    cams.c.folder,
                    cams.c.item_id,
                    cams.c.make,
                    cams.c.model,
                    cams.c.serial,
                    imgs.c.sha256,
                    imgs.c.path,
                )
                .join(imgs, imgs.c.item_id == cams.c.item_id)
                .where(cams.c.folder.in_(chunk))
                .order_by(cams.c.item_id)
            ).all()
            by_folder: dict[str, list[Any]] = defaultdict(list)
            for r in rows:
                by_folder[r[0]].append(r)
            for folder in chunk:
                main = mains[folder]
                n_main = next(c[1] for c in per_folder[folder] if c[0] == main)
                n = sum(c[1] for c in per_folder[folder])
                for _f, item_id, make, model, serial, sha, path in by_folder[folder]:
                    cam = (make, model, serial)
                    if cam != main and item_id not in flagged:
                        flagged.add(item_id)
                        img = _Img(item_id, sha, path)
                        out.findings.append(self._outlier(img, folder, cam, main, n_main, n))
        serials = conn.execute(
            select(imgs.c.serial)
            .where(imgs.c.has_camera, imgs.c.serial != "")
            .group_by(imgs.c.serial)
            .having(func.count(func.distinct(imgs.c.camname)) > 1)
        ).scalars()
        for serial in sorted(serials):
            rows = conn.execute(
                select(imgs.c.item_id, imgs.c.sha256, imgs.c.path, imgs.c.camname)
                .where(imgs.c.has_camera, imgs.c.serial == serial)
                .order_by(imgs.c.item_id)
            ).all()
            names = sorted({r[3] for r in rows})
            out.findings.append(self._serial(serial, names, [_Img(*r[:3]) for r in rows]))
        models: Counter[str] = Counter()
        n_cam = 0
        for (name,) in scratch.stream(
            conn, select(imgs.c.camname).where(imgs.c.has_camera).order_by(imgs.c.item_id)
        ):
            n_cam += 1
            models[name] += 1
        out.total("photos with camera EXIF (make or model)", n_cam, ctx.n_images)
        out.total("photos taken with their folder's camera", consistent, checked)
        out.distributions["Camera models"] = [[k, v] for k, v in models.most_common()]
        out.distributions["Photos by folder (folder, main camera, cameras)"] = table

    def _outlier(
        self, img: _Img, folder: str, cam: Camera, main: Camera, n_main: int, n: int
    ) -> Finding:
        return Finding(
            check=self.name,
            kind="camera_outlier",
            severity="info",
            title="Photo from another camera than its folder's",
            explanation=(
                f"{n_main} of the {n} photos in {folder} were taken with {camera_text(main)}; "
                f"this one says {camera_text(cam)}."
            ),
            items=[
                Involved(img.sha256, img.path, img.item_id, "photo", {"exif_tag": "Image Model"})
            ],
            values={
                "folder": folder,
                "camera": list(cam),
                "folder_camera": list(main),
                "folder_share": round(n_main / n, 3),
            },
        )

    def _serial(self, serial: str, names: list[str], imgs: list[_Img]) -> Finding:
        tag = "EXIF BodySerialNumber"
        return Finding(
            check=self.name,
            kind="serial_conflict",
            severity="warning",
            title="One camera serial number under several models",
            explanation=(
                f"The serial number {serial} appears with {len(names)} camera models "
                f"({', '.join(names)}); one camera has one model."
            ),
            items=[Involved(i.sha256, i.path, i.item_id, "photo", {"exif_tag": tag}) for i in imgs],
            values={"serial": serial, "models": names},
        )

    # -- thumbnails ----------------------------------------------------------------------

    def _thumbnails(self, ctx: CheckContext, out: CheckResult) -> None:
        imgs, h = scratch.images, ImageHash
        with_thumb = (imgs.c.thumb.is_not(None), imgs.c.status == "ok")
        if ctx.conn.scalar(select(imgs.c.item_id).where(*with_thumb).limit(1)) is None:
            out.total("embedded thumbnails that show the image", 0, 0)
            return
        agree = compared = 0
        rows = scratch.stream(
            ctx.conn,
            select(
                imgs.c.item_id,
                imgs.c.sha256,
                imgs.c.path,
                imgs.c.thumb,
                h.phash,
                h.signature,
                h.thumb_phash,
                h.thumb_signature,
            )
            .join(h, (h.item_id == imgs.c.item_id) & (h.algo == ALGO))
            .where(*with_thumb)
            .order_by(imgs.c.item_id),
        )
        for item_id, sha, path, thumb, ph, sig, tph, tsig in rows:
            main, small = fingerprint_of(ph, sig), fingerprint_of(tph, tsig)
            if main is None or small is None:
                continue
            compared += 1
            dist = (main.phash ^ small.phash).bit_count()
            corr = correlation(main.signature, small.signature)
            if corr < THUMB_MIN_CORRELATION and dist > THUMB_MAX_DISTANCE:
                out.findings.append(
                    self._thumb(_Img(item_id, sha, path), json.loads(thumb), dist, corr)
                )
            else:
                agree += 1
        out.total("embedded thumbnails that show the image", agree, compared)

    def _thumb(self, img: _Img, thumb: dict[str, Any], dist: int, corr: float) -> Finding:
        return Finding(
            check=self.name,
            kind="thumbnail_mismatch",
            severity="warning",
            title="Embedded thumbnail shows another picture",
            explanation=(
                f"The EXIF thumbnail ({thumb.get('width')}×{thumb.get('height')}) differs from "
                f"the image: pHash distance {dist} of 256 bits (limit {THUMB_MAX_DISTANCE}), "
                f"signature correlation {corr:.2f} (limit {THUMB_MIN_CORRELATION}). The camera "
                "writes both at once; the image was changed and the old thumbnail kept."
            ),
            items=[
                Involved(img.sha256, img.path, img.item_id, "photo", {"exif_tag": "JPEGThumbnail"})
            ],
            values={
                "phash_distance": dist,
                "correlation": round(corr, 4),
                "thumbnail_sha256": thumb.get("sha256"),
            },
        )
