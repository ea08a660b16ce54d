"""Which statements a SPARQL Update can read and which it can change, read off its parse tree.

`/update` works out an update's exact change by running it on a scratch store holding only what it can
read or change (graph/writes/update_change.py). This module says what that is, as quad patterns: each position
an IRI or None for "any" (a variable, a blank node, a literal, a property path's ends), the graph None
for "any named graph". The default graph is not in the patterns: it is always copied whole (nothing
lives there on this platform). It runs with the rest of the reading (`sparql_guard.read`), in the
parser's worker processes, and uses the same IRI resolver as the guard.

Why patterns and not whole graphs: the regional store keeps 1.07M triples in one graph, and copying a
graph that size into a scratch store and comparing it took 25 s, for an update that adds one triple.
A pattern stays wide where the grammar allows anything: a property path that can match zero steps
(`*`, `?`) or a negated property set reads the whole graph it runs in, `DROP`, `CLEAR`, `COPY`, `MOVE`,
`ADD` change whole graphs, `DROP ALL` everything; an operation this module does not know is taken to
read and change everything.
"""

from dataclasses import dataclass

from pyparsing import ParseResults
from rdflib import URIRef, Variable
from rdflib.plugins.sparql.parserutils import CompValue

Pattern = tuple[str | None, str | None, str | None, str | None]  # subject, predicate, object, graph
EVERYTHING: Pattern = (None, None, None, None)
DEFAULT = ""  # the default graph as a context (no IRI is empty): its patterns are left out
IN_DEFAULT: Pattern = (None, None, None, DEFAULT)  # marks, while reading, that the default graph is used
KEYWORDS = ("DEFAULT", "NAMED", "ALL")


@dataclass(frozen=True)
class Scope:
    """What an update can read (`reads`) and change (`writes`), and whether some `GRAPH ?g` of a WHERE
    ranges over the graphs' names (then every graph's name is needed, even where no pattern matches)."""

    reads: frozenset[Pattern] = frozenset()
    writes: frozenset[Pattern] = frozenset()
    graph_names: bool = False
    every_graph: bool = False  # a DROP or CLEAR of ALL or NAMED graphs
    default_graph: bool = False  # some operation reads or writes the default graph


def scope_of(operations) -> Scope:
    """The scope of a parsed update's operations, given as (operation, IRI resolver of its prologue)."""
    reads: set[Pattern] = set()
    writes: set[Pattern] = set()
    names = every = False
    for operation, resolve in operations:
        names = _operation(operation, resolve, reads, writes) or names
        every = every or (
            operation.name in ("Clear", "Drop") and _is_keyword(dict.get(operation, "graphiri"), "NAMED", "ALL")
        )
    default = IN_DEFAULT in reads or IN_DEFAULT in writes
    reads.discard(IN_DEFAULT)
    writes.discard(IN_DEFAULT)
    return Scope(frozenset(reads), frozenset(writes), names, every, default)


def _operation(op: CompValue, resolve, reads: set, writes: set) -> bool:
    name = op.name
    if name in ("InsertData", "DeleteData", "DeleteWhere"):
        writes.update(_template(dict.get(op, "quads"), DEFAULT, resolve))
        return False
    if name == "Modify":
        target = dict.get(op, "withClause")
        context = _iri(target, resolve) if target is not None else DEFAULT
        for clause in ("delete", "insert"):
            part = dict.get(op, clause)
            if part is not None:
                writes.update(_template(dict.get(part, "quads"), context, resolve))
        # The WHERE's default graph: the USING graphs merged (none: empty), else the WITH graph.
        using = dict.get(op, "using") or []
        merged = [_iri(c["default"], resolve) for c in using if "default" in c]
        contexts = (merged or [DEFAULT]) if using else [context]
        return _where(dict.get(op, "where"), contexts, resolve, reads)
    if name in ("Clear", "Drop", "Create"):
        targets = [dict.get(op, "graphiri")]
    elif name in ("Copy", "Move", "Add"):
        targets = list(dict.get(op, "graph") or [])
    else:  # an operation not known here: anything
        writes.add(EVERYTHING)
        return True
    for target in targets:
        if _is_keyword(target, "NAMED", "ALL"):
            writes.add(EVERYTHING)
        elif _is_keyword(target, "DEFAULT"):
            writes.add(IN_DEFAULT)
        else:
            writes.add((None, None, None, _iri(target, resolve)))
    return False


