"""Leaked text made safe for where it goes: web pages, Markdown, terminals, CSV and XLSX cells.

Everything a leak holds is hostile text. Each output has its own rule, written once here:

- **Controls made visible.** Bidirectional controls (U+202E and the others) rearrange what
  surrounds them — ``invoice\u202egpj.exe`` shows as "invoiceexe.jpg" — and C0/C1 controls
  (ESC, BEL, CR…) drive terminals. :func:`visible_controls` replaces each with a visible
  marker such as ``⟨U+202E⟩``, so the reader sees that it is there and what it is.
- **Terminals**: controls made visible and Rich markup escaped (:func:`for_terminal`).
- **Markdown**: raw HTML neutralised, table pipes and line breaks escaped (:func:`md_cell`,
  :func:`md_code`).
- **Spreadsheets**: a cell that a spreadsheet would run as a formula (first character ``=``,
  ``+``, ``-``, ``@``, tab or CR, per OWASP's CSV-injection advice) is written with one
  leading apostrophe; so is a value that already starts with an apostrophe, so that the rule
  can be undone without ambiguity: :func:`csv_uncell` strips exactly one leading apostrophe.
"""

from __future__ import annotations

import html
import re
from typing import Any

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# C0 controls but tab and newline, DEL, C1 controls, and the bidi controls above.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def visible_controls(text: str) -> str:
    """``text`` with every control character shown as ``⟨U+XXXX⟩``."""
    return _CONTROL.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def shown_controls(value: Any) -> Any:
    """A Jinja ``finalize`` hook: every ``{{ value }}`` with its controls made visible.

    Applied before autoescaping, and to already-safe markup too (controls are never markup).
    """
    from markupsafe import Markup

    if isinstance(value, Markup):
        return Markup(visible_controls(str(value)))
    if isinstance(value, str):
        return visible_controls(value)
    return value


def for_terminal(value: Any) -> str:
    """A leaked value to print with Rich: controls visible, markup escaped."""
    from rich.markup import escape

    return escape(visible_controls(str(value)))


def md_cell(value: Any) -> str:
    """A leaked value inside Markdown text or a table cell: no raw HTML, no broken rows."""
    text = visible_controls(str(value if value is not None else ""))
    text = html.escape(text, quote=False)
    text = re.sub(r"([\\`*_\[\]|#!])", r"\\\1", text)
    return re.sub(r"\s*[\r\n]+\s*", " ", text)


def md_code(value: Any) -> str:
    """A leaked value as a Markdown code span (literal: HTML in it is never rendered)."""
    text = re.sub(r"[\r\n]+", " ", visible_controls(str(value)))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def csv_cell(value: Any) -> Any:
    """A value for a CSV or XLSX cell that no spreadsheet will run as a formula."""
    if isinstance(value, str) and value and (value[0] in FORMULA_START or value[0] == "'"):
        return "'" + value
    return value


def csv_uncell(text: str) -> str:
    """The original value of a cell written by :func:`csv_cell`."""
    return text[1:] if text.startswith("'") else text
