"""ID numbers and timestamps in photo file names.

Police photos are named ``{ID}_{yyyymmddHHMMSS}.jpg``, ``{ID}.jpg`` or
``{yyyymmddHHMMSS}_{ID}.jpg``. The stem is split at separators (``_ - . space``); a token of
17 digits and a digit or X is an 18-digit ID number, one of 15 digits a legacy ID number,
one of 14 digits starting 19 or 20 a timestamp.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

_SPLIT = re.compile(r"[_\-.\s()（）]+")
_ID18 = re.compile(r"^\d{17}[\dXx]$")
_ID15 = re.compile(r"^\d{15}$")
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
    ids: list[str] = []
    ts: datetime | None = None
    ts_text: str | None = None
    for token in _SPLIT.split(stem):
        if _ID18.match(token):
            ids.append(token.upper())
        elif _ID15.match(token):
            ids.append(token)
        elif _TS.match(token) and ts_text is None:
            ts_text = token
            try:
                ts = datetime.strptime(token, "%Y%m%d%H%M%S")
            except ValueError:
                ts = None
    return PhotoName(name, tuple(ids), ts, ts_text)
