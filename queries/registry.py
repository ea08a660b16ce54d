"""The saved-query library: one query per `.rq` file, its metadata in a comment header (grlc's idea).

Header lines start with `#+`:

    #+ title@fr: Acteurs d'un territoire
    #+ title@en: Actors of a territory
    #+ description@fr: …
    #+ description@en: …
    #+ param territory: iri; default=https://…/territory/epci/246200364; label=Territoire / Territory
    #+ param year: year; default=2024; min=2010; max=2025
    #+ param status: iri; values=https://…/planned|https://…/ongoing

A parameter is bound as an RDF term (a VALUES block built from pyoxigraph terms), never pasted into
the text; a value that is not a term of its type, or not allowed, is refused with the parameter's name.
A parameter with no default and no value given stays unbound: the query then ranges over all values.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from pyoxigraph import Literal, NamedNode, Variable

from pic.ontology.namespaces import PREFIXES

XSD = PREFIXES["xsd"]
TYPES = {"iri", "string", "integer", "decimal", "year", "date", "boolean", "lang"}


class ParameterError(ValueError):
    """A parameter value that cannot be bound: says which parameter and why."""

    def __init__(self, name: str, message: str):
        self.name = name
        super().__init__(f"parameter {name!r}: {message}")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None = None
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    label: str = ""

    def term(self, raw: str):
        """The RDF term for a value given as text; refuses what is not of the parameter's type."""
        if self.values and raw not in self.values:
            raise ParameterError(self.name, f"{raw!r} is not one of {', '.join(self.values)}")
        if self.type == "iri":
            if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$", raw):
                raise ParameterError(self.name, f"{raw!r} is not an IRI")
            try:
                return NamedNode(raw)
            except ValueError as e:
                raise ParameterError(self.name, f"{raw!r} is not an IRI ({e})") from None
        if self.type in ("string", "lang"):
            if len(raw) > 1000:
                raise ParameterError(self.name, "longer than 1000 characters")
            return Literal(raw)
        if self.type == "boolean":
            if raw not in ("true", "false"):
                raise ParameterError(self.name, "must be true or false")
            return Literal(raw, datatype=NamedNode(f"{XSD}boolean"))
        patterns = {
            "integer": (r"^-?\d{1,18}$", "integer"),
            "decimal": (r"^-?\d{1,18}(\.\d+)?$", "decimal"),
            "year": (r"^\d{4}$", "gYear"),
            "date": (r"^\d{4}-\d{2}-\d{2}$", "date"),
        }
        pattern, datatype = patterns[self.type]
        if not re.match(pattern, raw):
            raise ParameterError(self.name, f"{raw!r} is not a {self.type}")
        number = float(raw[:4]) if self.type == "date" else float(raw)
        if self.minimum is not None and number < self.minimum:
            raise ParameterError(self.name, f"{raw} is below the minimum {self.minimum:g}")
        if self.maximum is not None and number > self.maximum:
            raise ParameterError(self.name, f"{raw} is above the maximum {self.maximum:g}")
        return Literal(raw, datatype=NamedNode(f"{XSD}{datatype}"))


@dataclass(frozen=True)
class SavedQuery:
    name: str
    text: str
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()

    def bindings(self, given: dict[str, str]) -> dict:
        """{Variable: term} for the given values and the defaults; unknown names are refused."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise ParameterError(unknown[0], f"this query has no such parameter (it has: {', '.join(known) or 'none'})")
        bound = {}
        for p in self.parameters:
            raw = given.get(p.name) or p.default
            if raw:
                bound[Variable(p.name)] = p.term(raw)
        return bound


def parse_header(name: str, text: str) -> SavedQuery:
    title, description, params = {}, {}, []
    for line in text.splitlines():
        m = re.match(r"^#\+\s*(\w+)(?:@(\w+))?(?:\s+(\w+))?\s*:\s*(.*)$", line)
        if not m:
            continue
        key, lang, pname, value = m.groups()
        if key == "title":
            title[lang or "fr"] = value.strip()
        elif key == "description":
            description[lang or "fr"] = value.strip()
        elif key == "param":
            params.append(_parameter(name, pname, value))
        else:
            raise ValueError(f"{name}.rq: unknown header key {key!r}")
    if not {"fr", "en"} <= set(title) or not {"fr", "en"} <= set(description):
        raise ValueError(f"{name}.rq: the header needs title@fr, title@en, description@fr, description@en")
    for p in params:
        if f"?{p.name}" not in text:
            raise ValueError(f"{name}.rq: parameter {p.name} is not a variable of the query")
    return SavedQuery(name, text, title, description, tuple(params))


def _parameter(query: str, name: str | None, spec: str) -> Parameter:
    if not name:
        raise ValueError(f"{query}.rq: a param line needs a name: '#+ param NAME: type; …'")
    kind, *options = [part.strip() for part in spec.split(";")]
    if kind not in TYPES:
        raise ValueError(f"{query}.rq: parameter {name} has unknown type {kind!r}")
    opts = dict(o.split("=", 1) for o in options if o)
    return Parameter(
        name,
        kind,
        opts.get("default"),
        tuple(opts["values"].split("|")) if "values" in opts else (),
        float(opts["min"]) if "min" in opts else None,
        float(opts["max"]) if "max" in opts else None,
        opts.get("label", ""),
    )


@cache
def saved_queries() -> dict[str, SavedQuery]:
    """Every saved query of the package, by name (file name without `.rq`)."""
    folder = resources.files("pic.queries")
    found = {}
    for f in sorted(folder.iterdir(), key=lambda f: f.name):
        if f.name.endswith(".rq"):
            name = f.name.removesuffix(".rq")
            found[name] = parse_header(name, f.read_text(encoding="utf-8"))
    if not found:
        raise FileNotFoundError("no saved queries in pic.queries")
    return found
