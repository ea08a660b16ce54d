"""Assemble the FastAPI application: settings, store, query runner, routers. Nothing else lives here."""

import threading
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from pic.graph.engine.local import ENGINE_STACK_BYTES
from pic.graph.installation.bootstrap import initialise, is_empty
from pic.graph.installation.layout import migrate
from pic.graph.installation.shipped_graphs import upgrade as upgrade_shipped
from pic.graph.settings import Settings
from pic.graph.writes.factory import open_writer
from pic.graph.writes.history import remove_orphans, remove_unrecorded
from pic.service import errors
from pic.service.accounts import Accounts
from pic.service.allowed_hosts import AllowedHosts
from pic.service.head_requests import HeadAsGet
from pic.service.language_cookie import RememberLanguage
from pic.service.metrics import MeasureRequests, Metrics
from pic.service.parser_pool import ParserPool
from pic.service.public_origin import PublicOrigin
from pic.service.read_log import ReadLog
from pic.service.recovery import Recovery
from pic.service.request_log import RequestLog
from pic.service.routers import (
    accounts,
    annotations,
    backup,
    contributions,
    docs,
    documents,
    graph_store,
    history,
    home,
    imports,
    linked_data,
    maps,
    moderation,
    org_data,
    read_log,
    reports,
    saved_queries,
    search,
    sparql,
    workbench,
)
from pic.service.security_headers import SecurityHeaders
from pic.service.state import GraphNames, WorkingGroups
from pic.service.throttle import Throttle
from pic.service.xml_answers import XmlAnswers


def query_runner(settings: Settings, store):
    """Local engines over in-memory copies of the store (embedded), or the remote engine itself."""
    if settings.store == "remote":
        from pic.graph.engine.remote_queries import RemoteQueries

        assert settings.sparql_query_url is not None  # `Settings.remote_needs_its_engine`
        return RemoteQueries(settings.sparql_query_url, settings.query_timeout)
    from pic.graph.engine.copies import EngineReplicas

    return EngineReplicas(
        store,
        settings.data_dir / "snapshots",
        settings.query_timeout,
        settings.names,
        wait=settings.wait_for_copies,
        memory_bytes=settings.engine_memory_mb * 2**20,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    # The embedded store answers in this process's worker threads while the engine's copies load, and
    # runs every SPARQL Update: a query whose tree the engine reads deeper than a thread's stack would
    # abort the whole service. The threads started from now on get the engine's own stack.
    threading.stack_size(ENGINE_STACK_BYTES)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        writer = open_writer(settings)
        followers, writer.listeners = writer.listeners, []  # a first start's writes are indexed at once, below
        remove_orphans(settings.history_dir)  # a killed bulk load's copy of its file
        remove_unrecorded(settings.history_dir, writer.store)  # a killed write's delta
        if settings.demo and is_empty(writer):
            initialise(writer, demo=True, documents=settings.documents_dir)
        migrate(writer, settings.data_dir)  # a store from before the private derived graphs
        upgrade_shipped(writer)  # an older version's ontology and territories
        graphs, groups = GraphNames(writer.store, settings.names), WorkingGroups(writer.store, settings.names)
        assert writer.reindex is not None  # `open_writer` set it
        writer.reindex(None)
        queries = query_runner(settings, writer.store)  # after the index: its copies load while we answer

        def wrote(_) -> None:
            app.state.last_write = datetime.now(UTC).isoformat(timespec="seconds")
            metrics.wrote()

        # The graph names first: a reader's view lists the graphs they may read before a copy holds a new one;
        # then what follows every write, the CLI's too (`graph/writes/factory.py`: the search index).
        writer.listeners = [lambda _: graphs.refresh(), queries.follow, lambda _: groups.refresh(), *followers, wrote]
        writer.timers.append(metrics.write_seconds.observe)
        metrics.runner = queries
        app.state.last_write = None
        app.state.search = writer.search
        app.state.accounts = Accounts(settings.data_dir / "accounts.sqlite", keep_open=True)
        writer.organisations = app.state.accounts.organisations  # whose actors are their own (graph/writes/minted.py)
        app.state.settings, app.state.writer, app.state.query_runner = settings, writer, queries
        app.state.graphs, app.state.groups = graphs, groups
        app.state.read_log = ReadLog(settings.data_dir / "read-log.sqlite", settings.read_log_days, settings.names)
        app.state.parser = ParserPool(settings.parser_processes, settings.parse_timeout)
        app.state.sign_in_throttle = Throttle(
            settings.sign_in_attempts, 4 * settings.sign_in_attempts, settings.sign_in_window
        )
        recovery = Recovery(writer, settings.data_dir, settings.min_free_bytes).start()
        yield
        recovery.close()
        app.state.parser.close()
        queries.close()
        app.state.accounts.close()
        writer.store.close()

    app = FastAPI(
        title="PIC Euralens",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,  # ours: routers/docs.py
        description="Graphe de connaissances de la Plateforme d'Intelligence Collective "
        "Euralens / Knowledge graph of the Euralens collective intelligence "
        "platform.",
    )
    app.add_middleware(XmlAnswers)  # innermost: its 406 gets the headers of the middleware around it
    app.add_middleware(HeadAsGet)  # the routes and XmlAnswers see GET (a body to check), the others HEAD
    app.add_middleware(RememberLanguage)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST"],
        expose_headers=["X-PIC-Rows", "X-PIC-Truncated", "X-PIC-Elapsed-Ms"],
    )
    # links on the platform's own address, not the Host header's port; inside AllowedHosts (name checked)
    app.add_middleware(PublicOrigin, public_url=settings.public_url, behind_proxy=bool(settings.trusted_proxies))
    app.add_middleware(AllowedHosts, hosts=settings.hosts)  # inside SecurityHeaders: its 400 gets them too
    app.add_middleware(SecurityHeaders)
    metrics = Metrics()
    app.state.metrics = metrics
    app.add_middleware(MeasureRequests, metrics=metrics)
    if settings.access_log == "json":
        app.add_middleware(RequestLog)
    errors.install(app)
    static = resources.files("pic.service").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    # The query endpoints first: routes are matched in order, and researchers' scripts call them most.
    app.include_router(sparql.router)
    saved_queries.install(app)
    app.include_router(home.router)
    app.include_router(graph_store.router)
    app.include_router(workbench.router)
    app.include_router(maps.router)
    app.include_router(reports.router)
    app.include_router(documents.router)
    app.include_router(linked_data.router)
    app.include_router(search.router)
    app.include_router(accounts.router)
    app.include_router(imports.router)
    app.include_router(contributions.router)
    app.include_router(history.router)
    app.include_router(moderation.router)
    app.include_router(annotations.router)
    app.include_router(docs.router)
    app.include_router(backup.router)
    app.include_router(read_log.router)
    app.include_router(org_data.router)
    return app
