"""The annual report keeps the owner's words (outside test F1 of issue 16): when an id one organisation
kept privately is created again by another that could not see it, both graphs type the study; once both
are seen, the report names it as its page does (`ownership.first_typed`): as the reader's own organisation
did, else as the first public typing did (a private-first id takes over no published study), else the first."""

from pyoxigraph import Literal, NamedNode, Quad, Store

from pic.graph.names import Names
from pic.viz.networks import query_text, run
from pic.viz.report import owners_words

ID = "https://w3id.org/pic-euralens/id/"
PIC = "https://w3id.org/pic-euralens/ontology#"
PROV = "http://www.w3.org/ns/prov#"
TITLE = NamedNode("http://purl.org/dc/terms/title")
TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_DATETIME = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


def study_in(store: Store, org: str, title: str, started: str, private: bool = False) -> None:
    names, study = Names(), NamedNode(f"{ID}study/meme-id")
    graph = names.graph(f"private/{org}/main" if private else f"partner/{org}")
    store.add(Quad(study, TYPE, NamedNode(f"{PIC}Study"), graph))
    store.add(Quad(study, TITLE, Literal(title, language="fr"), graph))
    change, record = NamedNode(f"{ID}change/{org}"), names.provenance_for({graph})
    store.add(Quad(change, NamedNode(f"{PIC}touched"), study, record))
    store.add(Quad(change, NamedNode(f"{PIC}changedGraph"), graph, record))
    store.add(Quad(change, NamedNode(f"{PROV}startedAtTime"), Literal(started, datatype=XSD_DATETIME), record))


def titles(store: Store, org: str | None = None) -> list[str]:
    return [r[1] for r in owners_words(store, run(store, query_text("report-studies.rq"), None), ID, None, org)]


def test_the_report_names_a_study_as_its_readers_owner_does():
    store = Store()
    study_in(store, "aula", "Brouillon AULA", "2026-01-05T10:00:00Z", private=True)
    study_in(store, "cd62", "Étude cd62", "2026-03-01T10:00:00Z")
    assert titles(store) == ["Étude cd62"], "the public typing, however early the private draft took the id"
    assert titles(store, "aula") == ["Brouillon AULA"] and titles(store, "cd62") == ["Étude cd62"]
    # among public typings, whoever came first, whatever the names' order
    other = Store()
    study_in(other, "aula", "Étude AULA", "2026-04-05T10:00:00Z")
    study_in(other, "cd62", "Étude cd62", "2026-03-01T10:00:00Z")
    assert titles(other) == ["Étude cd62"] and titles(other, "euralens") == ["Étude cd62"]
    assert titles(other, "aula") == ["Étude AULA"]


def test_a_study_one_organisation_types_keeps_all_its_rows():
    store = Store()
    study_in(store, "aula", "Étude AULA", "2026-01-05T10:00:00Z")
    assert titles(store) == ["Étude AULA"]
