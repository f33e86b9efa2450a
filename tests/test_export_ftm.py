"""``guwah export ftm`` on the small synthetic leak (seed 3) with the officials built, known
officials imported and the real OFAC SDN file imported: the export read back with
followthemoney's own model, property by property against the case (FtM's cleaning drops
invalid values silently, so a file that loads proves nothing by itself)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model
from followthemoney.statement.serialize import read_json_statements
from followthemoney.types import registry
from sqlalchemy import select

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.pipeline import ingest
from guwah.lists.stage import import_list
from guwah.officials.known import import_known
from guwah.officials.stage import build
from guwah.store.models import CustodyEvent, Item, Person, PersonName
from guwah.store.models_officials import Official, OfficialMention, OfficialPost

from .conftest import run_cli
from .test_officials import KNOWN, OFAC, SPEECH
from .web_case import copy_case, web_case

# A published official whose name, as a reviewer's CSV might hold it, carries a quotation
# mark, a line break and control characters (BEL, ESC): it must come out as valid JSON.
HOSTILE = 'Ma "the Quote"\nNew\x07line\x1b[31m'
DOCUMENT_SCHEMAS = {"Document", "Pages", "Image", "Table"}


def stable_id(kind: str, *key: str) -> str:
    """The documented id: ``guwah-<kind>-`` + the first 40 hex digits of the SHA-256 of
    the guwah key (parts joined by U+001F)."""
    return f"guwah-{kind}-" + hashlib.sha256("\x1f".join(key).encode()).hexdigest()[:40]


@dataclass
class Built:
    case: Case
    truth: dict[str, Any]
    plain: Path
    plain_again: Path
    detainees: Path
    pseudonymised: Path
    statements: Path


def _read(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]  # every line valid JSON on its own


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    shared = web_case(tmp_path_factory)
    tmp = tmp_path_factory.mktemp("ftm")
    case = copy_case(shared.case, tmp / "case")
    extra = tmp / "more"
    (extra / "内部讲话").mkdir(parents=True)
    (extra / "内部讲话" / "speech.txt").write_text(SPEECH, encoding="utf-8")
    ex = ProcessExecutor(workers=2)
    try:
        ingest(case, [extra], executor=ex)
    finally:
        ex.close()
    import_list(case, OFAC, "ofac-csv", name="ofac", as_of="2024-05-03")
    known = tmp / "known.csv"
    hostile_row = '"' + HOSTILE.replace('"', '""') + '",,1960,局长,疏附县公安局,2017,2018,test\n'
    known.write_text(KNOWN + hostile_row, encoding="utf-8")
    import_known(case, known)
    build(case)
    out = tmp / "out"
    out.mkdir()
    run_cli("export", "ftm", out / "plain.jsonl", "--case", case.root)
    build(case)  # a rebuild renumbers the registry's rows; the ids must not move
    run_cli("export", "ftm", out / "again.jsonl", "--case", case.root)
    run_cli("export", "ftm", out / "detainees.jsonl", "--detainees", "--case", case.root)
    run_cli(
        "export", "ftm", out / "pseudo.jsonl", "--detainees", "--pseudonymise", "--case", case.root
    )
    run_cli("export", "ftm", out / "statements.jsonl", "--statements", "--case", case.root)
    return Built(
        case,
        shared.truth,
        out / "plain.jsonl",
        out / "again.jsonl",
        out / "detainees.jsonl",
        out / "pseudo.jsonl",
        out / "statements.jsonl",
    )


def test_every_entity_survives_followthemoneys_own_cleaning(built: Built) -> None:
    for path in (built.plain, built.detainees, built.pseudonymised):
        data = _read(path)
        assert len(data) > 50
        for d in data:
            trusted = model.get_proxy(d)
            cleaned = model.get_proxy(d, cleaned=False)  # type-checks and cleans every value
            assert cleaned.id == d["id"] == trusted.id
            assert cleaned.schema.name == d["schema"]
            for prop, values in d["properties"].items():
                assert cleaned.get(prop) == values, (d["schema"], prop, values)
            assert cleaned.properties == trusted.properties
            assert d["origin"], d["id"]  # every entity says where its values came from


def _by_id(data: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in data}


def test_officials_names_posts_and_dates(built: Built) -> None:
    ents = _by_id(_read(built.plain))
    with built.case.sessions() as s:
        offs = s.scalars(select(Official)).all()
        assert len(offs) > 5
        posts = s.scalars(select(OfficialPost)).all()
        for o in offs:
            p = ents[stable_id("official", o.key)]
            assert p["schema"] == "Person"
            props = p["properties"]
            names = {registry.name.clean(n) for n in {o.name, *o.names}}
            assert set(props["name"]) | set(props.get("alias", [])) == names
            assert props.get("birthDate") == ([o.birth_date] if o.birth_date else None)
            assert "role.pep" in props["topics"]
        occupancies = [d for d in ents.values() if d["schema"] == "Occupancy"]
        assert len(occupancies) == len(posts)
        for post in posts:
            holder = stable_id("official", s.get(Official, post.official_id).key)  # type: ignore[union-attr]
            (occ,) = [
                d
                for d in occupancies
                if d["properties"]["holder"] == [holder]
                and ents[d["properties"]["post"][0]]["properties"]["name"]
                == ["".join(x for x in (post.unit, post.title) if x)]
            ]
            assert occ["properties"].get("startDate") == (
                [post.date_from] if post.date_from else None
            )
            assert occ["properties"].get("endDate") == ([post.date_to] if post.date_to else None)
            position = ents[occ["properties"]["post"][0]]
            if post.unit:
                unit = ents[position["properties"]["organization"][0]]
                assert unit["schema"] == "PublicBody" and unit["properties"]["name"] == [post.unit]


def test_content_hash_is_the_sha256_of_the_stored_original(built: Built) -> None:
    data = _read(built.plain)
    docs = [d for d in data if d["schema"] in DOCUMENT_SCHEMAS]
    with built.case.sessions() as s:
        mentioned = set(s.scalars(select(OfficialMention.sha256)))
        stored = set(s.scalars(select(Item.sha256)))
    assert {d["properties"]["contentHash"][0] for d in docs} == mentioned
    for d in docs:
        (sha,) = d["properties"]["contentHash"]
        assert sha in stored
        blob = built.case.blobs.path_for(sha).read_bytes()
        assert hashlib.sha256(blob).hexdigest() == sha  # the original itself, hashed again
        assert d["id"] == stable_id("doc", sha)
    assert any(d["schema"] == "Table" for d in docs)  # the rosters' sheets


def test_mentions_and_documentation_point_at_existing_entities(built: Built) -> None:
    data = _read(built.plain)
    ents = _by_id(data)
    with built.case.sessions() as s:
        n_mentions = s.query(OfficialMention).count()
    mentions = [d for d in data if d["schema"] == "Mention"]
    documentation = [d for d in data if d["schema"] == "Documentation"]
    assert len(mentions) == len(documentation) == n_mentions
    for d in mentions:
        assert ents[d["properties"]["document"][0]]["schema"] in DOCUMENT_SCHEMAS
        assert ents[d["properties"]["resolved"][0]]["schema"] == "Person"
    for d in documentation:
        doc = ents[d["properties"]["document"][0]]
        assert doc["schema"] in DOCUMENT_SCHEMAS
        assert d["properties"]["entity"][0] in ents and d["properties"]["role"]
        # provenance: the statement origin names the same original's SHA-256 and its place
        (origin,) = d["origin"]
        assert origin.startswith("sha256:" + doc["properties"]["contentHash"][0] + "#")
        assert re.search(r"#(page=\d+&chars=\d+-\d+|sheet=\d+&row=\d+&col=\d+)", origin)
    for d in data:  # every link of every entity lands on an entity of the file
        proxy = model.get_proxy(d)
        for prop, value in proxy.itervalues():
            if prop.type == registry.entity:
                assert value in ents, (d["schema"], prop.name, value)


def test_no_detainee_without_the_flag_and_detainees_with_it(built: Built) -> None:
    with built.case.sessions() as s:
        n_officials = s.query(Official).count()
        detained = s.scalars(select(Person).where(Person.detained.is_(True))).all()
        assert detained
        names = {p.name for p in detained if p.name}
    persons = [d for d in _read(built.plain) if d["schema"] == "Person"]
    assert len(persons) == n_officials
    assert all(d["id"].startswith("guwah-official-") for d in persons)
    with_them = [d for d in _read(built.detainees) if d["schema"] == "Person"]
    detainees = [d for d in with_them if d["id"].startswith("guwah-detainee-")]
    assert len(with_them) == n_officials + len(detainees) and len(detainees) == len(detained)
    assert names == {d["properties"]["name"][0] for d in detainees}


def test_pseudonymised_export_has_pseudonyms_and_no_real_names(built: Built) -> None:
    data = _read(built.pseudonymised)
    text = built.pseudonymised.read_text(encoding="utf-8")
    with built.case.sessions() as s:
        officials = {n for o in s.scalars(select(Official)) for n in {o.name, *o.names}}
        real = {n for n in s.scalars(select(PersonName.name)) if len(n) >= 3}
        real |= {p.name for p in s.scalars(select(Person)) if p.name and len(p.name) >= 3}
        ids = {p.id_number for p in s.scalars(select(Person)) if p.id_number}
    real -= officials  # a public official may share a name; officials stay named
    assert real and ids
    leaked = sorted(n for n in real if n in text)
    assert not leaked, leaked[:5]
    assert not [i for i in ids if i in text]
    pseudonyms = [
        d for d in data if d["schema"] == "Person" and d["id"].startswith("guwah-detainee-")
    ]
    assert pseudonyms
    for d in pseudonyms:
        (name,) = d["properties"]["name"]
        assert re.fullmatch(r"P-[A-Z2-7]{8}", name)
        assert all(len(b) == 4 for b in d["properties"].get("birthDate", []))
        assert "idNumber" not in d["properties"]


def test_a_sanction_for_chen_quanguo_from_ofac_and_none_for_zhao_kezhi(built: Built) -> None:
    data = _read(built.plain)
    ents = _by_id(data)
    chen = next(d for d in data if d["schema"] == "Person" and "陈全国" in d["properties"]["name"])
    zhao = next(d for d in data if d["schema"] == "Person" and "赵克志" in d["properties"]["name"])
    sanctions = [d for d in data if d["schema"] == "Sanction"]
    (s,) = [d for d in sanctions if d["properties"]["entity"] == [chen["id"]]]
    assert s["properties"]["authority"] == ["ofac"] and s["properties"]["status"] == ["listed"]
    assert "CHEN, Quanguo" in s["properties"]["summary"][0]
    # provenance: the list version and the SHA-256 of the real OFAC file it came from
    ofac_sha = hashlib.sha256(OFAC.read_bytes()).hexdigest()
    (origin,) = s["origin"]
    assert origin.startswith("list:ofac@2024-05-03#") and f"sha256:{ofac_sha}#" in origin
    assert not [d for d in sanctions if d["properties"]["entity"] == [zhao["id"]]]
    assert all(ents[d["properties"]["entity"][0]] for d in sanctions)
    assert {"Chen Quanguo", "陳全國"} <= set(chen["properties"]["alias"])


def test_ids_stable_across_exports_and_a_rebuild(built: Built) -> None:
    first, again = _read(built.plain), _read(built.plain_again)
    assert [d["id"] for d in first] == [d["id"] for d in again]
    assert first == again  # the same case gives the same file, line for line
    assert built.plain.read_bytes() == built.plain_again.read_bytes()
    ids = [d["id"] for d in first]
    assert len(ids) == len(set(ids))


def test_hostile_name_round_trips(built: Built) -> None:
    data = _read(built.plain)
    (p,) = [
        d
        for d in data
        if d["schema"] == "Person" and any("Quote" in n for n in d["properties"]["name"])
    ]
    assert p["properties"]["name"] == [registry.name.clean(HOSTILE)]
    assert "\n" not in p["properties"]["name"][0] and "\x07" not in p["properties"]["name"][0]
    # the statements keep the value exactly as the case holds it
    with built.statements.open("rb") as fh:
        stmts = list(read_json_statements(fh, max_line=10_000_000))
    (name,) = [st for st in stmts if st.entity_id == p["id"] and st.prop == "name"]
    assert name.original_value == HOSTILE and name.origin == "import:test"


def test_statements_each_carry_an_origin(built: Built) -> None:
    with built.statements.open("rb") as fh:
        stmts = [st for st in read_json_statements(fh, max_line=10_000_000) if st.prop != "id"]
    entities = {d["id"]: d for d in _read(built.plain)}
    assert {st.entity_id for st in stmts} == set(entities)
    with built.case.sessions() as s:
        stored = set(s.scalars(select(Item.sha256)))
    for st in stmts:
        assert st.origin, st
        if st.origin.startswith("sha256:"):
            assert st.origin[7:71] in stored
        assert st.value in entities[st.entity_id]["properties"][st.prop]


def test_the_export_is_on_the_custody_log_and_the_audit_record(built: Built) -> None:
    with built.case.sessions() as s:
        events = s.scalars(select(CustodyEvent).where(CustodyEvent.event == "exported_ftm")).all()
        assert [e.details["file"] for e in events] == [
            "plain.jsonl",
            "again.jsonl",
            "detainees.jsonl",
            "pseudo.jsonl",
            "statements.jsonl",
        ]
        assert events[3].details["pseudonymised"] is True and events[3].details["detainees"]
    from guwah.store.models_access import AuditEvent

    with built.case.sessions() as s:
        queries = [
            a.query for a in s.scalars(select(AuditEvent).where(AuditEvent.action == "export"))
        ]
    assert "export ftm --detainees --pseudonymise" in queries


def test_bad_requests_are_refused_with_what_to_do(built: Built, tmp_path: Path) -> None:
    out = built.plain
    before = out.read_bytes()
    again = run_cli("export", "ftm", out, "--case", built.case.root, check=False)
    assert again.returncode != 0 and "already exists" in again.stderr
    assert out.read_bytes() == before  # nothing overwritten
    missing = run_cli(
        "export", "ftm", tmp_path / "no" / "x.jsonl", "--case", built.case.root, check=False
    )
    assert missing.returncode != 0 and "no such directory" in missing.stderr
    empty = tmp_path / "empty"
    run_cli("init", empty)
    none = run_cli("export", "ftm", tmp_path / "e.jsonl", "--case", empty, check=False)
    assert none.returncode != 0 and "guwah officials build" in " ".join(none.stderr.split())
    assert not list(tmp_path.glob("*.jsonl*"))  # no half-written file left behind
