"""Bad input gets a clear 4xx, never a 500, and no redirect leaves the site (issue 16, finding 8)."""

import pytest

from pic.service.links import local_path
from tests.conftest import app_client, bearer


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("bad-input") / "data") as c:
        yield c


@pytest.mark.parametrize(
    "path",
    [
        "/annotations/?creator=alice",
        "/annotations/?creator=%01",
        "/annotations/?target=not%20an%20iri",
        "/ontology?fmt=zzz",
        "/annotations/%01",
        "/annotations/a%0Ab",
        "/id/document/%01/text",
        "/id/document/%01/file",
        "/id/document/..%2F..%2Fetc%2Fpasswd/text",
        "/id/%01",
        "/maps/%01",
        "/reports/%01",
        "/api/queries/%01",
        "/api/contribute/study/%01",
        "/rdf-graphs?graph=%01",
        "/api/search?q=%01",
        "/api/suggest?q=%22",
    ],
)
def test_bad_input_is_never_a_server_error(client, path):
    r = client.get(path)
    assert r.status_code < 500, (path, r.status_code, r.text[:300])


@pytest.mark.parametrize(
    "back,local",
    [
        ("/id/actor/louvre-lens", True),
        ("//other.host/x", False),
        ("/\\other.host", False),
        ("https://other.host/", False),
        ("/ok\n//x", False),
        ("", False),
    ],
)
def test_moderation_redirects_stay_on_the_site(back, local):
    assert local_path(back) is local


@pytest.mark.parametrize("change_id", ["%01", "a%20b", "%C2%8C", "x%60y"])
def test_reverting_a_change_id_that_is_no_iri_is_a_404(client, change_id):
    """Found by the schema fuzzing (tests/test_fuzzing.py): a facilitator's revert of such an id was a 500."""
    r = client.post(f"/changes/{change_id}/revert", headers=bearer(client, "fanny"))
    assert r.status_code == 404, r.text
    assert r.json()["error"]["field"] == "change_id", r.text


def test_hostile_bodies_are_client_errors(client):
    """Found by an outside test: a lone surrogate escape in JSON, an RDF 1.2 quoted triple, and a CSV cell
    past the csv module's field limit each gave a 500."""

    alice = bearer(client, "alice")
    r = client.post(
        "/api/contribute/study",
        headers={**alice, "Content-Type": "application/json"},
        content=b'{"id":"sur1","title_fr":"a\\ud800b","status":"planned","year":"2026"}',
    )
    assert r.status_code == 400, r.text
    r = client.post(
        "/rdf-graphs",
        params={"graph": "https://w3id.org/pic-euralens/id/graph/partner/aula"},
        headers={**alice, "Content-Type": "text/turtle"},
        content=b'<< <urn:x:a> <urn:x:b> "x" >> <urn:x:p> "y" .',
    )
    assert r.status_code == 400 and "quoted triples" in r.text, r.text
    sheet = b"id,title_fr\n" + b"A" * 140_000 + b",x\n"
    r = client.post("/api/import/studies", headers=alice, files={"file": ("big.csv", sheet)}, data={"dry_run": "true"})
    assert 400 <= r.status_code < 500, r.text
