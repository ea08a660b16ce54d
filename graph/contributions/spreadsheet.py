"""Spreadsheet import: partners' actors, projects, studies and indicator observations from CSV or XLSX.

A dry run reports every problem with its row and column — the cells' own checks, references to things the
graph does not know, then the SHACL shapes mapped back to the row and column that made the triple — and
writes nothing. The import is one write through the one write path: atomic, validated, attributed, and
one change in the history.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, Quad, Store, Variable

from pic.graph.access import User
from pic.graph.contributions.kinds import KINDS, RDF_TYPE, SLUG, TERRITORY, Column, Kind, term
from pic.graph.contributions.spreadsheet_rows import DEFAULT_LIMITS, SheetLimits, read_rows
from pic.graph.reasoning.shacl import Violation
from pic.graph.said import Said
from pic.graph.store.interface import Queryable, bind_rows, solutions
from pic.graph.store.parsing import MAX_LITERAL_CHARS
from pic.graph.writes import checks as write_checks
from pic.graph.writes.visible import Seen, seen_by, seen_by_all

if TYPE_CHECKING:  # the write path's module imports most of graph/
    from pic.graph.writes.path import Writer


@dataclass
class Problem:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str | None
    message: str


@dataclass
class Plan:
    kind: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    staged: Store | None = None
    focus_rows: dict[str, int] = field(default_factory=dict)


def template(kind: str, fmt: str = "csv") -> bytes:
    """The template of a kind: its header row (required columns are marked in the XLSX's notes)."""
    columns = KINDS[kind]["columns"]
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.comments import Comment

        book = Workbook()
        sheet = book.active
        assert sheet is not None  # a new workbook has its one sheet
        sheet.title = kind
        sheet.append([c.name for c in columns])
        for cell, c in zip(sheet[1], columns, strict=True):
            note = ("obligatoire / required. " if c.required else "") + c.description
            if note.strip():
                cell.comment = Comment(note, "PIC")
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow([c.name for c in columns])
    return text.getvalue().encode("utf-8")


def plan(
    kind: str,
    rows: list[list[str]],
    base: str,
    graph: NamedNode,
    store: Queryable,
    max_chars: int | None = None,
    public: Seen | None = None,
) -> Plan:
    """Check every cell and build the triples; references are looked up in `store` in one query.

    `store` is the store as the writing user reads it (`visible.seen_by`): a reference to what only
    graphs they may not read describe is unknown, as if it did not exist — accepting it would tell
    that it does. `max_chars`: the longest cell (`Settings.max_literal_chars`; None: the default).
    `public`: the store as everyone reads it when `graph` is public (`visible.seen_by_all`): a row there
    names only what everyone may read."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    spec, result = KINDS[kind], Plan(kind)
    columns = {c.name: c for c in spec["columns"]}
    if not rows:
        result.problems.append(Problem(1, None, Said("the file is empty: the first row names the columns")))
        return result
    header = [h.strip().lower() for h in rows[0]]
    unknown = [h for h in header if h and h not in columns]
    for h in unknown:
        result.problems.append(
            Problem(
                1,
                h,
                Said("unknown column {column!r}: the template's are {columns}", column=h, columns=", ".join(columns)),
            )
        )
    for c in spec["columns"]:
        if c.required and c.name not in header:
            result.problems.append(Problem(1, c.name, Said("the column {column!r} is required", column=c.name)))
    if result.problems:
        return result
    staged = Store()
    references: dict[str, list[tuple[int, str]]] = {}
    seen: dict[str, int] = {}
    max_chars = max_chars or MAX_LITERAL_CHARS
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cells):
            continue
        result.rows += 1
        row = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
        subject = subject_of(kind, spec, row, base)
        if subject is None:  # the id's own problem is reported with the cells; go on checking them
            subject = NamedNode(f"{base}{spec['prefix']}row-{number}")
        if subject.value in seen:
            result.problems.append(Problem(number, "id", Said("same entity as row {row}", row=seen[subject.value])))
        seen[subject.value] = number
        result.focus_rows[subject.value] = number
        for cls in spec["classes"]:
            staged.add(Quad(subject, RDF_TYPE, term(cls), graph))
        for c in spec["columns"]:
            value = row.get(c.name, "")
            if not value:
                if c.required:
                    result.problems.append(Problem(number, c.name, Said("this cell is required")))
                continue
            if len(value) > max_chars:  # its literal would be refused by the write path
                result.problems.append(
                    Problem(
                        number,
                        c.name,
                        Said("{length:,} characters: the limit is {limit:,}", length=len(value), limit=max_chars),
                    )
                )
                continue
            for problem, quads in cell(c, value, subject, graph, base, references, number):
                if problem:
                    result.problems.append(Problem(number, c.name, problem))
                for q in quads:
                    staged.add(q)
        finish_row(kind, row, subject, graph, staged)
    if not result.rows:  # a header alone, or a form left blank: nothing to write, and no empty change recorded
        result.problems.append(Problem(2, None, Said("no row under the header holds a value: nothing was written")))
        return result
    known = existing(store, list(references))
    shown = known if public is None else existing(public, sorted(known))
    for iri, where in references.items():
        if iri not in known:
            problem = Said("the graph does not know {iri}", iri=iri)
        elif iri not in shown:
            problem = Said(
                "{iri} is not public: a public entry naming it would show it to everyone; "
                "make this one private too, or link it once it is published",
                iri=iri,
            )
        else:
            continue
        for number, column in where:
            result.problems.append(Problem(number, column, problem))
    result.staged = staged
    return result


FINISHED = {"actors": ["foaf:name"], "studies": ["pic:expectedYear"]}
"""What `finish_row` writes of an entity beyond its cells (and a label in each title's language)."""


def finish_row(kind: str, row: Mapping[str, str], subject: NamedNode, graph: NamedNode, staged: Store) -> None:
    """What the shapes expect beyond the cells: an actor's foaf:name; titles as labels; a planned or
    ongoing study's year as its expected year rather than an issue date."""
    if kind == "actors" and row.get("name_fr"):
        staged.add(Quad(subject, term("foaf:name"), Literal(row["name_fr"]), graph))
    for lang in ("fr", "en"):
        if kind in ("projects", "studies") and row.get(f"title_{lang}"):
            staged.add(Quad(subject, term("rdfs:label"), Literal(row[f"title_{lang}"], language=lang), graph))
    if kind == "studies" and row.get("status") in ("planned", "ongoing"):
        for q in list(staged.quads_for_pattern(subject, term("dcterms:issued"), None, graph)):
            assert isinstance(q.object, Literal)  # `issued` writes a literal
            staged.remove(q)
            staged.add(
                Quad(subject, term("pic:expectedYear"), Literal(q.object.value[:4], datatype=term("xsd:gYear")), graph)
            )


ISSUED = {4: "xsd:gYear", 7: "xsd:gYearMonth", 10: "xsd:date"}


def a_day(value: str) -> bool:
    """Whether `value` names a day of the calendar: `2024-02-30` passed the pattern, was stored as an
    ill-typed dateTime, and stopped the search index (thirteenth outside re-test)."""
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def issued(subject: NamedNode, p: NamedNode, value: str, graph: NamedNode) -> tuple[str | None, list[Quad]]:
    """A publication date written 2024, 2024-03 or 2024-03-31 (the demo's studies carry all three: their
    edit form answered 422 to its own values, fifth outside re-test, finding 9)."""
    ok = re.match(r"^(19|20)\d{2}(-\d{2}(-\d{2})?)?$", value) and (
        len(value) == 4 or a_day(value if len(value) == 10 else f"{value}-01")
    )
    if not ok:
        return Said(
            "a publication date is a year (2024), a month (2024-03) or a day (2024-03-31), not {value!r}", value=value
        ), []
    return None, [Quad(subject, p, Literal(value, datatype=term(ISSUED[len(value)])), graph)]


def subject_of(kind: str, spec: Kind, row: Mapping[str, str], base: str) -> NamedNode | None:
    if kind == "memberships":
        member, organization = row.get("member", ""), row.get("organization", "")
        if not (SLUG.match(member) and SLUG.match(organization)):
            return None
        return NamedNode(f"{base}membership/{member}--{organization}")
    if kind == "observations":
        dataset, territory, year = row.get("dataset", ""), row.get("territory", ""), row.get("year", "")
        if not (SLUG.match(dataset) and TERRITORY.match(territory) and re.match(r"^\d{4}$", year)):
            return None
        return NamedNode(f"{base}observation/{dataset}/{territory.rsplit('/', 1)[-1]}/{year}")
    slug = row.get("id", "")
    return NamedNode(base + spec["prefix"] + slug) if SLUG.match(slug) else None


def cell(
    c: Column,
    value: str,
    subject: NamedNode,
    graph: NamedNode,
    base: str,
    references: dict[str, list[tuple[int, str]]],
    number: int,
) -> Iterator[tuple[str | None, list[Quad]]]:
    """(problem or None, quads) for one cell."""
    p = term(c.predicate) if c.predicate else None
    if c.check == "id":
        if not SLUG.match(value):
            yield Said("an id is lower-case letters, digits and '-' (at most 80)"), []
        return
    if c.check == "participants":
        for part in [v.strip() for v in value.split(";") if v.strip()]:
            actor, _, role = part.partition(":")
            if not (SLUG.match(actor) and SLUG.match(role)):
                yield Said("{part!r}: write actor:role, e.g. euralens:pilote", part=part), []
                continue
            association = NamedNode(f"{subject.value.replace('/project/', '/association/')}--{actor}--{role}")
            for iri in (base + "actor/" + actor, base + "role/" + role):
                references.setdefault(iri, []).append((number, c.name))
            yield (
                None,
                [
                    Quad(subject, term("prov:qualifiedAssociation"), association, graph),
                    Quad(association, RDF_TYPE, term("prov:Association"), graph),
                    Quad(association, term("prov:agent"), NamedNode(base + "actor/" + actor), graph),
                    Quad(association, term("prov:hadRole"), NamedNode(base + "role/" + role), graph),
                ],
            )
        return
    assert p is not None  # every other column has a predicate (KINDS)
    if c.check == "text":
        yield None, [Quad(subject, p, Literal(value, language=c.lang) if c.lang else Literal(value), graph)]
    elif c.check == "year":
        if not re.match(r"^(19|20)\d{2}$", value):
            yield Said("a year is four digits (2024), not {value!r}", value=value), []
        else:
            yield None, [Quad(subject, p, Literal(value, datatype=term("xsd:gYear")), graph)]
    elif c.check == "issued":  # a study's publication: a year, a month or a day, as the shapes allow
        yield issued(subject, p, value, graph)
    elif c.check == "date":
        if not re.match(r"^(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", value) or not a_day(value):
            yield Said("a date is a day of the calendar written 2024-03-31, not {value!r}", value=value), []
        else:
            yield None, [Quad(subject, p, Literal(f"{value}T00:00:00", datatype=term("xsd:dateTime")), graph)]
    elif c.check == "decimal":
        number_text = value.replace(",", ".").replace("\u202f", "").replace(" ", "")
        if not re.match(r"^-?\d+(\.\d+)?$", number_text):
            yield Said("a number is written 1234.5 or 1234,5, not {value!r}", value=value), []
        else:
            yield None, [Quad(subject, p, Literal(number_text, datatype=term("xsd:decimal")), graph)]
    elif c.check in ("ref", "refs"):
        for part in [value] if c.check == "ref" else [v.strip() for v in value.split(";") if v.strip()]:
            assert c.target is not None  # every reference column has its target (KINDS)
            ok = TERRITORY.match(part) if c.target == "territory/" else SLUG.match(part)
            if not ok:
                yield Said("{part!r} is not a short name of {kind}", part=part, kind=c.target.rstrip("/")), []
                continue
            iri = base + c.target + part
            references.setdefault(iri, []).append((number, c.name))
            yield None, [Quad(subject, p, NamedNode(iri), graph)]


def existing(store: Queryable, iris: list[str]) -> set[str]:
    """The IRIs `store` (the user's view, `visible.seen_by`) says something about."""
    if not iris:
        return set()
    text = bind_rows("SELECT DISTINCT ?s WHERE { ?s ?p ?o }", [Variable("s")], [[NamedNode(i)] for i in iris])
    return {row["s"].value for row in solutions(store.query(text))}


def shape_problems(result: Plan, violations: Iterable[Violation]) -> None:
    """SHACL violations as row and column problems: the focus node's row, the path's column."""
    by_predicate = {term(c.predicate).value: c.name for c in KINDS[result.kind]["columns"] if c.predicate}
    for v in violations:
        number = result.focus_rows.get(v.focus)
        if number is None:  # an association node of a project row
            number = next(
                (
                    n
                    for iri, n in result.focus_rows.items()
                    if v.focus.startswith(iri.replace("/project/", "/association/"))
                ),
                1,
            )
        result.problems.append(Problem(number, by_predicate.get(v.path or ""), Said(v.message_en, french=v.message_fr)))


ELSEWHERE = "SELECT DISTINCT ?s ?g WHERE { VALUES ?s { SUBJECTS } GRAPH ?g { ?s ?p ?o } }"


def in_other_graphs(writer: "Writer", org: str, graph: NamedNode, subjects: list[str]) -> dict[str, str]:
    """The rows' entities the organisation already keeps in another of its graphs, with that graph:
    importing them into this one would leave the other copy where its audience reads it (second outside
    re-test of issue 20, N4: re-imported as private, a study stayed public)."""
    names = writer.names
    found: dict[str, str] = {}
    for start in range(0, len(subjects), 500):
        chunk = " ".join(str(NamedNode(s)) for s in subjects[start : start + 500])
        for row in solutions(writer.store.query(ELSEWHERE.replace("SUBJECTS", chunk))):
            other = row["g"]
            if other != graph and names.owner_of(other) == org and not names.is_derived(other):
                found.setdefault(row["s"].value, other.value)
    return found


def run_import(
    writer: "Writer",
    kind: str,
    data: bytes,
    filename: str,
    org: str,
    user: User,
    *,
    dry_run: bool,
    limits: SheetLimits = DEFAULT_LIMITS,
    graph: NamedNode | None = None,
    names: Callable[[list[list[str]]], list[tuple[int, str | None, str]]] | None = None,
) -> Plan:
    """Check everything; then, unless it is a dry run and if nothing is wrong, write it as one change.
    References are looked up in what `user` may read; a file past `limits` is `SheetTooLarge`. `graph`:
    the organisation's graph of the audience asked (`forms.target_graph`), its public one by default.
    `names`: what turns the names in reference cells into short names, in place, saying (row, column,
    problem) for those it cannot (the service's search index: issue 21, 1)."""
    graph = graph or writer.names.partner(org)
    rows = read_rows(data, filename, limits)
    unnamed = names(rows) if names else []
    result = plan(
        kind,
        rows,
        writer.names.base,
        graph,
        seen_by(writer.store, user, writer.names),
        writer.max_literal_chars,
        seen_by_all(writer.store, writer.names, graph),
    )
    if unnamed:  # said once, by the name: not again as the empty or short cell the name left
        cells = {(row, column) for row, column, _ in unnamed}
        kept = [p for p in result.problems if (p.row, p.column) not in cells]
        result.problems = sorted(kept + [Problem(*u) for u in unnamed], key=lambda p: p.row)
        result.staged = None
    if result.problems or result.staged is None:
        return result
    for observation, message in write_checks.others_series(
        writer.store, writer.names, user, list(result.staged)
    ).items():
        result.problems.append(Problem(result.focus_rows.get(observation.value, 1), "dataset", message))
    for subject, other in in_other_graphs(writer, org, graph, list(result.focus_rows)).items():
        result.problems.append(
            Problem(
                result.focus_rows[subject],
                "id",
                Said(
                    "{subject} is already in {other}, another audience of {org}: an import would copy it, not "
                    "move it; change its audience with the contribution API (PUT with `visibility`), which moves it",
                    subject=subject,
                    other=other,
                    org=org,
                ),
            )
        )
    if result.problems:  # a row for another organisation's series: said by row, as a cell's problem is
        return result
    report = writer.check(result.staged, [], user)
    if not report.conforms:
        shape_problems(result, report.violations)
        return result
    if dry_run:  # the write's permission step too: a dry run said "no problems" to a refused import
        writer.check_permission(result.staged, [], user)
    else:
        writer.write(result.staged, [], user, source=f"spreadsheet import ({kind}, {filename})")
    return result
