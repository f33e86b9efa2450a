"""Face blurring for pseudonymised views, on photographs of public officials labelled by hand
(tests/files/faces, public-domain White House photographs) and on the synthetic portraits."""

from __future__ import annotations

import csv
import io
import random
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from guwah.access.faces import FaceError, blur_faces
from guwah.synth.photos import render

FACES = Path(__file__).resolve().parent / "files" / "faces"
Box = tuple[int, int, int, int]


def _labels() -> dict[str, list[Box]]:
    out: dict[str, list[Box]] = {}
    with (FACES / "labels.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            box = (int(row["left"]), int(row["top"]), int(row["right"]), int(row["bottom"]))
            out.setdefault(row["file"], []).append(box)
    return out


def _iou(a: Box, b: Box) -> float:
    w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _detail(img: Image.Image, box: Box | None = None) -> float:
    """Mean absolute gradient of the grey image (in ``box``): what blurring takes away."""
    grey = np.asarray((img.crop(box) if box else img).convert("L"), dtype=np.float64)
    return float(np.abs(np.diff(grey, axis=0)).mean() + np.abs(np.diff(grey, axis=1)).mean())


@pytest.mark.parametrize("name", ["obama.jpg", "two_people.jpg", "biden.jpg"])
def test_every_labelled_face_is_found_and_blurred(name: str) -> None:
    data = (FACES / name).read_bytes()
    result = blur_faces(data)
    assert not result.whole
    found = [(f.x, f.y, f.x + f.w, f.y + f.h) for f in result.faces]
    before, after = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(result.data))
    assert after.size == before.size and after.format == "JPEG"
    for label in _labels()[name]:
        assert max(_iou(label, box) for box in found) >= 0.3, (name, label, found)
        assert _detail(after, label) < 0.3 * _detail(before, label), (name, label)
    # Only the faces: the lower third (suits, hands) keeps its detail.
    w, h = before.size
    lower = (0, 2 * h // 3, w, h)
    assert _detail(after, lower) > 0.8 * _detail(before, lower)


def test_no_metadata_survives() -> None:
    img = Image.open(FACES / "obama.jpg")
    exif = Image.Exif()
    exif[0x010E] = "detainee 653101197511113574, Kashgar"  # ImageDescription
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, comment=b"operator: officer 0447")
    result = blur_faces(buf.getvalue())
    assert b"653101197511113574" not in result.data and b"officer" not in result.data
    assert not Image.open(io.BytesIO(result.data)).getexif()


def test_a_face_the_detector_misses_is_hidden_with_the_whole_picture() -> None:
    """Half a face, cut by the frame: the cascades find nothing, so everything is blurred."""
    data = (FACES / "obama_partial_face.jpg").read_bytes()
    result = blur_faces(data)
    assert result.whole and not result.faces
    before, after = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(result.data))
    (label,) = _labels()["obama_partial_face.jpg"]
    assert _detail(after, label) < 0.2 * _detail(before, label)
    assert _detail(after) < 0.2 * _detail(before)


def test_the_synthetic_portraits_are_blurred_whole() -> None:
    """The generator draws heads without features: no face is found in them (said in the
    docs), so each portrait is hidden as a whole, never shown unblurred."""
    rng = random.Random(7)
    for _ in range(5):
        img = render(rng, (200, 205, 210))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=90)
        result = blur_faces(buf.getvalue())
        assert result.whole
        assert _detail(Image.open(io.BytesIO(result.data))) < 0.3 * _detail(img)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size (a decompression bomb's header) with almost no data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    out = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
    out += struct.pack(">I", zlib.crc32(chunk))
    return out + b"\x00\x00\x00\x00IEND\xaeB`\x82"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a picture at all",
        (FACES / "biden.jpg").read_bytes()[:400],
        _png_header_only(60_000, 60_000),
    ],  # fmt: skip
    ids=["empty", "text", "truncated", "bomb"],
)
def test_a_bad_picture_gets_a_clear_error_not_an_image(data: bytes) -> None:
    with pytest.raises(FaceError, match="cannot be read"):
        blur_faces(data)


def test_one_models_find_is_not_enough_to_show_the_rest() -> None:
    """A single model's face (hair, a pattern) could stand beside the real face it missed:
    only a face two models agree on lets the rest of the picture be shown."""
    from guwah.access.faces import Face, confirmed

    alone = (Face(60, 60, 60, 60, "frontalface_default"),)
    same_model = (*alone, Face(62, 61, 60, 60, "frontalface_default"))
    apart = (*alone, Face(150, 150, 40, 40, "profileface"))
    mirror = (Face(60, 60, 60, 60, "profileface"), Face(61, 60, 60, 60, "profileface (mirrored)"))
    agreed = (*alone, Face(64, 58, 58, 62, "frontalface_alt2"))
    assert not confirmed(()) and not confirmed(alone) and not confirmed(same_model)
    assert not confirmed(apart) and not confirmed(mirror) and confirmed(agreed)
    for name in ("obama.jpg", "two_people.jpg", "biden.jpg"):  # real faces: two agree
        assert confirmed(blur_faces((FACES / name).read_bytes()).faces), name
