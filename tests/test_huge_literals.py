"""A literal past the limit is refused at the write with a clear error, and nothing is written (issue 17,
defect 6: 16 MiB literals were accepted, then broke the entity page and the export → load round trip)."""

import pytest
from pyoxigraph import NamedNode, RdfFormat

from pic.graph import parsing
from pic.graph.parsing import RdfParseError, parse_bytes

GRAPH = NamedNode("https://w3id.org/pic-euralens/id/graph/partner/x")


def test_a_literal_past_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(parsing, "MAX_LITERAL_CHARS", 1000)
    body = f'<urn:a> <urn:b> "{"x" * 1001}" .\n<urn:a> <urn:c> "short" .'.encode()
    with pytest.raises(RdfParseError) as e:
        parse_bytes(body, RdfFormat.N_TRIPLES, GRAPH, source="request body")
    assert "1,001 characters" in e.value.message and "<urn:a> <urn:b>" in e.value.message


def test_the_default_limit_is_16_mebi_characters():
    ok = f'<urn:a> <urn:b> "{"x" * 1000}" .'.encode()
    assert len(parse_bytes(ok, RdfFormat.N_TRIPLES, GRAPH)) == 1
    huge = b'<urn:a> <urn:b> "' + b"x" * (16 * 1024 * 1024 + 1) + b'" .'
    with pytest.raises(RdfParseError, match="16,777,216"):
        parse_bytes(huge, RdfFormat.N_TRIPLES, GRAPH)
