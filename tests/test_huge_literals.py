"""A literal past the limit is refused at the write with a clear error, and nothing is written (issue 17,
defect 6: 16 MiB literals were accepted, then broke the entity page and the export → load round trip;
eleventh outside re-test, finding 2b: so did 9 Mi-character ones, under the 16 Mi limit)."""

import pytest
from pyoxigraph import NamedNode, RdfFormat

from pic.graph.settings import Settings
from pic.graph.store import parsing
from pic.graph.store.parsing import RdfParseError, parse_bytes
from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
GRAPH = NamedNode(f"{ID}graph/partner/x")


def test_a_literal_past_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(parsing, "MAX_LITERAL_CHARS", 1000)
    body = f'<urn:a> <urn:b> "{"x" * 1001}" .\n<urn:a> <urn:c> "short" .'.encode()
    with pytest.raises(RdfParseError) as e:
        parse_bytes(body, RdfFormat.N_TRIPLES, GRAPH, source="request body")
    assert "1,001 characters" in e.value.message and "<urn:a> <urn:b>" in e.value.message


def test_the_default_limit_is_a_million_characters():
    ok = f'<urn:a> <urn:b> "{"x" * 1000}" .'.encode()
    assert len(parse_bytes(ok, RdfFormat.N_TRIPLES, GRAPH)) == 1
    huge = b'<urn:a> <urn:b> "' + b"x" * 1_000_001 + b'" .'
    with pytest.raises(RdfParseError, match="1,000,000"):
        parse_bytes(huge, RdfFormat.N_TRIPLES, GRAPH)
    assert Settings().max_literal_chars == parsing.MAX_LITERAL_CHARS


def test_what_a_write_takes_at_the_limit_every_read_gives_back(tmp_path):
    """Eleventh outside re-test, finding 2b: under a 16 Mi-character limit, a 9-million-character abstract
    was accepted and its page answered 500 (the engine's answers carry a term in 8 MiB). At today's limit,
    in the characters SPARQL JSON and TSV write longest (a control character: 6 bytes), the page, its
    JSON twin, its Turtle and a SPARQL query give the value back whole."""
    value = "\x01" * parsing.MAX_LITERAL_CHARS
    escaped = "\\u0001" * parsing.MAX_LITERAL_CHARS
    with app_client(tmp_path / "data") as client:
        alice = bearer(client, "alice")
        study = {"id": "etude-longue", "title_fr": "Étude longue", "status": "planned", "year": "2027"}
        r = client.post("/api/contribute/study", headers=alice, json={**study, "producer": "aula"})
        assert r.status_code == 201, r.text
        r = client.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/aula"},
            headers={**alice, "Content-Type": "application/n-triples"},
            content=f'<{ID}study/etude-longue> <http://purl.org/dc/terms/abstract> "{escaped}"@fr .',
        )
        assert r.status_code == 204, r.text
        for path in ("/id/study/etude-longue", "/id/study/etude-longue.ttl"):
            r = client.get(path)
            assert r.status_code == 200 and len(r.content) > len(value), (path, r.status_code, r.text[:300])
        r = client.get("/id/study/etude-longue", params={"format": "json"})
        assert r.status_code == 200, r.text[:300]
        abstract = next(s for s in r.json()["statements"] if s["predicate"].endswith("/abstract"))
        assert abstract["values"][0]["value"] == value
        abstract = f"<{ID}study/etude-longue> <http://purl.org/dc/terms/abstract> ?a"
        ask = f"ASK {{ {abstract} FILTER (STRLEN(?a) = {len(value)}) }}"
        r = client.get("/sparql", params={"query": ask}, headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200 and r.json()["boolean"], r.text


def test_the_limit_is_a_setting_that_every_way_in_obeys(tmp_path):
    """PIC_MAX_LITERAL_CHARS (`Settings.max_literal_chars`): the Graph Store, a form's field, a spreadsheet's cell
    and what an API builds (an annotation: the write path checks it) all refuse a longer text."""
    long = "x" * 1001
    with app_client(tmp_path / "data", max_literal_chars=1000) as client:
        alice = bearer(client, "alice")
        r = client.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/aula"},
            headers={**alice, "Content-Type": "application/n-triples"},
            content=f'<{ID}actor/aula> <urn:x:note> "{long}" .',
        )
        assert r.status_code == 400 and "1,001 characters (the limit is 1,000)" in r.json()["error"]["message"], r.text
        study = {"id": "etude-longue", "title_fr": "Étude longue", "status": "planned", "year": "2027"}
        r = client.post("/api/contribute/study", headers=alice, json={**study, "abstract_fr": long})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["problems"] == [
            {"field": "abstract_fr", "message": "1,001 characters: the limit is 1,000"}
        ]
        r = client.post(
            "/api/import/studies",
            headers=alice,
            files={"file": ("etudes.csv", (f"id,title_fr,status,year\netude-longue,{long},planned,2027\n").encode())},
        )
        assert r.status_code == 422 and "the limit is 1,000" in r.text, r.text
        annotation = {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "type": "Annotation",
            "motivation": "commenting",
            "body": {"type": "TextualBody", "value": long},
            "target": f"{ID}study/frequentation-habitants-louvre-lens",
        }
        r = client.post(
            "/annotations/",
            json=annotation,
            headers={**alice, "Content-Type": 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'},
        )
        assert r.status_code == 400 and "the limit is 1,000" in r.text, r.text
        r = client.post("/api/contribute/study", headers=alice, json={**study, "abstract_fr": "x" * 1000})
        assert r.status_code == 201, r.text


def billion_laughs(levels: int) -> bytes:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(levels)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [{entities}]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"><rdf:Description rdf:about="urn:a">'
        f"<rdfs:comment>&{chr(97 + levels)};</rdfs:comment></rdf:Description></rdf:RDF>"
    ).encode()


