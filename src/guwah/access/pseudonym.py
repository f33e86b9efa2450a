"""Pseudonymised views and exports: stable pseudonyms, masked ID numbers, redacted free text.

- A person is shown as ``P-XXXXXXXX``: a keyed HMAC (SHA-256) of the person's resolved id,
  with a key kept in the case (``CASE/secrets/pseudonym.key``), so the same person has the
  same pseudonym in every view and export of the case, and nobody without the key can tell
  who it is. A name the records do not tie to one person gets the HMAC of the name.
- An ID number keeps its region code and birth year and loses the rest
  (``653121198001010011`` → ``6531211980********``): enough to count by county and age,
  not enough to name anyone.
- Free text (snippets, explanations, cells) has every name the records know replaced by its
  pseudonym (an Aho-Corasick automaton over all of them, longest match first) and every
  18- or 15-digit ID number masked. A name that occurs only in a document and in no record
  is not known, so it is not redacted: say so to whoever receives a pseudonymised export.
"""

from __future__ import annotations

import base64
import codecs
import csv
import hashlib
import hmac
import io
import os
import re
import secrets
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ahocorasick
from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.store.models import Person, PersonName

if TYPE_CHECKING:
    from guwah.case import Case

ID18 = re.compile(r"(?<![0-9])([1-9][0-9]{5})((?:18|19|20)[0-9]{2})[0-9]{7}[0-9Xx](?![0-9])")
ID15 = re.compile(r"(?<![0-9])([1-9][0-9]{5})([0-9]{2})[0-9]{7}(?![0-9])")
HEX_RUN = re.compile(r"((?<![0-9A-Za-z])[0-9a-fA-F]{32,}(?![0-9A-Za-z]))")
PERSON_COLUMNS = frozenset({"person", "person_id"})  # columns of person row ids
MIN_NAME = 2  # one character would redact half of every Chinese text
# Keys of JSON views that carry names in forms the records never wrote (romanised, Arabic
# script) or explain a name match part by part: dropped from pseudonymised views.
DERIVED_NAME_KEYS = frozenset({"scripts", "latin", "arabic", "matched_name"})


def case_secret(root: Path, name: str) -> bytes:
    """A secret of the case (created on first use, readable by its owner only)."""
    path = root / "secrets" / f"{name}.key"
    if not path.exists():
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    return path.read_bytes()


def mask_id(text: str) -> str:
    """ID numbers in ``text`` with all but region and birth year masked; digests (runs of 32
    or more hex digits: SHA-256, MD5…) are left whole, though 18 of their digits may look
    like an ID number."""
    parts = HEX_RUN.split(text)
    for i in range(0, len(parts), 2):  # the even parts lie between digests
        part = ID18.sub(lambda m: m.group(1) + m.group(2) + "*" * 8, parts[i])
        parts[i] = ID15.sub(lambda m: m.group(1) + m.group(2) + "*" * 7, part)
    return "".join(parts)


TAGS = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
ATTR = re.compile(r"""(=\s*(["']))(.*?)(\2)""", re.S)
TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _inside_word(text: str, start: int, stop: int) -> bool:
    """A Latin-letter name that is only part of a longer word."""
    before = start > 0 and _latin(text[start - 1]) and _latin(text[start])
    after = stop < len(text) and _latin(text[stop]) and _latin(text[stop - 1])
    return before or after


def for_case(case: Case) -> Pseudonymiser:
    """The case's pseudonymiser (its key in ``CASE/secrets``, names from its records)."""
    with case.sessions() as session:
        return Pseudonymiser(case_secret(case.root, "pseudonym"), session)


