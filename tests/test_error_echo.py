"""Two answers that were not answers (thirteenth outside re-test, lows): an XML document holding a control
character that XML 1.0 cannot carry (L5; every XML parser refuses it), and errors echoing a client's whole
input back (a 20 KB 404 for a long graph name, 10-12 KB 422s)."""

import xml.etree.ElementTree as ElementTree

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
ABSTRACT = "http://purl.org/dc/terms/abstract"
XML_ASKS = [
    ("/id/study/etude-controle", {"Accept": "application/rdf+xml"}, {}),
    ("/id/study/etude-controle.rdf", {}, {}),
    ("/rdf-graphs", {"Accept": "application/rdf+xml"}, {"graph": f"{ID}graph/partner/aula"}),
    ("/sparql", {"Accept": "application/sparql-results+xml"}, {"query": f"SELECT ?a {{ ?s <{ABSTRACT}> ?a }}"}),
    ("/sparql", {"Accept": "application/rdf+xml"}, {"query": f"CONSTRUCT WHERE {{ ?s <{ABSTRACT}> ?a }}"}),
]


def test_xml_answers_never_carry_what_xml_cannot_and_other_formats_still_answer(tmp_path):
    with app_client(tmp_path / "data") as client:
        alice = bearer(client, "alice")
        study = {"id": "etude-controle", "title_fr": "Étude", "status": "planned", "year": "2027"}
        assert (
            client.post("/api/contribute/study", headers=alice, json={**study, "producer": "aula"}).status_code == 201
        )
        r = client.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/aula"},
            headers={**alice, "Content-Type": "application/n-triples"},
            content=f'<{ID}study/etude-controle> <{ABSTRACT}> "a\\u0001b\\u000Cc"@fr .',
        )
        assert r.status_code == 204, r.text
        for path, headers, params in XML_ASKS:
            r = client.get(path, headers={**alice, **headers}, params=params)
            if r.status_code == 200:  # an XML answer must be XML
                ElementTree.fromstring(r.content)
            assert r.status_code == 406, (path, params, r.status_code, r.text[:300])
            assert "U+0001" in r.json()["error"]["message"] and "JSON" in r.json()["error"]["message"]
        for character in ("\ufffe", "\uffff"):  # noncharacters: no XML either (fifteenth outside re-test)
            built = f'SELECT ?o {{ BIND("a{character}b" AS ?o) }}'
            r = client.get("/sparql", params={"query": built}, headers=XML_ASKS[3][1])
            assert r.status_code == 406 and f"U+{ord(character):04X}" in r.text, r.text[:300]
        r = client.get("/id/study/etude-controle", params={"format": "json"})
        assert r.status_code == 200, r.text
        r = client.get("/sparql", params={"query": f"ASK {{ ?s <{ABSTRACT}> ?a }}"}, headers=XML_ASKS[3][1])
        assert r.status_code == 200 and ElementTree.fromstring(r.content) is not None


def test_an_error_does_not_echo_kilobytes_of_the_request(tmp_path):
    long = "x" * 20_000
    with app_client(tmp_path / "data") as client:
        alice = bearer(client, "alice")
        answers = [
            client.get("/rdf-graphs", params={"graph": f"{ID}graph/partner/{long}"}),
            client.get(f"/id/actor/{long}", params={"format": "json"}),
            client.get(f"/id/actor/{long}"),  # the HTML page (fifteenth outside re-test: 61 KB)
            client.post("/api/contribute/study", headers=alice, json={"id": long, "title_fr": long, "year": long}),
            client.get("/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p {long} }}"}),
        ]
        for r in answers:
            assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
            assert len(r.content) < 4_000, (r.request.url.path, r.status_code, len(r.content), r.text[:300])
