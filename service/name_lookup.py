"""Names, not identifiers (issue 21, 1): wherever a page asks for an entity — a map's actor or territory, a
saved query's IRI parameter, a contribution's reference, an annotation's link — the user may type its name.
The pages' pickers (`static/pick.js`) send the identifier of the suggestion chosen; a name typed without
choosing is looked up here in the search index, among what the reader may read, and an answer that is not
exactly one entity is a 422 saying so in the page's language, with the names that come close."""

import re
import unicodedata

from pic.graph.store.interface import solutions
from pic.ontology.namespaces import sparql_prefixes
from pic.service.errors import HttpError
from pic.service.i18n import STRINGS
from pic.service.routers.search import run_search

# An identifier as the pages and the API took them before names: an IRI, or a short form under the
# instance base (`actor/louvre-lens`, `commune/62498`, `culture`) — lower case, no space.
IDENTIFIER = re.compile(r"^(https?://\S+|[a-z0-9][a-z0-9._~-]*(/[a-z0-9._~-]+)*)$")
CLOSE = 5  # names offered when none is exactly the one typed
MAX_REFERENCES = 100  # names in one field: each is a search (outside re-test, finding 3: 20,000 took 112 s)
# The kinds of the search index's type facet: a saved query's parameter of one of these names asks for one.
KINDS = ("actor", "project", "study", "indicator", "territory", "theme", "group", "question")


def is_identifier(value: str) -> bool:
    return bool(IDENTIFIER.match(value.strip()))


def entity_named(
    searched, value: str, kind: str | None, field: str, lang: str, identifiers: bool = True, in_sheet: bool = False
) -> str:
    """The IRI of the one entity (of `kind`) the reader may read whose name is `value`; `value` itself
    when it is already an identifier. Of several with that name, the one the platform's own graphs (its
    reference territories, its curators' descriptions) name wins: a partner who names an entity of theirs
    "Lens" must not take the word from everyone (outside re-test, finding 2). `in_sheet`: the name was
    written in a spreadsheet, where there is no suggestion to choose."""
    value = value.strip()
    if identifiers and is_identifier(value):
        return value
    hits = run_search(searched, value, {"type": kind}, 20, 0)["hits"]
    exact = list(dict.fromkeys(h["iri"] for h in hits if h["exact"]))
    if len(exact) > 1:
        exact = referenced(searched, exact) or exact
    if len(exact) == 1:
        return exact[0]
    words = STRINGS[lang]["names"]
    base = searched.settings.base_iri
    close = list(dict.fromkeys(h["title"] for h in hits))[:CLOSE]
    if exact:  # the same name: each told apart by its identifier
        close = [f"{h['title']} ({h['iri'].removeprefix(base)})" for h in hits if h["iri"] in exact][:CLOSE]
    said = words["several"] if exact else words["none"]
    advice = words["in_sheet"] if in_sheet else words["pick_one"] if exact else words["pick"]
    shown = value if len(value) <= 80 else value[:80] + "…"  # an error never echoes kilobytes of the request
    kind_name = STRINGS[lang]["kinds"].get(kind or "", words["entity"]).lower()
    message = said.format(name=shown, kind=kind_name) + " " + advice
    if close:
        message += " " + words["close"].format(names=" ; ".join(words["quoted"].format(name=c) for c in close))
    raise HttpError(422, message, field=field)


def referenced(searched, iris: list[str]) -> list[str]:
    """Those of `iris` the platform's own graphs name: the reference territories, the curators' graphs."""
    names = searched.writer.names
    speakers = {names.territories.value} | {names.partner(org).value for org in names.curators}
    titles = searched.index.titles(iris, searched.readable)
    return [iri for iri in iris if any(graph in speakers for graph, _ in titles.get(iri, []))]


def iri_named(searched, value: str, kind: str | None, field: str, lang: str) -> str:
    """An IRI for what the user gave: an IRI as it is; a short form under the instance base (`louvre-lens`
    or `actor/louvre-lens` for an actor) when the reader reads an entity there; else the IRI of the entity
    with this name ("atemis" is ATEMIS's name, and no actor's short form)."""
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return value
    if is_identifier(value):
        base = searched.settings.base_iri
        iri = f"{base}{value}" if not kind or value.startswith(f"{kind}/") else f"{base}{kind}/{value}"
        if searched.index.titles([iri], searched.readable):
            return iri
    return entity_named(searched, value, kind, field, lang, identifiers=False)


# A contribution's reference column, by its target: the kind of entity a name there is looked up among.
TARGETS = {
    "actor/": "actor",
    "study/": "study",
    "territory/": "territory",
    "theme/": "theme",
    "indicator/": "indicator",
}


