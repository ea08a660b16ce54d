"""Shared FastAPI dependencies as Annotated aliases (the store, the settings, the writer, the user).

They are `async def` although they do not await: FastAPI runs a plain `def` dependency in the
threadpool, and each hop there and back cost ~0.4 ms per request — more than most saved queries take.
What they do is a dictionary lookup (the user: one indexed SQLite read when a token or cookie is sent).
"""

from typing import Annotated, Any

from fastapi import Depends, Request

from pic.graph.access import User
from pic.graph.settings import Settings
from pic.graph.store.interface import KnowledgeStore
from pic.graph.writes.path import Writer
from pic.service.auth import current_user


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


SettingsDep = Annotated[Settings, Depends(get_settings)]
WriterDep = Annotated[Writer, Depends(get_writer)]
StoreDep = Annotated[KnowledgeStore, Depends(get_store)]
UserDep = Annotated[User, Depends(get_user)]
QueriesDep = Annotated[Any, Depends(get_queries)]  # `EngineReplicas` or `RemoteQueries` (`app.query_runner`)
