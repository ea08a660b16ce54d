"""What no write may leave in the store, whoever writes it (issue 16, outside re-test findings 4 and 5).

- An IRI under the platform's base with dot segments (`study/x/../etude-cd62`, or `%2E%2E`): stored as written, it is
  another entity than `study/etude-cd62`, but a browser resolves its link to that one's page — a look-alike
  that lends its title to another organisation's study in search and the report. Refused (400).
- A second observation for one cell of a series (data set, area, year): the report's figure query packs a
  cell's observation into one value, and two made it empty — any partner could blank out another
  organisation's headline figure. Refused (409): correct the cell's observation instead. Asked of the
  graphs the writer may read, as every lookup of a write (`visible.seen_by`).
"""

import re

from pyoxigraph import NamedNode, Quad, Variable

from pic.graph.access import User
from pic.graph.names import Names
from pic.graph.store import bind_rows
from pic.graph.visible import seen_by

QB_DATASET = NamedNode("http://purl.org/linked-data/cube#dataSet")
PIC = "https://w3id.org/pic-euralens/ontology#"
REF_AREA, REF_YEAR = NamedNode(f"{PIC}refArea"), NamedNode(f"{PIC}refYear")
# `.` and `..` segments, percent-encoded or not (a browser decodes `%2E` before it resolves them).
DOT_SEGMENT = re.compile(r"(^|/)(\.|%2e){1,2}(/|$)", re.IGNORECASE)
TAKEN = f"""SELECT ?o ?taken WHERE {{ ?taken {QB_DATASET} ?d ; {REF_AREA} ?area ; {REF_YEAR} ?year .
  FILTER (?taken != ?o) }}"""


class UnsafeIri(ValueError):
    """An IRI under the base that is not in normal form (400)."""


class CellTaken(ValueError):
    """A series cell that already has its observation (409)."""


def check(store, names: Names, user: User, added: list[Quad], removed: list[Quad]) -> None:
    unchanged = set(removed)
    new = [q for q in added if q not in unchanged]
    for q in new:
        for term in (q.subject, q.object, q.graph_name):
            if isinstance(term, NamedNode) and term.value.startswith(names.base) \
                    and DOT_SEGMENT.search(term.value[len(names.base):].split("?")[0].split("#")[0]):
                raise UnsafeIri(f"{term.value}: an IRI with '.' or '..' segments names another entity than the one "
                                "a browser opens; write it without them")
    cells = observation_cells(new)
    if not cells:
        return
    gone = {q.subject for q in removed if q.predicate == QB_DATASET}
    rows = [[o, d, area, year] for o, (d, area, year) in sorted(cells.items(), key=lambda i: i[0].value)]
    text = bind_rows(TAKEN, [Variable("o"), Variable("d"), Variable("area"), Variable("year")], rows)
    for row in seen_by(store, user, names).query(text):
        if row["taken"] not in gone:
            raise CellTaken(f"{row['o'].value}: this series already has a figure for that area and year "
                            f"({row['taken'].value}); correct that observation instead of adding another")


def observation_cells(quads: list[Quad]) -> dict[NamedNode, tuple]:
    """(data set, area, year) of each observation the quads state whole."""
    parts: dict = {}
    for q in quads:
        if q.predicate in (QB_DATASET, REF_AREA, REF_YEAR) and isinstance(q.subject, NamedNode):
            parts.setdefault(q.subject, {})[q.predicate] = q.object
    return {o: (p[QB_DATASET], p[REF_AREA], p[REF_YEAR]) for o, p in parts.items() if len(p) == 3}
