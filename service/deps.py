"""Shared FastAPI dependencies as Annotated aliases (the store, the settings, the writer, the user)."""

from typing import Annotated

from fastapi import Depends, Request

from pic.graph.access import User
from pic.graph.store import KnowledgeStore
from pic.graph.write_path import Writer
from pic.service.auth import current_user
from pic.service.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_writer(request: Request) -> Writer:
    return request.app.state.writer


def get_store(request: Request) -> KnowledgeStore:
    return request.app.state.writer.store


def get_queries(request: Request):
    return request.app.state.queries


SettingsDep = Annotated[Settings, Depends(get_settings)]
WriterDep = Annotated[Writer, Depends(get_writer)]
StoreDep = Annotated[KnowledgeStore, Depends(get_store)]
UserDep = Annotated[User, Depends(current_user)]
QueriesDep = Annotated[object, Depends(get_queries)]
