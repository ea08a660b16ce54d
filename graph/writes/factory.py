"""The one writer of a data folder, built the same way for the service and the CLI (issue 19): the store
the settings ask for, and what follows each write wherever it comes from — the full-text index (a `pic
load` or `pic import` left it stale until the service's next start, which rebuilt it). The service adds
its own followers in front (its readers' views of the graph names and working groups, the engine copies:
`service/app.py`), as none of them exists without a running service."""

from pic.graph.contributions.documents import document_texts
from pic.graph.search_index import SearchIndex
from pic.graph.settings import Settings
from pic.graph.store.interface import open_store
from pic.graph.writes import authorizations
from pic.graph.writes.path import Writer, Written


def open_writer(settings: Settings) -> Writer:
    writer = Writer(
        open_store(settings),
        settings.names,
        settings.history_dir,
        min_free_bytes=settings.min_free_bytes,
        max_literal_chars=settings.max_literal_chars,
    )
    authorizations.ensure(writer.store, writer.names, writer.rules)  # a store from before audiences (issue 20)
    index = SearchIndex(settings.data_dir / "search.sqlite")

    def reindex(written: Written | None) -> None:
        """What a write touched, indexed again (None: everything, from the store)."""
        documents = document_texts(writer.store, settings.documents_dir)
        if written is None:
            index.rebuild(writer.store, settings.base_iri, documents)
        else:
            index.update(writer.store, settings.base_iri, written.subjects, documents)

    writer.search, writer.reindex = index, reindex
    writer.listeners.append(reindex)
    return writer
