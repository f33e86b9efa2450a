"""The image scratch tables of one verify run, filled by one stream over the images.

``tmp_verify_images`` (one row per image: camera, thumbnail, capture time, how many ID
numbers its names carry), ``tmp_verify_occ`` (its occurrences), ``tmp_verify_photo_ids``
(each ID number in a file name) and ``tmp_verify_cams`` (each folder's cameras). The
image checks group and join through them: per ID number, per folder, per serial number.
"""

from __future__ import annotations

import json
from datetime import datetime

from guwah.verify import scratch
from guwah.verify.context import CheckContext, ImageInfo

STASH_KEY = "image_tables"
TABLES = (scratch.images, scratch.occ, scratch.photo_ids, scratch.cams)

Camera = tuple[str, str, str]  # make, model, serial


def exif_time(img: ImageInfo) -> datetime | None:
    iso = img.summary.get("datetime_original")
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso[:19])
    except ValueError:
        return None


def camera_of(img: ImageInfo) -> Camera | None:
    s = img.summary
    if not (s.get("make") or s.get("model")):
        return None
    return (s.get("make") or "", s.get("model") or "", s.get("serial") or "")


def camera_name(cam: Camera) -> str:
    return f"{cam[0]} {cam[1]}".strip()


def capture_of(img: ImageInfo) -> tuple[datetime, str] | None:
    """The capture time (EXIF DateTimeOriginal, else the first file-name time) and its
    source."""
    exif_t = exif_time(img)
    if exif_t is not None:
        return exif_t, "EXIF DateTimeOriginal"
    for o in img.occurrences:
        if o.photo_name.timestamp is not None:
            return o.photo_name.timestamp, "file name"
    return None


def ensure(ctx: CheckContext) -> None:
    """Fill the image tables (once per run)."""
    if ctx.stash.get(STASH_KEY):
        return
    conn = ctx.conn
    scratch.create(conn, *TABLES)
    b_img = scratch.Batch(conn, scratch.images, 2000)
    b_occ = scratch.Batch(conn, scratch.occ)
    b_ids = scratch.Batch(conn, scratch.photo_ids)
    b_cam = scratch.Batch(conn, scratch.cams)
    seq = id_seq = 0
    for img in ctx.iter_images():
        cam = camera_of(img)
        cap = capture_of(img)
        ids: set[str] = set()
        folders: set[str] = set()
        for o in img.occurrences:
            seq += 1
            pn = o.photo_name
            b_occ.add(
                {
                    "seq": seq,
                    "item_id": img.item_id,
                    "path": o.path,
                    "name": pn.name,
                    "ids": json.dumps(list(pn.ids)),
                }
            )
            for number in pn.ids:
                ids.add(number)
                id_seq += 1
                t = pn.timestamp
                b_ids.add(
                    {
                        "seq": id_seq,
                        "number": number,
                        "item_id": img.item_id,
                        "path": o.path,
                        "day": t.date().isoformat() if t is not None else None,
                    }
                )
            if cam is not None and o.folder not in folders:
                folders.add(o.folder)
                b_cam.add(
                    {
                        "folder": o.folder,
                        "item_id": img.item_id,
                        "make": cam[0],
                        "model": cam[1],
                        "serial": cam[2],
                    }
                )
        thumb = img.meta.get("thumbnail")
        b_img.add(
            {
                "item_id": img.item_id,
                "sha256": img.sha256,
                "status": img.status,
                "path": img.path,
                "make": cam[0] if cam else None,
                "model": cam[1] if cam else None,
                "serial": cam[2] if cam else None,
                "has_camera": cam is not None,
                "camname": camera_name(cam) if cam else None,
                "thumb": json.dumps(thumb) if thumb else None,
                "capture": cap[0].isoformat() if cap else None,
                "capture_src": cap[1] if cap else None,
                "n_ids": len(ids),
            }
        )
    for b in (b_img, b_occ, b_ids, b_cam):
        b.flush()
    ctx.stash[STASH_KEY] = True
