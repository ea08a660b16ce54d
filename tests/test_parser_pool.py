"""The parser pool remembers a text's own answer, never the machine's state: a text that once timed out
(the machine was busy) is read again next time (seen by the W3C runner under load: `ASK { ?s ?p ?o }`
stayed refused after one time-out)."""

import pytest

from pic.graph.engine.cooldowns import SenderWaits
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


def test_a_sender_whose_text_took_the_whole_time_waits_and_others_do_not():
    """Thirteenth outside re-test: 40-80 KB texts took the parser's whole 5 s, and two at once held every
    reading up. The sender of a long one waits a minute (429); another sender is read at once."""
    pool = ParserPool(processes=1, timeout=0.000001)
    try:
        with pytest.raises(Unreadable, match="longer than"):
            pool.read("ASK { ?s ?p ?o }", "address:192.0.2.1")  # short: the machine was busy
        with pytest.raises(Unreadable, match="longer than"):
            pool.read("ASK { ?s ?p ?o " + " " * 10_000 + "}", "address:192.0.2.1")
        pool.timeout = 30.0
        with pytest.raises(SenderWaits) as waits:
            pool.read("ASK { ?o ?p ?s }", "address:192.0.2.1")
        assert 0 < waits.value.seconds <= 61 and "parser" in str(waits.value)
        assert pool.read("ASK { ?o ?p ?s }", "address:192.0.2.2") is not None
        assert pool.read("ASK { ?o ?p ?s }") is not None  # the platform's own texts have no sender
    finally:
        pool.close()
