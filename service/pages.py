"""What the page routers share: the templates, the reader's view of the graph (query runner restricted
to the graphs the reader may read; endpoints get it as `deps.ReaderDep`), and where an IRI leads on this
site."""

import re
from decimal import Decimal, InvalidOperation
from importlib import resources
from urllib.parse import urlencode

from babel.numbers import format_decimal
from fastapi.templating import Jinja2Templates
from pyoxigraph import QueryResultsFormat

from pic.graph.access import View, cut_to
from pic.graph.engine.jobs import Answer, Job, for_reader
from pic.service.auth import identified
from pic.service.errors import HttpError
from pic.service.i18n import language
from pic.service.links import page_of


def frame(request) -> dict:
    """What every page's frame shows: the language switch to this very page and query (issue 21, 4), and
    the menu links of the reader's role (moderation for facilitators and admins)."""
    other = "en" if language(request) == "fr" else "fr"
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", other)]
    role = getattr(request.state, "role", None)  # set when the route identified its reader
    if role is None:
        try:
            role = identified(request).role
        except HttpError:  # a wrong token: the page says so; its frame shows an anonymous reader's menu
            role = "anonymous"
    switch = f"{request.url.path}?{urlencode(query)}"
    if len(switch) > 2000:  # an error page never echoes kilobytes of the request (test_error_echo.py)
        switch = f"/?lang={query[-1][1]}"
    return {"switch_href": switch, "reader_role": role}


def number(value, lang: str) -> str:
    """A number as the page's language writes it (`547 323` and `57,9` in French, `547,323` in English);
    text that is no number, as it is."""
    try:
        return format_decimal(Decimal(str(value)), locale=lang)
    except InvalidOperation:
        return str(value)


templates = Jinja2Templates(
    directory=str(resources.files("pic.service").joinpath("templates")), context_processors=[frame]
)
templates.env.filters["number"] = number
MAX_ROWS = 5_000_000  # maps need every tie; the time limit still protects the engine


class CsvAnswer:
    """A result the query runner already wrote as CSV, which is all the map builders read of it."""

    def __init__(self, body: bytes):
        self.body = body

    def serialize(self, format):
        assert format == QueryResultsFormat.CSV, "maps read CSV results"
        return self.body


class ReadersStore:
    """The store as one reader reads it: the `query` the map and report builders call, and `run` for other jobs, both
    answered by the local engines (or the remote engine) on the graphs the reader may read."""

    def __init__(self, runner, view: View):
        self.runner, self.view = runner, view

    def run(self, job: Job) -> Answer:
        if job.default_graph is None:
            for_reader(job, self.view)
        return self.runner.run(job)

    def query(self, text: str, default_graph=None) -> CsvAnswer:
        job = Job(text, "csv", max_rows=MAX_ROWS)
        if default_graph is not None:  # a dataset asked for is cut to what the reader may read
            job.default_graph = job.named_graphs = cut_to(self.view, [g.value for g in default_graph])
        return CsvAnswer(self.run(job).body)


def limited(query: str, **rows: int) -> str:
    """The query with each `LIMIT $name` made the number `rows` names: the row caps of pages are settings
    (`page_rows`, `form_choices`…), formatted in as integers — never a user's text."""
    return re.sub(r"LIMIT \$(\w+)", lambda m: f"LIMIT {int(rows[m.group(1)])}", query)


def page_link(base: str):
    """Where an IRI leads on this site (its entity page under the base)."""
    return lambda iri: page_of(iri, base)