def test_rdf_xml_entities_that_explode_are_refused_before_the_parser_expands_them(tmp_path):
    """Ninth outside re-test, finding 3: 676 bytes of nested entities (10^9 characters expanded) took
    the server to 3 GB before the literal limit refused them; one level more would have killed it."""
    bomb = billion_laughs(8)
    assert len(bomb) < 1000
    with pytest.raises(RdfParseError, match="billion laughs"):
        parse_bytes(bomb, RdfFormat.RDF_XML, GRAPH)
    path = tmp_path / "bomb.rdf"
    path.write_bytes(bomb)
    with pytest.raises(RdfParseError, match="billion laughs"):
        parsing.parse_file(path, GRAPH)
    # entities that name namespaces, as ontology editors write them, are still read
    plain = (
        b'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY owl "http://www.w3.org/2002/07/owl#">]>'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="urn:a">'
        b'<rdf:type rdf:resource="&owl;Class"/></rdf:Description></rdf:RDF>'
    )
    assert len(parse_bytes(plain, RdfFormat.RDF_XML, GRAPH)) == 1


def test_json_ld_nested_too_deep_is_refused_before_the_parser_reads_it(tmp_path):
    """Tenth outside re-test, finding 1: 5,000 nested objects (400 KB) overflowed the JSON-LD parser's
    stack and killed the server for everyone."""
    deep = ('{"@id": "urn:a", "urn:p": ' * 5000 + "1" + "}" * 5000).encode()
    with pytest.raises(RdfParseError, match="nested deeper"):
        parse_bytes(deep, RdfFormat.JSON_LD, GRAPH)
    path = tmp_path / "deep.jsonld"
    path.write_bytes(deep)
    with pytest.raises(RdfParseError, match="nested deeper"):
        parsing.parse_file(path, GRAPH)
    plain = b'{"@id": "urn:a", "urn:p": {"@id": "urn:b", "urn:q": "x"}}'
    assert len(parse_bytes(plain, RdfFormat.JSON_LD, GRAPH)) == 2


