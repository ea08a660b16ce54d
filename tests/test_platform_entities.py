"""The platform's own IRIs are written by the platform alone (issue 16, outside re-test finding 5): a
partner's or a facilitator's graph said anything about a change record, an account, a graph, a report or
an annotation — no organisation types them — and the change page showed it as fact; a forged change
record was rendered as a real change. Only the write path and the APIs that mint them write them
(`graph/writes/platform_entities.py`); an admin may still repair one through the Graph Store."""

import pytest

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
PREFIXES = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix pic: <https://w3id.org/pic-euralens/ontology#> .
"""
SPACES = [
    "change/{change}",
    "user/p_cd62",
    "graph/partner/cd62",
    "report/2024",
    "annotation/demo-1",
    "annotation/demo-4#body-1",
    "annotation/forged-2",
    "usage/forged",
    "%63hange/{change}",
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("platform-entities") / "data", admin_token="admin-token") as c:
        r = c.post(
            "/api/contribute/study",
            headers=bearer(c, "alice"),
            json={"id": "etude-aula-plateforme", "title_fr": "Étude AULA", "status": "ongoing", "year": "2026"},
        )
        assert r.status_code == 201, r.text
        yield c


def auth(app, who: str) -> dict:
    return {"Authorization": "Bearer admin-token"} if who == "admin" else bearer(app, who)


def post(app, graph: str, turtle: str, who: str):
    return app.post(
        "/rdf-graphs",
        params={"graph": f"{ID}graph/{graph}"},
        content=(PREFIXES + turtle).encode(),
        headers={"Content-Type": "text/turtle", **auth(app, who)},
    )


def a_change(app) -> str:
    """The id of a real change record (the study created above)."""
    rows = app.get(
        "/sparql",
        headers=auth(app, "admin"),
        params={
            "query": (
                "SELECT ?c WHERE { ?c <http://www.w3.org/ns/prov#startedAtTime> ?t "
                f'FILTER STRSTARTS(STR(?c), "{ID}change/") }} LIMIT 1'
            )
        },
    ).json()["results"]["bindings"]
    return rows[0]["c"]["value"].rsplit("/", 1)[-1]


@pytest.mark.parametrize("space", SPACES)
def test_a_partner_or_facilitator_says_nothing_about_the_platforms_entities(app, space):
    iri = ID + space.format(change=a_change(app))
    for who, graph in (("alice", "partner/aula"), ("alice", "private/aula/main"), ("fanny", "partner/aula")):
        r = post(app, graph, f'<{iri}> rdfs:comment "x" .', who)
        assert r.status_code == 403, (who, graph, r.text)
        message = r.json()["error"]["message"]
        assert iri in message and "written by the platform" in message, message
    ask = f'ASK {{ GRAPH ?g {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#comment> "x" }} }}'
    assert not app.get("/sparql", params={"query": ask}, headers=auth(app, "admin")).json()["boolean"]


def test_a_forged_change_record_is_refused_and_not_shown(app):
    forged = (
        f'<{ID}change/forged-1> a prov:Activity ; prov:startedAtTime "2026-12-02T13:02:05Z"^^xsd:dateTime ; '
        f'prov:wasAssociatedWith <{ID}user/p_cd62> ; rdfs:label "Suppression des études du cd62" .'
    )
    r = post(app, "partner/aula", forged, "alice")
    assert r.status_code == 403 and f"{ID}change/forged-1" in r.json()["error"]["message"], r.text
    assert "Suppression des études" not in app.get("/id/change/forged-1").text
    # the study form is not a door either: the records of its change are the platform's
    assert app.get(f"/id/change/{a_change(app)}").status_code == 200


def test_a_partner_still_links_its_own_entities_to_them(app):
    """Only what is said about them is the platform's: a link from aula's study to a report is aula's."""
    r = post(app, "partner/aula", f"<{ID}study/etude-aula-plateforme> rdfs:seeAlso <{ID}report/2024> .", "alice")
    assert r.status_code == 204, r.text


def test_an_admin_repairs_them_through_the_graph_store(app):
    r = post(app, "partner/cd62", f'<{ID}graph/partner/cd62> rdfs:label "Données du cd62"@fr .', "admin")
    assert r.status_code in (201, 204), r.text


