"""One audience model, as Web Access Control data (issue 20 §1 and §2): public, all PIC members, named
organisations, a working group, one's own organisation, an embargo widening on its day.

The rules are the `acl:` authorizations of the admins' graph `graph/access-control`, written by the
write path when a graph of an audience is first filled; `access.may_read` reads them. Sharing and
unsharing an item is saving it with another audience: the tests narrow and widen a study and look for it
on every path a reader has (its page and JSON twin, SPARQL on the engine copies, search), as anonymous
readers, a partner outside the audience and one inside it.
"""

import re
import time
from datetime import date

import pytest
from pyoxigraph import NamedNode, Quad

from pic.graph.access import ANONYMOUS, User, may_read
from pic.graph.audiences import Audience, default_for, quads, read, rules_for
from pic.graph.names import Names
from pic.graph.store.embedded import EmbeddedStore
from pic.graph.writes import authorizations
from pic.graph.writes.path import Writer
from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
GRAPH = f"{ID}graph/"
GROUP = "habitat-cadre-de-vie"  # aula and ca-lens-lievin are in it (the demo's memberships)
USERS = [
    ("alice", "partner", "aula"),
    ("bruno", "partner", "cd62"),  # in no audience of the tests but "members"
    ("gus", "partner", "universite-artois"),  # named by the organisations' audience
    ("carl", "partner", "ca-lens-lievin"),  # in aula's working group
    ("fanny", "facilitator", "euralens"),
]
AUDIENCES = [
    Audience(everyone=True),
    Audience(orgs=frozenset({"aula"}), members=True),
    Audience(orgs=frozenset({"aula", "cd62", "universite-artois"})),
    Audience(orgs=frozenset({"aula"}), groups=frozenset({GROUP})),
    Audience(orgs=frozenset({"aula"}), until=date(2030, 1, 1), then=Audience(everyone=True)),
    Audience(orgs=frozenset({"aula"}), until=date(2030, 1, 1), then=Audience(orgs=frozenset({"aula"}), members=True)),
]


@pytest.mark.parametrize("audience", AUDIENCES, ids=lambda a: a.describe("en"))
def test_an_audience_reads_back_from_its_authorization(audience):
    names = Names()
    graph = names.graph("private/aula/members")
    said = quads(graph, audience, names)
    assert {q.graph_name for q in said} == {names.access_control}
    assert read(said, names) == {graph.value: audience}


def test_the_authorizations_are_web_access_control():
    names = Names()
    said = quads(names.graph("private/aula/members"), Audience(orgs=frozenset({"aula"}), members=True), names)
    triples = {(q.predicate.value.rsplit("#", 1)[-1], getattr(q.object, "value", "")) for q in said}
    acl = "http://www.w3.org/ns/auth/acl#"
    assert ("type", f"{acl}Authorization") in triples
    assert ("accessTo", f"{GRAPH}private/aula/members") in triples
    assert ("mode", f"{acl}Read") in triples
    assert ("agentClass", f"{acl}AuthenticatedAgent") in triples
    assert ("hasMember", f"{ID}actor/aula") in triples  # the organisation, through a vcard:Group


@pytest.mark.parametrize(
    ("segment", "readers"),
    [
        ("members", {"bruno", "gus", "carl"}),
        ("with-universite-artois", {"gus"}),
        ("with-cd62_universite-artois", {"bruno", "gus"}),
        (f"group-{GROUP}", {"carl"}),
        ("until-2000-01-01", {"anonymous", "bruno", "gus", "carl"}),
        ("until-2999-01-01", set()),
        ("main", set()),
    ],
)
def test_who_reads_a_graph_of_each_audience(monkeypatch, segment, readers):
    """Beside the owner's organisation (always) and facilitators and admins (a role)."""
    names = Names()
    graph = names.graph(f"private/aula/{segment}")
    asked = default_for(graph, names)
    monkeypatch.setattr(rules_for(names.base), "by_graph", {graph.value: asked} if asked else {})
    users = [ANONYMOUS] + [
        User(n, role, org, frozenset({GROUP}) if org == "ca-lens-lievin" else frozenset()) for n, role, org in USERS
    ]
    found = {u.name for u in users if may_read(u, graph.value, names)}
    assert found == readers | {"alice", "fanny"}
    for derived in ("inferred", "provenance"):  # what derives from the graph has the same readers
        assert {u.name for u in users if may_read(u, f"{graph.value}/{derived}", names)} == found
    admin = User("root", role="admin")
    assert may_read(admin, names.access_control.value, names)
    assert not any(may_read(u, names.access_control.value, names) for u in users)  # the rules: admins only


