"""``images``: editing software, camera clusters per location, EXIF thumbnails.

Photos taken at one police station come from that station's camera: one make, model and
serial number per folder. EXIF tags naming an image editor show a file was opened and
saved by one; an embedded thumbnail that shows another picture than the image shows the
image was changed after the camera wrote the thumbnail.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from guwah.verify.base import Check, register
from guwah.verify.cache import fingerprints
from guwah.verify.context import CheckContext, ImageInfo
from guwah.verify.finding import CheckResult, Finding, Involved
from guwah.verify.hashing import correlation
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

Camera = tuple[str, str, str]  # make, model, serial


def camera_of(img: ImageInfo) -> Camera | None:
    s = img.summary
    if not (s.get("make") or s.get("model")):
        return None
    return (s.get("make") or "", s.get("model") or "", s.get("serial") or "")


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

    def run(self, ctx: CheckContext) -> CheckResult:
        out = CheckResult(
            params={
                "cluster_min_photos": CLUSTER_MIN_PHOTOS,
                "cluster_min_share": CLUSTER_MIN_SHARE,
                "thumbnail_min_correlation": THUMB_MIN_CORRELATION,
                "thumbnail_max_distance": THUMB_MAX_DISTANCE,
            }
        )
        self._editors(ctx, out)
        self._clusters(ctx, out)
        self._thumbnails(ctx, out)
        if not ctx.images:
            out.notes.append("no images in the case")
        return out

    # -- editing software ----------------------------------------------------------------

    def _editors(self, ctx: CheckContext, out: CheckResult) -> None:
        with_exif = edited = 0
        software: Counter[str] = Counter()
        for img in ctx.images:
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
        by_folder: dict[str, dict[int, Camera]] = defaultdict(dict)
        models: Counter[str] = Counter()
        serial_models: dict[str, set[str]] = defaultdict(set)
        serial_items: dict[str, list[ImageInfo]] = defaultdict(list)
        n_cam = 0
        cams: dict[int, Camera] = {}
        for img in ctx.images:
            cam = camera_of(img)
            if cam is None:
                continue
            n_cam += 1
            cams[img.item_id] = cam
            models[f"{cam[0]} {cam[1]}".strip()] += 1
            if cam[2]:
                serial_models[cam[2]].add(f"{cam[0]} {cam[1]}".strip())
                serial_items[cam[2]].append(img)
            for occ in img.occurrences:
                by_folder[occ.folder][img.item_id] = cam
        by_id = {i.item_id: i for i in ctx.images}
        consistent = checked = 0
        table: list[list[object]] = []
        flagged: set[int] = set()
        for folder in sorted(by_folder):
            members = by_folder[folder]
            counts = Counter(members.values())
            main, n_main = counts.most_common(1)[0]
            table.append([folder, camera_text(main), f"{len(counts)} camera(s)", len(members)])
            if len(members) < CLUSTER_MIN_PHOTOS or n_main / len(members) < CLUSTER_MIN_SHARE:
                continue
            checked += len(members)
            for item_id, cam in members.items():
                if cam == main:
                    consistent += 1
                elif item_id not in flagged:
                    flagged.add(item_id)
                    out.findings.append(
                        self._outlier(by_id[item_id], folder, cam, main, n_main, len(members))
                    )
        for serial, names in sorted(serial_models.items()):
            if len(names) > 1:
                out.findings.append(self._serial(serial, sorted(names), serial_items[serial]))
        out.total("photos with camera EXIF (make or model)", n_cam, len(ctx.images))
        out.total("photos taken with their folder's camera", consistent, checked)
        out.distributions["Camera models"] = [[k, v] for k, v in models.most_common()]
        out.distributions["Photos by folder (folder, main camera, cameras)"] = table

    def _outlier(
        self, img: ImageInfo, folder: str, cam: Camera, main: Camera, n_main: int, n: int
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

    def _serial(self, serial: str, names: list[str], imgs: list[ImageInfo]) -> Finding:
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
        with_thumb = [i for i in ctx.images if i.meta.get("thumbnail") and i.status == "ok"]
        if not with_thumb:
            out.total("embedded thumbnails that show the image", 0, 0)
            return
        fps = fingerprints(ctx)
        agree = compared = 0
        for img in with_thumb:
            fp = fps.get(img.item_id)
            if fp is None or fp.main is None or fp.thumb is None:
                continue
            compared += 1
            dist = (fp.main.phash ^ fp.thumb.phash).bit_count()
            corr = correlation(fp.main.signature, fp.thumb.signature)
            if corr < THUMB_MIN_CORRELATION and dist > THUMB_MAX_DISTANCE:
                out.findings.append(self._thumb(img, dist, corr))
            else:
                agree += 1
        out.total("embedded thumbnails that show the image", agree, compared)

    def _thumb(self, img: ImageInfo, dist: int, corr: float) -> Finding:
        thumb = img.meta.get("thumbnail") or {}
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
