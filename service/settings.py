"""The one typed settings class; every value comes from a PIC_* environment variable or its default."""

from functools import cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pic.graph.names import Names
from pic.ontology.namespaces import DEFAULT_BASE


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIC_")

    data_dir: Path = Path("pic-data")
    """Where the embedded store, the history and the small databases live."""
    base_iri: str = DEFAULT_BASE
    """Prefix of every instance IRI; the service dereferences IRIs under it."""
    store: Literal["embedded", "remote"] = "embedded"
    sparql_query_url: str | None = None
    """Remote backend: the engine's SPARQL query endpoint."""
    sparql_update_url: str | None = None
    graph_store_url: str | None = None
    """Remote backend: the Graph Store Protocol endpoint used for large writes."""
    union_default_graph: bool = True
    """The SPARQL default graph is the union of the graphs the user may read."""
    curators: str = "euralens"
    """The organisations (comma-separated) whose graphs hold the PIC's curated descriptions, beside an
    organisation's own (`Names.curators`)."""
    demo: bool = True
    """Load the demo data on first start when the store is empty."""
    admin_token: str | None = None
    """The first admin's API token (also how scripts and end-to-end tests act as admin)."""
    cookie_secure: bool = False  # True: the session cookie is Secure even behind a TLS-terminating proxy
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    access_log: bool | Literal["json"] = False
    """One line per request on standard output: `true`, uvicorn's text line; `json`, one JSON object
    (time, method, route template, status, ms, role: `service/request_log.py`) for a log collector. Off
    by default, as in Gunicorn: it cost ~0.4 ms a request here (a third of a small query's whole time);
    writes are in the provenance graph anyway, and errors are always logged."""
    query_timeout: PositiveFloat = 30.0
    """Seconds a SPARQL query may run; past it the engine stops it (503)."""
    wait_for_copies: bool = False
    """Embedded store: answer only once the query engines' in-memory copies are loaded (15-25 s at 1.1M
    triples). False: answer at once, from the on-disk store (3-4x slower, and a query past the time limit
    gets its 503 but runs on in a thread) until the copies are loaded (graph/engine/copies.py)."""
    max_rows: PositiveInt = 10_000
    """Rows (or triples) a query returns at most; more are cut, with an X-PIC-Truncated header."""
    max_query_bytes: PositiveInt = 100_000
    """Largest SPARQL query or update text accepted (413 beyond)."""
    max_upload_bytes: PositiveInt = 50_000_000
    """Largest RDF document or spreadsheet accepted (413 beyond)."""
    max_document_bytes: PositiveInt = 20_000_000
    """Largest study document (PDF, DOCX, ODT) accepted (413 beyond)."""
    max_literal_chars: PositiveInt = 16 * 1024 * 1024
    """Longest literal (characters) a write may hold, wherever it comes from: a file (`pic load`, the Graph
    Store), a form or import cell, an annotation (400 or 422 beyond, naming the statement or the cell).
    16 Mi characters were accepted once, then broke the entity page and the export → load round trip."""
    min_free_bytes: NonNegativeInt = 64 * 1024 * 1024
    """Free space the data directory's disk keeps: a write is refused (507) before anything is written
    when less is free, leaving room for what follows a commit (the search index, the query copies'
    snapshots). A write that meets a full disk anyway is refused as cleanly; 0: no check before."""
    low_disk_bytes: NonNegativeInt = 1024 * 1024 * 1024
    """Free space below which `/health` reports the disk as failing (503), well before writes are refused."""
    service_allowlist: list[str] = []
    """Endpoints a query may call with SERVICE; empty: SERVICE is refused."""
    max_query_depth: PositiveInt = 200
    """Deepest nesting of a query's parse tree, refused with a 400 before any engine sees it: the saved
    queries reach 39; a nested group adds 2 levels, a bracket 5; 20,000 nested braces crashed the engine."""
    parse_timeout: PositiveFloat = 5.0
    """Seconds the SPARQL parser may spend reading one query or update text (400 beyond)."""
    sign_in_attempts: PositiveInt = 5
    """Failed sign-ins allowed per account within `sign_in_window` seconds (then 429 until the oldest
    expires); an address gets four times as many (several people behind one proxy)."""
    sign_in_window: PositiveFloat = 900.0
    trusted_proxies: str | None = None
    """Addresses of the TLS proxy in front (comma-separated) whose `X-Forwarded-For` and
    `X-Forwarded-Proto` are believed; none by default (uvicorn would believe 127.0.0.1's, and anyone on the
    machine could then pose as any address to the sign-in throttle)."""
    allowed_hosts: str = "127.0.0.1,localhost,[::1]"
    """Host names (comma-separated) the platform answers to; a request whose `Host` header names another
    gets a 400 (`service/allowed_hosts.py`). Links, annotation ids and the SPARQL service description are
    built on the host name asked (without `public_url`), so `Host: evil.example` would otherwise get ids on
    evil.example, which a cache in front keeps for everyone; its port is never believed (`public_url`).
    Add the public name (`pic.example.org`) when serving one; a proxy in front passes the original `Host`
    on. The base IRI's host is not added: by default w3id.org, whose redirects send browsers to the real
    host, so no request names it. `*` allows any name."""
    public_url: str | None = None
    """The platform's public address, scheme and host (and port): `https://pic.example.org`. Every link
    the platform builds — annotation ids and containers, `Location` headers, the report's and saved
    queries' links, the SPARQL service description — is on it, whatever `Host` a request names
    (`service/public_origin.py`); its host name is allowed (`allowed_hosts`). Unset: the host name asked
    and the port `pic serve` listens on (the `Host` header's port is never believed: `Host: 127.0.0.1:9999`
    got ids on port 9999); behind a proxy, set it."""
    parser_processes: PositiveInt = 2
    """Processes reading SPARQL texts for /sparql and /update (see service/parser_pool.py)."""
    max_form_bytes: PositiveInt = 1_000_000
    """Largest JSON or form body (annotations, contributions, moderation, sign-in; 413 beyond), read
    with this limit as it streams in, after the permission check."""
    max_import_rows: PositiveInt = 20_000
    """Rows under the header a spreadsheet import reads at most (413 beyond, the rest left unread): a
    0.3 MB XLSX can hold a million rows, and reading them all cost a minute of CPU."""
    max_import_cells: PositiveInt = 1_000_000
    """Cells a spreadsheet import reads at most, empty ones included (413 beyond)."""

    @field_validator("public_url")
    @classmethod
    def an_origin(cls, value: str | None) -> str | None:
        """`http(s)://host[:port]`, nothing after it: links are built on it by appending their path."""
        if not value:
            return None
        parts = urlsplit(value.strip())
        try:
            _ = parts.port  # a port that is no number raises here
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
            or parts.username
            or parts.password
        ):
            raise ValueError("the public address is http(s)://host[:port], without a path: https://pic.example.org")
        return f"{parts.scheme}://{parts.netloc}"

    @model_validator(mode="after")
    def remote_needs_its_engine(self):
        if self.store == "remote" and not self.sparql_query_url:
            raise ValueError(
                "PIC_STORE=remote needs PIC_SPARQL_QUERY_URL (and PIC_SPARQL_UPDATE_URL, "
                "PIC_GRAPH_STORE_URL): the engine's endpoints"
            )
        return self

    @property
    def names(self) -> Names:
        return Names(self.base_iri, frozenset(o.strip() for o in self.curators.split(",") if o.strip()))

    @property
    def hosts(self) -> list[str]:
        listed = [h.strip() for h in self.allowed_hosts.split(",") if h.strip()]
        public = urlsplit(self.public_url).hostname if self.public_url else None
        public = f"[{public}]" if public and ":" in public else public  # an IPv6 address, as Host names it
        return listed + [public] if public and public not in listed else listed

    @property
    def history_dir(self) -> Path:
        return self.data_dir / "history"

    @property
    def documents_dir(self) -> Path:
        """Studies' files and their extracted text, named by checksum."""
        return self.data_dir / "documents"


@cache
def get_settings() -> Settings:
    return Settings()
