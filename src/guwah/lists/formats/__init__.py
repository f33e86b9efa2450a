"""Readers of published list formats. Each ``read(data: bytes) -> Iterator[Entity]`` raises
:class:`~guwah.lists.entity.ListFormatError` naming the line or element it could not read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from guwah.lists.entity import Entity

Reader = Callable[[bytes], Iterator[Entity]]


def reader(fmt: str) -> Reader:
    """The reader of a format name (``ofac-csv``, ``eu-xml`` …); KeyError if unknown."""
    from . import eu, ftm, generic, ofac, uflpa, uk, un

    readers: dict[str, Reader] = {
        "ofac-csv": ofac.read_csv,
        "ofac-xml": ofac.read_xml,
        "eu-csv": eu.read_csv,
        "eu-xml": eu.read_xml,
        "uk-csv": uk.read_csv,
        "uk-xml": uk.read_xml,
        "un-xml": un.read_xml,
        "uflpa-html": uflpa.read_html,
        "ftm": ftm.read_ftm,
        "csv": generic.read_csv,
    }
    return readers[fmt]


FORMATS = (
    "ofac-csv",
    "ofac-xml",
    "eu-csv",
    "eu-xml",
    "uk-csv",
    "uk-xml",
    "un-xml",
    "uflpa-html",
    "ftm",
    "csv",
)
