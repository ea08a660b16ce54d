"""The `pic` command line (Typer).

Errors are one line, `Error: …`, with exit code 1 (2 for usage errors, as Typer does). The CLI acts as
the local operator: an admin named after the operating-system user, so its writes are attributed.
"""

import io
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    serialize,
)
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pic.graph.access import NotAllowed
from pic.graph.installation.bootstrap import initialise, is_empty
from pic.graph.settings import Settings
from pic.graph.store.atomic_file import atomic_file
from pic.graph.store.disk_space import DiskFull, is_disk_full
from pic.graph.store.formats import BY_NAME, TURTLE, serialized
from pic.graph.store.interface import open_store
from pic.graph.store.parsing import RdfParseError, parse_file
from pic.graph.writes.path import ValidationFailed
from pic.ontology.namespaces import sparql_prefixes
from pic.service.cli_backup import backup, restore
from pic.service.cli_common import CliError, err, local_user, open_writer, out  # noqa: E402
from pic.service.cli_users import users  # noqa: E402
from pic.service.cli_withdraw import compact, withdraw  # noqa: E402

app = typer.Typer(
    help="PIC Euralens: knowledge graph of actors, projects, studies, indicators and territories.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(users, name="user")
app.command()(backup)
app.command()(restore)
app.command()(withdraw)
app.command()(compact)


def _graph(iri: str | None) -> NamedNode | None:
    if iri is None:
        return None
    try:
        return NamedNode(iri)
    except ValueError:
        raise CliError(f"not an IRI: {iri!r}") from None


@app.command()
def init(demo: Annotated[bool, typer.Option(help="Also load the demo territory's data.")] = False):
    """Load the ontology, the reference territories and optionally the demo into an empty store."""
    settings = Settings()
    writer = open_writer(settings)
    if not is_empty(writer):
        raise CliError(f"the store in {settings.data_dir} is not empty; use a new PIC_DATA_DIR or `pic load`")
    with Progress(TextColumn("{task.description}"), BarColumn(), console=err) as progress:
        task = progress.add_task("init", total=7 if demo else 5)
        results = initialise(
            writer,
            demo=demo,
            documents=settings.documents_dir,
            step=lambda name: progress.update(task, advance=1, description=name),
        )
    total = sum(r.added for r in results)
    out.print(f"Loaded {total} triples in {len(results)} writes into {Settings().data_dir}.")


@app.command()
def load(
    file: Path,
    graph: Annotated[str | None, typer.Option(help="Target named graph (IRI).")] = None,
    format: Annotated[str | None, typer.Option("--format", "-f", help="turtle, trig, nt, nq, jsonld, rdfxml.")] = None,
    validate: Annotated[bool, typer.Option(help="--no-validate: trusted admin bulk load.")] = True,
):
    """Load an RDF file into a named graph through the write path; a whole-store dump, or an organisation's
    export (`.tar.gz`, `pic export --org`), into an empty store."""
    from pic.graph.installation import dump_load, org_export

    settings = Settings()
    writer = open_writer(settings)
    if file.is_file() and file.stat().st_size == 0:
        raise CliError(f"{file} is empty: nothing was loaded")
    if file.name.endswith((".tar.gz", ".tgz")):
        result = org_export.load(writer, file, local_user(), settings.documents_dir)
        out.print(f"Loaded {result.added} triples into {len(result.graphs)} graphs (change {result.change.value}).")
        return
    with file_progress(file, "loading") as progress:
        result = dump_load.load(
            writer, file, _graph(graph), local_user(), fmt=format, validate=validate, progress=progress
        )
    for w in result.warnings:
        err.print(f"Warning: {w.describe('en')}")
    missing = dump_load.missing_documents(writer.store, settings.documents_dir)
    if missing:
        sys.stderr.write(
            f"Warning: {len(missing)} described document(s) have no file in {settings.documents_dir} "
            f"(e.g. {missing[0]}): copy them from the source installation's documents/ folder\n"
        )
    out.print(f"Loaded {result.added} triples into {', '.join(result.graphs)} (change {result.change.value}).")


@contextmanager
def file_progress(file: Path, verb: str):
    """A progress bar over the bytes of `file`; yields the callback the parser reports to."""
    if not file.is_file():
        raise CliError(f"no such file: {file}")
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(f"{verb} {file.name}", total=file.stat().st_size)
        yield lambda done, total: progress.update(task, completed=done)


@app.command("validate")
def validate_file(
    file: Path,
    graph: Annotated[str | None, typer.Option(help="Graph the file would go to.")] = None,
    format: Annotated[str | None, typer.Option("--format", "-f")] = None,
):
    """Parse and validate a file against the shapes without writing anything."""
    settings = Settings()
    writer = open_writer(settings)
    with file_progress(file, "parsing") as progress:
        staged = parse_file(
            file,
            _graph(graph) or settings.names.partner("validation"),
            format,
            progress,
            max_literal_chars=settings.max_literal_chars,
        )
    report = writer.check(staged.store, [])
    for w in report.warnings:
        err.print(f"Warning: {w.describe('en')}")
    if not report.conforms:
        for v in report.violations:
            sys.stderr.write(f"Violation: {v.describe('en')}\n")
        raise CliError(f"{file} does not conform: {len(report.violations)} violation(s)")
    out.print(f"{file}: {len(staged)} triples conform to the shapes.")


@app.command()
def query(
    text: Annotated[str, typer.Argument(help="A SPARQL query, or a file holding one.")],
    format: Annotated[str, typer.Option("--format", "-f", help="table, json, csv, tsv, xml, turtle, nt.")] = "table",
):
    """Run a SPARQL query on the store (default graph = union of all graphs)."""
    source = Path(text) if len(text) < 4096 and "\n" not in text else None
    sparql = source.read_text(encoding="utf-8") if source is not None and source.is_file() else text
    writer = open_writer(Settings())
    try:
        result = writer.store.query(sparql)
    except SyntaxError as e:
        raise CliError(f"malformed query: {e}") from None
    sys.stdout.write(render(result, format))


def render(result, fmt: str) -> str:
    """Text of a query result in one of the CLI formats."""
    if isinstance(result, QueryBoolean):
        return ("true" if bool(result) else "false") + "\n"
    if isinstance(result, QuerySolutions):
        if fmt == "table":
            table = Table(*[v.value for v in result.variables])
            for row in result:
                table.add_row(*[_cell(row[v]) for v in result.variables])
            text = io.StringIO()
            Console(file=text, width=200).print(table)
            return text.getvalue()
        formats = {
            "json": QueryResultsFormat.JSON,
            "csv": QueryResultsFormat.CSV,
            "tsv": QueryResultsFormat.TSV,
            "xml": QueryResultsFormat.XML,
        }
        if fmt not in formats:
            raise CliError(f"format {fmt!r} does not apply to SELECT results; use table, json, csv, tsv, xml")
        return serialized(result.serialize(format=formats[fmt])).decode()
    chosen = TURTLE if fmt == "table" else BY_NAME.get(fmt)
    if chosen is None or chosen.dataset:
        raise CliError(f"format {fmt!r} does not apply to graph results; use turtle, nt, jsonld, rdfxml")
    return serialized(serialize(list(result), format=chosen.rdf_format)).decode()


def _cell(term) -> str:
    if term is None:
        return ""
    return getattr(term, "value", str(term))


@app.command()
def export(
    graph: Annotated[str | None, typer.Option(help="One named graph (IRI); default all.")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="nq, trig, ttl, nt.")] = "nq",
    output: Annotated[Path | None, typer.Option("--out", "-o")] = None,
    org: Annotated[
        str | None, typer.Option(help="One organisation's data, documents and history as a .tar.gz (issue 20).")
    ] = None,
):
    """Write the store (or one graph) as RDF, to a file or standard output; or one organisation's archive."""
    from pic.graph.installation import org_export
    from pic.graph.store.parsing import rdf_format

    if org is not None:
        if output is None:
            raise CliError("an organisation's export is an archive: give --out FILE.tar.gz")
        settings = Settings()
        writer = open_writer(settings)
        archive = org_export.export(writer.store, writer.names, org, settings.documents_dir, settings.history_dir)
        with atomic_file(output) as f:
            f.write(archive)
        err.print(f"Wrote {output}")
        return

    fmt = rdf_format(format)
    g = _graph(graph)
    if g is None and not fmt.supports_datasets:
        raise CliError(f"{format} holds one graph; use --graph, or nq / trig for the whole store")
    writer = open_writer(Settings())
    if output is None:
        writer.store.dump(sys.stdout.buffer, fmt, g)
        return
    with atomic_file(output) as f:
        writer.store.dump(f, fmt, g)
    err.print(f"Wrote {output}")


