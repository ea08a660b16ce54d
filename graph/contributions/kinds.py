"""What partners contribute, kind by kind: each kind's columns (the spreadsheet templates', the forms'
fields), how each cell is checked, and which predicate it states. The import (`spreadsheet.py`) and the
forms (`forms.py`) read it; the service lists it (templates, form pages, entity kinds)."""

import re
from dataclasses import dataclass
from typing import TypedDict

from pyoxigraph import NamedNode

from pic.ontology.namespaces import PREFIXES, expand

RDF_TYPE = NamedNode(expand("rdf:type"))
SLUG = re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{0,79}$")  # no `--`: it parts a minted IRI (`minted.py`)
TERRITORY = re.compile(r"^(commune|epci|departement|region|arrondissement|project)/[a-z0-9-]{1,60}$")


def term(curie: str) -> NamedNode:
    prefix, local = curie.split(":", 1)
    return NamedNode(PREFIXES[prefix] + local)


@dataclass(frozen=True)
class Column:
    name: str
    check: str  # id, text, year, issued, date, decimal, ref, refs, participants
    required: bool = False
    predicate: str | None = None  # CURIE
    lang: str | None = None
    target: str | None = None  # ref prefix under the base: "actor-type/", "territory/", …
    description: str = ""


class Kind(TypedDict):
    """One kind of contribution: its IRIs' prefix under the base, its classes (CURIEs) and its columns."""

    prefix: str
    classes: list[str]
    columns: list[Column]


KINDS: dict[str, Kind] = {
    "actors": {
        "prefix": "actor/",
        "classes": ["org:FormalOrganization"],
        "columns": [
            Column("id", "id", True, description="identifiant court (lettres, chiffres, tirets)"),
            Column("name_fr", "text", True, "rdfs:label", "fr", description="nom en français"),
            Column("name_en", "text", False, "rdfs:label", "en", description="name in English"),
            Column("type", "ref", True, "org:classification", target="actor-type/", description="association, …"),
            Column(
                "territory",
                "ref",
                False,
                "pic:territoryOfAction",
                target="territory/",
                description="commune/62498, epci/246200364, …",
            ),
        ],
    },
    "projects": {
        "prefix": "project/",
        "classes": ["pic:Project"],
        "columns": [
            Column("id", "id", True),
            Column("title_fr", "text", True, "dcterms:title", "fr"),
            Column("title_en", "text", False, "dcterms:title", "en"),
            Column("start", "date", True, "prov:startedAtTime", description="AAAA-MM-JJ"),
            Column("end", "date", False, "prov:endedAtTime", description="AAAA-MM-JJ"),
            Column("themes", "refs", False, "dcterms:subject", target="theme/", description="culture;tourisme"),
            Column("territories", "refs", False, "dcterms:spatial", target="territory/"),
            Column("participants", "participants", False, description="acteur:rôle;… (euralens:pilote)"),
            Column("studies_used", "refs", False, "prov:used", target="study/", description="études utilisées"),
        ],
    },
    "studies": {
        "prefix": "study/",
        "classes": ["pic:Study"],
        "columns": [
            Column("id", "id", True),
            Column("title_fr", "text", True, "dcterms:title", "fr"),
            Column("title_en", "text", False, "dcterms:title", "en"),
            Column("abstract_fr", "text", False, "dcterms:abstract", "fr"),
            Column("abstract_en", "text", False, "dcterms:abstract", "en"),
            Column(
                "status",
                "ref",
                True,
                "pic:studyStatus",
                target="study-status/",
                description="planned, ongoing, completed, published",
            ),
            Column("year", "issued", False, "dcterms:issued", description="2024, 2024-03 ou 2024-03-31"),
            Column("producer", "refs", False, "pic:producedBy", target="actor/", description="aula;universite-artois"),
            Column("commissioner", "refs", False, "pic:commissionedBy", target="actor/"),
            Column("themes", "refs", False, "dcterms:subject", target="theme/"),
            Column("territories", "refs", False, "dcterms:spatial", target="territory/"),
            Column("indicators", "refs", False, "pic:documentsIndicator", target="indicator/"),
            Column(
                "builds_on",
                "refs",
                False,
                "prov:wasDerivedFrom",
                target="study/",
                description="études sur lesquelles elle s'appuie",
            ),
        ],
    },
    "memberships": {
        "prefix": "membership/",
        "classes": ["org:Membership"],
        "columns": [
            Column("member", "ref", True, "org:member", target="actor/"),
            Column("organization", "ref", True, "org:organization", target="actor/"),
            Column("role", "ref", True, "org:role", target="role/", description="membre, expert, pilote, …"),
            Column("since", "year", False, "pic:since"),
        ],
    },
    "observations": {
        "prefix": "observation/",
        "classes": ["qb:Observation"],
        "columns": [
            Column("dataset", "ref", True, "qb:dataSet", target="dataset/"),
            Column("territory", "ref", True, "pic:refArea", target="territory/"),
            Column("year", "year", True, "pic:refYear"),
            Column("value", "decimal", True, "pic:value"),
        ],
    },
}
