"""Assemble the FastAPI application: settings, store, routers. Nothing else lives here."""

from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from pic.graph.bootstrap import initialise, is_empty
from pic.graph.store import open_store
from pic.graph.write_path import Writer
from pic.service.routers import home
from pic.service.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        writer = Writer(open_store(settings), settings.names, settings.history_dir)
        if settings.demo and is_empty(writer):
            initialise(writer, demo=True)
        app.state.settings, app.state.writer = settings, writer
        yield
        writer.store.close()

    app = FastAPI(title="PIC Euralens", lifespan=lifespan,
                  description="Graphe de connaissances de la Plateforme d'Intelligence Collective "
                              "Euralens / Knowledge graph of the Euralens collective intelligence "
                              "platform.")
    static = resources.files("pic.service").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(home.router)
    return app
