"""A data directory written before issue 15's layout (every inference and every change's record public)
is brought to it at start: private conclusions leave `graph/inferred`, private changes' records leave
`graph/provenance`, and a second start does nothing."""

from pyoxigraph import NamedNode, Quad

from pic.graph.installation.layout import layout_file, migrate
from tests.test_derived_privacy import PIC, project, write


def test_an_old_layout_is_migrated_once(base_writer, tmp_path):
    writer, names = base_writer, base_writer.names
    write(writer, project("secret-project", "aula", "secret-b"), "private/aula/main")
    # Make it look as the old layout did: every derived quad in the public graphs.
    derived = [
        q
        for q in writer.store.quads()
        if names.is_derived(q.graph_name) and q.graph_name not in (names.inferred, names.provenance)
    ]
    moved = [
        Quad(q.subject, q.predicate, q.object, names.inferred if names.is_inferred(q.graph_name) else names.provenance)
        for q in derived
    ]
    from pic.graph.store.interface import quads_to_update_data

    writer.store.update(
        f"DELETE DATA {{ {quads_to_update_data(derived)} }} ;\nINSERT DATA {{ {quads_to_update_data(moved)} }}"
    )
    cooperation = NamedNode(f"{PIC}cooperatesWith")
    assert any(q.predicate == cooperation for q in writer.store.quads(names.inferred))

    assert migrate(writer, tmp_path)
    public = list(writer.store.quads(names.inferred)) + list(writer.store.quads(names.provenance))
    assert not [q for q in public if "secret" in str(q)], "a private fact is still in a public derived graph"
    assert any(q.predicate == cooperation for q in writer.store.quads(names.graph("private/aula/inferred")))
    assert any("secret" in str(q) for q in writer.store.quads(names.graph("private/aula/provenance")))
    assert layout_file(tmp_path).exists()
    assert not migrate(writer, tmp_path)  # done once
