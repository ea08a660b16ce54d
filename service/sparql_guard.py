"""What a SPARQL request asks for, decided by a SPARQL parser before any engine sees it.

The first guard was a set of regular expressions; a security test walked past it with the spellings the
grammar allows (`SERVICE<http://…>` with no space, a `#` inside an IRI read as a comment) and reached
every private graph through the engines' loopback port. So the decision now comes from rdflib's SPARQL
parser (pyoxigraph exposes no algebra): the query form, its SERVICE endpoints, its dataset clauses, LOAD,
and how deeply it nests are read off the parse tree. What the parser cannot read is refused, so the
parser and the engine never disagree about what a text asks.

Two places where two readers of the same grammar could still differ are closed before parsing, and the
engine is sent the very text that was parsed:
- codepoint escapes (`\\u0053ERVICE`) are expanded here, as the SPARQL grammar says, once; a text whose
  expansion makes another escape is refused (one reader might expand it again, the other not);
- a lone carriage return ends a comment for the engine but not for pyparsing: line ends become `\\n`.

Parsing is pure Python and costs 10-170 ms a query (bench/README.md): `parser_pool.py` runs it in
separate processes, bounded in time.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from pyparsing import ParseBaseException, ParseResults
from rdflib import URIRef, Variable
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import Query, UpdateUnit
from rdflib.plugins.sparql.parserutils import CompValue

from pic.service.update_scope import Scope, scope_of

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ANY_ESCAPE = re.compile(r"\\u[0-9A-Fa-f]{4}", re.IGNORECASE)  # what rdflib would expand (both cases)
_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")  # PN_LOCAL_ESC: the character itself in the IRI
_NAMED_IRI = {"pname", "InversePath"}  # a prefixed name; `^<p>` in `!(…)`, whose IRI rdflib does not keep
# Binary operators the parser keeps as one node with its operands in `expr` and `other`.
_CHAINS = {"ConditionalOrExpression", "ConditionalAndExpression", "AdditiveExpression", "MultiplicativeExpression"}
QUERY_FORMS = {"SelectQuery": "select", "ConstructQuery": "construct", "AskQuery": "ask", "DescribeQuery": "describe"}


class Unreadable(ValueError):
    """The text is not SPARQL 1.1 that the platform can read; carries where, when known, and what kind of
    fault it is (`code`: "syntax", or "too_complex" for a text past the limits), which a page says in its
    own language (the workbench)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, code: str = "syntax"):
        self.message, self.line, self.column, self.code = message, line, column, code
        super().__init__(message)


class Refused(PermissionError):
    """A text that parses but asks for what no reader may: `code` is "service" (a SERVICE not allowed) or
    "load" (LOAD)."""

    def __init__(self, message: str, code: str):
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class Reading:
    """What one request asks for, read from its parse; `text` is what the engine must be sent."""

    text: str
    form: str  # select, construct, ask, describe, or update
    services: tuple[str, ...] = ()  # SERVICE endpoints: absolute IRIs, or "?name" for a variable
    default_graphs: tuple[str, ...] = ()  # FROM (queries) or USING (updates)
    named_graphs: tuple[str, ...] = ()  # FROM NAMED or USING NAMED
    loads: bool = False  # an update with LOAD (would fetch a document from the network)
    depth: int = 0  # nesting of the parse tree
    path_length: int = 0  # most IRIs one property path names (`<p>|<q>/<r>`: 3)
    chain_length: int = 0  # most operands one operator chain or UNION has (`1 + 2 - 3`: 3)
    group_size: int = 0  # most triple patterns or other parts one group has, or resources a DESCRIBE names
    scope: Scope | None = None  # an update's: what it can read and change (update_scope.py)

    @property
    def is_update(self) -> bool:
        return self.form == "update"


