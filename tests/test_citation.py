"""Custody and citation in the workbench: "cite this" for an item (at a place in it), a
record, a finding and a person; the item's whole chain of custody with the custodian as
given at ingest — over the shared synthetic case, and over a case of real files ingested
with a custodian and a note, as a user runs it."""

from __future__ import annotations

import getpass
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from guwah import __version__
from guwah.case import Case
from guwah.cellrefs import col_letter
from guwah.store.models import (
    CustodyEvent,
    FindingItem,
    FindingRow,
    Item,
    Occurrence,
    Person,
    PersonSource,
    Record,
    Sheet,
)
from guwah.web.app import create_app
from tests.conftest import run_cli, write_small_leak
from tests.web_case import WebCase, copy_case, exif_finding, web_case

BASE = "http://127.0.0.1:8000"
PASSWORD = "correct horse battery staple"
CUSTODIAN = "A. Researcher"
NOTE = "received 2022-05-24 on a USB stick, sealed bag 7"
HOSTILE = "<img src=x onerror=alert(1)>\u202egpj.txt"  # markup and a right-to-left override


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> WebCase:
    return web_case(tmp_path_factory)


@pytest.fixture(scope="module")
def client(built: WebCase) -> Iterator[TestClient]:
    with TestClient(create_app(built.case), base_url=BASE) as c:
        yield c


def _add_users(root: Path, *users: tuple[str, str]) -> None:
    for name, role in users:
        run_cli("users", "add", name, "--role", role, "--password-stdin", "--case", root,
                input=PASSWORD + "\n")  # fmt: skip


@pytest.fixture(scope="module")
def team(built: WebCase, tmp_path_factory: pytest.TempPathFactory) -> Case:
    root = tmp_path_factory.mktemp("cite-team") / "case"
    copy_case(built.case, root)
    _add_users(root, ("ivan", "investigator"), ("vera", "viewer"))
    return Case.open(root)


@pytest.fixture(scope="module")
def received(tmp_path_factory: pytest.TempPathFactory) -> Case:
    """Real files ingested by the CLI with a custodian and a note, verified afterwards
    without one (as whoever is logged in to the machine), with a team of users."""
    tmp = tmp_path_factory.mktemp("cite-received")
    leak = write_small_leak(tmp / "leak")
    (leak / HOSTILE).write_text("a file with a hostile name\n", encoding="utf-8")
    root = tmp / "case"
    run_cli("init", root)
    run_cli("ingest", leak, "--custodian", CUSTODIAN, "--note", NOTE, "--case", root)
    run_cli("verify", "--no-index", "--workers", "1", "--case", root)
    _add_users(root, ("ivan", "investigator"))
    return Case.open(root)


def _login(client: TestClient, name: str) -> None:
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf, form.text
    r = client.post(
        "/login", data={"name": name, "password": PASSWORD, "csrf": csrf.group(1), "next": "/"}
    )
    assert r.status_code == 303, r.text


def _head(case: Case) -> tuple[int, str]:
    with case.sessions() as s:
        ev = s.scalars(select(CustodyEvent).order_by(CustodyEvent.seq.desc())).first()
        assert ev is not None
        return ev.seq, ev.hash


def _first_path(case: Case, sha: str) -> str:
    with case.sessions() as s:
        path = s.scalar(
            select(Occurrence.path)
            .join(Item, Item.id == Occurrence.item_id)
            .where(Item.sha256 == sha)
            .order_by(Occurrence.id)
        )
        assert path
        return path


def _cite(client: TestClient, **params: Any) -> dict[str, Any]:
    r = client.get("/api/cite", params=params)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def _recent(stamp: str) -> bool:
    at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return at.tzinfo is not None and abs(datetime.now(UTC) - at) < timedelta(minutes=5)


