"""Reference data the checks read: camera release dates and photo-editor signatures.

Both are CSV files in ``guwah/reference/`` so that an expert can read, cite and extend them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Camera:
    make: str
    model: str
    released: date  # the earliest public date: announcement, else release
    kind: str


@dataclass(frozen=True)
class Editor:
    pattern: re.Pattern[str]
    editor: str
    severity: str
    note: str


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files("guwah") / "reference" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def model_key(model: str) -> str:
    return " ".join(model.upper().split())


@cache
def cameras() -> dict[str, Camera]:
    """Known camera models by normalised EXIF Model (``camera_models.csv``)."""
    out: dict[str, Camera] = {}
    for row in _rows("camera_models.csv"):
        cam = Camera(row["make"], row["model"], date.fromisoformat(row["released"]), row["kind"])
        out[model_key(cam.model)] = cam
    return out


def camera_for(model: str | None) -> Camera | None:
    return cameras().get(model_key(model)) if model else None


@cache
def editors() -> list[Editor]:
    """Signatures of image-editing software (``photo_editors.csv``), case-insensitive."""
    return [
        Editor(re.compile(r["pattern"], re.IGNORECASE), r["editor"], r["severity"], r["note"])
        for r in _rows("photo_editors.csv")
    ]


def editor_in(text: str) -> Editor | None:
    for ed in editors():
        if ed.pattern.search(text):
            return ed
    return None
