"""The requirement helper: a missing program skips a test, and fails it under strict mode."""

from __future__ import annotations

import pytest
from _pytest.outcomes import Failed, Skipped

from tests import conftest

ABSENT = (lambda: False, "a program nobody has (Debian: none-such)")


def test_a_missing_program_fails_the_test_under_strict_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(conftest.REQUIREMENTS, "none-such", ABSENT)
    monkeypatch.setattr(conftest, "STRICT", True)
    with pytest.raises(Failed, match=r"GUWAH_STRICT_TESTS=1 .*a program nobody has"):
        conftest.require("none-such")


def test_a_missing_program_skips_the_test_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(conftest.REQUIREMENTS, "none-such", ABSENT)
    monkeypatch.setattr(conftest, "STRICT", False)
    with pytest.raises(Skipped, match="needs a program nobody has"):
        conftest.require("none-such")


def test_a_present_program_lets_the_test_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(conftest.REQUIREMENTS, "always", (lambda: True, "nothing"))
    monkeypatch.setattr(conftest, "STRICT", True)
    conftest.require("always")  # returns: nothing raised


def test_every_marker_names_a_known_requirement(request: pytest.FixtureRequest) -> None:
    for item in request.session.items:
        for mark in item.iter_markers("requires"):
            assert set(mark.args) <= set(conftest.REQUIREMENTS), (item.nodeid, mark.args)