def test_an_iri_past_the_limit_is_refused_on_every_way_in(tmp_path):
    """Twelfth outside re-test, finding H1: IRIs had no limit. A partner's 17-million-character study IRI
    made every query meeting it answer 500, and, recorded in the provenance graph, kept the engine's copies
    from loading again. The Graph Store and a SPARQL Update that computes one both refuse it (400), and the
    message does not echo it whole."""
    long = f"{ID}study/" + "i" * parsing.MAX_IRI_CHARS
    users = [("alice", "partner", "aula"), ("fanny", "facilitator", "euralens"), ("root", "admin", "euralens")]
    with app_client(tmp_path / "data", users=users) as client:
        alice = bearer(client, "alice")
        r = client.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/aula"},
            headers={**alice, "Content-Type": "application/n-triples"},
            content=f'<{long}> <http://purl.org/dc/terms/title> "t"@fr .',
        )
        assert r.status_code == 400, r.text[:300]
        message = r.json()["error"]["message"]
        assert f"an IRI of {len(long):,} characters (the limit is 4,096)" in message and len(message) < 600, message
        update = (
            f"INSERT {{ GRAPH <{ID}graph/partner/aula> {{ ?iri <http://purl.org/dc/terms/title> 't'@fr }} }} "
            f"WHERE {{ BIND (IRI(CONCAT('{ID}study/', REPLACE(STR(1000000), '.', 'ii'))) AS ?short) "
            f"BIND (IRI(CONCAT(STR(?short), STRBEFORE('{'i' * 5000}!', '!'))) AS ?iri) }}"
        )
        r = client.post(
            "/update",
            content=update.encode(),
            headers={**bearer(client, "root"), "Content-Type": "application/sparql-update"},
        )
        assert r.status_code == 400 and "an IRI of" in r.json()["error"]["message"], r.text[:300]
        ask = f"ASK {{ ?s ?p ?o FILTER (isIRI(?s) && STRLEN(STR(?s)) > {parsing.MAX_IRI_CHARS}) }}"
        r = client.get("/sparql", params={"query": ask}, headers=bearer(client, "fanny"))
        assert r.status_code == 200 and r.json()["boolean"] is False, r.text


def test_a_long_title_leaves_the_maps_and_the_report_standing(tmp_path):
    """Twelfth outside re-test, M1: a 140,000-character title, from the plain study form, made every map
    and the annual report answer 500 (the csv module's field limit, 131,072, read the maps' rows)."""
    with app_client(tmp_path / "data") as client:
        study = {"id": "titre-long", "title_fr": "M" * 140_000, "status": "published", "year": "2024"}
        r = client.post("/api/contribute/study", headers=bearer(client, "alice"), json={**study, "producer": "aula"})
        assert r.status_code == 201, r.text[:300]
        for path in ("/reports/2024", "/reports/2024.csv", "/maps/citations", "/maps/cooperation.json"):
            r = client.get(path)
            assert r.status_code == 200, (path, r.text[:300])


def test_a_query_that_builds_a_huge_value_is_a_400(tmp_path):
    """Twelfth outside re-test, M2: an anonymous query CONCATenating a value of 20 MB answered 500 in every
    format but TSV; it is the query's doing, so a 400 that says what to do."""
    a = "x" * 10_000
    query = (
        f'SELECT ?c {{ BIND("{a}" AS ?a) BIND(CONCAT({",".join(["?a"] * 100)}) AS ?b) '
        f"BIND(CONCAT({','.join(['?b'] * 20)}) AS ?c) }}"
    )
    with app_client(tmp_path / "data") as client:
        r = client.post(
            "/sparql",
            content=query.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        )
        assert r.status_code == 400 and "too long to be written in this format" in r.text, r.text[:300]
        r = client.get("/sparql", params={"query": "ASK {}"})
        assert r.status_code == 200 and r.json()["boolean"] is True


@pytest.mark.parametrize(
    "statement, message",
    [
        ('<urn:a> <urn:b> "x"^^<urn:' + "d" * 5000 + "> .", "an IRI of 5,004 characters"),
        ('<urn:a> <urn:b> "x"@en-' + "-".join(["abcdefgh"] * 10) + " .", "a language tag of 92 characters"),
        ("<urn:a> <urn:b> <urn:" + "i" * 5000 + "> .", "an IRI of 5,004 characters"),
        ("<urn:" + "i" * 5000 + "> <urn:b> <urn:c> .", "an IRI of 5,004 characters"),
    ],
    ids=["datatype", "language tag", "object", "subject"],
)
def test_every_term_of_a_statement_is_held_to_its_limit(statement, message):
    """Thirteenth outside re-test: a datatype's IRI (1,000,000 characters) and a 9,002-character language
    tag got past the IRI limit, which looked at subjects, predicates, objects and graphs only."""
    with pytest.raises(RdfParseError, match=message):
        parse_bytes(statement.encode(), RdfFormat.N_TRIPLES, GRAPH)
    assert len(parse_bytes(b'<urn:a> <urn:b> "ok"@fr-BE .', RdfFormat.N_TRIPLES, GRAPH)) == 1
