"""Migrations: one line of revisions, each up and down on SQLite and PostgreSQL, and old cases
(the oldest revision, the two old branch heads) opened and upgraded with their data intact."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text

from guwah.case import Case, CaseError
from guwah.config import CONFIG_NAME, Settings
from guwah.core import case_lock
from guwah.store.db import MIGRATIONS
from tests.conftest import pg_database, run_cli

OLDEST_TABLES = {"sources", "items", "occurrences", "custody_events", "runs", "pages", "sheets"}
RECORDS_TABLES = {"people", "records", "record_values", "column_maps", "sheet_layouts"}
VERIFY_TABLES = {"findings", "finding_items", "check_runs", "image_hashes"}


def alembic_cfg(url: str, location: Path = MIGRATIONS) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(location))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def revisions_in_order(location: Path = MIGRATIONS) -> list[str]:
    script = ScriptDirectory.from_config(alembic_cfg("sqlite://", location))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def stamped(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}


def bare_case(root: Path) -> Path:
    """A case directory with settings and no database yet (as ``guwah init`` leaves it)."""
    for sub in ("evidence", "derived", "tmp"):
        (root / sub).mkdir(parents=True)
    (root / CONFIG_NAME).write_text(Settings().dump(), encoding="utf-8")
    return root


def fill_oldest(engine: Engine) -> None:
    """Rows of a leak preserved by guwah 0.1 (revision 0001): a source, an item, its path."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sources (id, uri, kind, custodian, note, created_at) "
                "VALUES (1, '/leak', 'dir', 'A. Researcher', 'received', '2022-05-24 10:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO items (id, sha256, md5, sha1, size, mime, magic, status, meta, "
                "created_at) VALUES (1, :sha, :md5, :sha1, 11, 'text/plain', 'ASCII text', 'ok', "
                "'{\"encoding\": \"ascii\"}', '2022-05-24 10:00:01')"
            ),
            {"sha": "a" * 64, "md5": "b" * 32, "sha1": "c" * 40},
        )
        conn.execute(
            text(
                "INSERT INTO occurrences (id, source_id, item_id, path, depth, extension, "
                "extension_mismatch, status, created_at) "
                "VALUES (1, 1, 1, 'notes.txt', 0, 'txt', :no, 'ok', '2022-05-24 10:00:01')"
            ),
            {"no": False},
        )