def test_an_item_is_cited_at_its_cell(built: WebCase, client: TestClient) -> None:
    with built.case.sessions() as s:
        rec, sheet, sha = s.execute(
            select(Record, Sheet, Item.sha256)
            .join(Sheet, Sheet.id == Record.sheet_id)
            .join(Item, Item.id == Record.item_id)
            .order_by(Record.id)
        ).first()  # type: ignore[misc]
        custodian = s.scalar(select(CustodyEvent.custodian).where(CustodyEvent.event == "received"))
    cite = _cite(client, item=sha, sheet=sheet.sheet_index, row=rec.row, col=2)
    seq, head = _head(built.case)
    path = _first_path(built.case, sha)
    assert cite["kind"] == "item" and cite["sha256"] == sha and cite["path"] == path
    assert cite["location"]["sheet"] == sheet.name and cite["location"]["row"] == rec.row
    assert cite["location"]["col"] == col_letter(2) == "B"
    assert cite["custody_head"]["seq"] == seq and cite["custody_head"]["hash"] == head
    assert cite["custodian"] == custodian and cite["tool"] == f"guwah {__version__}"
    assert _recent(cite["accessed"])
    text = cite["text"]
    for part in (sha, path, head, f"#{seq}", f"sheet {sheet.name}, row {rec.row}, column B"):
        assert part in text, part
    # the item page, opened at that cell, carries the same citation and the record's
    page = client.get(
        f"/items/{sha}", params={"sheet": sheet.sheet_index, "row": rec.row, "col": 2}
    )
    assert page.status_code == 200
    assert f'<code class="hash" id="cite-sha256">{sha}</code>' in page.text
    assert f'<code class="hash" id="cite-head-hash">{head}</code>' in page.text
    assert "column B" in page.text and f'href="/cite?record={rec.id}"' in page.text
    assert (
        f"/api/cite?item={sha}&amp;sheet={sheet.sheet_index}&amp;row={rec.row}&amp;col=2"
        in page.text
    )


def test_a_photo_is_cited_at_an_exif_tag(built: WebCase, client: TestClient) -> None:
    with built.case.sessions() as s:
        item = next(i for i in s.scalars(select(Item).where(Item.mime == "image/jpeg"))
                    if (i.meta or {}).get("exif"))  # fmt: skip
        tag = next(iter(item.meta["exif"]))
    cite = _cite(client, item=item.sha256, exif_tag=tag)
    assert cite["location"] == {"exif_tag": tag} and f"EXIF tag {tag}" in cite["text"]
    r = client.get("/api/cite", params={"item": item.sha256, "exif_tag": "No Such Tag"})
    assert r.status_code == 404 and "no EXIF tag" in r.json()["detail"]


