"""One server under test, as the suites see it: where queries, updates and Graph Store requests go, how
test data are loaded, how the store is read back and emptied between tests.

Data are loaded over the Graph Store Protocol, the way a client of that server would: the file read with
the engine's parser (its IRIs resolved against its published IRI), sent as N-Triples to `?default` or
`?graph=…` (on the platform as admin). Between tests the store is emptied with `DROP ALL` on the bare
engine; the platform keeps graphs of its own that no update may write (the provenance of every write,
under its base IRI), so there every other graph is dropped, by name, and the default graph cleared, in
one update (and, as the platform cannot remove blank nodes, a graph holding some stays: `runs.py` then
asks for a fresh platform).
"""

from pathlib import Path

import httpx
from pyoxigraph import RdfFormat, parse, serialize

from tests.w3c.manifests import GraphFile, public_iri

PLATFORM_BASE = "https://w3id.org/pic-euralens/"
JSON = "application/sparql-results+json"
EVERY_GRAPH = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
ANY_DEFAULT = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
EVERY_QUAD = "SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
FORMATS = {".ttl": RdfFormat.TURTLE, ".nt": RdfFormat.N_TRIPLES, ".rdf": RdfFormat.RDF_XML}


def ntriples(path: Path) -> bytes:
    with open(path, "rb") as f:
        triples = [q.triple for q in parse(f, FORMATS[path.suffix], base_iri=public_iri(path))]
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b""


def message(response: httpx.Response) -> str:
    """The one line a refusal says (the platform's `{"error": {"message"}}`, or the body's start)."""
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return response.text.strip().replace("\n", " ")[:200]


class Target:
    def __init__(self, name: str, query_url: str, update_url: str, gsp_url: str, admin: dict, platform: bool = False):
        self.name, self.platform = name, platform
        self.url = query_url.rsplit("/", 1)[0]
        self.query_url, self.update_url, self.gsp_url = query_url, update_url, gsp_url
        self.admin = admin  # headers of a request that may write
        self.partner_token: str | None = None
        self.dirty = True  # something may have been written since the store was last emptied
        # The graphs written since, when only loads wrote (None: an update or a protocol test may have
        # written any graph, which a query then finds).
        self.loaded: set[str] | None = None
        self.dataset: tuple | None = None  # the files loaded, when nothing else was written since
        self.stuck: list[str] = []  # graphs that could not be removed
        self.restart = None  # how to get a fresh server when the store cannot be emptied
        self.restarts = 0
        # A connection per request: after a server error uvicorn closes the connection, and a pooled one
        # would fail the next request.
        self.client = httpx.Client(timeout=60, limits=httpx.Limits(max_keepalive_connections=0))

    def load(self, files: tuple[GraphFile, ...]) -> str | None:
        """Load the files of a test's dataset; None, or why the server refused one. Files already loaded
        (`dataset`: the same files, nothing else written since) are not sent again."""
        if files == self.dataset:
            return None
        self.dataset = None
        for file in files:
            params = {"graph": file.graph} if file.graph else {"default": ""}
            r = self.client.post(
                self.gsp_url,
                params=params,
                content=ntriples(file.path),
                headers={**self.admin, "Content-Type": "application/n-triples"},
            )
            if r.status_code < 300 and file.graph and self.loaded is not None:
                self.loaded.add(file.graph)
            self.dirty = self.dirty or r.status_code < 300
            if r.status_code >= 300:
                where = f"<{file.graph}>" if file.graph else "the default graph"
                return f"loading {file.path.name} into {where}: {r.status_code} {message(r)}"
        self.dataset = files
        return None

    def query(self, text: str, accept: str = JSON, **params) -> httpx.Response:
        return self.client.post(
            self.query_url,
            params=params,
            content=text.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": accept},
        )

    def update(self, text: str) -> httpx.Response:
        r = self.client.post(
            self.update_url, content=text.encode(), headers={**self.admin, "Content-Type": "application/sparql-update"}
        )
        self.dirty = self.dirty or r.status_code < 400  # (a refused update changes nothing)
        self.loaded = self.dataset = None
        return r

    def rows(self, text: str) -> list[dict]:
        r = self.client.post(
            self.query_url,
            content=text.encode(),
            headers={**self.admin, "Content-Type": "application/sparql-query", "Accept": JSON},
        )
        r.raise_for_status()
        return r.json()["results"]["bindings"]

    def test_graphs(self) -> list[str]:
        """The named graphs that tests made (on the platform: not its own)."""
        names = [row["g"]["value"] for row in self.rows(EVERY_GRAPH)]
        return sorted(g for g in names if not (self.platform and g.startswith(PLATFORM_BASE)))

    def reset(self) -> list[str]:
        """Empty the store for the next test (the platform's own graphs kept); the graphs that stayed
        (the platform refuses to remove blank nodes: `/update` with a 400, the Graph Store with a 500)."""
        if not self.dirty:
            self.dataset = ()
            return self.stuck
        if not self.platform:
            r = self.update("DROP ALL")
            assert r.status_code < 300, f"{self.name}: could not empty the store: {r.status_code} {message(r)}"
        else:
            graphs = self.test_graphs() if self.loaded is None else sorted(self.loaded)
            drops = [f"DROP SILENT GRAPH <{g}>" for g in graphs] + ["CLEAR SILENT DEFAULT"]
            if self.update(" ;\n".join(drops)).status_code >= 300:
                for g in graphs:
                    self.client.delete(self.gsp_url, params={"graph": g}, headers=self.admin)
                self.client.delete(self.gsp_url, params={"default": ""}, headers=self.admin)
                self.stuck = self.test_graphs() + (["the default graph"] if self.rows(ANY_DEFAULT) else [])
        self.dirty, self.loaded, self.dataset = False, set(), ()
        return self.stuck

    def close(self) -> None:
        self.client.close()