def test_the_history_is_one_line() -> None:
    script = ScriptDirectory.from_config(alembic_cfg("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()
    assert len(script.get_bases()) == 1, script.get_bases()
    for rev in script.walk_revisions():
        down = rev.down_revision
        assert down is None or isinstance(down, str), f"{rev.revision} merges {down}"
        assert len(rev.nextrev) <= 1, f"{rev.revision} branches into {sorted(rev.nextrev)}"
    assert revisions_in_order()[:3] == ["0001", "0002", "0003"]


def test_a_case_made_at_the_oldest_revision_opens_upgraded_with_its_data(tmp_path: Path) -> None:
    root = bare_case(tmp_path / "old")
    url = f"sqlite:///{root / 'guwah.db'}"
    command.upgrade(alembic_cfg(url), "0001")
    engine = create_engine(url)
    fill_oldest(engine)
    assert tables(engine) >= OLDEST_TABLES and not tables(engine) & RECORDS_TABLES

    case = Case.open(root)
    head = revisions_in_order()[-1]
    assert stamped(case.engine) == {head}
    assert tables(case.engine) >= OLDEST_TABLES | RECORDS_TABLES | VERIFY_TABLES
    with case.engine.connect() as conn:
        item = conn.execute(text("SELECT sha256, size, meta FROM items")).one()
        path = conn.execute(text("SELECT path, source_id FROM occurrences")).one()
        source = conn.execute(text("SELECT uri, custodian FROM sources")).one()
    assert tuple(item) == ("a" * 64, 11, '{"encoding": "ascii"}')
    assert tuple(path) == ("notes.txt", 1)
    assert tuple(source) == ("/leak", "A. Researcher")
    # the commands read it like any case
    out = " ".join(run_cli("status", "--case", root).stdout.split())
    assert "1 originals (11 B) at 1 paths from 1 source(s)" in out, out
    assert Case.open(root).engine is not case.engine  # a second open finds it at head


def old_branched_migrations(tmp_path: Path) -> Path:
    """The migrations as guwah 0.1 had them: 0002 (records) and 0003 (verify) both on 0001."""
    location = tmp_path / "migrations-0.1"
    shutil.copytree(MIGRATIONS, location, ignore=shutil.ignore_patterns("__pycache__"))
    for extra in (location / "versions").glob("*.py"):
        if extra.name[:4] not in ("0001", "0002", "0003"):
            extra.unlink()  # later revisions did not exist then
    verify = location / "versions" / "0003_findings.py"
    source = verify.read_text(encoding="utf-8")
    assert 'down_revision: str | None = "0002"' in source
    verify.write_text(
        source.replace('down_revision: str | None = "0002"', 'down_revision: str | None = "0001"'),
        encoding="utf-8",
    )
    return location


@pytest.mark.parametrize("heads", [("0002", "0003"), ("0003",), ("0002",)])
def test_a_case_stamped_at_the_old_branch_heads_upgrades(
    tmp_path: Path, heads: tuple[str, ...]
) -> None:
    old = old_branched_migrations(tmp_path)
    root = bare_case(tmp_path / "case")
    url = f"sqlite:///{root / 'guwah.db'}"
    for head in heads:
        command.upgrade(alembic_cfg(url, old), head)
    engine = create_engine(url)
    assert stamped(engine) == set(heads)
    fill_oldest(engine)
    if "0003" in heads:
        with engine.begin() as conn:
            conn.execute(
                text(
                    'INSERT INTO findings (id, "check", kind, severity, title, explanation, '
                    "compared, created_at) VALUES (7, 'ids', 'bad_check_digit', 'error', 't', "
                    "'e', '{}', '2022-05-25 00:00:00')"
                )
            )

    case = Case.open(root)
    assert stamped(case.engine) == {revisions_in_order()[-1]}
    assert tables(case.engine) >= OLDEST_TABLES | RECORDS_TABLES | VERIFY_TABLES
    with case.engine.connect() as conn:
        assert conn.execute(text("SELECT sha256 FROM items")).scalar_one() == "a" * 64
        findings = conn.execute(text("SELECT id, kind FROM findings")).all()
        people = conn.execute(text("SELECT count(*) FROM people")).scalar_one()
    assert [tuple(f) for f in findings] == ([(7, "bad_check_digit")] if "0003" in heads else [])
    assert people == 0
    # and the records stage can write to the tables it got
    run_cli("records", "--case", root)


def test_opening_a_current_case_needs_no_lock_an_old_one_takes_it(tmp_path: Path) -> None:
    current = Case.init(tmp_path / "current")
    with case_lock(current):
        assert Case.open(current.root).root == current.root  # no migration, no lock needed
    root = bare_case(tmp_path / "old")
    command.upgrade(alembic_cfg(f"sqlite:///{root / 'guwah.db'}"), "0001")
    holder = Case(root=root, settings=Settings())
    with case_lock(holder), pytest.raises(CaseError, match="another guwah command is writing"):
        Case.open(root)
    assert stamped(Case.open(root).engine) == {revisions_in_order()[-1]}


def schema(engine: Engine) -> dict[str, tuple[Any, ...]]:
    """Every table's columns (name, type, nullable) and indexes (name, columns, unique)."""
    insp = inspect(engine)
    out: dict[str, tuple[Any, ...]] = {}
    for table in tables(engine):
        columns = tuple((c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table))
        indexes = tuple(
            sorted(
                (str(i["name"]), tuple(map(str, i["column_names"])), bool(i["unique"]))
                for i in insp.get_indexes(table)
            )
        )
        out[table] = (columns, indexes)
    return out


def walk_up_and_down(url: str) -> None:
    """Every revision upgrades from the one before it and downgrades back to it exactly:
    the same tables, columns and indexes as before it ran."""
    cfg = alembic_cfg(url)
    engine = create_engine(url)
    seen: list[set[str]] = [set()]
    shapes: list[dict[str, tuple[Any, ...]]] = [{}]
    for rev in revisions_in_order():
        command.upgrade(cfg, rev)
        assert stamped(engine) == {rev}
        now = tables(engine)
        assert now > seen[-1], f"{rev} added no table"  # every revision so far adds tables
        seen.append(now)
        shapes.append(schema(engine))
    for rev, before, shape in zip(
        reversed(revisions_in_order()), reversed(seen[:-1]), reversed(shapes[:-1]), strict=True
    ):
        command.downgrade(cfg, "-1")
        assert tables(engine) == before, f"downgrading {rev}"
        assert schema(engine) == shape, f"downgrading {rev} left another schema"
        command.upgrade(cfg, rev)  # and up again, as it was
        assert stamped(engine) == {rev}
        command.downgrade(cfg, "-1")
    assert tables(engine) == set()
    command.upgrade(cfg, "head")
    assert tables(engine) == seen[-1] and schema(engine) == shapes[-1]
    engine.dispose()


def test_each_revision_upgrades_and_downgrades_on_sqlite(tmp_path: Path) -> None:
    walk_up_and_down(f"sqlite:///{tmp_path / 'walk.db'}")


@pytest.fixture
def pg_walk_url(pg_url: str) -> Iterator[str]:
    yield pg_database(pg_url, "guwah_migrations").replace("postgresql://", "postgresql+psycopg://")


def test_each_revision_upgrades_and_downgrades_on_postgresql(pg_walk_url: str) -> None:
    walk_up_and_down(pg_walk_url)


def test_an_old_case_on_postgresql_opens_upgraded(tmp_path: Path, pg_url: str) -> None:
    url = pg_database(pg_url, "guwah_old_case")
    root = tmp_path / "case"
    for sub in ("evidence", "derived", "tmp"):
        (root / sub).mkdir(parents=True)
    (root / CONFIG_NAME).write_text(Settings(database_url=url).dump(), encoding="utf-8")
    sa_url = url.replace("postgresql://", "postgresql+psycopg://")
    command.upgrade(alembic_cfg(sa_url, old_branched_migrations(tmp_path)), "0003")
    fill_oldest(create_engine(sa_url))
    case = Case.open(root)
    assert stamped(case.engine) == {revisions_in_order()[-1]}
    assert tables(case.engine) >= OLDEST_TABLES | RECORDS_TABLES | VERIFY_TABLES
    with case.engine.connect() as conn:
        assert conn.execute(text("SELECT uri FROM sources")).scalar_one() == "/leak"
    case.engine.dispose()


def test_a_case_whose_database_is_gone_is_refused_not_recreated(tmp_path: Path) -> None:
    case = Case.init(tmp_path / "case")
    case.engine.dispose()
    (case.root / "guwah.db").rename(tmp_path / "moved.db")
    with pytest.raises(CaseError, match="guwah.db is missing"):
        Case.open(case.root)
    assert not (case.root / "guwah.db").exists()
    proc = run_cli("status", "--case", case.root, check=False)
    assert proc.returncode == 2 and "restore it from a backup" in " ".join(proc.stderr.split())


def test_an_unreachable_database_server_is_a_case_error(tmp_path: Path) -> None:
    root = bare_case(tmp_path / "case")
    url = f"postgresql://nobody@/guwah?host={tmp_path / 'no-server'}&port=1"
    (root / CONFIG_NAME).write_text(Settings(database_url=url).dump(), encoding="utf-8")
    with pytest.raises(CaseError, match="cannot open the database of"):
        Case.open(root)


def test_a_case_from_a_build_with_revisions_this_one_lacks_is_a_clear_error(
    tmp_path: Path,
) -> None:
    case = Case.init(tmp_path / "case")
    with case.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'elsewhere_1'"))
    case.engine.dispose()
    r = run_cli("status", "--case", case.root, check=False)
    assert r.returncode == 2, r.stderr
    assert "elsewhere_1" in r.stderr and "cannot upgrade" in r.stderr
    assert "Traceback" not in r.stderr
