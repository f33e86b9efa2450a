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
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from pathlib import Path
from typing import Any

import ahocorasick
from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.store.models import Person, PersonName

ID18 = re.compile(r"(?<![0-9])([1-9][0-9]{5})((?:18|19|20)[0-9]{2})[0-9]{7}[0-9Xx](?![0-9])")
ID15 = re.compile(r"(?<![0-9])([1-9][0-9]{5})([0-9]{2})[0-9]{7}(?![0-9])")
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
    """ID numbers in ``text`` with all but region and birth year masked."""
    text = ID18.sub(lambda m: m.group(1) + m.group(2) + "*" * 8, text)
    return ID15.sub(lambda m: m.group(1) + m.group(2) + "*" * 7, text)


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
        """``text`` with known names replaced by pseudonyms and ID numbers masked."""
        text = unicodedata.normalize("NFC", text)
        if not self.empty:
            spans: list[tuple[int, int, str]] = []
            for end, (length, shown) in self.automaton.iter_long(text):
                spans.append((end - length + 1, end + 1, shown))
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
