"""Audio and video: metadata only (mutagen): duration, codec, bit rate, channels, creation
time (the MP4/QuickTime ``mvhd`` box), tags (title, artist, encoder, device). Status ``ok``
with the note "metadata only": the content is preserved and typed, not transcribed."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from guwah.ingest.extractors.common import jsonable
from guwah.ingest.registry import (
    ExtractContext,
    Extraction,
    ExtractionError,
    Extractor,
    register,
)

MEDIA_TYPES = frozenset(
    {
        "audio/mpeg",
        "audio/mp3",
        "audio/x-wav",
        "audio/wav",
        "audio/flac",
        "audio/x-flac",
        "audio/ogg",
        "audio/x-m4a",
        "audio/mp4",
        "audio/aac",
        "audio/x-aiff",
        "audio/x-ms-wma",
        "audio/amr",
        "video/mp4",
        "video/quicktime",
        "video/3gpp",
        "video/x-m4v",
        "video/x-ms-asf",
        "video/x-ms-wmv",
        "video/ogg",
        "video/webm",
        "video/x-matroska",
        "video/x-msvideo",
        "video/mpeg",
    }
)
NOTE = "metadata only: audio and video are preserved and described, not transcribed"
_INFO_FIELDS = ("length", "bitrate", "sample_rate", "channels", "bits_per_sample", "codec")
_TAG_KEYS = {  # tag spellings across ID3, MP4, Vorbis and ASF → one name
    "TIT2": "title",
    "©nam": "title",
    "title": "title",
    "TPE1": "artist",
    "©ART": "artist",
    "artist": "artist",
    "TDRC": "date",
    "©day": "date",
    "date": "date",
    "TSSE": "encoder",
    "©too": "encoder",
    "encoder": "encoder",
    "COMM::eng": "comment",
    "©cmt": "comment",
    "comment": "comment",
    "©mak": "device_make",
    "©mod": "device_model",
    "©xyz": "location",
}
_MP4_EPOCH = datetime(1904, 1, 1, tzinfo=UTC)


@register
class MediaExtractor(Extractor):
    name = "media"
    version = "1"
    mimetypes = MEDIA_TYPES

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        import mutagen

        out = Extraction(meta={"note": NOTE, "metadata_only": True})
        try:
            media = mutagen.File(str(path))
        except mutagen.MutagenError as exc:
            raise ExtractionError("corrupt", f"damaged {mime.split('/')[0]} file: {exc}") from exc
        except (OSError, ValueError, struct.error, EOFError, IndexError) as exc:
            raise ExtractionError("corrupt", f"damaged {mime.split('/')[0]} file: {exc}") from exc
        info: dict[str, Any] = {}
        if media is not None:
            info["container"] = type(media).__name__
            stream = getattr(media, "info", None)
            for key in _INFO_FIELDS:
                value = getattr(stream, key, None)
                if value not in (None, "", 0):
                    info["duration_s" if key == "length" else key] = jsonable(value)
            info["tags"] = _tags(media)
        else:
            out.warnings.append("no stream information could be read (a format mutagen lacks)")
        created = _mp4_created(path)
        if created:
            info["created"] = created
        out.meta["media"] = info
        return out


def _tags(media: Any) -> dict[str, Any]:
    tags: dict[str, Any] = {}
    raw = getattr(media, "tags", None)
    if not raw:
        return tags
    try:
        items = list(raw.items())
    except Exception:  # some tag types are not mappings
        return tags
    for key, value in items[:200]:
        name = _TAG_KEYS.get(str(key))
        if name and name not in tags:
            shown = value.text if hasattr(value, "text") else value
            if isinstance(shown, list) and len(shown) == 1:
                shown = shown[0]
            tags[name] = jsonable(shown if not isinstance(shown, list) else [str(s) for s in shown])
    return tags


def _mp4_created(path: Path) -> str | None:
    """Creation time in the ``moov/mvhd`` box of an MP4/QuickTime file (ISO/IEC 14496-12)."""
    from mutagen.mp4 import Atoms, error

    try:
        with path.open("rb") as fh:
            atoms = Atoms(fh)
            mvhd = atoms.path(b"moov", b"mvhd")[-1]
            fh.seek(mvhd.offset + 8)
            data = fh.read(20)
    except (error, KeyError, OSError, struct.error, ValueError, EOFError, IndexError):
        return None
    if len(data) < 12:
        return None
    version = data[0]
    if version == 1 and len(data) >= 12:
        (seconds,) = struct.unpack(">Q", data[4:12])
    else:
        (seconds,) = struct.unpack(">I", data[4:8])
    if seconds == 0:
        return None
    try:
        return (_MP4_EPOCH + timedelta(seconds=seconds)).isoformat()
    except OverflowError:
        return None
