"""The top level of a SPARQL Update's text: its operations and the keywords between their braces.

Two things the SPARQL 1.1 Protocol asks of `/update` are said in its text before it is parsed:
- `using-graph-uri` and `using-named-graph-uri` are the `USING` and `USING NAMED` of every operation
  that has a WHERE (DELETE/INSERT … WHERE), and a request that gives them to an update with its own
  `USING` or `WITH` is refused;
- `LOAD SILENT` fetches nothing here (nothing leaves the machine), and SPARQL Update says a silent
  operation succeeds whatever its fetch does: it is dropped, where `LOAD` alone is refused.

Only the top level is read — outside every `{…}` — skipping strings, IRIs and comments, which is where
the grammar puts operations, `;`, WITH, USING and the WHERE of a DELETE/INSERT. The engine and the
guard parse the result as they would the original.
"""

import re
from dataclasses import dataclass

from pyoxigraph import NamedNode

# IRIREF of the grammar: no space, no brace, so a `<` that does not start one is an operator.
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-.:]*")
_STRINGS = ('"""', "'''", '"', "'")


@dataclass
class Word:
    text: str
    start: int

    def is_(self, *keywords: str) -> bool:
        return self.text.upper() in keywords


@dataclass
class Operation:
    """One operation's span of the text (its prologue included) and its top-level words."""

    start: int
    end: int  # the `;` that ends it, or the text's end
    words: list[Word]


def _string_end(text: str, i: int) -> int:
    """Where the string starting at `i` ends (after its closing quote)."""
    quote = next(q for q in _STRINGS if text.startswith(q, i))
    j = i + len(quote)
    while j < len(text):
        if text[j] == "\\":
            j += 2
        elif text.startswith(quote, j):
            return j + len(quote)
        else:
            j += 1
    return len(text)


def _tokens(text: str, i: int = 0):
    """(index, token) of each brace, `;` and word from `i` on, strings, IRIs and comments skipped."""
    while i < len(text):
        c = text[i]
        if c in "\"'":
            i = _string_end(text, i)
        elif c == "#":
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline + 1
        elif c == "<" and (iri := _IRI.match(text, i)):
            i = iri.end()
        elif word := _WORD.match(text, i):
            yield i, word.group()
            i = word.end()
        else:
            if c in "{};":
                yield i, c
            i += 1


def operations(text: str) -> list[Operation]:
    found: list[Operation] = []
    words: list[Word] = []
    depth, start = 0, 0
    for i, token in _tokens(text):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and token == ";":
            found.append(Operation(start, i, words))
            words, start = [], i + 1
        elif depth == 0 and token != ";":
            words.append(Word(token, i))
    found.append(Operation(start, len(text), words))
    return found


def _has_dataset(op: Operation) -> bool:
    return any(w.is_("USING", "WITH") for w in op.words)


def _where_of_modify(op: Operation) -> Word | None:
    """The WHERE of a DELETE/INSERT operation (not DELETE WHERE's, which takes no USING)."""
    for before, word in zip([None, *op.words], op.words, strict=False):
        if word.is_("WHERE") and not (before and before.is_("DELETE")):
            return word
    return None


def with_using(text: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """`text` with the protocol's using-graph-uri / using-named-graph-uri as USING clauses; ValueError
    when one is not an IRI, or when the update names its own (USING or WITH), as the protocol asks.
    A `DELETE WHERE { P }` becomes `DELETE { P } USING … WHERE { P }`, its long form: the grammar gives
    the short form no USING, and the protocol's graphs apply to it too."""
    if not (default_graphs or named_graphs):
        return text
    for iri in (*default_graphs, *named_graphs):
        try:
            NamedNode(iri)  # the engine's IRI reader: nothing else can reach the text
        except ValueError as e:
            raise ValueError(f"using-graph-uri / using-named-graph-uri: not an IRI: {iri!r} ({e})") from None
    ops = operations(text)
    if any(_has_dataset(op) for op in ops):
        raise ValueError(
            "using-graph-uri and using-named-graph-uri may not be given to an update with its own USING or WITH"
        )
    clauses = " ".join([*(f"USING <{g}>" for g in default_graphs), *(f"USING NAMED <{g}>" for g in named_graphs)]) + " "
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), in text order
    for op in ops:
        if where := _where_of_modify(op):
            edits.append((where.start, where.start, clauses))
        elif short := _delete_where(op):
            delete, where = short
            block = text[where.start + len(where.text) : _block_end(text, where.start + len(where.text))]
            edits.append(
                (
                    delete.start,
                    where.start + len(where.text) + len(block),
                    f"DELETE {block.strip()} {clauses}WHERE {block.strip()}",
                )
            )
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text


def _delete_where(op: Operation) -> tuple[Word, Word] | None:
    """The DELETE and WHERE words of a `DELETE WHERE` operation."""
    for before, word in zip(op.words, op.words[1:], strict=False):
        if before.is_("DELETE") and word.is_("WHERE"):
            return before, word
    return None


def _block_end(text: str, i: int) -> int:
    """Where the `{…}` block that opens at or after `i` closes (after its `}`), read as `operations` reads."""
    depth = 0
    for at, token in _tokens(text, i):
        depth += {"{": 1, "}": -1}.get(token, 0)
        if token == "}" and depth == 0:
            return at + 1
    return len(text)


def without_silent_loads(text: str) -> str:
    """`text` less its `LOAD SILENT` operations (their prologues kept)."""
    ops = operations(text)
    if not any(_silent_load(op) for op in ops):
        return text
    parts: list[tuple[str, bool]] = []  # (text, whether it is an operation or only a prologue)
    for op in ops:
        load = _silent_load(op)
        parts.append((text[op.start : load.start], False) if load else (text[op.start : op.end], True))
    out = ""
    for part, whole in parts:
        out += part + (" ;" if whole else " ")
    return out.rstrip().removesuffix(";")


def _silent_load(op: Operation) -> Word | None:
    """The LOAD word of a `LOAD SILENT` operation."""
    for word, after in zip(op.words, op.words[1:], strict=False):
        if word.is_("LOAD"):
            return word if after.is_("SILENT") else None
    return None
