"""What a SPARQL text asks for, read before anything runs: is it an update, which SERVICE does it call.

Strings, IRIs and comments are blanked first, so a literal containing "SERVICE" or "INSERT" is not
mistaken for the keyword.
"""

import re
from functools import lru_cache

_STRINGS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                      r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', re.DOTALL)
_IRIS = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_COMMENTS = re.compile(r"#[^\n]*")
_UPDATE = re.compile(r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_QUERY = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.IGNORECASE)
_SERVICE = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?(\S+)", re.IGNORECASE)


@lru_cache(maxsize=8)  # each request asks several questions of the same text: blank it once
def _blank(text: str) -> str:
    """The text with strings and comments blanked, IRIs kept (SERVICE targets are IRIs)."""
    out, pos = [], 0
    for m in _STRINGS.finditer(text):
        out.append(_COMMENTS.sub("", text[pos:m.start()]))
        out.append('""')
        pos = m.end()
    out.append(_COMMENTS.sub("", text[pos:]))
    return "".join(out)


_NAMES = re.compile(r"[?$][\w\u00b7-\uffff]+|[\w.-]*:[\w.:%-]*")


@lru_cache(maxsize=8)
def _keywords(text: str) -> str:
    """The text with strings, comments, IRIs, variables and prefixed names blanked: its keywords."""
    return _NAMES.sub(" ", _IRIS.sub("<>", _blank(text)))


def is_update(text: str) -> bool:
    """True for an update request (its first operation keyword comes before any query form)."""
    body = _keywords(text)
    update, query = _UPDATE.search(body), _QUERY.search(body)
    return update is not None and (query is None or update.start() < query.start())


def service_targets(text: str) -> list[str]:
    """The SERVICE targets of a query: IRIs as written, or '?var' for a variable endpoint."""
    body = _blank(text)
    return [m.group(1).strip("<>") for m in _SERVICE.finditer(body)]


def check_services(text: str, allowlist: list[str]) -> None:
    targets = service_targets(text)
    refused = [t for t in targets if t not in allowlist]
    if refused:
        raise PermissionError(
            f"SERVICE {refused[0]} is not allowed on this endpoint"
            + ("" if allowlist else " (federated queries are off)"))


_FROM = re.compile(r"\bFROM\s+(NAMED\s+)?<([^>]*)>", re.IGNORECASE)


def dataset_clauses(text: str) -> tuple[list[str], list[str]]:
    """The IRIs of the query's FROM and FROM NAMED clauses."""
    default, named = [], []
    for m in _FROM.finditer(_blank(text)):
        (named if m.group(1) else default).append(m.group(2))
    return default, named


def loads_from_the_network(text: str) -> bool:
    """True if an update uses LOAD (which would fetch a document from a URL)."""
    return re.search(r"\bLOAD\b", _keywords(text), re.IGNORECASE) is not None
