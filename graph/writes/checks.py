"""What no write may leave in the store, whoever writes it (issue 16, outside re-test findings 4 and 5).

- An IRI under the platform's base with dot segments (`study/x/../etude-cd62`, or `%2E%2E`): stored as written, it is
  another entity than `study/etude-cd62`, but a browser resolves its link to that one's page — a look-alike
  that lends its title to another organisation's study in search and the report. Refused (400).
- A second observation for one cell of a series (data set, area, year): the report's figure query packs a
  cell's observation into one value, and two made it empty — any partner could blank out another
  organisation's headline figure. Refused (409): correct the cell's observation instead. Asked of the
  graphs the writer may read, as every lookup of a write (`visible.seen_by`).
- A partner's observation in another organisation's series (finding 7): the series' cells are its owner's.
  With observations free to join any series, cd62 could give the first figure of a cell of aula's series,
  and aula then could not publish its own (the cell taken: 409; the observation's IRI, which forms and
  imports derive from the cell, cd62's: 403). Refused (403, `others_series`), naming the series and its
  owner: a partner puts its figures in its own organisation's series (or proposes one to the owner through
  an annotation). Not the other way of the rule — the figure kept as the partner's claim beside the owner's
  — because every aggregate reads a series' cell as one figure (the report's figures, a territory's key
  indicators, the series charts): each would have to learn to prefer the owner's, and ids to differ per
  organisation. Facilitators and admins curate any graph, as for `ownership.check`; a figure another
  organisation's graph already holds (written before) is still named as theirs in the report
  (`viz/report.given_by`), and may be corrected.
"""

import re
from datetime import date
from urllib.parse import urlsplit, urlunsplit

from pyoxigraph import NamedNode, Quad, Variable

from pic.graph.access import NotAllowed, User, owning_api
from pic.graph.names import Names, named
from pic.graph.store.interface import KnowledgeStore, Term, bind_rows, solutions
from pic.graph.writes import platform_entities
from pic.graph.writes.ownership import owners
from pic.graph.writes.visible import seen_by
from pic.ontology.namespaces import PREFIXES, expand

# An observation's cell: its (data set, area, year).
Cell = tuple[Term, Term, Term]

