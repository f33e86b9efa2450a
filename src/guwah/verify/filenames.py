"""ID numbers and timestamps in photo file names.

Police photos are named ``{ID}_{yyyymmddHHMMSS}.jpg``, ``{ID}.jpg`` or
``{yyyymmddHHMMSS}_{ID}.jpg``. ID numbers are found by ``guwah.gb11643.ids_in_name`` (the
rule records uses too: 18 characters or 15 digits); the stem is split at separators
(``_ - . space``) and a token of 14 digits starting 19 or 20 is a timestamp.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from guwah.gb11643 import ids_in_name

_SPLIT = re.compile(r"[_\-.\s()（）]+")
_TS = re.compile(r"^(19|20)\d{12}$")


@dataclass(frozen=True)
class PhotoName:
    """What a photo's file name says: ID numbers, and the timestamp if it has one."""

    name: str
    ids: tuple[str, ...] = ()
    timestamp: datetime | None = None
    timestamp_text: str | None = None  # the 14 digits, also when they are not a real time


def basename(path: str) -> str:
    """The file name of an occurrence path (``a.zip!/b/c.jpg`` → ``c.jpg``)."""
    return re.split(r"!/|/", path)[-1]


def folder(path: str) -> str:
    """The folder of an occurrence path (``a.zip!/b/c.jpg`` → ``a.zip!/b``); '' at the top."""
    name = basename(path)
    head = path[: len(path) - len(name)]
    return head.removesuffix("!/").removesuffix("/")


def parse_photo_name(path: str) -> PhotoName:
    name = basename(path)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    ts: datetime | None = None
    ts_text: str | None = None
    for token in _SPLIT.split(stem):
        if _TS.match(token) and ts_text is None:
            ts_text = token
            try:
                ts = datetime.strptime(token, "%Y%m%d%H%M%S")
            except ValueError:
                ts = None
    return PhotoName(name, ids_in_name(name), ts, ts_text)
