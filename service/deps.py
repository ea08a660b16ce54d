"""Shared FastAPI dependencies as Annotated aliases: the one way routers reach what the app holds (the
settings, the store, the writer, the user, the graph names, the accounts…). `service/app.py` puts them in
`app.state` at start; only this module, the current user (`service/auth.py`) and middleware read it there,
so an endpoint's signature says what it uses and a test overrides it through `app.dependency_overrides`.

They are `async def` although they do not await: FastAPI runs a plain `def` dependency in the
threadpool, and each hop there and back cost ~0.4 ms per request — more than most saved queries take.
What they do is a dictionary lookup (the user: one indexed SQLite read when a token or cookie is sent;
the reader's view: computed once per kind of reader until the next write, `service/state.py`).
"""

from typing import Annotated, Any

from fastapi import Depends, Request

from pic.graph.access import User, View
from pic.graph.search_index import SearchIndex
from pic.graph.settings import Settings
from pic.graph.store.interface import KnowledgeStore
from pic.graph.writes.path import Writer
from pic.service.accounts import Accounts
from pic.service.auth import current_user
from pic.service.metrics import Metrics
from pic.service.pages import ReadersStore
from pic.service.parser_pool import ParserPool
from pic.service.read_log import ReadLog
from pic.service.state import GraphNames
from pic.service.throttle import Throttle


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_writer(request: Request) -> Writer:
    return request.app.state.writer


async def get_store(request: Request) -> KnowledgeStore:
    return request.app.state.writer.store


async def get_queries(request: Request):
    return request.app.state.query_runner


async def get_user(request: Request) -> User:
    return current_user(request)


async def get_graphs(request: Request) -> GraphNames:
    return request.app.state.graphs


async def get_accounts(request: Request) -> Accounts:
    return request.app.state.accounts


async def get_search(request: Request) -> SearchIndex:
    return request.app.state.search


async def get_parser(request: Request) -> ParserPool:
    return request.app.state.parser


async def get_sign_in_throttle(request: Request) -> Throttle:
    return request.app.state.sign_in_throttle


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


async def get_read_log(request: Request) -> ReadLog:
    return request.app.state.read_log


async def get_last_write(request: Request) -> str | None:
    """When the last write was committed (ISO time), read at each request: a listener of the writes sets it."""
    return getattr(request.app.state, "last_write", None)


SettingsDep = Annotated[Settings, Depends(get_settings)]
WriterDep = Annotated[Writer, Depends(get_writer)]
StoreDep = Annotated[KnowledgeStore, Depends(get_store)]
UserDep = Annotated[User, Depends(get_user)]
QueriesDep = Annotated[Any, Depends(get_queries)]  # `EngineReplicas` or `RemoteQueries` (`app.query_runner`)
GraphsDep = Annotated[GraphNames, Depends(get_graphs)]
AccountsDep = Annotated[Accounts, Depends(get_accounts)]
SearchDep = Annotated[SearchIndex, Depends(get_search)]
ParserDep = Annotated[ParserPool, Depends(get_parser)]
ThrottleDep = Annotated[Throttle, Depends(get_sign_in_throttle)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
LastWriteDep = Annotated[str | None, Depends(get_last_write)]
ReadLogDep = Annotated[ReadLog, Depends(get_read_log)]


async def get_view(user: UserDep, graphs: GraphsDep) -> View:
    """What the reader may read (`access.reading_view`, kept by `GraphNames` until the next write)."""
    return graphs.view(user)


ViewDep = Annotated[View, Depends(get_view)]


async def get_reader(queries: QueriesDep, view: ViewDep) -> ReadersStore:
    """The store as the reader reads it (the graphs they may read), for the pages, maps and reports."""
    return ReadersStore(queries, view)


ReaderDep = Annotated[ReadersStore, Depends(get_reader)]