def test_a_record_a_finding_and_a_person_are_cited(built: WebCase, client: TestClient) -> None:
    with built.case.sessions() as s:
        rec, sheet, sha = s.execute(
            select(Record, Sheet, Item.sha256)
            .join(Sheet, Sheet.id == Record.sheet_id)
            .join(Item, Item.id == Record.item_id)
            .where(Record.person_id.is_not(None))
        ).first()  # type: ignore[misc]
        finding = s.scalars(select(FindingRow).where(FindingRow.check == "near_duplicates")).first()
        assert finding is not None
        involved = [fi.sha256 for fi in s.scalars(
            select(FindingItem).where(FindingItem.finding_id == finding.id).order_by(FindingItem.id)
        )]  # fmt: skip
        person = s.get(Person, rec.person_id)
        assert person is not None
        person_shas = set(s.scalars(
            select(Item.sha256).join(Record, Record.item_id == Item.id)
            .join(PersonSource, PersonSource.record_id == Record.id)
            .where(PersonSource.person_id == person.id)
        ))  # fmt: skip
    seq, head = _head(built.case)

    cite = _cite(client, record=rec.id)
    assert cite["kind"] == "record" and cite["sha256"] == sha
    assert cite["location"] == {
        "sheet": sheet.name,
        "sheet_index": sheet.sheet_index,
        "row": rec.row,
    }
    assert f"Record {rec.id} of person {rec.person_id}" in cite["text"] and head in cite["text"]

    cite = _cite(client, finding=finding.id)
    assert cite["kind"] == "finding" and [i["sha256"] for i in cite["items"]] == involved
    assert len(involved) >= 2 and all(sha in cite["text"] for sha in involved)
    assert finding.title in cite["text"] and cite["custody_head"]["hash"] == head
    page = client.get("/cite", params={"finding": finding.id})
    assert page.status_code == 200 and all(sha in page.text for sha in involved)
    assert f'id="cite-head-seq">{seq}<' in page.text
    # the report and the item page link every finding to its citation
    assert f'href="/cite?finding={finding.id}"' in client.get("/report").text
    assert f'href="/cite?finding={finding.id}"' in client.get(f"/items/{involved[0]}").text

    cite = _cite(client, person=person.id)
    assert cite["kind"] == "person" and person_shas <= {i["sha256"] for i in cite["items"]}
    assert person.name and person.name in cite["text"]
    person_page = client.get(f"/people/{person.id}").text
    assert f'href="/cite?person={person.id}"' in person_page
    assert f'href="/cite?record={rec.id}"' in person_page


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({}, 422, "exactly one"),
        ({"record": 1, "finding": 1}, 422, "exactly one"),
        ({"finding": 999_999_999}, 404, "no finding"),
        ({"person": 999_999_999}, 404, "no person"),
        ({"item": "0" * 64}, 404, "no item"),
        ({"item": "../../etc/passwd"}, 422, ""),
        ({"record": 1, "row": 2}, 422, "places in an item"),
    ],
)
def test_a_citation_of_nothing_is_refused_with_a_reason(
    client: TestClient, params: dict[str, Any], status: int, message: str
) -> None:
    r = client.get("/api/cite", params=params)
    assert r.status_code == status, r.text
    assert message in str(r.json()["detail"])
    assert client.get("/cite", params=params).status_code == status


def test_a_viewer_gets_pseudonymised_citations(team: Case) -> None:
    with team.sessions() as s:
        person = s.scalars(
            select(Person).where(
                Person.id_number.is_not(None), Person.name.is_not(None), Person.n_photos > 0
            )
        ).first()
        assert person is not None and person.name and person.id_number
        photo = s.scalar(
            select(Item.sha256)
            .join(PersonSource, PersonSource.item_id == Item.id)
            .where(PersonSource.person_id == person.id, PersonSource.kind == "photo")
        )
    name, id_number = person.name, person.id_number
    with TestClient(create_app(team), base_url=BASE, follow_redirects=False) as c:
        _login(c, "ivan")  # an investigator's citation names the person
        cite = _cite(c, person=person.id)
        assert name in cite["text"] and id_number in cite["text"]  # the photo's file name
    with TestClient(create_app(team), base_url=BASE, follow_redirects=False) as c:
        _login(c, "vera")
        for params in ({"person": person.id}, {"item": photo}):
            r = c.get("/api/cite", params=params)
            assert r.status_code == 200
            assert name not in r.text and id_number not in r.text
            html = c.get("/cite", params=params)
            assert html.status_code == 200
            assert name not in html.text and id_number not in html.text
        cite = _cite(c, person=person.id)
        assert re.search(r"Person \d+ \(P-[A-Z2-7]{8}\)", cite["text"])
        assert id_number[:10] + "********" in cite["text"]  # masked, region and year kept
        assert cite["sha256"] and cite["custody_head"]["hash"] == _head(team)[1]