def test_a_graph_without_its_authorization_is_its_organisations_alone(monkeypatch):
    names = Names()
    monkeypatch.setattr(rules_for(names.base), "by_graph", {})
    for segment in ("members", "with-cd62", f"group-{GROUP}", "until-2000-01-01"):
        graph = f"{GRAPH}private/aula/{segment}"
        assert not may_read(User("bruno", "partner", "cd62", frozenset({GROUP})), graph, names)
        assert may_read(User("alice", "partner", "aula"), graph, names)


def test_a_graph_from_before_audiences_keeps_who_read_it(tmp_path):
    """`private/aula/members` meant nothing before issue 20: a store that has one keeps it the
    organisation's, whatever its name asks now; an embargo keeps its day."""
    names = Names()
    store = EmbeddedStore(tmp_path / "store")
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for segment in ("members", "until-2000-01-01"):
        thing = NamedNode(f"{ID}study/old-{segment}")
        store.update(f'INSERT DATA {{ GRAPH <{GRAPH}private/aula/{segment}> {{ {thing} {label} "x" }} }}')
    writer = Writer(store, names, tmp_path / "history")
    assert authorizations.ensure(store, names, writer.rules) == 2
    assert authorizations.ensure(store, names, writer.rules) == 0  # once
    bruno = User("bruno", "partner", "cd62")
    assert not may_read(bruno, f"{GRAPH}private/aula/members", names)
    assert may_read(bruno, f"{GRAPH}private/aula/until-2000-01-01", names)
    # a later write to it does not widen it either
    added = writer.write(_one(f"{GRAPH}private/aula/members"), [], User("alice", "partner", "aula"), source="t")
    assert added.change is not None and not may_read(bruno, f"{GRAPH}private/aula/members", names)


def _one(graph: str):
    from pyoxigraph import Literal, Store

    added = Store()
    added.add(
        Quad(
            NamedNode(f"{ID}study/new-one"),
            NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("new", language="fr"),
            NamedNode(graph),
        )
    )
    return added


# -- end to end: share and unshare on every path ---------------------------------------------------------
@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("audiences") / "data", users=USERS, admin_token="admin-token") as c:
        yield c


STUDY = {
    "id": "zqshareix",
    "title_fr": "Étude zqsharetx",
    "status": "planned",
    "year": "2024",
    "producer": "aula",
    "themes": "culture",
    "territories": "commune/62498",
}
FIND = "SELECT ?s WHERE { ?s ?p ?o FILTER (CONTAINS(STR(?o), 'zqsharetx')) }"


def seen(app, who: str | None) -> dict[str, bool]:
    """Whether `who` (None: anonymous) finds the study on each path (the report, seconds to draw, for two
    readers on either side of every change: anonymous and bruno, another organisation's partner)."""
    headers = bearer(app, who) if who else {}
    sparql = app.get("/sparql", params={"query": FIND}, headers={**headers, "Accept": "application/json"})
    assert sparql.status_code == 200, sparql.text
    return {
        "page": app.get("/id/study/zqshareix", headers=headers).status_code == 200,
        "twin": "zqsharetx" in app.get("/id/study/zqshareix?format=json", headers=headers).text,
        "sparql": bool(sparql.json()["results"]["bindings"]),
        "search": app.get("/api/search", params={"q": "zqsharetx"}, headers=headers).json()["total"] > 0,
        "ttl": "zqsharetx" in app.get("/id/study/zqshareix.ttl", headers=headers).text,
    } | (
        {"report": "zqsharetx" in app.get(f"/reports/{report_year(app)}", headers=headers).text}
        if who in (None, "bruno")
        else {}
    )


def report_year(app) -> str:
    """The latest year of the annual report (its page lists the planned studies)."""
    return re.findall(r'href="/reports/(\d{4})[?"]', app.get("/reports").text)[0]


def share(app, **audience) -> None:
    r = app.put("/api/contribute/study/zqshareix", json={**STUDY, **audience}, headers=bearer(app, "alice"))
    assert r.status_code in (200, 201), r.text


