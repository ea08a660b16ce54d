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
        nameless = 'CONSTRUCT { <urn:a> <http://example.org/x/> "1" } WHERE {}'  # no XML local name
        r = client.get("/sparql", params={"query": nameless}, headers=XML_ASKS[4][1])
        assert r.status_code == 406 and "XML" in r.json()["error"]["message"], r.text[:300]
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
        cell = "x" * 200_000  # sixteenth outside re-test: an import echoed a bad cell whole (200 KB)
        csv = f"id,title_fr,status,year,producer,themes\netude-longue,Étude,published,2023,aula,{cell}\n"
        answers.append(client.post("/api/import/studies", headers=alice, files={"file": ("f.csv", csv.encode())}))
        for r in answers:
            assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
            assert len(r.content) < 4_000, (r.request.url.path, r.status_code, len(r.content), r.text[:300])
        many = "; ".join(f"theme-{i}-{'y' * 1500}" for i in range(500))  # 500 problems of 1.5 KB: 528 KB
        r = client.post("/api/contribute/study", headers=alice, json={"id": "etude-x", "title_fr": "X", "themes": many})
        assert 400 <= r.status_code < 500 and len(r.content) < 150_000, (r.status_code, len(r.content))


def test_a_label_xml_cannot_carry_leaves_the_maps_and_the_report_standing(tmp_path):
    """Sixteenth outside re-test: a partner's actor labelled with U+FFFE (or U+0001) made the annual report
    answer 500 for everyone, the GraphML and SVG maps 500, and the GEXF map XML that no parser reads."""
    with app_client(tmp_path / "data") as client:
        alice = bearer(client, "alice")
        r = client.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/aula"},
            headers={**alice, "Content-Type": "application/n-triples"},
            content=f'<{ID}actor/aula> <http://www.w3.org/2000/01/rdf-schema#label> "Aula \\uFFFE\\u0001"@fr .',
        )
        assert r.status_code in (201, 204), r.text
        for path in ("/reports/2024", "/reports/2024.html"):
            r = client.get(path)
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
        for name in ("cooperation", "actor-project"):
            for suffix in ("graphml", "gexf", "svg"):
                r = client.get(f"/maps/{name}.{suffix}")
                assert r.status_code == 200, (name, suffix, r.status_code, r.text[:300])
                ElementTree.fromstring(r.content)