@app.command()
def stats():
    """Triples per named graph, and counts of the main kinds of things."""
    writer = open_writer(Settings())
    table = Table("graph", "triples")
    for g in writer.store.graphs():
        table.add_row(g.value, str(writer.store.count(g)))
    out.print(table)
    kinds = Table("kind", "count")
    q = (
        sparql_prefixes("pic", "org", "qb", "igeo", "rdfs")
        + "SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE { VALUES ?kind { org:Organization pic:Project "
        "pic:Study pic:Indicator qb:Observation igeo:Commune pic:WorkingGroup pic:EvaluationQuestion } "
        "?s a/rdfs:subClassOf* ?kind } GROUP BY ?kind ORDER BY ?kind"
    )
    for row in writer.store.query(q):
        kinds.add_row(row["kind"].value.rsplit("#", 1)[-1], row["n"].value)
    out.print(kinds)


@app.command("map")
def network_map(
    kind: Annotated[
        str, typer.Argument(help="cooperation, knowledge-flows, actor-project, citations, actor-territory.")
    ],
    out_file: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="The file; its suffix picks the format: .html .gexf .graphml .json .csv .svg .png"
        ),
    ],
    theme: Annotated[str | None, typer.Option(help="Theme IRI or short name (culture, …).")] = None,
    territory: Annotated[str | None, typer.Option(help="Territory IRI or short form (commune/62498).")] = None,
    year_from: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    year_until: Annotated[int | None, typer.Option("--until", help="Last year.")] = None,
    actor_type: Annotated[str | None, typer.Option(help="Actor type IRI or short name.")] = None,
    relation: Annotated[str | None, typer.Option(help="Only ties of this relation.")] = None,
    min_weight: Annotated[int, typer.Option(help="Smallest weight of a tie.")] = 1,
    ego: Annotated[str | None, typer.Option(help="Only this actor's neighbourhood.")] = None,
    depth: Annotated[int, typer.Option(help="Depth of the ego network (1 or 2).")] = 1,
    path_from: Annotated[str | None, typer.Option(help="Shortest path from this actor …")] = None,
    path_to: Annotated[str | None, typer.Option(help="… to this one.")] = None,
    colour: Annotated[str, typer.Option(help="type or community.")] = "type",
    size: Annotated[str, typer.Option(help="degree, weighted_degree, betweenness, pagerank.")] = "weighted_degree",
    lang: Annotated[str, typer.Option(help="fr or en.")] = "fr",
):
    """Write a network map (the same as /maps/KIND with these filters) to a file."""
    from pydantic import ValidationError

    from pic.viz import maps, networks
    from pic.viz.filters import Filters
    from pic.viz.networks import KINDS, UnknownNode

    if kind not in KINDS:
        raise CliError(f"no map of kind {kind!r}: use one of {', '.join(KINDS)}")
    fmt = out_file.suffix.lstrip(".").lower()
    if lang not in ("fr", "en"):
        raise CliError("--lang: use fr or en")
    settings = Settings()
    values = {
        "theme": theme,
        "territory": territory,
        "from": year_from,
        "until": year_until,
        "actor_type": actor_type,
        "relation": relation,
        "min_weight": min_weight,
        "ego": ego,
        "depth": depth,
        "path_from": path_from,
        "path_to": path_to,
        "colour": colour,
        "size": size,
    }
    try:
        filters = Filters.model_validate({k: v for k, v in values.items() if v is not None})
        filters = filters.expanded(settings.base_iri)
    except ValidationError as e:
        first = e.errors()[0]
        raise CliError(f"--{'-'.join(str(x) for x in first['loc']).replace('_', '-')}: {first['msg']}") from None
    except ValueError as e:
        raise CliError(str(e)) from None
    writer = open_writer(settings)
    try:
        graph = maps.network(
            writer.store, kind, filters, claimed=networks.claimed_statements(writer.store, None, settings.names)
        )
        body = maps.output(graph, fmt, kind, filters, lang, link=lambda iri: iri)
    except (UnknownNode, ValueError) as e:
        raise CliError(str(e)) from None
    with atomic_file(out_file) as f:
        f.write(body)
    err.print(f"Wrote {out_file}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} ties")