def _is_keyword(term, *words) -> bool:
    return isinstance(term, str) and not isinstance(term, URIRef) and term.upper() in words


def _iri(term, resolve) -> str | None:
    """The IRI a term names, or None (a variable, a blank node, a literal: any term)."""
    if isinstance(term, URIRef) or (isinstance(term, CompValue) and term.name == "pname"):
        return resolve(term)
    return None


def _graph(term, resolve) -> str | None:
    """A GRAPH clause's graph: its IRI, or None for any named graph (a variable)."""
    return None if isinstance(term, Variable) else _iri(term, resolve)


def _template(quads, context: str | None, resolve) -> set[Pattern]:
    """Patterns of a Quads node (INSERT/DELETE templates, DATA blocks, DELETE WHERE)."""
    found: set[Pattern] = set()
    if quads is None:
        return found
    for triples in dict.get(quads, "triples") or []:
        found.update(_triples(triples, context, resolve, paths=False))
    for block in dict.get(quads, "quadsNotTriples") or []:
        graph = _graph(block["term"], resolve)
        for triples in dict.get(block, "triples") or []:
            found.update(_triples(triples, graph, resolve, paths=False))
    return found


def _where(where, contexts: list, resolve, reads: set) -> bool:
    """Patterns of a WHERE group: each triple pattern in the graph it is matched in (its GRAPH, else each
    graph of the WHERE's default graph). True when some `GRAPH ?g` ranges over graph names."""
    names = False
    stack = [(where, contexts)]
    while stack:
        node, graphs = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "GraphGraphPattern":
                graph = _graph(node["term"], resolve)
                names = names or graph is None
                stack.append((dict.get(node, "graph"), [graph]))
            elif node.name == "TriplesBlock":
                for triples in dict.get(node, "triples") or []:
                    for graph in graphs:
                        reads.update(_triples(triples, graph, resolve, paths=True))
            else:
                stack.extend((value, graphs) for value in node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            stack.extend((value, graphs) for value in node)
    return names


def _triples(flat, graph: str | None, resolve, paths: bool) -> set[Pattern]:
    """Patterns of a flat list of terms, three by three (the parser spreads `;`, `,`, `[ ]` and
    collections into plain triples). In the default graph: none (it is copied whole)."""
    if graph == DEFAULT:
        return {IN_DEFAULT} if len(flat) else set()
    terms = list(flat)
    if len(terms) % 3:  # not a shape known here: the whole graph
        return {(None, None, None, graph)}
    found: set[Pattern] = set()
    for i in range(0, len(terms), 3):
        s, p, o = terms[i : i + 3]
        subject, object_ = _iri(s, resolve), _iri(o, resolve)
        if isinstance(p, Variable) or not paths:
            found.add((subject, _iri(p, resolve), object_, graph))
            continue
        steps, whole = _path(p, resolve)
        if whole:
            return {(None, None, None, graph)}
        if len(steps) == 1 and _simple(p):
            found.add((subject, steps[0], object_, graph))
        else:  # a path crosses triples between other nodes: every triple of each of its predicates
            found.update((None, step, None, graph) for step in steps)
    return found


def _path(path, resolve) -> tuple[list[str], bool]:
    """The predicates a property path steps along, and whether it reads the whole graph (a negated
    property set, or a step that may match zero times and so ranges over every node of the graph)."""
    steps: list[str] = []
    stack = [path]
    while stack:
        node = stack.pop()
        if isinstance(node, URIRef) or (isinstance(node, CompValue) and node.name == "pname"):
            steps.append(resolve(node))
        elif isinstance(node, CompValue):
            if node.name == "PathNegatedPropertySet" or dict.get(node, "mod") in ("*", "?"):
                return [], True
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            stack.extend(node)
    return steps, False


def _simple(path) -> bool:
    """A plain predicate, as the parser wraps it: one alternative of one sequence of one forward step."""
    if not (isinstance(path, CompValue) and path.name == "PathAlternative"):
        return True
    sequences = dict.get(path, "part") or []
    if len(sequences) != 1 or dict.get(sequences[0], "part") is None or len(sequences[0]["part"]) != 1:
        return False
    step = sequences[0]["part"][0]
    if not (isinstance(step, CompValue) and step.name == "PathElt" and dict.get(step, "mod") is None):
        return False
    inner = dict.get(step, "part")
    return isinstance(inner, URIRef) or (isinstance(inner, CompValue) and inner.name == "pname")
