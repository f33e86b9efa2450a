"""Packages whose public names load on first use, so that ``guwah --help`` stays fast.

A package's ``__init__`` lists what it exports and from which submodule, and calls
:func:`lazy_package`; ``from guwah.names import score`` then imports ``guwah.names.match``
only when it runs, while ``import guwah.names.command`` (the CLI) costs nothing. An export
that shares its name with a submodule (``guwah.names.parse``, the function, and
``guwah/names/parse.py``) stays the function, as an eager ``from .parse import parse``
would leave it. This module imports only the standard library.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


class _LazyPackage(types.ModuleType):
    _lazy_exports: dict[str, str]

    def __getattr__(self, name: str) -> Any:
        exports = self.__dict__.get("_lazy_exports", {})
        if name not in exports:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name], self.__name__), name)
        super().__setattr__(name, value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        # the import system binds each loaded submodule on its package: keep the export
        if isinstance(value, types.ModuleType) and name in self.__dict__.get("_lazy_exports", {}):
            return
        super().__setattr__(name, value)

    def __dir__(self) -> list[str]:
        return sorted({*self.__dict__, *self.__dict__.get("_lazy_exports", {})})


def lazy_package(package: str, exports: dict[str, str]) -> None:
    """Make ``package`` (its ``__name__``) load each export from its submodule on first use.

    ``exports`` maps a public name to the relative module that defines it (``".match"``).
    """
    module = sys.modules[package]
    module.__class__ = _LazyPackage
    module.__dict__["_lazy_exports"] = dict(exports)