@app.command("report")
def annual_report(
    year: Annotated[int, typer.Argument(help="The year of the report, e.g. 2024.")],
    out_dir: Annotated[Path, typer.Option("--out-dir", "-o", help="Where to write the files.")] = Path("."),
    formats: Annotated[str, typer.Option("--formats", help="Comma-separated: html, pdf, csv, ttl.")] = "html,pdf",
    lang: Annotated[str, typer.Option(help="fr or en.")] = "fr",
    server: Annotated[
        str | None,
        typer.Option(help="The server the figures' query links point at (default: this settings' host and port)."),
    ] = None,
):
    """Write the annual impact report for YEAR (etat-impacts-YEAR.html and .pdf by default)."""
    from pic.viz import report
    from pic.viz.pdf import PdfUnavailable, html_to_pdf

    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in ("html", "pdf", "csv", "ttl")]
    if unknown or not wanted:
        raise CliError(f"--formats: unknown {', '.join(unknown) or 'empty list'}; use html, pdf, csv, ttl")
    if lang not in ("fr", "en"):
        raise CliError("--lang: use fr or en")
    settings = Settings()
    writer = open_writer(settings)
    if year not in report.years_with_data(writer.store):
        raise CliError(
            f"no observation for {year}; years with data: "
            f"{', '.join(map(str, report.years_with_data(writer.store))) or 'none'}"
        )
    data = report.build(
        writer.store, year, settings.base_iri, server or f"http://{settings.host}:{settings.port}", lang
    )
    html = report.html(data)
    files = {
        "html": lambda: html.encode(),
        "pdf": lambda: html_to_pdf(html),
        "csv": lambda: report.figures_csv(data),
        "ttl": lambda: report.data_cube_slices(data, settings.base_iri),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for fmt in wanted:
        target = out_dir / f"etat-impacts-{year}{'' if lang == 'fr' else '-en'}.{fmt}"
        try:
            body = files[fmt]()
        except PdfUnavailable as e:
            raise CliError(str(e)) from None
        with atomic_file(target) as f:
            f.write(body)
        err.print(f"Wrote {target}")


@app.command()
def reindex():
    """Rebuild the search index from the store (the server also keeps it up to date after each write)."""
    from pic.graph.contributions.documents import document_texts
    from pic.graph.search_index import SearchIndex

    settings = Settings()
    writer = open_writer(settings)
    count = SearchIndex(settings.data_dir / "search.sqlite").rebuild(
        writer.store, settings.base_iri, document_texts(writer.store, settings.documents_dir)
    )
    err.print(f"Indexed {count} entities into {settings.data_dir / 'search.sqlite'}")


@app.command("import-csv")
def import_csv(
    file: Path,
    kind: Annotated[str, typer.Option(help="actors, projects, studies or observations.")],
    org: Annotated[str, typer.Option(help="The organisation whose graph receives the rows.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report every problem; write nothing.")] = False,
):
    """Import a CSV or XLSX file of the kind's template (`/import/templates/KIND.csv`) as one change."""
    from pic.graph.contributions.kinds import KINDS
    from pic.graph.contributions.spreadsheet import run_import

    if kind not in KINDS:
        raise CliError(f"--kind: use one of {', '.join(KINDS)}")
    if not file.is_file():
        raise CliError(f"{file}: no such file")
    writer = open_writer(Settings())
    result = run_import(writer, kind, file.read_bytes(), file.name, org, local_user(), dry_run=dry_run)
    for p in result.problems:
        sys.stderr.write(f"{file}: row {p.row}{', column ' + p.column if p.column else ''}: {p.message}\n")
    if result.problems:
        raise CliError(f"{len(result.problems)} problem(s) in {result.rows} row(s); nothing was written")
    err.print(f"{result.rows} row(s) {'would be imported' if dry_run else 'imported'} into {org}'s graph")


@app.command()
def serve(host: Annotated[str | None, typer.Option()] = None, port: Annotated[int | None, typer.Option()] = None):
    """Serve the platform (loads the demo on first start when the store is empty)."""
    import uvicorn

    from pic.service.app import create_app

    settings = Settings()
    if settings.store == "embedded":  # say it in one line now, not in uvicorn's traceback at start-up
        open_store(settings).close()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        access_log=settings.access_log is True,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )


