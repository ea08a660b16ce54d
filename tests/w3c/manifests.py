"""The W3C SPARQL test manifests, read with rdflib into plain records the suites run.

The test data are the shared copy in `../shared/conformance/w3c/` (PROVENANCE.md there says where each
file comes from). Each file is given the IRI it has in the published test suite
(`https://w3c.github.io/rdf-tests/sparql/…`), not a `file:` IRI: queries are sent with that IRI as their
BASE, a `FROM <data-g1.ttl>` names the graph the runner loaded that file into, and the expected results
name the same IRIs. A test is named `group#id` (`sparql11/aggregates#agg01`), as in
`sparql-core-tests.txt`.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
PUBLIC = "https://w3c.github.io/rdf-tests/"
REPOSITORY = Path(__file__).resolve().parents[2]


def conformance_dir() -> Path:
    """`../shared/conformance/w3c` next to the repository (CI clones next to the same shared folder).
    Missing, it is a failure, not a skip: the official suites are the strongest tests we have."""
    found = REPOSITORY.parent / "shared" / "conformance" / "w3c"
    assert (found / "rdf-tests").is_dir() and (found / "sparql-core-tests.txt").is_file(), (
        f"the W3C test suites are not at {found}: put the shared folder (../shared/conformance/w3c, "
        "see its PROVENANCE.md) next to the repository"
    )
    return found


def sparql_dir() -> Path:
    return conformance_dir() / "rdf-tests" / "sparql"


def public_iri(path: Path) -> str:
    """The IRI a test file has in the published suite."""
    return PUBLIC + path.resolve().relative_to(conformance_dir() / "rdf-tests").as_posix()


def local_path(iri: Node) -> Path:
    assert str(iri).startswith(PUBLIC), f"not a file of the test suite: {iri}"
    return conformance_dir() / "rdf-tests" / str(iri).removeprefix(PUBLIC)


@dataclass(frozen=True)
class GraphFile:
    """A data file and the graph it is loaded into (None: the default graph)."""

    path: Path
    graph: str | None


@dataclass(frozen=True)
class W3CTest:
    id: str  # `sparql11/aggregates#agg01`
    kind: str  # the manifest class's local name: QueryEvaluationTest, PositiveSyntaxTest11…
    name: str
    approved: bool
    requires: tuple[str, ...]
    node: URIRef
    manifest: Path
    query: Path | None = None  # the query or update text (evaluation and syntax tests)
    data: tuple[GraphFile, ...] = ()  # the dataset before
    result: Path | None = None  # expected results (query tests)
    result_data: tuple[GraphFile, ...] = ()  # expected dataset after (update tests)


def group_of(manifest: Path) -> str:
    return manifest.parent.relative_to(sparql_dir()).as_posix()


@cache
def parsed(manifest: Path) -> Graph:
    graph = Graph()
    graph.parse(manifest, format="turtle", publicID=public_iri(manifest))
    return graph


def included(manifest: Path) -> list[Path]:
    """A manifest and those it includes (mf:include), depth first."""
    g = parsed(manifest)
    found = [manifest]
    for lst in g.objects(None, MF.include):
        for item in Collection(g, lst):
            found.extend(included(local_path(item)))
    return found


def tests_of(manifest: Path) -> list[W3CTest]:
    """The entries of one manifest (not of those it includes), in their order."""
    g = parsed(manifest)
    entries = []
    for lst in g.objects(None, MF.entries):
        entries.extend(Collection(g, lst))
    return [read_test(g, node, manifest) for node in entries]


def read_test(g: Graph, node: URIRef, manifest: Path) -> W3CTest:
    kinds = [str(t).rsplit("#", 1)[-1] for t in g.objects(node, RDF.type)]
    action = g.value(node, MF.action)
    result = g.value(node, MF.result)
    query = result_file = None
    data, result_data = dataset(g, node, UT), ()  # protocol tests describe their data on the test
    if isinstance(action, URIRef):  # a syntax test: the action is the file
        query = local_path(action)
    elif action is not None:
        request = g.value(action, QT.query) or g.value(action, UT.request)
        query = local_path(request) if request is not None else None
        data += dataset(g, action, QT) + dataset(g, action, UT)
    if isinstance(result, URIRef):
        result_file = local_path(result)
    elif result is not None:
        result_data = dataset(g, result, UT)
    return W3CTest(
        id=f"{group_of(manifest)}#{str(node).rsplit('#', 1)[-1]}",
        kind=kinds[0],
        name=str(g.value(node, MF.name) or ""),
        approved=(node, DAWGT.approval, DAWGT.Approved) in g,
        requires=tuple(sorted(str(r).rsplit("#", 1)[-1] for r in g.objects(node, MF.requires))),
        node=node,
        manifest=manifest,
        query=query,
        data=data,
        result=result_file,
        result_data=result_data,
    )


def dataset(g: Graph, node: Node, ns: Namespace) -> tuple[GraphFile, ...]:
    """The files of a dataset description: `data` in the default graph; `graphData` either a file (its
    graph named by the file's IRI) or `[ graph <file> ; rdfs:label "graph IRI" ]`."""
    found = [GraphFile(local_path(f), None) for f in sorted(g.objects(node, ns.data))]
    for item in sorted(g.objects(node, ns.graphData)):
        if isinstance(item, URIRef):
            found.append(GraphFile(local_path(item), str(item)))
        else:
            file = g.value(item, ns.graph) or g.value(item, UT.graph) or g.value(item, QT.graph)
            found.append(GraphFile(local_path(file), str(g.value(item, RDFS.label) or file)))
    return tuple(found)


def all_tests(top: str) -> list[W3CTest]:
    """Every test of a top manifest and of those it includes (`sparql11/manifest-sparql11-update.ttl`)."""
    return [t for m in included(sparql_dir() / top) for t in tests_of(m)]


def core_ids() -> list[str]:
    """The 413 query-evaluation and result-format tests of `sparql-core-tests.txt`."""
    lines = (conformance_dir() / "sparql-core-tests.txt").read_text().splitlines()
    ids = [line.split("\t")[0] for line in lines if line and not line.startswith("#")]
    assert len(ids) == 413, f"sparql-core-tests.txt lists {len(ids)} tests, not 413"
    return ids


def core_tests() -> list[W3CTest]:
    by_id = {
        t.id: t
        for top in (
            "sparql11/manifest-sparql11-query.ttl",
            "sparql11/manifest-sparql11-results.ttl",
            "sparql10/manifest-evaluation.ttl",
        )
        for t in all_tests(top)
    }
    missing = [i for i in core_ids() if i not in by_id]
    assert not missing, f"tests of sparql-core-tests.txt not in the manifests: {missing[:5]}"
    return [by_id[i] for i in core_ids()]
