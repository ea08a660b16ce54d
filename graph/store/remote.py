"""Any SPARQL 1.1 engine: SPARQLWrapper for query and update, the Graph Store Protocol for bulk writes.

Tested against a real Oxigraph server. Queries ask for the union of all graphs as the default graph
with Oxigraph's `union-default-graph` request parameter (other engines: configure it, e.g. Fuseki's
tdb2:unionDefaultGraph, and leave the server's own union flag off: updates name their graphs with
USING). The Graph Store endpoint must accept N-Quads without a `graph` parameter (Oxigraph and Fuseki
do). One HTTP request is one transaction on these engines, so a change is sent as
one update (small) or one N-Quads POST (large).
"""

import io
from collections.abc import Iterator, Mapping, Sequence
from typing import IO

import httpx
from pyoxigraph import (
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    Triple,
    Variable,
    parse,
    parse_query_results,
    serialize,
)
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from pic.graph.names import GraphName, named
from pic.graph.store.interface import (
    Change,
    Infer,
    IsInferred,
    QueryResult,
    Term,
    all_inferred,
    bind,
    emptied_graphs,
    known_types,
    quads_to_update_data,
    replacement_update,
    solutions,
)

BULK_THRESHOLD = 20_000


class RemoteQueryError(RuntimeError):
    """The engine refused or failed a request; carries its status and message."""