def readers(app) -> set[str]:
    """Who finds the study: on every path, or on none (anything between is a leak or a loss)."""
    found = set()
    for who in (None, "alice", "bruno", "gus", "carl", "fanny"):
        paths = seen(app, who)
        assert len(set(paths.values())) == 1, f"{who}: {paths}"
        if all(paths.values()):
            found.add(who or "anonymous")
    return found


def test_share_and_unshare_hold_on_every_path_as_soon_as_written(app):
    r = app.post("/api/contribute/study", json={**STUDY, "visibility": "members"}, headers=bearer(app, "alice"))
    assert r.status_code == 201, r.text
    assert readers(app) == {"alice", "bruno", "gus", "carl", "fanny"}
    page = app.get("/id/study/zqshareix", headers=bearer(app, "bruno")).text
    assert "visible : membres de la PIC" in page
    assert app.get("/id/study/zqshareix?format=json", headers=bearer(app, "bruno")).json()["audience"]

    share(app, visibility="private")  # narrowed to the organisation
    assert readers(app) == {"alice", "fanny"}

    share(app, visibility="organisations", shared_with="universite-artois")
    assert readers(app) == {"alice", "gus", "fanny"}
    page = app.get("/id/study/zqshareix", headers=bearer(app, "gus")).text
    assert "Université d&#39;Artois" in page[page.index('id="audience"') :].split("</p>")[0]  # by its name

    share(app, visibility="organisations", shared_with="universite-artois, ca-lens-lievin")
    assert readers(app) == {"alice", "gus", "carl", "fanny"}

    share(app, visibility="group", shared_with=GROUP)
    assert readers(app) == {"alice", "carl", "fanny"}

    share(app, visibility="public")
    assert readers(app) == {"anonymous", "alice", "bruno", "gus", "carl", "fanny"}
    assert 'id="audience"' not in app.get("/id/study/zqshareix").text  # public: nothing to say

    share(app, visibility="members")  # narrowed from public: the engines' public copy drops it at once
    assert readers(app) == {"alice", "bruno", "gus", "carl", "fanny"}
    current = app.get("/api/contribute/study/zqshareix", headers=bearer(app, "alice")).json()
    assert current["visibility"] == "members"


