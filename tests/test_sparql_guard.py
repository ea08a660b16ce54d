"""What a SPARQL text asks for is read without being fooled by strings, comments, names or variables."""

import pytest

from pic.service.sparql_guard import dataset_clauses, is_update, loads_from_the_network, service_targets


@pytest.mark.parametrize("text,update", [
    ("SELECT ?add ?delete WHERE { ?s ex:Insert \"INSERT DATA\" }", False),
    ("# INSERT DATA\nASK { ?s ?p ?o }", False),
    ("PREFIX ex: <http://ex/insert/> SELECT * WHERE { ?s ?p ex:drop }", False),
    ("PREFIX a: <x:> INSERT DATA { <a> <b> <c> }", True),
    ("delete where { ?s ?p ?o }", True),
    ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True),
])
def test_updates_are_told_from_queries(text, update):
    assert is_update(text) is update


def test_service_targets_ignore_strings_and_comments():
    text = ('SELECT * { SERVICE <http://a/sparql> { ?s ?p ?o } FILTER(?x = "SERVICE <http://b>") }\n'
            '# SERVICE <http://c>\n')
    assert service_targets(text) == ["http://a/sparql"]
    assert service_targets("SELECT * { service silent ?endpoint { } }") == ["?endpoint"]


def test_dataset_clauses_and_load():
    assert dataset_clauses("SELECT * FROM <g1> FROM NAMED <g2> WHERE { ?s ?p ?o }") == (["g1"], ["g2"])
    assert loads_from_the_network("load<http://x/y>")
    assert not loads_from_the_network('INSERT DATA { <a> <b> "LOAD <http://x>" }')
