"""Inputs the fuzzer found (``benchmarks/fuzz.py --seconds 60 --seed 2``): each once ended
as a ``reader_bug``; each must now be a clear cause, through the real worker task."""

from __future__ import annotations

from pathlib import Path

import pytest

from guwah.config import Limits
from guwah.ingest.detect import detect
from guwah.ingest.tasks import ExtractTask, extract_task

FUZZ = Path(__file__).parent / "files" / "fuzz"


def _run(name: str):
    path = FUZZ / name
    return extract_task(ExtractTask(1, "0" * 64, str(path), detect(path).mime, Limits(), "eng"))


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("odf-manifest-bad-crc.odt", "part META-INF/manifest.xml cannot be unpacked (Bad CRC-32"),
        ("odf-manifest-bad-deflate.odp", "part META-INF/manifest.xml cannot be unpacked (Error -3"),
        ("odf-mimetype-bad-header.odp", "part mimetype cannot be unpacked (Bad magic number"),
        ("tiff-frame-missing-dimensions.tif", "a later frame's directory cannot be read"),
    ],
)
def test_damaged_file_is_corrupt_not_a_reader_bug(name: str, says: str) -> None:
    out = _run(name)
    assert out.status == "error"
    assert out.cause == "corrupt", out.message
    assert says in (out.message or "")
    assert out.traceback is None


def test_broken_ical_date_is_shown_as_written() -> None:
    out = _run("ical-broken-dtstart.ical")
    assert out.status == "ok", out.message
    assert out.extraction is not None
    text = out.extraction.pages[0].text
    assert "dtstart: 600802q2" in text
    assert "Hodgenville" in text