def short_references(
    searched, columns, values: dict, lang: str, found: dict | None = None, in_sheet: bool = False
) -> list[tuple[str | None, str]]:
    """Turn the names typed in a contribution's reference fields (`Agence d'urbanisme de l'Artois ; aula`,
    participants `Euralens:pilote`) into the short names the forms write, in place; the problems, by field.
    `found`: the names already looked up, {(name, kind): IRI or the problem}, for a sheet's many rows."""
    problems: list[tuple[str | None, str]] = []
    found = {} if found is None else found
    for c in columns:
        raw = values.get(c.name)
        kind = "actor" if c.check == "participants" else TARGETS.get(c.target or "")
        if (
            not isinstance(raw, str)
            or not raw.strip()
            or kind is None
            or c.check not in ("ref", "refs", "participants")
        ):
            continue
        prefix = searched.settings.base_iri + ("actor/" if c.check == "participants" else c.target)
        parts = []
        given = [raw] if c.check == "ref" else [p.strip() for p in raw.split(";") if p.strip()]
        if len(given) > MAX_REFERENCES:
            problems.append((c.name, STRINGS[lang]["names"]["too_many"].format(n=MAX_REFERENCES)))
            continue
        for part in given:
            name, colon, role = part.rpartition(":") if c.check == "participants" and ":" in part else (part, "", "")
            if c.check == "participants" and not (name.strip() and role.strip()):
                problems.append((c.name, STRINGS[lang]["names"]["participant"].format(part=part)))
                continue
            if (name.strip(), kind) not in found:
                try:
                    found[name.strip(), kind] = entity_named(searched, name, kind, c.name, lang, in_sheet=in_sheet)
                except HttpError as e:
                    found[name.strip(), kind] = HttpError(e.status, e.message, field=c.name)
            iri = found[name.strip(), kind]
            if isinstance(iri, HttpError):
                problems.append((c.name, iri.message))
                continue
            if iri.startswith(("http://", "https://")) and not iri.startswith(prefix):  # a working group, say
                words = STRINGS[lang]["names"]
                kind_name = STRINGS[lang]["kinds"].get(kind or "", words["entity"]).lower()
                titles = searched.index.titles([iri], searched.readable).get(iri) or [(None, name.strip())]
                shown = titles[0][1][:80]  # its name, not the identifier the picker sent
                problems.append((c.name, words["not_kind"].format(name=shown, kind=kind_name)))
                continue
            short = iri.removeprefix(prefix) if iri.startswith(prefix) else iri
            short = short.removeprefix("actor/" if c.check == "participants" else c.target or "")  # `study/x`
            if c.check == "participants":
                role, problem = role_named(searched, role, lang, found)
                if problem:
                    problems.append((c.name, problem))
                    continue
            parts.append(f"{short}{colon}{role}")
        values[c.name] = ";".join(parts)
    return problems


def named_rows(searched, columns, lang: str):
    """For a spreadsheet import (issue 21, 1): the function that turns the names in a sheet's reference
    cells into short names, in place, and says (row, column, problem) for those that name no entity, or
    several. Each name is looked up once, however many rows repeat it."""
    found: dict = {}

    def turn(rows: list[list[str]]) -> list[tuple[int, str | None, str]]:
        header = [h.strip().lower() for h in rows[0]] if rows else []
        problems = []
        for number, cells in enumerate(rows[1:], start=2):
            values = dict(zip(header, cells, strict=False))
            said = short_references(searched, columns, values, lang, found, in_sheet=True)
            problems += [(number, field, message) for field, message in said]
            for i, h in enumerate(header[: len(cells)]):
                cells[i] = values.get(h, cells[i])
        return problems

    return turn


ROLES = sparql_prefixes("pic", "rdfs") + "SELECT ?role ?label WHERE { ?role a pic:ProjectRole ; rdfs:label ?label }"


def role_named(searched, role: str, lang: str, found: dict) -> tuple[str, str | None]:
    """A project role's notation (`maitre-ouvrage`) for its name in either language, as the page shows it
    (`Maître d'ouvrage`, `Project owner`), or its notation; else the problem, in `lang` (outside re-test of
    issue 21, H1: a participant was `Euralens:pilote` only): (notation, None) or (the role, the problem)."""
    if ("role", "") not in found:
        named: dict[str, str] = {}
        shown: dict[str, dict[str, str]] = {}
        for row in solutions(searched.writer.store.query(ROLES)):
            slug = row["role"].value.rsplit("/role/", 1)[-1]
            named[slug] = named[folded(row["label"].value)] = slug
            shown.setdefault(row["label"].language or "", {})[slug] = row["label"].value
        found["role", ""] = (named, shown)
    named, shown = found["role", ""]
    slug = named.get(folded(role))
    if slug:
        return slug, None
    words = STRINGS[lang]["names"]
    listed = " ; ".join(sorted((shown.get(lang) or shown.get("fr") or {}).values()))
    return role, words["role"].format(name=role.strip()[:80], names=listed)


def folded(text: str) -> str:
    """A name as it is compared: without case, accents or the typographic apostrophe that word processors
    and phones type (`Maître d’ouvrage` is `maitre d'ouvrage`; second outside re-test of issue 21, N3)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.replace("\u2019", "'").casefold().split())
