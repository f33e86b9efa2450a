"""``guwah.toml``: defaults, overrides, and every mistake an error that names the key and file."""

from __future__ import annotations

from pathlib import Path

import pytest

from guwah.case import Case, CaseError
from guwah.config import CONFIG_NAME, ConfigError, Settings
from tests.conftest import run_cli


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / CONFIG_NAME).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_new_case_has_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUWAH_DATABASE_URL", raising=False)
    case = Case.init(tmp_path / "case")
    settings = Settings.load(case.root)
    assert settings.workers == 0 and settings.ocr_enabled is True
    assert settings.ocr_languages == "chi_sim+uig+eng"
    assert settings.limits.max_archive_depth == 5
    assert settings.limits.max_member_bytes == 4 * 1024**3
    assert settings.limits.item_timeout_s == 300.0
    assert "[limits]" in (case.root / CONFIG_NAME).read_text(encoding="utf-8")


def test_no_file_means_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUWAH_DATABASE_URL", raising=False)
    assert Settings.load(tmp_path) == Settings()


def test_valid_overrides_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUWAH_DATABASE_URL", raising=False)
    settings = Settings.load(
        write(
            tmp_path,
            'custodian = "B. Investigator"\nworkers = 3\nocr_enabled = false\n'
            'ocr_languages = "chi_tra+eng"\n\n[limits]\nmax_pdf_pages = 10\n'
            "max_expansion_ratio = 50\nitem_timeout_s = 12.5\nmax_archive_depth = 0\n",
        )
    )
    assert settings.custodian == "B. Investigator" and settings.workers == 3
    assert settings.ocr_enabled is False and settings.ocr_languages == "chi_tra+eng"
    assert settings.limits.max_pdf_pages == 10
    assert settings.limits.max_expansion_ratio == 50.0
    assert isinstance(settings.limits.max_expansion_ratio, float)  # an integer is a number
    assert settings.limits.item_timeout_s == 12.5
    assert settings.limits.max_archive_depth == 0
    assert settings.limits.max_sheet_cells == 5_000_000  # untouched keys keep their default


def test_the_environment_overrides_the_database_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUWAH_DATABASE_URL", "postgresql://db.example/guwah")
    settings = Settings.load(write(tmp_path, 'database_url = "sqlite:///x.db"\n'))
    assert settings.database_url == "postgresql://db.example/guwah"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("workerz = 2\n", "unknown key 'workerz'"),
        ("[limits]\nmax_pdf_page = 10\n", "unknown key 'limits.max_pdf_page'"),
        ("[limit]\nmax_pdf_pages = 10\n", "unknown table [limit]"),
        ("[ocr]\nlanguages = 'eng'\n", "unknown table [ocr]"),
        ("[limits.nested]\nx = 1\n", "unknown table [limits.nested]"),
        ("limits = 5\n", "'limits' must be a table"),
        ('workers = "4"\n', "'workers' must be a whole number, not '4' (str)"),
        ("workers = 2.5\n", "'workers' must be a whole number, not 2.5 (float)"),
        ("workers = true\n", "'workers' must be a whole number, not True (bool)"),
        ("ocr_enabled = 1\n", "'ocr_enabled' must be true or false, not 1 (int)"),
        ("custodian = 7\n", "'custodian' must be a string, not 7 (int)"),
        ("[limits]\nmax_member_bytes = '4 GB'\n", "'limits.max_member_bytes' must be a whole"),
        ("[limits]\nitem_timeout_s = 'soon'\n", "'limits.item_timeout_s' must be a number"),
        ("[limits]\nmax_pdf_pages = -1\n", "'limits.max_pdf_pages' must not be negative"),
        ("[limits]\nocr_timeout_s = -0.5\n", "'limits.ocr_timeout_s' must not be negative"),
        ("workers = -2\n", "'workers' must not be negative"),
        ("workers = \n", "is not valid TOML"),
    ],
)
def test_a_mistake_is_an_error_naming_the_key_and_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text) / CONFIG_NAME
    with pytest.raises(ConfigError) as info:
        Settings.load(tmp_path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_an_unknown_key_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"known keys: .*limits\.max_pdf_pages"):
        Settings.load(write(tmp_path, "[limits]\nmax_pages = 1\n"))


def test_a_command_on_a_mistyped_case_exits_2_with_the_message(tmp_path: Path) -> None:
    case = Case.init(tmp_path / "case")
    config = case.root / CONFIG_NAME
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "max_pdf_pages = 5000", 'max_pdf_pages = "5000"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(CaseError, match="limits.max_pdf_pages"):
        Case.open(case.root)
    proc = run_cli("status", "--case", case.root, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    err = " ".join(proc.stderr.split())
    assert "'limits.max_pdf_pages' must be a whole number" in err
    assert CONFIG_NAME in err