def test_custody_is_complete_and_keeps_the_custodian_given_at_ingest(received: Case) -> None:
    """`guwah ingest --custodian --note`, then `guwah verify` with no custodian: every event
    of an item, the receipt of its source with the note included, shows the custodian given
    at ingest — not the machine's login user, nor the user signed in to the workbench."""
    with received.sessions() as s:
        sha = s.scalar(
            select(Item.sha256)
            .join(Occurrence, Occurrence.item_id == Item.id)
            .where(Occurrence.path == "notes.txt")
        )
        source = s.scalar(select(CustodyEvent.source_path).where(CustodyEvent.event == "received"))
        n_events = s.scalar(select(func.count()).select_from(CustodyEvent))
    assert sha and source
    with TestClient(create_app(received), base_url=BASE, follow_redirects=False) as c:
        _login(c, "ivan")
        custody = c.get(f"/api/items/{sha}").json()["custody"]
        events = [e["event"] for e in custody]
        assert events[0] == "received" and {"stored", "extracted", "verified"} <= set(events)
        assert custody[0]["source_path"] == source and custody[0]["note"] == NOTE
        assert [e["seq"] for e in custody] == sorted(e["seq"] for e in custody)
        assert {e["custodian"] for e in custody} == {CUSTODIAN}
        page = c.get(f"/items/{sha}").text
        shown = re.findall(r'class="custodian"><bdi>([^<]*)</bdi>', page)
        assert len(shown) == len(custody) and set(shown) == {CUSTODIAN}
        assert getpass.getuser() not in shown and "ivan" not in shown
        assert NOTE in page and f"source <bdi>{source}</bdi>" in page
        assert _cite(c, item=sha)["custodian"] == CUSTODIAN
    with received.sessions() as s:  # the workbench only read: no custody event was added
        assert s.scalar(select(func.count()).select_from(CustodyEvent)) == n_events
        verified = s.scalars(select(CustodyEvent).where(CustodyEvent.event == "verified")).first()
    # ... and who really ran the step the custodian was inherited for is kept with it
    assert verified is not None and verified.details["run_by"].startswith(getpass.getuser())


def test_a_hostile_file_name_is_cited_escaped(received: Case) -> None:
    with received.sessions() as s:
        sha = s.scalar(
            select(Item.sha256)
            .join(Occurrence, Occurrence.item_id == Item.id)
            .where(Occurrence.path == HOSTILE)
        )
    assert sha
    with TestClient(create_app(received), base_url=BASE, follow_redirects=False) as c:
        _login(c, "ivan")
        assert _cite(c, item=sha)["path"] == HOSTILE  # the JSON keeps it exactly
        for url in (f"/cite?item={sha}", f"/items/{sha}"):
            page = c.get(url).text
            assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
            assert "\u202e" not in page  # the override is shown, never applied


def test_an_archive_lists_its_members_each_linked(built: WebCase, client: TestClient) -> None:
    with built.case.sessions() as s:
        container = s.scalars(
            select(Item).where(
                Item.mime.in_(("application/gzip", "application/zip", "application/x-tar"))
            )  # fmt: skip
        ).first()
        assert container is not None
        members = s.execute(
            select(Occurrence.path, Item.sha256)
            .join(Item, Item.id == Occurrence.item_id)
            .where(Occurrence.parent_item_id == container.id)
        ).all()
    assert members and all("!/" in path for path, _ in members)
    page = client.get(f"/items/{container.sha256}").text
    assert f"Inside this item ({len(members)})" in page
    for path, sha in members:
        name = path.rsplit("!/", 1)[-1]
        assert f'<a href="/items/{sha}" class="member-link"><bdi>{name}</bdi></a>' in page
    detail = client.get(f"/api/items/{container.sha256}").json()
    assert detail["n_members"] == len(members)
    assert {m["sha256"] for m in detail["members"]} == {sha for _, sha in members}


def test_exif_findings_link_to_the_tag_on_the_item_page(built: WebCase, client: TestClient) -> None:
    fi = exif_finding(built.case)
    tag = fi.location["exif_tag"]
    anchor = "exif-" + re.sub(r"[^A-Za-z0-9_-]+", "-", tag)
    page = client.get(f"/items/{fi.sha256}").text
    assert f'<tr id="{anchor}"><td><code>{tag}</code></td>' in page
    assert f'href="/items/{fi.sha256}#{anchor}"' in page  # the finding on the item page
    report = client.get("/report", params={"check": "images"}).text
    report += client.get("/report", params={"check": "time"}).text
    assert f'href="/items/{fi.sha256}#{anchor}"' in report