def test_the_apis_that_mint_them_still_write_them(app):
    """The annotation protocol writes `annotation/…` and its author's `user/…` description."""
    note = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "commenting",
        "body": {"type": "TextualBody", "value": "Une note"},
        "target": f"{ID}study/etude-aula-plateforme",
    }
    r = app.post(
        "/annotations/",
        json=note,
        headers={
            "Content-Type": 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
            **bearer(app, "bruno"),
        },
    )
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    "record",
    [
        "<https://example.org/fake1> a pic:Change",
        "<https://example.org/fake1> pic:touched <https://w3id.org/pic-euralens/id/actor/aula>",
        '<https://example.org/fake1> pic:deltaFile "history/x.nq.gz"',
    ],
)
def test_a_partner_forges_no_change_record(app, record):
    """Twelfth outside re-test, L2: cd62's own `ex:fake1 a pic:Change ; pic:touched actor/aula` showed on
    aula's page as a change to it, with no "selon cd62"."""
    for who in ("alice", "fanny"):
        r = post(app, "partner/aula", f"{record} .", who)
        assert r.status_code == 403 and "change record" in r.json()["error"]["message"], (who, r.text)


@pytest.mark.parametrize(
    "statement",
    [
        "<https://example.org/cosign> rdfs:subPropertyOf pic:producedBy",
        "<https://example.org/Etude> rdfs:subClassOf pic:Study",
        "<https://example.org/by> owl:equivalentProperty prov:wasAttributedTo",
        "<https://example.org/made> owl:inverseOf pic:producedBy",
        "<https://example.org/x-p> owl:propertyChainAxiom (pic:informs pic:informs)",
        "<https://example.org/x-p> rdfs:domain pic:Study",
        "<https://example.org/x-p> rdfs:range pic:Study",
    ],
)
def test_a_partner_makes_no_vocabulary(app, statement):
    """Twelfth outside re-test, L1: cd62's own sub-property of `pic:producedBy` made its study co-signed
    by aula and the museum, which `pic:producedBy` itself is refused for; the platform reads sub-properties
    from every graph."""
    prefixes = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
    for who in ("alice", "fanny"):
        r = post(app, "partner/aula", f"{prefixes}{statement} .", who)
        assert r.status_code == 403 and "makes vocabulary" in r.json()["error"]["message"], (who, r.text)


@pytest.mark.parametrize(
    "term",
    [
        "pic:attributedX rdfs:subPropertyOf prov:wasAttributedTo",
        'pic:Study rdfs:label "Rapport"@fr',
        "<https://w3id.org/pic-euralens/ontology> rdfs:seeAlso <http://example.org/>",
    ],
)
def test_a_partner_says_nothing_about_the_ontologys_terms(app, term):
    """Seventh outside re-test: a partner's graph defined terms in the platform's namespace; SPARQL users
    reasoning over the union would have read them as the platform's vocabulary."""
    for who, graph in (("alice", "partner/aula"), ("fanny", "partner/aula")):
        r = post(app, graph, f"{term} .", who)
        assert r.status_code == 403 and "platform's ontology" in r.json()["error"]["message"], (who, r.text)


@pytest.mark.parametrize(
    "subject",
    [
        "https://w3id.org/pic-euralens/ontology/0.1.0",
        "https://w3id.org/pic-euralens/ontology/",
        "https://w3id.org/pic-euralens/ontology%23Study",
        "https://W3ID.org/pic-euralens/ontology#Study",
    ],
)
def test_a_look_alike_of_the_ontology_is_the_ontology(app, subject):
    """Eighth outside re-test, finding 4: its version IRI and other spellings were accepted."""
    r = post(app, "partner/aula", f'<{subject}> rdfs:label "x" .', "alice")
    assert r.status_code == 403 and "platform's ontology" in r.json()["error"]["message"], r.text