def test_the_rules_are_data_only_admins_read(app):
    r = app.post(
        "/api/contribute/study",
        json={**STUDY, "id": "zqruleix", "title_fr": "Étude zqruletx", "visibility": "members"},
        headers=bearer(app, "alice"),
    )
    assert r.status_code == 201, r.text
    ask = (
        "PREFIX acl: <http://www.w3.org/ns/auth/acl#> SELECT ?class WHERE { GRAPH ?g { ?a acl:accessTo "
        f"<{GRAPH}private/aula/members> ; acl:agentClass ?class }} }}"
    )
    for who, finds in (("admin-token", True), (None, False), ("alice", False), ("fanny", False)):
        token = who if who == "admin-token" else (app.tokens[who] if who else None)
        headers = {"Accept": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        rows = app.get("/sparql", params={"query": ask}, headers=headers).json()["results"]["bindings"]
        assert bool(rows) == finds, who
        if finds:
            assert rows[0]["class"]["value"] == "http://www.w3.org/ns/auth/acl#AuthenticatedAgent"
    # nobody writes them by hand, admins included: the write path does
    r = app.put(
        "/rdf-graphs",
        params={"graph": f"{GRAPH}access-control"},
        content=b"<urn:a> <urn:b> <urn:c> .",
        headers={"Content-Type": "text/turtle", "Authorization": "Bearer admin-token"},
    )
    assert r.status_code == 403, r.text


def test_the_graph_store_names_no_audience_the_contribution_api_refuses(app):
    """Issue 20's second outside re-test, N2: a graph named for a group aula is not in, or an organisation
    that does not exist (a later account of that name would read it), was created through the Graph Store."""
    turtle = f'<{ID}study/zqstoreix> <http://www.w3.org/2000/01/rdf-schema#label> "x"@fr .'.encode()
    for segment in ("group-recherche-action", "with-nope", "with-universite-artois_nope", "group-nope"):
        r = app.post(
            "/rdf-graphs",
            params={"graph": f"{GRAPH}private/aula/{segment}"},
            content=turtle,
            headers={**bearer(app, "alice"), "Content-Type": "text/turtle"},
        )
        assert r.status_code == 403, (segment, r.text)


def test_a_shared_audience_is_checked(app):
    for audience, field in (
        ({"visibility": "organisations"}, "shared_with"),
        ({"visibility": "organisations", "shared_with": "Not A Slug"}, "shared_with"),
        ({"visibility": "group", "shared_with": ""}, "shared_with"),
        ({"visibility": "private", "shared_with": "cd62"}, "shared_with"),
        ({"visibility": "friends"}, "visibility"),
        ({"visibility": "organisations", "shared_with": "no-such-org"}, "shared_with"),  # a typo shares with nobody
        ({"visibility": "group", "shared_with": "no-such-group"}, "shared_with"),
        ({"visibility": "group", "shared_with": "recherche-action"}, "shared_with"),  # aula is not in it
    ):
        r = app.post(
            "/api/contribute/study",
            json={**STUDY, "id": "zqcheckedix", **audience},
            headers=bearer(app, "alice"),
        )
        assert r.status_code == 422, (audience, r.text)
        assert field in r.text


# -- who read what (issue 20 §5) -----------------------------------------------------------------------------
def test_the_owner_sees_who_read_its_data_and_nobody_else_does(app):
    start = time.time()
    r = app.post(
        "/api/contribute/study",
        json={**STUDY, "id": "zqlogix", "title_fr": "Étude zqlogtx", "visibility": "members"},
        headers=bearer(app, "alice"),
    )
    assert r.status_code == 201, r.text
    query = "SELECT ?s WHERE { ?s ?p ?o FILTER (CONTAINS(STR(?o), 'zqlogtx')) }"
    for who in ("bruno", "fanny", "alice", None):
        headers = bearer(app, who) if who else {}
        app.get("/id/study/zqlogix", headers=headers)
        app.get("/id/study/zqlogix.ttl", headers=headers)
        app.get("/sparql", params={"query": query}, headers={**headers, "Accept": "application/json"})
    app.get("/id/actor/aula", headers=bearer(app, "bruno"))  # public: not logged
    app.get("/api/search", params={"q": "zqlogtx"}, headers=bearer(app, "bruno"))
    app.get("/api/contribute/study/zqlogix", headers=bearer(app, "bruno"))

    log = app.get("/api/read-log", headers=bearer(app, "alice"))
    assert log.status_code == 200, log.text
    reads = [row for row in log.json()["reads"] if row["at_epoch"] >= start]
    assert {row["reader"] for row in reads} == {"bruno", "fanny"}  # not the owner's own, nor anonymous
    bruno = {(row["path"], row["exact"]) for row in reads if row["reader"] == "bruno"}
    assert {("page", True), ("download (ttl)", True), ("/sparql", False), ("search", True)} <= bruno
    assert ("contribution API", True) in bruno
    assert all(f"{GRAPH}private/aula/members" in row["graphs"] for row in reads)
    assert not any(row["item"] == f"{ID}actor/aula" for row in log.json()["reads"])
    page = app.get("/read-log", headers=bearer(app, "alice")).text
    assert "zqlogix" in page and "bruno" in page

    theirs = app.get("/api/read-log", headers=bearer(app, "bruno")).json()["reads"]
    assert not any("zqlogix" in row["item"] or "aula" in " ".join(row["graphs"]) for row in theirs)
    assert app.get("/api/read-log").status_code == 401
    paged = app.get("/api/read-log", params={"limit": 1}, headers=bearer(app, "alice")).json()
    assert paged["more"] and len(paged["reads"]) == 1
    older = app.get(paged["next"], headers=bearer(app, "alice")).json()["reads"]
    assert older and older[0]["at_epoch"] < paged["reads"][0]["at_epoch"]
    assert app.get("/api/read-log", headers={"Authorization": "Bearer admin-token"}).status_code == 403


def test_the_read_log_keeps_its_days(tmp_path):
    from pic.service.read_log import ReadLog

    log = ReadLog(tmp_path / "reads.sqlite", 2, Names())
    bruno = User("bruno", "partner", "cd62")
    assert log.record(bruno, [f"{GRAPH}private/aula/main", f"{GRAPH}partner/aula"], "x", "page") == 1
    assert log.record(bruno, [f"{GRAPH}partner/aula"], "x", "page") == 0  # public
    assert log.record(ANONYMOUS, [f"{GRAPH}private/aula/main"], "x", "page") == 0
    assert log.record(User("a2", "partner", "aula"), [f"{GRAPH}private/aula/main"], "x", "page") == 0  # its own
    import sqlite3

    with sqlite3.connect(tmp_path / "reads.sqlite") as db:
        db.execute("UPDATE read SET at = at - 3 * 86400")
    assert log.of("aula") == []  # older than its days: not shown, and pruned at the next write
    log.pruned = 0.0
    log.record(bruno, [f"{GRAPH}private/aula/main"], "y", "page")
    with sqlite3.connect(tmp_path / "reads.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM read").fetchone()[0] == 1


# -- an organisation's export (issue 20 §6) ----------------------------------------------------------------
def test_an_organisations_export_reads_back_into_an_empty_installation(app, tmp_path):
    from pic.graph.installation import org_export
    from pic.graph.settings import Settings
    from pic.graph.writes.factory import open_writer

    r = app.post(
        "/api/contribute/study",
        json={**STUDY, "id": "zqexportix", "title_fr": "Étude zqexporttx", "visibility": "members"},
        headers=bearer(app, "alice"),
    )
    assert r.status_code == 201, r.text
    assert app.get("/api/export", headers=bearer(app, "bruno"), params={"org": "aula"}).status_code == 403
    assert app.get("/api/export").status_code == 401
    archive = app.get("/api/export", headers=bearer(app, "alice"))
    assert archive.status_code == 200 and archive.headers["content-type"] == "application/gzip"
    path = tmp_path / "aula.tar.gz"
    path.write_bytes(archive.content)
    manifest, files = org_export.read_archive(path)
    assert manifest["organisation"] == "aula" and f"{GRAPH}private/aula/members" in manifest["graphs"]
    assert not any("cd62" in g for g in manifest["graphs"])
    assert any(name.startswith("history/") for name in files)

    target = tmp_path / "elsewhere"
    settings = Settings(data_dir=target)
    writer = open_writer(settings)
    with pytest.raises(ValueError, match="A study's producers and commissioners are actors"):  # not in the archive
        org_export.load(writer, path, User("root", role="admin"), settings.documents_dir, validate=True)
    org_export.load(writer, path, User("root", role="admin"), settings.documents_dir)  # as `pic load` does
    writer.store.close() if hasattr(writer.store, "close") else None
    with app_client(target, users=USERS, admin_token="admin-token", demo=False) as there:
        for who in ("alice", "bruno", None):
            headers = bearer(there, who) if who else {}
            for study in ("zqexportix", "zqshareix"):
                here_page = app.get(f"/id/study/{study}?format=json", headers=bearer(app, who) if who else {})
                there_page = there.get(f"/id/study/{study}?format=json", headers=headers)
                assert here_page.status_code == there_page.status_code, (who, study)
                if here_page.status_code == 200:  # what aula said (the labels of others' entities stay behind)
                    assert said(here_page.json()) == said(there_page.json()), (who, study)
                    # the same audiences; an organisation is named where its actor's name came along (aula's
                    # does not: the labels of others' entities stay behind), else by its identifier
                    here, there_ = here_page.json()["audience"], there_page.json()["audience"]
                    assert len(here) == len(there_) and bool(here) == bool(there_), (who, study)


def said(twin: dict) -> set[tuple[str, str]]:
    return {(g["predicate"], v["value"]) for g in twin["statements"] for v in g["values"]}


def test_a_tampered_archive_is_refused(app, tmp_path):
    import io
    import tarfile

    from pic.graph.installation import org_export

    archive = app.get("/api/export", headers=bearer(app, "alice")).content
    out = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as source,
        tarfile.open(fileobj=out, mode="w:gz") as tar,
    ):
        for member in source.getmembers():
            body = source.extractfile(member).read()
            if member.name == "data.trig":
                body += b"\n<urn:x> <urn:y> <urn:z> <urn:g> .\n"
                member.size = len(body)
            tar.addfile(member, io.BytesIO(body))
    path = tmp_path / "tampered.tar.gz"
    path.write_bytes(out.getvalue())
    with pytest.raises(org_export.ArchiveError, match="data.trig does not match its checksum"):
        org_export.read_archive(path)