def fail(message: str, code: int = 1) -> None:
    """One plain `Error:` line on standard error (never wrapped), then exit."""
    sys.stderr.write(f"Error: {message}\n")
    sys.exit(code)


def settings_problem(e: ValidationError) -> str:
    """One line naming each wrong PIC_* variable, its value and what it must be."""
    found: dict[str, list[str]] = {}
    for error in e.errors():
        name = f"PIC_{str(error['loc'][0]).upper()}={error['input']!r}" if error["loc"] else "settings"
        found.setdefault(name, []).append(error["msg"].removeprefix("Value error, "))
    return "; ".join(f"{name}: {' or '.join(messages)}" for name, messages in found.items())


def main() -> None:
    """Entry point: runs the Typer app and turns known failures into one `Error:` line."""
    try:
        app(standalone_mode=False)
    except ValidationFailed as e:
        for v in e.report.violations:
            sys.stderr.write(f"Violation: {v.describe('en')}\n")
        fail(str(e))
    except ValidationError as e:  # a PIC_* setting (pydantic's own text is several lines, named by field)
        fail(settings_problem(e))
    except (CliError, RdfParseError, NotAllowed, PermissionError, ValueError, FileNotFoundError) as e:
        fail(str(e))
    except DiskFull as e:
        fail(str(e))
    except OSError as e:
        if is_disk_full(e):
            fail(
                f"the disk of the data directory {Settings().data_dir} is full ({e}): nothing was written; "
                "free some space and try again"
            )
        if "lock" not in str(e).lower():
            raise
        fail(
            f"the data directory {Settings().data_dir} is in use by another pic process (a running `pic serve` "
            "or `pic load`): stop it first, or set PIC_DATA_DIR to another directory"
        )
    except (KeyboardInterrupt, typer.Abort):
        fail("interrupted; nothing was changed", 130)
    except Exception as e:
        if is_disk_full(e):  # SQLite's "database or disk is full" (the search index, the accounts)
            fail(f"the disk of the data directory {Settings().data_dir} is full ({e}); free some space and try again")
        # Typer's usage errors (click exceptions, vendored by Typer) know how to show themselves.
        if hasattr(e, "show") and hasattr(e, "exit_code"):
            e.show()
            sys.exit(e.exit_code)
        raise


if __name__ == "__main__":
    main()