class RemoteStore:
    loads_files_atomically = False  # a file is parsed locally and sent as N-Quads instead

    def __init__(self, query_url: str, update_url: str | None = None, gsp_url: str | None = None):
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.http = httpx.Client(timeout=600)
        self.bulk_threshold = BULK_THRESHOLD

    def _wrapper(self, endpoint: str) -> SPARQLWrapper:
        sw = SPARQLWrapper(endpoint)
        sw.setMethod(POST)
        return sw

    # -- reading -------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        union: bool = True,
        default_graph: Sequence[GraphName] | None = None,
        named_graphs: Sequence[GraphName] | None = None,
        substitutions: Mapping[Variable, Term] | None = None,
    ) -> QueryResult:
        sparql = bind(sparql, substitutions)
        sw = self._wrapper(self.query_url)
        sw.setQuery(sparql)
        if union and default_graph is None:
            sw.addParameter("union-default-graph", "true")
        for g in default_graph or []:
            sw.addDefaultGraph(g.value)
        for g in (named_graphs if named_graphs is not None else default_graph) or []:
            sw.addNamedGraph(g.value)
        graph_result = sw.queryType in ("CONSTRUCT", "DESCRIBE")
        sw.setReturnFormat(TURTLE if graph_result else JSON)
        try:
            with sw.query().response as response:
                raw = response.read()
        except Exception as e:  # SPARQLWrapper raises its own hierarchy and urllib errors
            raise RemoteQueryError(f"{self.query_url}: {e}") from e
        if graph_result:
            return iter([q.triple for q in parse(raw, RdfFormat.TURTLE)])
        return parse_query_results(raw, QueryResultsFormat.JSON)

    def graphs(self) -> list[NamedNode]:
        rows = solutions(self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))
        return sorted((r["g"] for r in rows), key=lambda g: g.value)

    def count(self, graph: NamedNode | None = None) -> int:
        if graph is None:
            q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        else:
            q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        return int(next(iter(solutions(self.query(q))))["n"].value)

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        buffer = io.BytesIO()
        self.dump(buffer, RdfFormat.N_QUADS, graph)
        return iter(parse(buffer.getvalue(), RdfFormat.N_QUADS))

    def compact(self) -> None:
        """The engine's files are its own: compacting them is its operator's (README, "Data protection")."""

    def dump(self, out: IO[bytes], fmt: RdfFormat, graph: NamedNode | None = None) -> None:
        if graph is None:
            rows = solutions(self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))
            quads = [Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]
        else:
            rows = solutions(self.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))
            quads = [Quad(r["s"], r["p"], r["o"], graph) for r in rows]
        if fmt.supports_datasets:
            serialize(quads, out, fmt)
        else:
            serialize([q.triple for q in quads], out, fmt)

    def describe_types(self, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
        return known_types(self.query, pairs, chunk=300)

    # -- writing -------------------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        sw = self._wrapper(self.update_url)
        sw.setQuery(sparql)
        try:
            with sw.query().response as response:
                response.read()
        except Exception as e:
            raise RemoteQueryError(f"{self.update_url}: {e}") from e

    def apply(self, change: Change, inferred: IsInferred, infer: Infer) -> int:
        if change.size < self.bulk_threshold or not self.gsp_url:
            quads = infer(change)
            existing = [g for g in self.graphs() if inferred(g)] if quads is not None else []
            self.update(
                replacement_update(change, quads, existing=existing, emptied=emptied_graphs(change.removed, self.count))
            )
            return len(change.staged)
        # Large: each request is one transaction on the engine; a later failure is compensated.
        if change.removed:
            self.update(f"DELETE DATA {{ {quads_to_update_data(change.removed)} }}")
        record: list[Quad] = []
        replacing = False
        try:
            if change.file is not None:
                before = self.count(change.file.graph)
                with change.file.path.open("rb") as f:
                    self._post(f, change.file.format, change.file.graph)
                added = self.count(change.file.graph) - before
                record = change.record(added)
                self.update(f"INSERT DATA {{ {quads_to_update_data(record)} }}")
            else:
                added = len(change.staged)
                record = change.record(added)
                body = io.BytesIO()
                serialize(list(change.staged) + record, body, RdfFormat.N_QUADS)
                self._post(body.getvalue(), RdfFormat.N_QUADS, None)
            quads = all_inferred(infer)
            replacing = True
            self._replace_inferred(quads, inferred)
        except BaseException:
            # (The Writer sends files directly only to stores that load them atomically.)
            self.update(f"DELETE DATA {{ {quads_to_update_data(record)} }}")
            if change.added is not None:
                self.update(f"DELETE DATA {{ {quads_to_update_data(change.added)} }}")
            if change.removed:
                self.update(f"INSERT DATA {{ {quads_to_update_data(change.removed)} }}")
            if replacing:  # some inferred graphs may be the new ones: derived again from the data as it was
                self._replace_inferred(all_inferred(infer), inferred)
            raise
        return added

    def _replace_inferred(self, quads: list[Quad], inferred: IsInferred) -> None:
        """Each inferred graph replaced by one PUT (a transaction of its own: a graph is never seen
        empty in between), then those with no conclusions left dropped."""
        by_graph: dict[GraphName, list[Triple]] = {}
        for q in quads:
            by_graph.setdefault(named(q.graph_name), []).append(q.triple)
        stale = [g for g in self.graphs() if inferred(g) and g not in by_graph]
        for graph, triples in sorted(by_graph.items(), key=lambda item: item[0].value):
            body = io.BytesIO()
            serialize(triples, body, RdfFormat.N_TRIPLES)
            self._send("PUT", body.getvalue(), RdfFormat.N_TRIPLES, graph)
        if stale:
            self.update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in stale))

    def _post(self, body: bytes | IO[bytes], fmt: RdfFormat, graph: GraphName | None) -> None:
        self._send("POST", body, fmt, graph)

    def _send(self, method: str, body: bytes | IO[bytes], fmt: RdfFormat, graph: GraphName | None) -> None:
        params = {"graph": graph.value} if graph is not None else {}
        assert self.gsp_url is not None  # the bulk path, the only one sending, is taken with a Graph Store URL
        r = self.http.request(
            method, self.gsp_url, params=params, content=body, headers={"Content-Type": fmt.media_type}
        )
        if r.status_code >= 300:
            raise RemoteQueryError(f"{self.gsp_url}: HTTP {r.status_code} {r.text[:500]}")

    def close(self) -> None:
        self.http.close()
