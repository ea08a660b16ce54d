"""The one typed settings class; every value comes from a PIC_* environment variable or its default."""

from functools import cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import SplitResult, urlsplit

from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pic.graph.names import Names
from pic.ontology.namespaces import DEFAULT_BASE


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIC_", use_attribute_docstrings=True)

    data_dir: Path = Path("pic-data")
    """store, history, small databases"""
    base_iri: str = DEFAULT_BASE
    """instance IRIs"""
    store: Literal["embedded", "remote"] = "embedded"
    """`remote` to use a SPARQL 1.1 engine"""
    sparql_query_url: str | None = None
    """the remote engine's endpoints (Oxigraph: `/query`, `/update`, `/store`)"""
    sparql_update_url: str | None = None
    """the remote engine's endpoints (Oxigraph: `/query`, `/update`, `/store`)"""
    graph_store_url: str | None = None
    """the remote engine's endpoints (Oxigraph: `/query`, `/update`, `/store`)"""
    union_default_graph: bool = True
    """The SPARQL default graph is the union of the graphs the user may read."""
    curators: str = "euralens"
    """organisations (comma-separated) whose graphs hold the PIC's curated descriptions: an organisation's own actor is
    its own and theirs"""
    demo: bool = True
    """load the demo on first start when the store is empty"""
    admin_token: str | None = None
    """the admin's bearer token (SPARQL Update, Graph Store writes)"""
    cookie_secure: bool = False  # True: the session cookie is Secure even behind a TLS-terminating proxy
    """mark the session cookie Secure even when a proxy terminates TLS"""
    host: str = "127.0.0.1"
    """where `pic serve` listens"""
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    """where `pic serve` listens"""
    access_log: bool | Literal["json"] = False
    """one line per request on standard output: `true` uvicorn's text line, `json` one JSON object without names,
    queries or tokens ([Logs](#operating-the-platform)); errors are always logged, writes are in the provenance
    graph"""
    query_timeout: PositiveFloat = 30.0
    """query limits (the embedded store's queries are answered by the engine's own server, `oxigraph serve`, holding an
    in-memory copy on a free port of 127.0.0.1 — and, once some graph is private, a second copy of what anonymous
    readers may read: ~0.4 GB each at 1M triples)"""
    wait_for_copies: bool = False
    """Embedded store: answer only once the query engines' in-memory copies are loaded (15-25 s at 1.1M
    triples). False: answer at once, from the on-disk store (3-4x slower, and a query past the time limit
    gets its 503 but runs on in a thread) until the copies are loaded (graph/engine/copies.py)."""
    max_rows: PositiveInt = 10_000
    """query limits (the embedded store's queries are answered by the engine's own server, `oxigraph serve`, holding an
    in-memory copy on a free port of 127.0.0.1 — and, once some graph is private, a second copy of what anonymous
    readers may read: ~0.4 GB each at 1M triples)"""
    engine_memory_mb: PositiveInt = 4096
    """most resident memory (MiB) one query engine, or one SPARQL update's evaluation, may hold: past it the engine is
    stopped and reloaded (the queries it was answering get 502, their senders 429 for a while) and the update is
    stopped (503). A copy holds ~0.4 GB at 1M triples; the two copies and an update may each reach it at once"""
    max_query_bytes: PositiveInt = 100_000
    """largest query or update text (413 beyond)"""
    max_upload_bytes: PositiveInt = 50_000_000
    """Largest RDF document or spreadsheet accepted (413 beyond)."""
    max_document_bytes: PositiveInt = 20_000_000
    """Largest study document (PDF, DOCX, ODT) accepted (413 beyond)."""
    max_literal_chars: PositiveInt = 1_000_000
    """longest literal a write may hold, wherever it comes from: a file (`pic load`, the Graph Store), a form field or
    spreadsheet cell (422 on its field), an annotation (400). Past ~1.4 million characters a value may no longer be
    read back through the engine (its answers carry a term in 8 MiB): raise it with care"""
    min_free_bytes: NonNegativeInt = 64 * 1024 * 1024
    """free space the data directory's disk keeps: below it writes are refused (507) before anything is written; `0`:
    no check before (a write the full disk stops is refused as cleanly)"""
    low_disk_bytes: NonNegativeInt = 1024 * 1024 * 1024
    """free space below which `/health` reports the disk as failing"""
    service_allowlist: list[str] = []
    """endpoints SERVICE may call (JSON list)"""
    max_query_depth: PositiveInt = 200
    """deepest nesting of a query's parse tree (~100 nested groups, ~40 nested brackets; 400 beyond)"""
    max_path_length: PositiveInt = 100
    """most IRIs one property path may name, `^<p>/<q>/<r>` naming 3 (400 beyond): the engine's time and stack grow
    with a path's length, which the nesting limit does not see"""
    max_chain_length: PositiveInt = 1000
    """most operands one chain of an operator may have, `a || b || c` or `{…} UNION {…}` having 3 (400 beyond): the
    engine reads a chain recursively, and its stack overflowed between 5,000 and 8,000 operands, which the nesting
    limit does not see"""
    max_group_size: PositiveInt = 200
    """most triple patterns one basic graph pattern may have (`?s <p> ?a, ?b` having 2), parts one group may have
    (OPTIONAL, MINUS, FILTER, …) or resources one DESCRIBE may name (400 beyond): a join of 500 patterns ran past
    the time limit, and larger ones aborted the engine"""
    parse_timeout: PositiveFloat = 5.0
    """seconds and worker processes for reading `/sparql` and `/update` texts with the SPARQL parser (400 past the
    time)"""
    sign_in_attempts: PositiveInt = 5
    """failed sign-ins allowed per account (four times as many per address) within the window in seconds; then 429
    until the oldest expires"""
    sign_in_window: PositiveFloat = 900.0
    """failed sign-ins allowed per account (four times as many per address) within the window in seconds; then 429
    until the oldest expires"""
    trusted_proxies: str | None = None
    """the TLS proxy's addresses (comma-separated) whose `X-Forwarded-For`/`-Proto` headers are believed; none by
    default"""
    allowed_hosts: str = "127.0.0.1,localhost,[::1]"
    """the host names (comma-separated) the platform answers to, as in the `Host` header; others get 400. Add the
    public name when serving one (`pic.example.org`; a proxy in front passes the original `Host` on); `*` for any"""
    public_url: str | None = None
    """the platform's public address, `https://pic.example.org` (no path): annotation ids, `Location` headers, the
    report's, saved queries' and service description's links are built on it, whatever `Host` a request names, and
    its name is allowed. Unset: on the host name asked and the port `pic serve` listens on — never the `Host`
    header's port; set it behind a proxy"""
    parser_processes: PositiveInt = 2
    """seconds and worker processes for reading `/sparql` and `/update` texts with the SPARQL parser (400 past the
    time)"""
    max_form_bytes: PositiveInt = 1_000_000
    """largest JSON or form body of annotations, contributions, moderation and sign-in (413 beyond; read as it streams
    in, after the permission check)"""
    max_import_rows: PositiveInt = 20_000
    """rows under the header a spreadsheet import reads (413 beyond, the rest unread)"""
    max_import_cells: PositiveInt = 1_000_000
    """cells a spreadsheet import reads, a row's empty cells before its last one included (413 beyond)"""
    max_upload_files: PositiveInt = 20
    """RDF documents one multipart Graph Store POST may carry (400 beyond)"""
    page_rows: PositiveInt = 300
    """rows each list of an entity page shows (an actor's projects and studies, a project's actors, a territory's
    subdivisions…)"""
    page_statements: PositiveInt = 2000
    """statements an entity page shows of its entity, and a quarter as many of other entities pointing at it"""
    page_changes: PositiveInt = 50
    """changes an entity page's history lists, newest first"""
    read_log_days: PositiveInt = 365
    """days the log of who read an organisation's non-public data is kept (`/api/read-log`; issue 20)"""
    page_observations: PositiveInt = 5000
    """observations of a territory its page's key indicators are chosen from (the latest value of each)"""
    home_studies: PositiveInt = 8
    """latest and planned studies the home page lists, each"""
    form_choices: PositiveInt = 3000
    """choices a contribution form's field offers (the entities it may point at, by label), and entries the
    `/contribute` page lists of the partner's own"""
    annotations_page: PositiveInt = 20
    """annotations on each page of the annotation container (`/annotations/?page=`)"""

    @field_validator("public_url")
    @classmethod
    def an_origin(cls, value: str | None) -> str | None:
        """`http(s)://host[:port]`, nothing after it: links are built on it by appending their path."""
        if not value:
            return None
        parts: SplitResult | None
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
    def remote_needs_its_engine(self) -> "Settings":
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


def shown(value: object) -> str:
    """A default as the settings table writes it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list | tuple):
        return f"`{list(value)!r}`".replace("'", '"')
    return f"`{value}`"


def table() -> str:
    """The README's settings table, made from the class: one row per setting, its default, and its
    docstring (`tests/test_settings_table.py` holds the README to it; `python -m pic.graph.settings`
    prints it)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, info in Settings.model_fields.items():
        meaning = " ".join((info.description or "").split())
        rows.append(f"| `PIC_{name.upper()}` | {shown(info.get_default(call_default_factory=True))} | {meaning} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(table(), end="")
