"""Who may read victims' data: users, roles, tokens, the local access token, pseudonymised
viewers, and the audit of every read — over a real case of the small synthetic leak."""

from __future__ import annotations

import re
import sqlite3
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from guwah.case import Case
from guwah.store.models import Item, Person, PersonName
from guwah.store.models_access import AuditEvent
from guwah.store.models_officials import Official
from guwah.web.app import create_app
from tests.conftest import SHARED_DATA, run_cli
from tests.web_case import WebCase, copy_case, web_case

BASE = "http://127.0.0.1:8000"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> WebCase:
    return web_case(tmp_path_factory)


@pytest.fixture(scope="module")
def team(built: WebCase, tmp_path_factory: pytest.TempPathFactory) -> Case:
    """A copy of the shared web case with three users (the shared one stays user-less)."""
    root = tmp_path_factory.mktemp("team") / "case"
    copy_case(built.case, root)
    for name, role in (("olga", "owner"), ("ivan", "investigator"), ("vera", "viewer")):
        run_cli("users", "add", name, "--role", role, "--password-stdin", "--case", root,
                input=PASSWORD + "\n")  # fmt: skip
    eu = SHARED_DATA / "eu" / "ghrsr-32020R1998.csv"
    run_cli("lists", "import", eu, "--format", "eu-csv", "--name", "eu", "--case", root)
    return Case.open(root)


def _client(case: Case, **kw: Any) -> TestClient:
    return TestClient(create_app(case, **kw), base_url=BASE, follow_redirects=False)


