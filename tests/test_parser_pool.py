"""The parser pool remembers a text's own answer, never the machine's state: a text that once timed out
(the machine was busy) is read again next time (seen by the W3C runner under load: `ASK { ?s ?p ?o }`
stayed refused after one time-out)."""

import pytest

from pic.service.parser_pool import ParserPool
from pic.service.sparql_guard import Unreadable


def test_a_time_out_is_not_remembered_but_a_reading_is():
    pool = ParserPool(processes=1, timeout=0.000001)
    try:
        with pytest.raises(Unreadable, match="longer than"):
            pool.read("ASK { ?s ?p ?o }")
        pool.timeout = 30.0
        assert pool.read("ASK { ?s ?p ?o }") is not None
        with pytest.raises(Unreadable) as first:
            pool.read("ASK { ?s ?p")
        pool.timeout = 0.000001  # a bad text's answer is its own: remembered, no worker asked again
        with pytest.raises(Unreadable) as again:
            pool.read("ASK { ?s ?p")
        assert str(again.value) == str(first.value)
    finally:
        pool.close()
