"""Opening an entity's edit form and saving it unchanged changes nothing (issue 16, fourth outside
re-test, F9): the study form's GET → PUT dropped the English abstract and `pic:illustrative`, which it has
no field for. A form replaces what its fields say, and keeps every other statement of the entity."""

import pytest

from tests.conftest import PARTNERS, app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
EDITED = [
    ("actor", "collectif-cite-9"),
    ("study", "frequentation-habitants-louvre-lens"),
    ("project", "emploi-jeunes-culture"),
    ("project", "plateforme-intelligence-collective"),
    ("project", "louvre-lens-construction"),
    ("membership", "aula--plateforme-intelligence-collective"),
    ("observation", "emplois-culture-tourisme/200072460/2010"),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(
        tmp_path_factory.mktemp("round-trip") / "data",
        users=[*PARTNERS, ("dora", "partner", "demo")],
        admin_token="admin-token",
    ) as c:
        yield c


def described(app, iri: str) -> set[str]:
    """Every statement about the entity and its role nodes, in every graph."""
    quads = list(app.app.state.writer.store.quads())
    nodes = {iri} | {
        q.object.value for q in quads if q.subject.value == iri and q.object.value.startswith(f"{ID}association/")
    }
    return {str(q) for q in quads if q.subject.value in nodes}


@pytest.mark.parametrize(("kind", "key"), EDITED)
def test_saving_the_form_unchanged_keeps_every_statement(app, kind, key):
    """As a facilitator (the demo's entities name other organisations: its partner may not save all of them)."""
    dora, iri = bearer(app, "fanny"), f"{ID}{kind}/{key}"
    before = described(app, iri)
    form = app.get(f"/api/contribute/{kind}/{key}", headers=dora)
    assert form.status_code == 200, form.text
    values = {k: v for k, v in form.json()["fields"].items() if v and k != "id"}
    r = app.put(f"/api/contribute/{kind}/{key}", headers=dora, json=values)
    assert r.status_code == 200, r.text
    after = described(app, iri)
    assert before == after, {"lost": sorted(before - after), "added": sorted(after - before)}


def test_the_study_form_has_an_english_abstract(app):
    dora, iri = bearer(app, "dora"), f"{ID}study/frequentation-habitants-louvre-lens"
    values = app.get("/api/contribute/study/frequentation-habitants-louvre-lens", headers=dora).json()["fields"]
    assert values.get("abstract_en"), values
    before = described(app, iri)
    r = app.put(
        "/api/contribute/study/frequentation-habitants-louvre-lens",
        headers=dora,
        json={**{k: v for k, v in values.items() if v and k != "id"}, "abstract_en": "Residents' visits, revised."},
    )
    assert r.status_code == 200, r.text
    after = described(app, iri)
    assert [q for q in before - after if "/abstract>" in q and q.count('"@en ') == 1] == sorted(before - after)
    assert [q for q in after - before] == [
        f'<{iri}> <http://purl.org/dc/terms/abstract> "Residents\' visits, revised."@en <{ID}graph/partner/demo>'
    ]


def test_a_refusal_names_the_owner_not_a_graph_with_a_claim(app):
    """F9: with aula's claim about the demo's study in aula's graph (written before the rules; here by an
    admin), cd62's edit was refused as "belongs to aula"."""
    iri = f"{ID}study/diagnostic-habitat-minier-renove"
    r = app.post(
        "/rdf-graphs",
        params={"graph": f"{ID}graph/partner/aula"},
        headers={"Authorization": "Bearer admin-token", "Content-Type": "text/turtle"},
        content=f'<{iri}> <http://www.w3.org/2000/01/rdf-schema#comment> "Note de l\'AULA" .'.encode(),
    )
    assert r.status_code in (201, 204), r.text
    r = app.put(
        "/api/contribute/study/diagnostic-habitat-minier-renove",
        headers=bearer(app, "bruno"),
        json={"title_fr": "Repris par le cd62", "status": "published", "year": "2020"},
    )
    assert r.status_code == 403, r.text
    assert "belongs to demo" in r.json()["error"]["message"], r.text


@pytest.mark.parametrize(
    "visibility", [{"visibility": "private"}, {"visibility": "embargo", "embargo_until": "2099-01-01"}]
)
def test_an_edit_that_names_no_visibility_keeps_the_entitys(app, visibility):
    """Fifth outside re-test, finding 7: the edit form's `fields` PUT back (its `visibility` is beside them)
    moved a private or embargoed study into the public graph."""
    alice, key = bearer(app, "alice"), f"etude-{visibility['visibility']}"
    r = app.post(
        "/api/contribute/study",
        headers=alice,
        json={"id": key, "title_fr": "Brouillon zorglub", "status": "planned", "year": "2027", **visibility},
    )
    assert r.status_code == 201, r.text
    fields = app.get(f"/api/contribute/study/{key}", headers=alice).json()["fields"]
    r = app.put(
        f"/api/contribute/study/{key}",
        headers=alice,
        json={**{k: v for k, v in fields.items() if v and k != "id"}, "title_fr": "Brouillon zorglub revu"},
    )
    assert r.status_code == 200, r.text
    assert app.get(f"/id/study/{key}").status_code == 404  # still not public
    assert app.get("/api/search", params={"q": "zorglub"}).json()["total"] == 0
    again = app.get(f"/api/contribute/study/{key}", headers=alice).json()
    assert again["visibility"] == visibility["visibility"], again


def test_a_study_published_on_a_day_or_in_a_month_saves_back(app):
    """Fifth outside re-test, finding 9: the demo's studies dated by day or month answered 422 "a year is four
    digits" to their own edit form. A publication date is a year, a month or a day, as the shapes allow."""
    fanny = bearer(app, "fanny")
    assert app.get("/api/contribute/study/etat-impacts-2024", headers=fanny).json()["fields"]["year"] == "2025-03"
    fields = app.get("/api/contribute/study/livret-euralens-10", headers=fanny).json()["fields"]
    assert fields["year"] == "2017-02-24", fields
    r = app.put(
        "/api/contribute/study/livret-euralens-10",
        headers=fanny,
        json={k: v for k, v in fields.items() if v and k != "id"},
    )
    assert r.status_code == 200, r.text
    again = app.get("/api/contribute/study/livret-euralens-10", headers=fanny).json()["fields"]
    assert again["year"] == "2017-02-24", again
    r = app.put(
        "/api/contribute/study/livret-euralens-10",
        headers=fanny,
        json={**{k: v for k, v in fields.items() if v and k != "id"}, "year": "2017-02-30"},
    )
    assert r.status_code == 422 and "a month (2024-03)" in r.text, r.text


def test_a_project_made_private_takes_its_role_nodes_along(app):
    """Seventh outside re-test, finding 1: a project made private through its form left its role nodes and
    their links in the public graph, and anonymous readers went on seeing it and who took part."""
    alice = bearer(app, "alice")
    project = {"id": "aula-pub1", "title_fr": "Pub", "start": "2026-01-01", "participants": "aula:pilote"}
    assert app.post("/api/contribute/project", headers=alice, json=project).status_code == 201
    for visibility in (
        {"visibility": "private"},
        {"visibility": "embargo", "embargo_until": "2099-03-01"},
        {"visibility": "embargo", "embargo_until": "2099-04-01"},
    ):
        r = app.put("/api/contribute/project/aula-pub1", headers=alice, json={**project, **visibility})
        assert r.status_code == 200, (visibility, r.text)
        assert app.get("/id/project/aula-pub1").status_code == 404, visibility
        graphs = {
            g for g in (q.split()[-1] for q in described(app, f"{ID}project/aula-pub1")) if not g.endswith("/inferred>")
        }
        assert len(graphs) == 1 and "/private/aula/" in graphs.pop(), (visibility, graphs)
        assert (
            app.get("/api/contribute/project/aula-pub1", headers=alice).json()["visibility"] == visibility["visibility"]
        )
