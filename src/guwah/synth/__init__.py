"""The synthetic leak generator (``guwah synth``): a fictional leak shaped like the
Xinjiang Police Files, with planted anomalies and a ground-truth file."""

from .anomalies import KINDS
from .generate import SynthResult, generate

__all__ = ["KINDS", "SynthResult", "generate"]