QB_DATASET = NamedNode(expand("qb:dataSet"))
PIC = PREFIXES["pic"]
REF_AREA, REF_YEAR = NamedNode(f"{PIC}refArea"), NamedNode(f"{PIC}refYear")
# `.` and `..` segments, percent-encoded or not (a browser decodes `%2E` before it resolves them).
DOT_SEGMENT = re.compile(r"(^|/)(\.|%2e){1,2}(/|$)", re.IGNORECASE)
EMBARGO_DAY = re.compile(r"^graph/private/[^/]+/until-([^/]*)(?:/|$)")
FIRST_EMBARGO_YEAR = 2000
# An entity IRI ending so looks like a page of another (`actor/x.html`, `actor/x.ttl`: the pages' format
# suffixes, service/routers/linked_data.py) or is a dot away from it.
LOOK_ALIKE_ENDINGS = (".", ".html", ".htm", ".json", ".jsonld", ".ttl", ".nt", ".rdf", ".xml", ".trig", ".nq")
PLAIN_PATH = re.compile(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*")  # RFC 3986 unreserved characters
TAKEN = f"""SELECT ?o ?taken WHERE {{ ?taken {QB_DATASET} ?d ; {REF_AREA} ?area ; {REF_YEAR} ?year .
  FILTER (?taken != ?o) }}"""


class UnsafeIri(ValueError):
    """An IRI under the base that is not in normal form (400)."""


class CellTaken(ValueError):
    """A series cell that already has its observation (409)."""


def check(store: KnowledgeStore, names: Names, user: User, added: list[Quad], removed: list[Quad]) -> None:
    unchanged = set(removed)
    new = [q for q in added if q not in unchanged]
    host = urlsplit(names.base).netloc.lower()  # only IRIs naming it may be the base spelt otherwise
    for q in new:
        for term in (q.subject, q.object, q.graph_name):
            if isinstance(term, NamedNode) and term.value.startswith(names.base):
                refuse_unsafe(names, term)
            elif (
                isinstance(term, NamedNode)
                and host in term.value.lower()
                and normalised(term.value).startswith(names.base)
            ):
                raise UnsafeIri(
                    f"{term.value}: another spelling of an IRI under {names.base} (the host's case, "
                    "its default port, a doubled '/'): write it as the base spells it"
                )
    unnamed = next((q for q in new if q.predicate == QB_DATASET and not isinstance(q.subject, NamedNode)), None)
    if unnamed is not None:  # fourth outside re-test, F3: a blank observation escaped the cell and series checks
        raise UnsafeIri(
            f"an observation of {unnamed.object} without a name: an observation is named by its series' "
            "cell (as the forms and imports name it: observation/{series}/{area}/{year}) so that the "
            "series' owner and the cell's figure can be checked"
        )
    cells = observation_cells(new)
    if cells:
        taken_cells(store, names, user, cells, removed)
    refused = others_series(store, names, user, new)
    if refused:
        raise NotAllowed(next(iter(refused.values())))
    stray = next((q for q in new if q.predicate == QB_DATASET and not minted_observation(names, q.subject)), None)
    if stray is not None and user.role != "admin":  # seventh re-test: a name that is no cell escaped the cell checks
        # (an admin's bulk load names its observations its own way)
        raise UnsafeIri(
            f"{stray.subject.value}: an observation of {stray.object} is named by its series' cell, "  # type: ignore[union-attr]  # pyoxigraph 0.5 stubs: a subject is never a Triple
            f"{names.base}observation/{{series}}/{{area}}/{{year}}, as the forms and imports name it"
        )


def minted_observation(names: Names, subject: object) -> bool:
    """Whether an IRI is an observation's as the platform mints it: `observation/{series}/{code}/{year}`."""
    prefix = f"{names.base}observation/"
    return (
        isinstance(subject, NamedNode)
        and subject.value.startswith(prefix)
        and subject.value[len(prefix) :].count("/") == 2
    )


def refuse_unsafe(names: Names, term: NamedNode) -> None:
    """Raise UnsafeIri for an IRI under the base that a browser would open as another entity's page, or
    that only looks like one: `.`/`..` segments; and, but in the platform's own IRI spaces
    (`platform_entities.SPACES`: an annotation's `#body-1`), a query, a fragment, a percent-encoding, an
    empty segment or a trailing `/` (third outside re-test, finding 5: `study/x#frag`, `study/x%2Dy`,
    `study/x/` typed by another organisation were look-alikes of `study/x`, shown as separate hits)."""
    path = term.value[len(names.base) :]
    day = EMBARGO_DAY.search(path)
    if day and not real_day(day.group(1)):
        raise UnsafeIri(
            f"{term.value}: an embargo graph is named by the day it lifts, `until-YYYY-MM-DD`, a real "
            f"day from {FIRST_EMBARGO_YEAR} on; {day.group(1)!r} is none"
        )
    if DOT_SEGMENT.search(path.split("?")[0].split("#")[0]):
        raise UnsafeIri(
            f"{term.value}: an IRI with '.' or '..' segments names another entity than the one "
            "a browser opens; write it without them"
        )
    if platform_entities.space_of(names, term) is None and (
        not PLAIN_PATH.fullmatch(path) or path.lower().endswith(LOOK_ALIKE_ENDINGS)
    ):
        raise UnsafeIri(
            f"{term.value}: an entity's IRI under {names.base} is a path of plain segments (letters, "
            "digits, '-', '.', '_', '~' between single '/'), without '?', '#', '%', a trailing '/' or '.', "
            "or an ending a page's format takes (.html, .ttl, .jsonld…): another spelling would look like "
            "another entity's IRI or page"
        )


def normalised(iri: str) -> str:
    """The IRI as an HTTP client reads it: scheme and host in lower case, no default port, single '/'s —
    so `https://W3ID.ORG:443/pic-euralens//id/actor/x` is seen to name the base's `actor/x`."""
    parts = urlsplit(iri)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return iri
    port = "" if parts.port in (None, 80, 443) else f":{parts.port}"
    return urlunsplit(
        (parts.scheme.lower(), parts.hostname + port, re.sub("/{2,}", "/", parts.path), parts.query, parts.fragment)
    )


def real_day(text: str) -> bool:
    """An embargo's day the reading rules can compare and turn into an instant (fourth outside re-test,
    F2: `until-2026-02-30` and `until-0001-01-01` crashed every map, report and page that asked when the
    graph became public)."""
    try:
        return date.fromisoformat(text).year >= FIRST_EMBARGO_YEAR
    except ValueError:
        return False


def taken_cells(
    store: KnowledgeStore, names: Names, user: User, cells: dict[NamedNode, Cell], removed: list[Quad]
) -> None:
    """Refuse (CellTaken) an observation whose cell another observation of the series already has, less
    those the write removes (a correction replaces its own observation)."""
    gone = {q.subject for q in removed if q.predicate == QB_DATASET}
    rows = [[o, d, area, year] for o, (d, area, year) in sorted(cells.items(), key=lambda i: i[0].value)]
    text = bind_rows(TAKEN, [Variable("o"), Variable("d"), Variable("area"), Variable("year")], rows)
    for row in solutions(seen_by(store, user, names).query(text)):
        if row["taken"] not in gone:
            raise CellTaken(
                f"{row['o'].value}: this series already has a figure for that area and year "
                f"({row['taken'].value}); correct that observation instead of adding another"
            )


def observation_cells(quads: list[Quad]) -> dict[NamedNode, Cell]:
    """(data set, area, year) of each observation the quads state whole."""
    parts: dict[NamedNode, dict[NamedNode, Term]] = {}
    for q in quads:
        if q.predicate in (QB_DATASET, REF_AREA, REF_YEAR) and isinstance(q.subject, NamedNode):
            parts.setdefault(q.subject, {})[q.predicate] = q.object
    return {o: (p[QB_DATASET], p[REF_AREA], p[REF_YEAR]) for o, p in parts.items() if len(p) == 3}


def others_series(store: KnowledgeStore, names: Names, user: User, quads: list[Quad]) -> dict[NamedNode, str]:
    """{observation: why it is refused} for each observation these quads put into a series another
    organisation owns, written by a partner into its organisation's graphs (the import reports them by
    row, the write path refuses the first). Whose a series is, is asked as `ownership.owners` asks it: of
    the graphs the writer may read, its own organisation first."""
    if user.role != "partner":
        return {}
    joined = {}
    for q in quads:
        graph = named(q.graph_name)
        org = names.owner_of(graph)
        if (
            q.predicate == QB_DATASET
            and isinstance(q.subject, NamedNode)
            and isinstance(q.object, NamedNode)
            and org
            and names.kind_of(graph) in ("partner", "private")
            and owning_api(graph, names) is None
        ):
            joined[q.subject] = (q.object, org)
    known = owners(store, names, user, {series for series, _ in joined.values()})
    refused = {}
    for observation, (series, org) in sorted(joined.items(), key=lambda i: i[0].value):
        theirs = known.get(series)
        if theirs and org not in theirs:
            who = ", ".join(sorted(theirs))
            refused[observation] = (
                f"{observation.value}: the series {series.value} belongs to {who}, and its figures (one per "
                f"territory and year) are {who}'s to give — another organisation's figure would take the "
                f"cell from it; put {org}'s figure in a series of {org}'s own, or propose it to {who} "
                "through an annotation"
            )
    return refused
