"""The synthetic leak generator (``guwah synth``): a fictional leak shaped like the
Xinjiang Police Files, with planted anomalies and a ground-truth file.

May import: the standard library, its dependencies (Pillow, openpyxl…) and its data in
``guwah/reference/synth``; nothing else of guwah: it must not share rules with the stages
that read a leak, or what it plants would be graded by the code under test.
``command.py`` is the ``guwah synth`` CLI. The names below load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guwah.lazy import lazy_package

if TYPE_CHECKING:
    from .anomalies import KINDS
    from .generate import SynthResult, generate

__all__ = ["KINDS", "SynthResult", "generate"]

lazy_package(__name__, {"KINDS": ".anomalies", "SynthResult": ".generate", "generate": ".generate"})