def normalise(text: str) -> str:
    """The text with codepoint escapes expanded and every line ending written `\\n`."""

    def expand(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise Unreadable(f"{m.group(0)} is not a Unicode code point")
        return chr(code)

    expanded = _ESCAPE.sub(expand, text)
    if _ANY_ESCAPE.search(expanded):
        raise Unreadable("a \\u escape whose expansion makes another escape is refused")
    return expanded.replace("\r\n", "\n").replace("\r", "\n")


def read(text: str) -> Reading:
    """Parse a query or an update and say what it asks for; `Unreadable` if it is neither."""
    text = normalise(text)
    try:
        parsed = Query.parse_string(text, parse_all=True)
    except ParseBaseException as query_error:
        try:
            update = UpdateUnit.parse_string(text, parse_all=True)[0]
        except ParseBaseException as update_error:
            error = max(query_error, update_error, key=lambda e: e.loc)
            near = text[error.loc : error.loc + 30].split("\n")[0] or "the end of the text"
            raise Unreadable(
                f"syntax error at line {error.lineno}, column {error.col}, near «{near}» (SPARQL 1.1)",
                error.lineno,
                error.col,
            ) from None
        except RecursionError:
            raise Unreadable("the text nests too deeply to be read", code="too_complex") from None
        return _reading_of_update(text, update)
    except RecursionError:
        raise Unreadable("the text nests too deeply to be read", code="too_complex") from None
    return _reading_of_query(text, parsed)


def _reading_of_query(text: str, parsed: ParseResults) -> Reading:
    prologue, query = parsed[0], parsed[1]
    resolve = _resolver(prologue)
    default, named = [], []
    for clause in _field(query, "datasetClause") or []:
        if "default" in clause:
            default.append(resolve(clause["default"]))
        else:
            named.append(resolve(clause["named"]))
    return Reading(
        text,
        QUERY_FORMS[query.name],
        tuple(_services(query, resolve)),
        tuple(default),
        tuple(named),
        depth=_depth(parsed),
        path_length=_path_length(parsed),
        chain_length=_largest(parsed, _chain_operands),
        group_size=_largest(parsed, _group_parts),
    )


def _reading_of_update(text: str, update: CompValue) -> Reading:
    services, default, named, loads, operations = [], [], [], False, []
    prologues = _field(update, "prologue") or []
    declared: list = []
    for i, operation in enumerate(_field(update, "request") or []):
        # Each operation has its own prologue: PREFIX and BASE may come between operations, and hold
        # for the rest of the request.
        if not declared or (i < len(prologues) and len(prologues[i])):
            declared.append(prologues[i] if i < len(prologues) else [])
            resolve = _resolver(*declared)
        operations.append((operation, resolve))
        loads = loads or operation.name == "Load"
        services += _services(operation, resolve)
        for clause in _field(operation, "using") or []:
            if "default" in clause:
                default.append(resolve(clause["default"]))
            else:
                named.append(resolve(clause["named"]))
    return Reading(
        text,
        "update",
        tuple(services),
        tuple(default),
        tuple(named),
        loads,
        depth=_depth(update),
        path_length=_path_length(update),
        chain_length=_largest(update, _chain_operands),
        group_size=_largest(update, _group_parts),
        scope=scope_of(operations),
    )


def _field(node: CompValue, key: str):
    """A parse node's field, or None (CompValue.get answers the key itself when it is missing)."""
    return dict.get(node, key)


def _resolver(*prologues):
    """Turns a parsed IRI or prefixed name into its absolute IRI, with the prologues' PREFIX and BASE
    (an update's, in order: each adds to those before)."""
    context = None
    for prologue in prologues:
        if prologue is not None:
            context = translatePrologue(prologue, None, None, context)

    def resolve(term) -> str:
        if isinstance(term, Variable):
            return f"?{term}"
        if context is not None and isinstance(term, (CompValue, URIRef)):
            try:
                if isinstance(term, CompValue) and term.name == "pname":  # rdflib keeps `\/` escapes
                    local = _LOCAL_ESCAPE.sub(r"\1", dict.get(term, "localname") or "")
                    return str(context.resolvePName(dict.get(term, "prefix"), local))
                return str(context.absolutize(term))
            except Exception as e:  # rdflib raises plain Exception for an unknown prefix
                raise Unreadable(str(e)) from None
        return str(term)

    return resolve


def _services(node, resolve) -> list[str]:
    """Every SERVICE endpoint anywhere in the tree (sub-queries, OPTIONAL, MINUS, EXISTS included)."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue):
            if current.name == "ServiceGraphPattern":
                found.append(resolve(current["term"]))
            stack.extend(current.values())
        elif isinstance(current, (list, tuple, ParseResults)):
            stack.extend(current)
    return found


def _depth(node) -> int:
    """How deeply the parse tree nests (its CompValue levels), counted without recursion."""
    deepest, stack = 0, [(node, 0)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, CompValue):
            level += 1
            deepest = max(deepest, level)
            stack.extend((v, level) for v in current.values())
        elif isinstance(current, (list, tuple, ParseResults)):
            stack.extend((v, level) for v in current)
    return deepest


def _path_length(node) -> int:
    """How many IRIs the longest property path names. The parser keeps `<p>|<q>|…` flat, so the nesting
    limit does not see it, but the engine reads a path recursively: 3,000 alternatives overflow its stack,
    and 500 steps run for 20 s."""
    longest, stack = 0, [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue) and current.name == "PathAlternative":
            longest = max(longest, _iris_in(current))  # a path inside it names fewer: not walked
        elif isinstance(current, CompValue):
            stack.extend(current.values())
        elif isinstance(current, (list, tuple, ParseResults)):
            stack.extend(current)
    return longest


def _iris_in(path: CompValue) -> int:
    """The IRIs (and `a`) a property path names, however they are grouped or negated."""
    count, stack = 0, [path]
    while stack:
        current = stack.pop()
        if isinstance(current, URIRef) or (isinstance(current, CompValue) and current.name in _NAMED_IRI):
            count += 1
        elif isinstance(current, CompValue):
            stack.extend(current.values())
        elif isinstance(current, (list, tuple, ParseResults)):
            stack.extend(current)
    return count


def _largest(node, measure: Callable[[CompValue], int]) -> int:
    """The largest `measure` of any node of the parse tree, walked without recursion."""
    largest, stack = 0, [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue):
            largest = max(largest, measure(current))
            stack.extend(current.values())
        elif isinstance(current, (list, tuple, ParseResults)):
            stack.extend(current)
    return largest


def _chain_operands(node: CompValue) -> int:
    """How many operands a chain of one operator has (`a || b || c`, `1 + 2 - 3`, `{…} UNION {…}`).
    The parser keeps a chain flat, so the nesting limit does not see it, but the engine reads it
    recursively: its answering thread's stack overflowed between 5,000 and 8,000 operands (6,000 and
    10,000 UNION branches), killing the engine — and a query retried on the embedded store would take
    the service with it (eleventh outside re-test)."""
    if node.name in _CHAINS:
        return 1 + len(_field(node, "other") or [])
    if node.name == "GroupOrUnionGraphPattern":
        return len(_field(node, "graph") or [])
    return 0


def _group_parts(node: CompValue) -> int:
    """The triple patterns of a basic graph pattern (`?s <p> ?a, ?b` has 2), the parts of a group
    (OPTIONAL, MINUS, FILTER, …) or the resources a DESCRIBE names. With a default stack the engine aborted
    on 2,200 objects of one pattern, a join of 2,000 patterns, 1,000 MINUS or a DESCRIBE of 3,000; it no
    longer does (`local.ENGINE_STACK_BYTES`), but a join of 500 patterns still ran past its time limit,
    and on the embedded store — while the engine reloads — nothing stops a query (twelfth outside re-test)."""
    if node.name == "TriplesBlock":
        return sum(len(t) // 3 for t in _field(node, "triples") or [])
    if node.name == "GroupGraphPatternSub":
        return len(_field(node, "part") or [])
    if node.name == "DescribeQuery":
        return len(_field(node, "var") or [])
    return 0


def check(
    reading: Reading,
    allowlist: list[str],
    max_depth: int,
    max_path_length: int,
    max_chain_length: int = 1000,
    max_group_size: int = 200,
) -> None:
    """Refuse what no reader may ask: a SERVICE not in the allow-list, LOAD, too deep a nesting, too
    long a property path or operator chain."""
    if reading.depth > max_depth:
        raise Unreadable(f"the text nests {reading.depth} levels deep; the limit is {max_depth}", code="too_complex")
    if reading.path_length > max_path_length:
        raise Unreadable(
            f"a property path names {reading.path_length} IRIs; the limit is {max_path_length} (PIC_MAX_PATH_LENGTH)",
            code="too_complex",
        )
    if reading.chain_length > max_chain_length:
        raise Unreadable(
            f"an operator chain or UNION has {reading.chain_length} operands; the limit is {max_chain_length} "
            "(PIC_MAX_CHAIN_LENGTH): use IN (…) or VALUES for a list",
            code="too_complex",
        )
    if reading.group_size > max_group_size:
        raise Unreadable(
            f"a group has {reading.group_size} triple patterns or parts (or a DESCRIBE names as many resources); "
            f"the limit is {max_group_size} (PIC_MAX_GROUP_SIZE)",
            code="too_complex",
        )
    refused = [s for s in reading.services if s not in allowlist]
    if refused:
        raise Refused(
            f"SERVICE {refused[0]} is not allowed on this endpoint"
            + ("" if allowlist else " (federated queries are off)"),
            "service",
        )
    if reading.loads:
        raise Refused("LOAD is refused: nothing is fetched from the network; use the Graph Store", "load")