def _near_duplicate(case: Case) -> tuple[int, list[str]]:
    with case.sessions() as s:
        finding = s.scalars(select(FindingRow).where(FindingRow.check == "near_duplicates")).first()
        assert finding is not None
        shas = s.scalars(
            select(FindingItem.sha256)
            .where(FindingItem.finding_id == finding.id)
            .order_by(FindingItem.id)
        )
        return finding.id, list(dict.fromkeys(shas))


def _side_by_side(html: str, finding_id: int | None = None) -> list[str]:
    """The photos shown side by side (of one finding's block on the report)."""
    if finding_id is not None:
        html = html[html.index(f'id="finding-{finding_id}"') :]
    block = html[html.index('class="side-by-side"') :]
    block = block[: block.index("</div>")]
    return re.findall(r'<img src="(/items/[0-9a-f]{64}/[a-z.]+)"', block)


def test_near_duplicates_are_shown_side_by_side(built: WebCase, client: TestClient) -> None:
    finding_id, shas = _near_duplicate(built.case)
    assert len(shas) >= 2
    raw = [f"/items/{sha}/raw" for sha in shas]
    report = client.get("/report", params={"check": "near_duplicates"}).text
    assert _side_by_side(report, finding_id) == raw
    assert _side_by_side(client.get(f"/items/{shas[1]}").text) == raw  # from either photo
    assert all(client.get(url).headers["content-type"] == "image/jpeg" for url in raw)


def test_a_viewer_sees_near_duplicates_blurred(team: Case) -> None:
    finding_id, shas = _near_duplicate(team)
    with TestClient(create_app(team), base_url=BASE, follow_redirects=False) as c:
        _login(c, "vera")
        blurred = [f"/items/{sha}/blurred.jpg" for sha in shas]
        report = c.get("/report", params={"check": "near_duplicates"}).text
        assert _side_by_side(report, finding_id) == blurred
        page = c.get(f"/items/{shas[0]}").text
        assert _side_by_side(page) == blurred and "/raw" not in page


def _entries(html: str) -> dict[str, str]:
    """Name → link of every folder, file and opened file of a /browse page."""
    out = {}
    for href, cls, name in re.findall(
        r'<a href="([^"]+)" class="(\w+-link)"><bdi>([^<]*)</bdi>', html
    ):
        out[f"{cls}:{name}"] = href.replace("&amp;", "&")
    for href in re.findall(r'<a href="([^"]+)" class="open-link">', html):
        out[f"open:{href}"] = href.replace("&amp;", "&")
    return out


