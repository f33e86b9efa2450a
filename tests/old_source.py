"""Today's src/ with one package as it was at an earlier commit, out of this repository's
history: the tests that compare a rewritten stage with its old algorithm run the old package
inside today's tree, so only that algorithm differs (the schema and the other stages are
today's)."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from io import BytesIO
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def source_with_old_package(tmp: Path, commit: str, package: str) -> Path:
    """A copy of src/ under ``tmp`` whose ``guwah/<package>`` is the one of ``commit``."""
    out = tmp / "before"
    shutil.copytree(REPO / "src", out / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(out / "src" / "guwah" / package)
    try:
        tar = subprocess.run(
            ["git", "-C", str(REPO), "archive", commit, f"src/guwah/{package}"],
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.fail(
            f"needs commit {commit} in the repository's history (a full clone, "
            f"fetch-depth 0) to run the old {package} code: {exc}",
            pytrace=False,
        )
    with tarfile.open(fileobj=BytesIO(tar)) as t:
        t.extractall(out, filter="data")
    return out / "src"
