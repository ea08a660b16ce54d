"""The parser pool remembers a text's own answer, never the machine's state: a text that once timed out
(the machine was busy) is read again next time (seen by the W3C runner under load: `ASK { ?s ?p ?o }`
stayed refused after one time-out)."""

import contextlib
import threading
import time

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


def test_one_sender_holds_one_worker_at_most_and_the_others_texts_are_read_meanwhile():
    """Thirteenth and fourteenth outside re-tests: texts of ~10 KB (a chain of 1,000 `||`) took the parser's
    whole 5 s, and two sent at once held both workers: everyone's query waited. A sender's texts are now
    read one at a time, so another sender's is read by the other worker while the first waits its turn."""
    pool = ParserPool(processes=2, timeout=1.0)
    chain = " || ".join(f"?o = {i}" for i in range(900))  # 2.4 s to read here, idle: past the 1 s limit
    done: list[str] = []

    def read(name: str, text: str, sender: str) -> None:
        with contextlib.suppress(Unreadable):  # (past the limit)
            pool.read(text, sender)
        done.append(name)

    try:
        pool.read("ASK { ?a ?b ?c }")
        pool.read("ASK { ?d ?e ?f }")  # both workers started
        first = threading.Thread(target=read, args=("A1", f"ASK {{ FILTER({chain}) }}", "address:192.0.2.1"))
        second = threading.Thread(target=read, args=("A2", f"ASK {{ ?s ?p ?o FILTER({chain}) }}", "address:192.0.2.1"))
        first.start()
        second.start()
        time.sleep(0.2)
        read("B", "ASK { ?o ?p ?s }", "address:192.0.2.2")
        first.join()
        second.join()
        assert done.index("B") < done.index("A2"), done
    finally:
        pool.close()