def test_browse_every_source_as_folders_into_archives(received: Case) -> None:
    with received.sessions() as s:
        shas = dict(s.execute(
            select(Occurrence.path, Item.sha256).join(Item, Item.id == Occurrence.item_id)
        ).all())  # fmt: skip
    with TestClient(create_app(received), base_url=BASE, follow_redirects=False) as c:
        _login(c, "ivan")
        top = c.get("/browse").text
        assert CUSTODIAN in top and NOTE in top
        root_url = _entries(top)[next(k for k in _entries(top) if k.startswith("source-link:"))]
        root = c.get(root_url).text
        entries = _entries(root)
        assert "folder-link:photos" in entries and "<bdi>photos</bdi>/</a>" in root
        assert entries["file-link:notes.txt"] == f"/items/{shas['notes.txt']}"
        assert entries["file-link:bundle.zip"] == f"/items/{shas['bundle.zip']}"
        photos = _entries(c.get(entries["folder-link:photos"]).text)
        assert sorted(k for k in photos if k.startswith("file-link:")) == sorted(
            f"file-link:{p.split('/')[-1]}" for p in shas if p.startswith("photos/")
        )
        # the zip opens as a folder; the zip inside it too
        opened = next(v for k, v in entries.items() if k.startswith("open:") and "bundle.zip" in v)
        docs = _entries(c.get(_entries(c.get(opened).text)["folder-link:docs"]).text)
        assert docs["file-link:notes.txt"] == f"/items/{shas['bundle.zip!/docs/notes.txt']}"
        inner = next(v for k, v in docs.items() if k.startswith("open:") and "inner.zip" in v)
        folder = _entries(c.get(inner).text)["folder-link:inner"]
        readme = _entries(c.get(folder).text)["file-link:readme.txt"]
        assert readme == f"/items/{shas['bundle.zip!/docs/inner.zip!/inner/readme.txt']}"
        # a hostile name is listed escaped; the item page links each path to its folder
        assert "&lt;img src=x onerror=alert(1)&gt;" in root and "<img src=x" not in root
        assert "\u202e" not in root
        item = c.get(f"/items/{shas['bundle.zip!/docs/notes.txt']}").text
        assert "path=bundle.zip%21/docs/" in item or "path=bundle.zip!/docs/" in item
        assert c.get(root_url + "&path=no/such/folder/").status_code == 404
        assert c.get("/browse?source=999999").status_code == 404


def test_browse_and_custody_on_postgresql(pg_url: str, small_leak: Path, tmp_path: Path) -> None:
    """The folder listing (strpos there, instr in SQLite) and an item's whole custody on a
    real PostgreSQL server."""
    from guwah.ingest.executor import ProcessExecutor
    from guwah.ingest.pipeline import ingest
    from guwah.web.queries import item_detail
    from guwah.web.routes_browse import listing
    from tests.conftest import pg_database

    case = Case.init(tmp_path / "case", database_url=pg_database(pg_url, "guwah_browse"))
    ingest(case, [small_leak], custodian=CUSTODIAN, note=NOTE, executor=ProcessExecutor(workers=2))
    with case.sessions() as s:
        top = listing(s, 1, "")
        assert {"photos"} <= set(top.folders) and top.folders["photos"].files == 3
        assert (
            top.files["bundle.zip"].inside == 3
        )  # docs/notes.txt, docs/inner.zip, its readme and "notes.txt" in top.files
        docs = listing(s, 1, "bundle.zip!/docs/")
        assert set(docs.files) == {"notes.txt", "inner.zip"} and docs.files["inner.zip"].inside == 1
        assert listing(s, 1, "Photos/").files == {}  # case matters
        item = s.scalars(select(Item).where(Item.mime == "text/csv")).one()
        custody = item_detail(s, item)["custody"]
    assert [e["event"] for e in custody][:2] == ["received", "stored"]
    assert custody[0]["note"] == NOTE and {e["custodian"] for e in custody} == {CUSTODIAN}


def test_each_exif_tag_and_page_links_to_its_citation(built: WebCase, client: TestClient) -> None:
    from urllib.parse import quote

    with built.case.sessions() as s:
        photo = next(i for i in s.scalars(select(Item).where(Item.mime == "image/jpeg"))
                     if (i.meta or {}).get("exif"))  # fmt: skip
        pdf = s.scalars(select(Item).where(Item.mime == "application/pdf")).first()
        assert pdf is not None
    tag = next(iter(photo.meta["exif"]))
    page = client.get(f"/items/{photo.sha256}").text
    link = f"/cite?item={photo.sha256}&amp;exif_tag={quote(tag)}"
    assert f'href="{link}"' in page
    cited = client.get(link.replace("&amp;", "&"))
    assert cited.status_code == 200 and f"EXIF tag {tag}" in cited.text
    assert f'href="/cite?item={pdf.sha256}&amp;page=1"' in client.get(f"/items/{pdf.sha256}").text
    assert _cite(client, item=pdf.sha256, page=1)["location"] == {"page": 1}
    assert client.get("/api/cite", params={"item": pdf.sha256, "page": 99999}).status_code == 404