def _login(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf, form.text
    return client.post(
        "/login", data={"name": name, "password": password, "csrf": csrf.group(1), "next": "/"}
    )


def _audit(case: Case) -> list[AuditEvent]:
    with case.sessions() as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def _a_person(case: Case) -> Person:
    with case.sessions() as s:
        person = s.scalars(
            select(Person).where(Person.id_number.is_not(None), Person.name.is_not(None))
        ).first()
        assert person is not None
        s.expunge(person)
        return person


def test_users_need_a_known_role_and_a_real_password(team: Case) -> None:
    r = run_cli("users", "add", "x", "--role", "admin", "--password-stdin", "--case", team.root,
                input=PASSWORD + "\n", check=False)  # fmt: skip
    assert r.returncode == 2 and "unknown role" in r.stderr
    r = run_cli("users", "add", "y", "--role", "viewer", "--password-stdin", "--case", team.root,
                input="short\n", check=False)  # fmt: skip
    assert r.returncode == 2 and "at least 12" in r.stderr
    listed = run_cli("users", "list", "--case", team.root).stdout
    assert "olga" in listed and "vera" in listed and "admin" not in listed


def test_team_mode_asks_everyone_to_sign_in(team: Case) -> None:
    with _client(team) as c:
        assert c.get("/api/status").status_code == 401
        page = c.get("/people?q=x")
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        assert _login(c, "ivan", "wrong password!").status_code == 401
        ok = _login(c, "ivan")
        assert ok.status_code == 303
        cookie = ok.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert c.get("/api/status").status_code == 200
    events = _audit(team)
    assert any(e.action == "login_failed" and e.user == "ivan" for e in events)
    assert any(e.action == "login" and e.user == "ivan" for e in events)


def test_login_is_rate_limited(team: Case) -> None:
    with _client(team) as c:
        codes = [_login(c, "olga", f"wrong password {i}").status_code for i in range(6)]
        assert codes[:5] == [401] * 5 and codes[5] == 429
        assert _login(c, "olga").status_code == 429  # even the right password, for a while


def test_state_changes_need_the_csrf_token(team: Case) -> None:
    with _client(team) as c:
        _login(c, "ivan")
        assert c.post("/logout", data={"csrf": "forged"}).status_code == 403
        cross = {
            "Sec-Fetch-Site": "cross-site",
            "Sec-Fetch-Mode": "navigate",
            "Sec-Fetch-Dest": "document",
        }
        assert c.post("/logout", data={"csrf": "x"}, headers=cross).status_code == 403
        assert c.get("/api/status").status_code == 200  # still signed in
        page = c.get("/")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf and c.post("/logout", data={"csrf": csrf.group(1)}).status_code == 303
        assert c.get("/api/status").status_code == 401


def test_a_viewer_sees_pseudonyms_and_no_originals(team: Case) -> None:
    person = _a_person(team)
    assert person.name and person.id_number
    with _client(team) as c:
        _login(c, "vera")
        page = c.get(f"/people/{person.id}")
        assert page.status_code == 200
        assert person.name not in page.text and person.id_number not in page.text
        assert person.id_number[:10] + "********" in page.text  # region and birth year kept
        assert re.search(r"P-[A-Z2-7]{8}", page.text)
        api = c.get(f"/api/people/{person.id}")
        assert person.name not in api.text and person.id_number not in api.text
        assert "scripts" not in api.json()
        search = c.get("/api/search", params={"q": person.id_number})
        assert search.status_code == 200 and person.id_number not in search.text
        hits = c.get("/api/people", params={"q": person.id_number}).json()
        assert hits and all("explanation" not in h for h in hits)
        with team.sessions() as s:
            official = s.scalars(select(Official.id)).first()
        dossier = c.get(f"/officials/{official}/dossier.html")
        assert dossier.status_code == 403 and "may not make exports" in dossier.text
        with team.sessions() as s:
            sha = s.scalars(select(Item.sha256).where(Item.mime == "image/jpeg")).first()
        assert c.get(f"/items/{sha}/raw").status_code == 403
        # ... but the photo with its faces blurred, without its metadata, on the pages too
        blurred = c.get(f"/items/{sha}/blurred.jpg")
        assert blurred.status_code == 200 and blurred.headers["content-type"] == "image/jpeg"
        original = (team.blobs.path_for(str(sha))).read_bytes()
        assert blurred.content != original and b"SYNTHETIC" in original
        assert b"SYNTHETIC" not in blurred.content  # the EXIF description is gone
        assert f"/items/{sha}/blurred.jpg" in c.get(f"/items/{sha}").text
        assert f"/items/{sha}/raw" not in c.get(f"/items/{sha}").text
    with _client(team) as c:
        _login(c, "ivan")  # an investigator sees everything
        page = c.get(f"/people/{person.id}")
        assert person.name in page.text and person.id_number in page.text


def test_api_tokens_act_as_their_user_until_revoked(team: Case) -> None:
    out = run_cli("tokens", "create", "ivan", "--label", "script", "--case", team.root).stdout
    token = re.search(r"gwt_[A-Za-z0-9_-]+", out)
    assert token
    auth = {"Authorization": f"Bearer {token.group()}"}
    with _client(team) as c:
        assert c.get("/api/status", headers=auth).status_code == 200
        assert (
            c.get("/api/status", headers={"Authorization": "Bearer gwt_forged"}).status_code == 401
        )
    token_id = re.search(r"Token (\d+)", out)
    assert token_id
    run_cli("tokens", "revoke", token_id.group(1), "--case", team.root)
    with _client(team) as c:
        assert c.get("/api/status", headers=auth).status_code == 401
    assert any(e.user == "ivan" and e.details.get("via") == "token" for e in _audit(team))


def test_local_mode_needs_the_printed_token(built: WebCase) -> None:
    with _client(built.case, local_token="run-token-123") as c:
        assert c.get("/").status_code == 401
        assert c.get("/api/status").status_code == 401
        assert c.get("/?token=wrong").status_code == 401
        signed = c.get("/search?q=x&token=run-token-123")
        assert signed.status_code == 303 and signed.headers["location"] == "/search?q=x"
        assert c.get("/").status_code == 200  # the cookie now
        assert c.get("/api/status").status_code == 200
    with _client(built.case, local_token="run-token-123") as c:
        bearer = {"Authorization": "Bearer run-token-123"}
        assert c.get("/api/status", headers=bearer).status_code == 200


def _sample_urls(case: Case) -> dict[str, str]:
    """One URL for every GET route, with real ids of this case."""
    with case.sessions() as s:
        person = _a_person(case)
        sheet_item = s.scalars(
            select(Item.sha256).where(Item.mime.like("%spreadsheet%") | Item.mime.like("%excel%"))
        ).first()
        pdf = s.scalars(select(Item.sha256).where(Item.mime == "application/pdf")).first()
        photo = s.scalars(select(Item.sha256).where(Item.mime == "image/jpeg")).first()
        official = s.scalars(select(Official.id).order_by(Official.id)).first()
    return {
        "/": "/",
        "/api": "/api",
        "/analysis": "/analysis",
        "/analysis/people": "/analysis/people?ref=N1",
        "/lists": "/lists",
        "/lists/{version_id}": "/lists/1",
        "/api/lists": "/api/lists",
        "/api/lists/{version_id}/changes": "/api/lists/1/changes",
        "/screen": "/screen",
        "/demography": "/demography",
        "/api/stats/series": "/api/stats/series",
        "/search": "/search?q=疏附",
        "/people": f"/people?q={person.id_number}",
        "/people/{person_id}": f"/people/{person.id}",
        "/report": "/report",
        "/items/{sha256}": f"/items/{sheet_item}",
        "/items/{sha256}/raw": f"/items/{sheet_item}/raw",
        "/items/{sha256}/pages/{page_no}.png": f"/items/{pdf}/pages/1.png",
        "/items/{sha256}/blurred.jpg": f"/items/{photo}/blurred.jpg",
        "/api/status": "/api/status",
        "/api/search": "/api/search?q=疏附",
        "/api/people": f"/api/people?q={person.id_number}",
        "/api/people/{person_id}": f"/api/people/{person.id}",
        "/api/items/{sha256}": f"/api/items/{sheet_item}",
        "/api/items/{sha256}/sheets/{index}": f"/api/items/{sheet_item}/sheets/0",
        "/api/findings": "/api/findings",
        "/api/cite": f"/api/cite?item={sheet_item}&sheet=0&row=2",
        "/cite": f"/cite?person={person.id}",
        "/browse": "/browse?source=1&path=",
        "/officials": "/officials?show=unsanctioned",
        "/officials/{official_id}": f"/officials/{official}",
        "/officials.{ext}": "/officials.csv",
        "/officials/{official_id}/dossier.{ext}": f"/officials/{official}/dossier.html",
        "/api/officials": "/api/officials",
        "/api/officials/{official_id}": f"/api/officials/{official}",
    }


def _all_routes(routes: list[Any]) -> Iterator[Any]:
    """Every route, into included routers (FastAPI nests them)."""
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            yield from _all_routes(inner.routes)
        else:
            yield r


UNAUDITED_ROUTES = {"/docs", "/openapi.json", "/login", "/static"}


def test_every_read_of_case_data_is_on_the_record(team: Case) -> None:
    """Every GET route of the app (new ones too) must be audited: a route missing from the
    samples, or a read that leaves no audit event, fails this test."""
    app = create_app(team)
    samples = _sample_urls(team)
    routes = {
        getattr(r, "path", "")
        for r in _all_routes(app.routes)
        if "GET" in (getattr(r, "methods", None) or ())
        and getattr(r, "path", "") not in UNAUDITED_ROUTES
    }
    assert "/api/people/{person_id}" in routes and "/people/{person_id}" in routes
    missing = routes - set(samples)
    assert not missing, f"routes without an audit test: {sorted(missing)}"
    with TestClient(app, base_url=BASE, follow_redirects=False) as c:
        _login(c, "ivan")
        for route, url in samples.items():
            before = len(_audit(team))
            r = c.get(url)
            assert r.status_code == 200, (url, r.status_code)
            after = _audit(team)
            assert len(after) == before + 1, f"{url} was not audited"
            ev = after[-1]
            assert ev.user == "ivan" and ev.role == "investigator" and ev.address
            assert ev.target == url.split("?")[0], route
            if "?" in url:
                assert ev.query, f"{url}: the query is not on the record"


def test_audit_log_is_tamper_evident(team: Case, tmp_path: Path) -> None:
    assert "intact" in run_cli("audit", "verify", "--case", team.root).stdout
    log = run_cli("audit", "log", "--user", "ivan", "--json", "--case", team.root).stdout
    assert '"user": "ivan"' in log
    copy = tmp_path / "case"
    copy_case(team, copy)
    with sqlite3.connect(copy / "guwah.db") as db:
        db.execute("UPDATE audit_events SET target = '/nothing-to-see' WHERE seq = 2")
    r = run_cli("audit", "verify", "--case", copy, check=False)
    assert r.returncode == 1 and "audit event 2 was altered" in r.stdout
    with sqlite3.connect(copy / "guwah.db") as db:
        db.execute("DELETE FROM audit_events WHERE seq = 3")
    r = run_cli("audit", "verify", "--case", copy, check=False)
    assert r.returncode == 1 and "audit event 3 is missing" in r.stdout


def test_serve_beyond_this_machine_only_with_users(team: Case, built: WebCase) -> None:
    r = run_cli("serve", "--host", "0.0.0.0", "--case", built.case.root, check=False)
    assert r.returncode == 2 and "has no users" in r.stderr
    r = run_cli("serve", "--host", "0.0.0.0", "--case", team.root, check=False)
    assert r.returncode == 2 and "--allowed-host" in r.stderr


def test_pseudonymised_records_export(built: WebCase, tmp_path: Path) -> None:
    import csv

    person = _a_person(built.case)
    plain, pseudo = tmp_path / "plain.csv", tmp_path / "pseudo.csv"
    run_cli("records", "export", plain, "--case", built.case.root)
    run_cli("records", "export", pseudo, "--pseudonymise", "--case", built.case.root)
    text = pseudo.read_text(encoding="utf-8-sig")
    assert person.name and person.name in plain.read_text(encoding="utf-8-sig")
    assert person.name not in text and str(person.id_number) not in text
    with pseudo.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with plain.open(encoding="utf-8-sig", newline="") as fh:
        originals = list(csv.DictReader(fh))
    assert [r["sha256"] for r in rows] == [r["sha256"] for r in originals]  # provenance exact
    mine = [r for r, o in zip(rows, originals, strict=True) if o["person_id"] == str(person.id)]
    assert mine and len({r["person_id"] for r in mine}) == 1  # one stable pseudonym
    assert re.fullmatch(r"P-[A-Z2-7]{8}", mine[0]["person_id"])
    assert all(len(r["birth_date"].split(" | ")[0]) <= 4 for r in rows)
    again = tmp_path / "again.csv"
    run_cli("records", "export", again, "--pseudonymise", "--case", built.case.root)
    assert again.read_text(encoding="utf-8-sig") == text  # the same pseudonyms every time


def test_pseudonymised_reports_name_no_one(built: WebCase, tmp_path: Path) -> None:
    """verify --report and records report with --pseudonymise: no name the records know and
    no full ID number in any format, while the plain reports do hold them."""
    case = copy_case(built.case, tmp_path / "case")
    with case.sessions() as s:
        names = {n for n in s.scalars(select(PersonName.name)) if len(n) >= 2}
        ids = {i for i in s.scalars(select(Person.id_number)) if i}
    check = ("--check", "ids", "--check", "record_ids", "--no-index", "--workers", "1")
    plain = tmp_path / "plain.md"
    run_cli("verify", *check, "--report", plain, "--case", case.root)
    assert any(i in plain.read_text(encoding="utf-8") for i in ids)  # it could fail
    for suffix in (".md", ".html", ".json"):
        out = tmp_path / f"verify{suffix}"
        r = run_cli("verify", *check, "--report", out, "--pseudonymise", "--case", case.root)
        assert "(pseudonymised)" in r.stdout
        text = out.read_text(encoding="utf-8")
        assert not [x for x in names | ids if x in text], suffix
        assert re.search(r"[1-9][0-9]{9}\\?\*", text), suffix  # masked, region and year kept
        if suffix != ".json":
            assert "Pseudonymised: people appear as stable pseudonyms" in text
    mapping = tmp_path / "mapping.md"
    run_cli("records", "report", "--out", mapping, "--pseudonymise", "--case", case.root)
    text = mapping.read_text(encoding="utf-8")
    assert "column mapping report" in text and not [x for x in names | ids if x in text]
    with case.sessions() as s:
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert {"verify --report", "records report"} <= {  # (the copy may hold earlier exports)
        a.query for a in audit if a.details["pseudonymised"]
    }
