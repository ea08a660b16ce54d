"""Seeded generator of PIC-like data at several scales, valid against the platform's shapes.

Synthetic territories (communes grouped in EPCI, départements, one région), actors, projects with
roles, studies with attributions and derivations, and yearly observations of several indicators per
commune. Every node is marked `pic:illustrative true`: none of it is real.

    python -m bench.generate regional bench/data/regional.ttl
"""

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

BASE = "https://w3id.org/pic-euralens/id/"


@dataclass(frozen=True)
class Scale:
    communes: int
    communes_per_epci: int
    indicators: int
    years: int
    actors: int
    projects: int
    studies: int


SCALES = {
    "tiny": Scale(40, 10, 2, 5, 10, 8, 10),  # tests: above the bulk threshold, a few seconds
    "euralens": Scale(150, 50, 2, 10, 40, 30, 40),  # ~20k triples
    "regional": Scale(3800, 40, 3, 15, 400, 300, 600),  # ~1M triples
    "large": Scale(35000, 40, 4, 12, 4000, 3000, 6000),  # ~10M triples
}
PREFIXES = f"""@prefix pic: <https://w3id.org/pic-euralens/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix igeo: <http://rdf.insee.fr/def/geo#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix c: <{BASE}territory/commune/> .
@prefix e: <{BASE}territory/epci/> .
@prefix d: <{BASE}territory/departement/> .
@prefix a: <{BASE}actor/> .
@prefix p: <{BASE}project/> .
@prefix s: <{BASE}study/> .
@prefix i: <{BASE}indicator/> .
@prefix ds: <{BASE}dataset/> .
@prefix o: <{BASE}observation/> .
@prefix as: <{BASE}association/> .
"""
THEMES = ["culture", "tourisme", "economie-emploi", "sante", "mobilite", "environnement"]
ROLES = ["pilote", "partenaire", "financeur", "expert"]
REGION = f"<{BASE}territory/region/32>"


def generate(scale: Scale, out, seed: int = 2012) -> None:
    """Write the Turtle document for `scale` to the text stream `out`."""
    rng = random.Random(seed)
    w = out.write
    w(PREFIXES)
    ill = "pic:illustrative true"
    departements = max(1, scale.communes // 700)
    for d in range(departements):
        w(
            f'd:9{d:02d} a igeo:Departement ; rdfs:label "Département synthétique {d}"@fr ; '
            f"igeo:subdivisionDirecteDe {REGION} ; {ill} .\n"
        )
    epcis = (scale.communes + scale.communes_per_epci - 1) // scale.communes_per_epci
    for e in range(epcis):
        w(
            f'e:9{e:08d} a igeo:Intercommunalite ; rdfs:label "EPCI synthétique {e}"@fr ; '
            f'igeo:codeINSEE "9{e:08d}"^^xsd:token ; pic:withinTerritory d:9{e % departements:02d} ; '
            f"{ill} .\n"
        )
    for c in range(scale.communes):
        code = f"9{c // 1000 % 10}{c % 1000:03d}" if scale.communes <= 10000 else f"{c:05d}"
        w(
            f'c:x{c:05d} a igeo:Commune ; rdfs:label "Commune synthétique {c}"@fr ; '
            f'igeo:codeINSEE "{code}"^^xsd:token ; '
            f"igeo:subdivisionDirecteDe e:9{c // scale.communes_per_epci:08d} ; "
            f"pic:population {rng.randint(200, 40000)} ; {ill} .\n"
        )
    for k in range(scale.actors):
        w(
            f'a:x{k} a org:FormalOrganization ; rdfs:label "Acteur synthétique {k}"@fr ; '
            f'foaf:name "Acteur synthétique {k}" ; pic:territoryOfAction c:x{rng.randrange(scale.communes):05d} ; '
            f"org:classification <{BASE}actor-type/association> ; {ill} .\n"
        )
    for k in range(scale.projects):
        start = rng.randint(2010, 2024)
        members = rng.sample(range(scale.actors), k=min(scale.actors, rng.randint(2, 5)))
        assoc = " , ".join(f"as:x{k}-{m}" for m in members)
        w(
            f'p:x{k} a pic:Project ; rdfs:label "Projet synthétique {k}"@fr ; '
            f'dcterms:title "Projet synthétique {k}"@fr ; '
            f'prov:startedAtTime "{start}-01-01T00:00:00"^^xsd:dateTime ; '
            f"dcterms:subject <{BASE}theme/{rng.choice(THEMES)}> ; "
            f"dcterms:spatial c:x{rng.randrange(scale.communes):05d} ; "
            f"prov:qualifiedAssociation {assoc} ; {ill} .\n"
        )
        for m in members:
            w(
                f"as:x{k}-{m} a prov:Association ; prov:agent a:x{m} ; "
                f"prov:hadRole <{BASE}role/{rng.choice(ROLES)}> ; {ill} .\n"
            )
    for k in range(scale.studies):
        year = rng.randint(2011, 2025)
        derived = f" ; prov:wasDerivedFrom s:x{rng.randrange(k)}" if k and rng.random() < 0.4 else ""
        w(
            f's:x{k} a pic:Study ; rdfs:label "Étude synthétique {k}"@fr ; '
            f'dcterms:title "Étude synthétique {k}"@fr ; '
            f'pic:studyStatus <{BASE}study-status/published> ; dcterms:issued "{year}"^^xsd:gYear ; '
            f"pic:producedBy a:x{rng.randrange(scale.actors)} ; "
            f"dcterms:subject <{BASE}theme/{rng.choice(THEMES)}> ; "
            f"dcterms:spatial c:x{rng.randrange(scale.communes):05d}{derived} ; {ill} .\n"
        )
    for k in range(scale.projects):
        if rng.random() < 0.5:
            w(f"p:x{k} prov:used s:x{rng.randrange(scale.studies)} .\n")
    for n in range(scale.indicators):
        w(
            f'i:x{n} a pic:Indicator, skos:Concept ; rdfs:label "Indicateur synthétique {n}"@fr ; '
            f'skos:prefLabel "Indicateur synthétique {n}"@fr ; '
            f'skos:definition "Indicateur inventé pour le banc d\'essai."@fr ; {ill} .\n'
        )
        w(
            f"ds:x{n} a pic:IndicatorDataSet, qb:DataSet ; qb:structure pic:IndicatorStructure ; "
            f'pic:measuresIndicator i:x{n} ; pic:unit "unités" ; {ill} .\n'
        )
        for c in range(scale.communes):
            value = rng.uniform(1, 1000)
            for y in range(2025 - scale.years + 1, 2026):
                value *= rng.uniform(0.97, 1.04)
                w(
                    f"o:x{n}-{c}-{y} a qb:Observation ; qb:dataSet ds:x{n} ; pic:refArea c:x{c:05d} ; "
                    f'pic:refYear "{y}"^^xsd:gYear ; pic:value {value:.2f} ; {ill} .\n'
                )


def ensure(scale_name: str, folder: Path) -> Path:
    """The generated file for a scale, made once and reused."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{scale_name}.ttl"
    if not path.exists():
        tmp = path.with_suffix(".part")
        with tmp.open("w", encoding="utf-8") as f:
            generate(SCALES[scale_name], f)
        tmp.replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale", choices=sorted(SCALES))
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    with args.out.open("w", encoding="utf-8") as f:
        generate(SCALES[args.scale], f)


if __name__ == "__main__":
    main()
