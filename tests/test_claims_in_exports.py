"""An entity's RDF is its facts (issue 16, outside re-test finding 4): `.ttl`, `.nt`, `.jsonld` and their
Accept types give what the page shows as facts — aula's study without the title and territory cd62's
graph gives it — and the dataset formats (`.trig`, `.nq`, `.graphs.jsonld`, `application/trig`) keep
every statement, each in the graph that said it, so cd62's claim stays available as cd62's."""

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from tests import test_claims_in_sections as scenario
from tests.conftest import bearer
from tests.test_claims_in_sections import CLAIMED_TITLE, ID, READERS, STUDY, TERRITORY, TITLE

app = scenario.app  # the same writes: aula's study, and cd62's claims about it

CD62, AULA = NamedNode(f"{ID}graph/partner/cd62"), NamedNode(f"{ID}graph/partner/aula")
SPATIAL, TITLED = NamedNode("http://purl.org/dc/terms/spatial"), NamedNode("http://purl.org/dc/terms/title")
CLAIMED = {(TITLED, Literal(CLAIMED_TITLE, language="en")), (SPATIAL, NamedNode(ID + TERRITORY))}
GRAPHS = {".ttl": RdfFormat.TURTLE, ".nt": RdfFormat.N_TRIPLES, ".jsonld": RdfFormat.JSON_LD, ".rdf": RdfFormat.RDF_XML}


def get(app, path: str, reader: str | None, accept: str | None = None):
    headers = {**(bearer(app, reader) if reader else {}), **({"Accept": accept} if accept else {})}
    r = app.get(path, headers=headers)
    assert r.status_code == 200, r.text
    return r


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("suffix", sorted(GRAPHS))
def test_the_entitys_rdf_is_its_facts(app, reader, suffix):
    r = get(app, f"/id/study/etude-aula-sections{suffix}", reader)
    said = {(q.predicate, q.object) for q in parse(r.content, GRAPHS[suffix], base_iri=STUDY)}
    assert not CLAIMED & said, CLAIMED & said
    assert (TITLED, Literal(TITLE, language="fr")) in said, said
    accepted = get(app, "/id/study/etude-aula-sections", reader, "text/turtle")
    assert {(q.predicate, q.object) for q in parse(accepted.content, RdfFormat.TURTLE)} == said


@pytest.mark.parametrize("reader", READERS)
def test_every_statement_stays_available_in_the_graph_that_said_it(app, reader):
    for path, accept, rdf_format in (
        ("/id/study/etude-aula-sections.trig", None, RdfFormat.TRIG),
        ("/id/study/etude-aula-sections", "application/trig", RdfFormat.TRIG),
        ("/id/study/etude-aula-sections.nq", None, RdfFormat.N_QUADS),
        ("/id/study/etude-aula-sections.graphs.jsonld", None, RdfFormat.JSON_LD),
    ):
        r = get(app, path, reader, accept)
        quads = {(q.predicate, q.object, q.graph_name) for q in parse(r.content, rdf_format, base_iri=STUDY)}
        assert {(p, o, CD62) for p, o in CLAIMED} <= quads, (path, quads)
        assert (TITLED, Literal(TITLE, language="fr"), AULA) in quads, (path, quads)
        assert not {(p, o) for p, o, g in quads if g != CD62} & CLAIMED, path
