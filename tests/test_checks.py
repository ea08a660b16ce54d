"""The quality-check queries return no rows on the demo data, on both backends."""

from pyoxigraph import NamedNode, Quad

from pic.graph.access import User
from pic.queries.checks import check_queries, run_checks


def test_there_are_check_queries():
    assert len(check_queries()) >= 6


def test_check_queries_pass_on_the_demo(demo_writer):
    failures = run_checks(demo_writer.store)
    assert failures == {}, failures


def test_a_check_catches_what_it_is_written_for(base_writer):
    """An unmarked node in the invented graph is reported (loaded without validation on purpose)."""
    from pyoxigraph import Store

    added = Store()
    g = NamedNode("https://w3id.org/pic-euralens/id/graph/partner/demo")
    added.add(
        Quad(
            NamedNode("https://w3id.org/pic-euralens/id/actor/unmarked"),
            NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            NamedNode("http://www.w3.org/ns/prov#Agent"),
            g,
        )
    )
    base_writer.write(added, [], User("admin", role="admin"), source="test", validate=False)
    failures = run_checks(base_writer.store)
    assert list(failures) == ["illustrative-data-is-marked"], failures