class Pseudonymiser:
    """Pseudonyms for the people of one case, and redaction of free text."""

    def __init__(self, key: bytes, session: Session) -> None:
        self.key = key
        by_name: dict[str, set[int]] = {}
        for person_id, name in session.execute(select(PersonName.person_id, PersonName.name)):
            by_name.setdefault(self._norm(name), set()).add(person_id)
        for person_id, person_name in session.execute(
            select(Person.id, Person.name).where(Person.name.is_not(None))
        ):
            by_name.setdefault(self._norm(person_name or ""), set()).add(person_id)
        self.automaton = ahocorasick.Automaton()
        for name, ids in by_name.items():
            if len(name) >= MIN_NAME:
                shown = self.of_person(next(iter(ids))) if len(ids) == 1 else self.of_name(name)
                self.automaton.add_word(name, (len(name), shown))
        self.empty = len(self.automaton) == 0
        if not self.empty:
            self.automaton.make_automaton()

    @staticmethod
    def _norm(name: str) -> str:
        return unicodedata.normalize("NFC", name).strip()

    def _tag(self, data: str) -> str:
        digest = hmac.new(self.key, data.encode("utf-8"), hashlib.sha256).digest()
        return "P-" + base64.b32encode(digest[:5]).decode("ascii")

    def of_person(self, person_id: int) -> str:
        return self._tag(f"person:{person_id}")

    def of_name(self, name: str) -> str:
        return self._tag(f"name:{self._norm(name)}")

    def redact(self, text: str) -> str:
        """``text`` with known names replaced by pseudonyms and ID numbers masked.

        A name in Latin letters is replaced only as a whole word ("Ali" in "Alimjan" or
        "alignment" is left alone); names in Han or Arabic script, written without spaces,
        wherever they occur."""
        text = unicodedata.normalize("NFC", text)
        if not self.empty:
            spans: list[tuple[int, int, str]] = []
            for end, (length, shown) in self.automaton.iter_long(text):
                start = end - length + 1
                if _inside_word(text, start, end + 1):
                    continue
                spans.append((start, end + 1, shown))
            if spans:
                out, pos = [], 0
                for start, stop, shown in spans:
                    if start < pos:
                        continue
                    out += [text[pos:start], shown]
                    pos = stop
                out.append(text[pos:])
                text = "".join(out)
        return mask_id(text)

    def redact_html(self, html: str) -> str:
        """An HTML document with its text, comments and attribute values redacted, its
        markup untouched (the content of style and script elements is not text)."""
        out, skip = [], False
        for part in TAGS.split(html):
            if part.startswith("<!--"):
                out.append(self.redact(part))
            elif part.startswith("<"):
                name = TAG_NAME.match(part)
                if name and name.group(2).lower() in ("style", "script"):
                    skip = not name.group(1)
                out.append(
                    ATTR.sub(lambda m: m.group(1) + self.redact(m.group(3)) + m.group(4), part)
                )
            else:
                out.append(part if skip else self.redact(part))
        return "".join(out)

    def redact_csv(self, path: Path) -> None:
        """Rewrite a CSV file in place with :meth:`redact_csv_bytes`."""
        path.write_bytes(self.redact_csv_bytes(path.read_bytes()))

    def redact_csv_bytes(self, raw: bytes) -> bytes:
        """A CSV (UTF-8, with or without BOM, kept as it was) with every cell redacted; a
        column whose header names a birth date keeps the year only, and a ``person`` or
        ``person_id`` column of row ids holds the person's pseudonym instead."""
        bom = raw.startswith(codecs.BOM_UTF8)
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        head = [h.strip().lower() for h in (rows[0] if rows else [])]
        birth = {i for i, h in enumerate(head) if "birth" in h or "出生" in h}
        person = {i for i, h in enumerate(head) if h in PERSON_COLUMNS}
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(rows[0] if rows else [])
        for row in rows[1:]:
            writer.writerow([self._cell(i, c, birth, person) for i, c in enumerate(row)])
        return (codecs.BOM_UTF8 if bom else b"") + buf.getvalue().encode("utf-8")

    def _cell(self, i: int, value: str, birth: set[int], person: set[int]) -> str:
        if i in birth:
            return value[:4]
        if i in person and value.isdigit():
            return self.of_person(int(value))
        return self.redact(value)

    def walk(self, value: Any) -> Any:
        """A JSON-like value with every string redacted, derived name forms dropped."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, list):
            return [self.walk(v) for v in value]
        if isinstance(value, dict):
            drop = DERIVED_NAME_KEYS | ({"explanation"} if "matched_name" in value else set())
            return {
                k: (v[:4] if k == "birth_date" and isinstance(v, str) else self.walk(v))
                for k, v in value.items()
                if k not in drop
            }
        return value