def test_an_annotation_is_written_through_its_api_only(app):
    """Eighth outside re-test, finding 2: an `oa:Annotation` typed through the Graph Store, outside
    `annotation/`, with another organisation's user as creator, was listed by the annotation container,
    its `creator` and `org` filters, as that user's."""
    forged = (
        "@prefix oa: <http://www.w3.org/ns/oa#> . @prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "<http://example.org/fake2> a oa:Annotation ; oa:motivatedBy oa:commenting ; "
        f"dcterms:creator <{ID}user/p_cd62> ; "
        '  dcterms:created "2026-12-02T10:00:00Z"^^xsd:dateTime ; oa:hasTarget '
        f"<{ID}study/etude-aula-plateforme> ; oa:hasBody <http://example.org/fake2#b> .\n"
        '<http://example.org/fake2#b> a oa:TextualBody ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> "oui" .\n'
    )
    for who in ("alice", "fanny"):
        r = post(app, "partner/aula", forged, who)
        message = r.json()["error"]["message"]  # (its creator, another's account, is refused too)
        assert r.status_code == 403 and ("annotation API" in message or "platform's word" in message), (who, r.text)
    # one written before the rule (an admin's repair here) is no annotation of the protocol's
    person = (
        f"<{ID}user/p_cd62> a <http://xmlns.com/foaf/0.1/Person> ; "
        '<http://xmlns.com/foaf/0.1/name> "Bruno" ; rdfs:label "Bruno"@fr .'
    )
    r = post(app, "partner/aula", forged + person, "admin")
    assert r.status_code in (201, 204), r.text
    listed = app.get("/annotations/", params={"target": f"{ID}study/etude-aula-plateforme", "page": 0})
    assert listed.status_code == 200 and "fake2" not in listed.text, listed.text


@pytest.mark.parametrize(
    "graph",
    [
        "partner/aula/LINK/x",
        "partner/aula/moderation",
        "private/aula/Annotations",
        "private/aula/main/annotations",
        "private/aula/x/provenance",
        "private/aula/until-2030-01-01/annotations",
        # ninth re-test, F4: a trailing '/', a Cyrillic і, public graphs named like private ones
        "partner/aula/",
        "partner/aula/l\u0456nk/x",
        "partner/aula/main",
        "partner/aula/until-2030-01-01",
        # tenth re-test: public named private, an embargo's day in another case or nested
        "partner/aula/private",
        "private/aula/Until-2020-01-01",
        "private/aula/main/until-2020-01-01",
        "private/aula/until-2020-01-01/until-2099-01-01",
    ],
)
def test_an_organisations_graph_is_not_named_like_the_platforms(app, graph):
    """Eighth outside re-test, finding 4: names imitating the platform's graphs misled SPARQL users."""
    r = post(app, graph, f'<{ID}study/etude-aula-plateforme> rdfs:comment "x" .', "alice")
    assert r.status_code == 403 and "no name for an organisation's graph" in r.text, r.text


@pytest.mark.parametrize("who", ["alice", "fanny"])
def test_nobody_makes_an_account_a_member_of_anything(app, who):
    """Ninth outside re-test, F2: cd62's `membership/cd62-x org:member user/alice ; org:organization actor/cd62`
    counted alice's annotations as cd62's in two public saved queries."""
    for body in (
        f"<{ID}membership/aula-x> <http://www.w3.org/ns/org#member> <{ID}user/p_cd62> ; "
        f"<http://www.w3.org/ns/org#organization> <{ID}actor/aula> .",
        f"_:m <http://www.w3.org/ns/org#member> <{ID}user/p_cd62> ; "
        f"<http://www.w3.org/ns/org#organization> <{ID}actor/aula> .",
        f"<{ID}actor/aula> <http://www.w3.org/ns/org#hasMember> <{ID}user/p_cd62> .",
    ):
        r = post(app, "partner/aula", body, who)
        assert r.status_code == 403 and "platform's word" in r.json()["error"]["message"], (body, r.text)


@pytest.mark.parametrize("who", ["alice", "fanny"])
def test_nobody_forges_what_an_account_did(app, who):
    """Thirteenth outside re-test: `prov:wasAssociatedWith user/root` in a partner's graph named someone else
    as who did something. (`owl:sameAs` to another's entity is the speaker's claim, shown as theirs on the
    other's page: `test_cited_by_speakers.py`.)"""
    study = f"<{ID}study/etude-aula-plateforme>"
    for body in (
        f"{study} prov:wasAssociatedWith <{ID}user/root> .",
        f"{study} prov:wasAttributedTo <{ID}user/p_cd62> .",
    ):
        r = post(app, "partner/aula", body, who)
        assert r.status_code == 403 and "platform's word" in r.json()["error"]["message"], (body, r.text)
