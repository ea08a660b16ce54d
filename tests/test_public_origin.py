"""Links are built on the platform's own address, never on the port a request's `Host` names (issue 16
leftovers): `Host: 127.0.0.1:9999` — an allowed name, another port — got annotation ids, `Location`
headers, the report's, saved queries' and service description's links on port 9999, which a cache in
front keeps for everyone. Now (`service/public_origin.py`) they are on `PIC_PUBLIC_URL` when it is set,
else on the name asked and the port served. Every GET route of the application is asked, so a new one is
covered without anyone remembering it."""

import json
import re

import httpx
import pytest
from fastapi import routing
from fastapi.testclient import TestClient

from pic.graph.settings import Settings
from pic.service.routers.docs import ASSETS
from pic.service.routers.maps import OWN_FILES
from tests.conftest import PARTNERS, app_client, bearer, word_file

DEFAULT = Settings.model_fields["allowed_hosts"].default
SERVED = "http://127.0.0.1:8000"  # where the in-process app is asked, as `make serve`'s URL
FORGED = "18277"  # the port a forged `Host: 127.0.0.1:18277` names
PUBLIC = "https://pic.example.org"
MEDIA = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
STUDY = "https://w3id.org/pic-euralens/id/study/frequentation-habitants-louvre-lens"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The app with the default hosts, asked at 127.0.0.1:8000, and what its writes made (a study, a
    document, an annotation), each asked with the forged `Host`; `answers` keeps every response."""
    with app_client(tmp_path_factory.mktemp("origin") / "data", PARTNERS, allowed_hosts=DEFAULT) as c:
        client = TestClient(c.app, base_url=SERVED, headers={"Host": f"127.0.0.1:{FORGED}"})
        client.tokens, answers = c.tokens, []
        alice = bearer(client, "alice")
        r = client.post(
            "/api/contribute/study",
            headers=alice,
            json={"id": "etude-origine", "title_fr": "Étude de l'origine", "status": "ongoing", "year": "2026"},
        )
        assert r.status_code == 201, r.text
        answers.append(r)
        r = client.post(
            "/api/studies/etude-origine/documents",
            headers=alice,
            files={"file": ("origine.docx", word_file("Le texte de l'origine."))},
        )
        assert r.status_code == 201, r.text
        answers.append(r)
        document = r.json()["document"].rsplit("/", 1)[-1]
        note = {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "type": "Annotation",
            "motivation": "commenting",
            "body": {"type": "TextualBody", "value": "Une note"},
            "target": STUDY,
        }
        r = client.post("/annotations/", content=json.dumps(note), headers={"Content-Type": MEDIA, **alice})
        assert r.status_code == 201, r.text
        answers.append(r)
        yield client, answers, {"document": document, "annotation": r.headers["location"].rsplit("/", 1)[-1]}


def get_paths(values: dict) -> set[str]:
    """Every GET route of the application, its parameters filled with an example (a route without one
    fails the test: give it one)."""
    from pic.service.app import create_app

    examples = {
        "/api/queries/{name}": ["/api/queries/indicator-figures"],
        "/maps/static/{name}": [f"/maps/static/{n}" for n in OWN_FILES],
        "/maps/{kind}/changes": ["/maps/cooperation/changes"],
        "/maps/{name}": ["/maps/cooperation", "/maps/cooperation.json"],
        "/reports/{name}": ["/reports/2024", "/reports/2024.html", "/reports/2024.csv", "/reports/2024.ttl"],
        "/id/document/{document_id}/file": [f"/id/document/{values['document']}/file"],
        "/id/document/{document_id}/text": [f"/id/document/{values['document']}/text"],
        "/id/{path:path}": [
            "/id/study/etude-origine",
            "/id/study/etude-origine?format=json",
            f"/id/annotation/{values['annotation']}",
        ],
        "/ontology.{suffix}": ["/ontology.ttl"],
        "/import/templates/{name}": ["/import/templates/studies.csv"],
        "/api/contribute/{kind}": ["/api/contribute/study"],
        "/api/contribute/{kind}/{key:path}": ["/api/contribute/study/etude-origine"],
        "/contribute/{kind}": ["/contribute/study"],
        "/contribute/{kind}/{key:path}": ["/contribute/study/etude-origine"],
        "/annotations/{key}": [f"/annotations/{values['annotation']}"],
        "/annotations/": [
            "/annotations/",
            "/annotations/?page=0",
            "/annotations/?iris=1",
            "/annotations/?page=0&iris=1",
        ],
        "/vendor/docs/{name}": [f"/vendor/docs/{n}" for n in ASSETS],
        "/rdf-graphs/{path:path}": ["/rdf-graphs/absent.ttl"],
    }
    paths = set()
    for context in routing.iter_route_contexts(create_app().routes):
        route = context.original_route
        if "GET" not in (getattr(route, "methods", None) or ()):
            continue
        if context.path in examples:
            paths |= set(examples[context.path])
        else:
            assert "{" not in context.path, f"give {context.path} an example in this test"
            paths.add(context.path)
    return paths | {"/annotations", "/sparql?query=ASK{}"}  # the slash redirect; an answer, not the description


def shown(r: httpx.Response) -> str:
    return r.content.decode("latin-1") + "\n" + "\n".join(f"{k}: {v}" for k, v in r.headers.items())


def test_no_answer_names_the_port_a_forged_host_asked_for(made):
    client, answers, values = made
    for who in ("fanny", "alice", None):
        for path in sorted(get_paths(values)):
            r = client.get(path, headers=bearer(client, who) if who else {}, follow_redirects=False)
            answers.append(r)
            assert r.status_code < 500, (who, path, r.status_code, r.text[:300])
    leaked = [(str(r.request.url), r.status_code) for r in answers if FORGED in shown(r)]
    assert not leaked, leaked
    # and what identifies a resource is on the port served
    created = answers[2]
    assert created.headers["location"] == created.json()["id"]
    assert created.headers["location"].startswith(f"{SERVED}/annotations/"), created.headers
    assert client.get("/annotations/").json()["id"] == f"{SERVED}/annotations/"
    assert client.get("/annotations", follow_redirects=False).headers["location"] == f"{SERVED}/annotations/"
    assert all(q["url"].startswith(f"{SERVED}/api/queries/") for q in client.get("/api/queries").json())
    assert f"{SERVED}/sparql" in client.get("/sparql").text
    assert f"{SERVED}/api/queries/indicator-figures?" in client.get("/reports/2024.html").text


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    """The app with `PIC_PUBLIC_URL=https://pic.example.org`, asked on 127.0.0.1:8000 (a proxy in front
    would pass any `Host`)."""
    with app_client(
        tmp_path_factory.mktemp("public-origin") / "data", PARTNERS, allowed_hosts=DEFAULT, public_url=f"{PUBLIC}/"
    ) as c:
        client = TestClient(c.app, base_url=SERVED)
        client.tokens = c.tokens
        yield client


@pytest.mark.parametrize("host", [f"127.0.0.1:{FORGED}", "127.0.0.1:8000", "pic.example.org", "localhost"])
def test_the_public_address_names_every_resource(public, host):
    headers = {"Host": host}
    note = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "commenting",
        "body": {"type": "TextualBody", "value": f"Une note par {host}"},
        "target": STUDY,
    }
    r = public.post(
        "/annotations/", content=json.dumps(note), headers={"Content-Type": MEDIA, **headers, **bearer(public, "alice")}
    )
    assert r.status_code == 201, r.text
    assert r.headers["location"] == r.json()["id"] and r.json()["id"].startswith(f"{PUBLIC}/annotations/"), r.text
    assert public.get("/annotations/", headers=headers).json()["id"] == f"{PUBLIC}/annotations/"
    assert (
        public.get("/annotations", headers=headers, follow_redirects=False).headers["location"]
        == f"{PUBLIC}/annotations/"
    )
    queries = public.get("/api/queries", headers=headers).json()
    assert queries and all(q["url"].startswith(f"{PUBLIC}/api/queries/") for q in queries)
    assert f"{PUBLIC}/sparql" in public.get("/sparql", headers=headers).text
    links = re.findall(r'href="(https?://[^"]+)"', public.get("/reports/2024.html", headers=headers).text)
    ours = [link for link in links if "/api/queries/" in link or "/workbench" in link]
    assert ours and all(link.startswith(f"{PUBLIC}/") for link in ours), ours


def test_a_served_platform_names_its_own_port(live_server):
    """Over HTTP, against `pic serve` (uvicorn): the forged port never comes back, the served one does."""
    r = httpx.get(f"{live_server}/annotations/", headers={"Host": f"127.0.0.1:{FORGED}"}, timeout=10)
    assert r.status_code == 200 and r.json()["id"] == f"{live_server}/annotations/", r.text
    r = httpx.get(f"{live_server}/annotations", headers={"Host": f"localhost:{FORGED}"}, timeout=10)
    assert r.headers["location"] == f"{live_server.replace('127.0.0.1', 'localhost')}/annotations/", r.headers
