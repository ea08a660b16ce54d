"""Build the demo territory's data (`demo.trig`): actors, projects, studies, groups, questions, indicators.

Two kinds of content, kept apart so that nobody quotes an invented fact:
- `graph/partner/euralens` holds facts taken from public sources (research note, marked [V]); each
  such node carries `dcterms:source` with the page it comes from.
- `graph/partner/demo` holds everything invented for the demonstration: fictional actors, projects
  and studies, the roles and usage links between real nodes, and every indicator value. Each of its
  nodes carries `pic:illustrative true`, and the graph itself is described as illustrative.

The TriG file is committed; a test rebuilds it and checks it is unchanged.

    python -m pic.ontology.demo.build_demo > ontology/demo/demo.trig

The rows themselves (actors, projects, studies, indicators, questions, groups) are in facts.py.
"""

import random
import sys

from pyoxigraph import RdfFormat, parse, serialize
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from pic.ontology.demo.facts import (
    ABSTRACTS,
    ACTOR_TYPES,
    ACTORS,
    ANNOTATIONS,
    BASSIN,
    COMMUNES,
    GROUPS,
    INDICATORS,
    INVENTED,
    INVENTED_STUDIES,
    JURISDICTION,
    LEVEL,
    PER_COMMUNE,
    PIC_MEMBERS,
    PIC_URL,
    POLE,
    PROJECTS,
    QUESTIONS,
    REG32,
    ROLE,
    SCALE,
    SIREN,
    SOURCED,
    STALE_UNTIL,
    STATUS,
    STUDIES,
    THEME,
    USES,
    YEARS,
    actor,
    indicator,
    project,
    study,
)
from pic.ontology.namespaces import ID, OA, PIC, QB, prefixes


class Builder:
    def __init__(self):
        self.sourced = Graph()
        self.invented = Graph()
        self.invented.add((INVENTED, PIC.illustrative, Literal(True)))
        self.invented.add(
            (
                INVENTED,
                RDFS.label,
                Literal("Données inventées pour la démonstration (acteurs, liens, valeurs)", lang="fr"),
            )
        )
        self.invented.add(
            (INVENTED, RDFS.label, Literal("Data invented for the demonstration (actors, links, values)", lang="en"))
        )

    def graph_for(self, source):
        return self.sourced if source else self.invented

    def labelled(self, g, node, cls, fr, en=None):
        for c in cls if isinstance(cls, list) else [cls]:
            g.add((node, RDF.type, c))
        g.add((node, RDFS.label, Literal(fr, lang="fr")))
        g.add((node, RDFS.label, Literal(en or fr, lang="en")))

    def mark(self, g, node, source):
        if source:
            g.add((node, DCTERMS.source, URIRef(source)))
        else:
            g.add((node, PIC.illustrative, Literal(True)))


def add_actors(b: Builder) -> None:
    for slug, fr, en, kind, where, source in ACTORS:
        g = b.graph_for(source)
        node = actor(slug)
        b.labelled(g, node, [ORG.FormalOrganization, PROV.Organization], fr, en)
        g.add((node, FOAF.name, Literal(fr)))
        g.add((node, ORG.classification, ACTOR_TYPES[kind]))
        if where is not None:
            g.add((node, PIC.territoryOfAction, where))
        if slug in JURISDICTION:
            g.add((node, PIC.hasJurisdiction, JURISDICTION[slug]))
        if slug in SIREN:
            g.add((node, ORG.identifier, Literal(SIREN[slug], datatype=XSD.token)))
        b.mark(g, node, source)
    g = b.sourced
    # The Bassin minier as a project territory (no member list: INSEE counts 336 communes).
    b.labelled(
        g,
        BASSIN,
        [PIC.ProjectTerritory],
        "Bassin minier du Nord et du Pas-de-Calais",
        "Nord-Pas-de-Calais mining basin",
    )
    g.add((BASSIN, PIC.withinTerritory, REG32))
    g.add((BASSIN, DCTERMS.source, URIRef("https://www.insee.fr/fr/statistiques/4214601")))
    # Euralens joined the Pôle métropolitain on 1 January 2022 (ORG unit).
    g.add((actor("euralens"), ORG.unitOf, actor("pole-metropolitain-artois")))
    g.add((actor("insee-hauts-de-france"), RDF.type, ORG.OrganizationalUnit))

    # The PIC itself, a unit of Euralens, and its members.
    pic = actor("plateforme-intelligence-collective")
    b.labelled(
        g,
        pic,
        [ORG.OrganizationalUnit, PROV.Organization],
        "Plateforme d'Intelligence Collective Euralens",
        "Euralens Collective Intelligence Platform",
    )
    g.add((pic, FOAF.name, Literal("PIC Euralens")))
    g.add((pic, ORG.unitOf, actor("euralens")))
    g.add((pic, ORG.classification, ACTOR_TYPES["association"]))
    g.add((pic, PIC.territoryOfAction, POLE))
    g.add((pic, DCTERMS.source, URIRef(PIC_URL)))
    for slug, role in [("euralens", "animateur"), ("mission-bassin-minier", "animateur")] + [
        (m, "membre") for m in PIC_MEMBERS
    ]:
        add_membership(g, slug, "plateforme-intelligence-collective", role, PIC_URL)

    person = ID["person/christian-du-tertre"]
    b.labelled(g, person, [FOAF.Person, PROV.Person], "Christian du Tertre")
    g.add((person, FOAF.name, Literal("Christian du Tertre")))
    g.add((person, DCTERMS.source, URIRef(PIC_URL)))
    add_membership(g, "christian-du-tertre", "atemis", "expert", PIC_URL, person=True)
    add_membership(g, "christian-du-tertre", "plateforme-intelligence-collective", "expert", PIC_URL, person=True)
    for slug, fr in [
        ("camille-lefebvre", "Camille Lefebvre (personne fictive)"),
        ("yanis-benali", "Yanis Benali (personne fictive)"),
    ]:
        node = ID[f"person/{slug}"]
        b.labelled(b.invented, node, [FOAF.Person, PROV.Person], fr)
        b.invented.add((node, FOAF.name, Literal(fr)))
        b.invented.add((node, PIC.illustrative, Literal(True)))
    add_membership(b.invented, "camille-lefebvre", "aula", "membre", None, person=True)
    add_membership(b.invented, "yanis-benali", "louvre-lens", "membre", None, person=True)


def add_membership(g, member, org_slug, role, source, person=False, since=None):
    node = ID[f"membership/{member}--{org_slug}"]
    g.add((node, RDF.type, ORG.Membership))
    g.add((node, ORG.member, ID[f"person/{member}"] if person else actor(member)))
    g.add((node, ORG.organization, actor(org_slug)))
    g.add((node, ORG.role, ROLE[role]))
    if since:
        g.add((node, PIC.since, Literal(str(since), datatype=XSD.gYear)))
    if source:
        g.add((node, DCTERMS.source, URIRef(source)))
    else:
        g.add((node, PIC.illustrative, Literal(True)))


def add_projects(b: Builder) -> None:
    for slug, fr, en, start, end, themes, places, source, roles in PROJECTS:
        g = b.graph_for(source)
        node = project(slug)
        b.labelled(g, node, [PIC.Project, PROV.Activity], fr, en)
        g.add((node, DCTERMS.title, Literal(fr, lang="fr")))
        g.add((node, PROV.startedAtTime, Literal(f"{start}-01-01T00:00:00", datatype=XSD.dateTime)))
        if end:
            g.add((node, PROV.endedAtTime, Literal(f"{end}-12-31T00:00:00", datatype=XSD.dateTime)))
        for t in themes:
            g.add((node, DCTERMS.subject, THEME[t]))
        for p in places:
            g.add((node, DCTERMS.spatial, p))
        b.mark(g, node, source)
        for who, role, role_sourced in roles:
            rg = b.graph_for(role_sourced and source)
            assoc = ID[f"association/{slug}--{who}--{role}"]
            rg.add((node, PROV.qualifiedAssociation, assoc))
            rg.add((assoc, RDF.type, PROV.Association))
            rg.add((assoc, PROV.agent, actor(who)))
            rg.add((assoc, PROV.hadRole, ROLE[role]))
            b.mark(rg, assoc, role_sourced and source)


def add_study(b, g, slug, fr, en, status, date, producers, commissioners, themes, places, source):
    node = study(slug)
    b.labelled(g, node, [PIC.Study, PROV.Entity], fr, en)
    g.add((node, DCTERMS.title, Literal(fr, lang="fr")))
    g.add((node, DCTERMS.title, Literal(en, lang="en")))
    g.add((node, PIC.studyStatus, STATUS[status]))
    if status in ("planned", "ongoing"):
        g.add((node, PIC.expectedYear, Literal(date, datatype=XSD.gYear)))
    else:
        g.add((node, DCTERMS.issued, issued_literal(date)))
    for t in themes:
        g.add((node, DCTERMS.subject, THEME[t]))
    for p in places:
        g.add((node, DCTERMS.spatial, p))
    b.mark(g, node, source)
    return node, producers, commissioners


def issued_literal(date: str) -> Literal:
    kind = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(date)]
    return Literal(date, datatype=kind)


def add_studies(b: Builder) -> None:
    inv = b.invented
    for slug, fr, en, status, date, prod, comm, themes, places, source, indicators in STUDIES:
        node, _, _ = add_study(b, b.sourced, slug, fr, en, status, date, prod, comm, themes, places, source)
        for p in prod:
            b.sourced.add((node, PIC.producedBy, actor(p)))
        for c in comm:
            inv.add((node, PIC.commissionedBy, actor(c)))
        for i in indicators:
            inv.add((node, PIC.documentsIndicator, indicator(i)))
    for template in INVENTED_STUDIES:
        slug, fr, en, status, date, prod, comm, themes, places, indicators, builds_on = template
        years = range(2018, 2025) if "{y}" in slug else [None]
        for y in years:

            def fill(s, y=y):
                return s.format(y=y, y1=(y or 0) + 1) if y else s

            node, _, _ = add_study(
                b, inv, fill(slug), fill(fr), fill(en), status, fill(date), prod, comm, themes, places, None
            )
            for p in prod:
                inv.add((node, PIC.producedBy, actor(p)))
            for c in comm:
                inv.add((node, PIC.commissionedBy, actor(c)))
            for i in indicators:
                inv.add((node, PIC.documentsIndicator, indicator(i)))
            for lang, text in zip(("fr", "en"), ABSTRACTS.get(fill(slug), ()), strict=False):
                inv.add((node, DCTERMS.abstract, Literal(text, lang=lang)))
            previous = [f"etat-impacts-{y - 1}"] if y and y > 2018 else []
            for s in builds_on + previous:
                inv.add((node, PROV.wasDerivedFrom, study(s)))
    for p, used in USES.items():
        for s in used:
            inv.add((project(p), PROV.used, study(s)))


def add_indicators(b: Builder) -> None:
    g = b.invented
    rng = random.Random(62)
    scheme = ID["scheme/indicators"]
    b.labelled(g, scheme, [SKOS.ConceptScheme], "Indicateurs de la PIC", "PIC indicators")
    g.add((scheme, PIC.illustrative, Literal(True)))
    for slug, fr, en, unit, theme, dfr, den, places, (start, drift), first, gaps in INDICATORS:
        node = indicator(slug)
        b.labelled(g, node, [PIC.Indicator, SKOS.Concept], fr, en)
        g.add((node, SKOS.prefLabel, Literal(fr, lang="fr")))
        g.add((node, SKOS.prefLabel, Literal(en, lang="en")))
        g.add((node, SKOS.definition, Literal(dfr, lang="fr")))
        g.add((node, SKOS.definition, Literal(den, lang="en")))
        g.add((node, SKOS.inScheme, scheme))
        g.add((node, DCTERMS.subject, THEME[theme]))
        g.add((node, PIC.illustrative, Literal(True)))
        ds = ID[f"dataset/{slug}"]
        b.labelled(g, ds, [PIC.IndicatorDataSet, QB.DataSet], f"Série : {fr}", f"Series: {en}")
        g.add((ds, QB.structure, PIC.IndicatorStructure))
        g.add((ds, PIC.measuresIndicator, node))
        g.add((ds, PIC.unit, Literal(unit)))
        g.add((ds, PIC.illustrative, Literal(True)))
        g.add((ds, DCTERMS.publisher, actor("plateforme-intelligence-collective")))
        g.add((ds, DCTERMS.description, Literal("Valeurs inventées pour la démonstration : ne pas citer.", lang="fr")))
        percent = unit == "%"
        last = STALE_UNTIL.get(slug, 2025)
        if slug in PER_COMMUNE:
            places = places + COMMUNES
        for place in places:
            level = LEVEL.get(place) or rng.uniform(0.75, 1.3)
            value = start * (level if percent else SCALE[place])
            for year in YEARS:
                if year < first or year > last or (place, year) in gaps:
                    continue
                value *= 1 + drift + rng.uniform(-0.02, 0.02)
                obs = ID[f"observation/{slug}/{place.rsplit('/', 1)[1]}/{year}"]
                g.add((obs, RDF.type, QB.Observation))
                g.add((obs, QB.dataSet, ds))
                g.add((obs, PIC.refArea, place))
                g.add((obs, PIC.refYear, Literal(str(year), datatype=XSD.gYear)))
                rounded = round(value, 1) if percent else round(value)
                g.add((obs, PIC.value, Literal(str(rounded), datatype=XSD.decimal)))
                g.add((obs, PIC.illustrative, Literal(True)))


def add_questions_and_groups(b: Builder) -> None:
    g, inv = b.sourced, b.invented
    scheme = ID["scheme/evaluation-questions"]
    b.labelled(
        g,
        scheme,
        [SKOS.ConceptScheme],
        "Questions clés de l'état annuel des impacts",
        "Key questions of the annual impact report",
    )
    for i, (slug, fr, en, indicators, studies) in enumerate(QUESTIONS, 1):
        node = ID[f"question/{slug}"]
        b.labelled(g, node, [PIC.EvaluationQuestion, SKOS.Concept], fr, en)
        g.add((node, SKOS.prefLabel, Literal(fr, lang="fr")))
        g.add((node, SKOS.prefLabel, Literal(en, lang="en")))
        g.add((node, SKOS.inScheme, scheme))
        g.add((node, SKOS.notation, Literal(f"Q{i}")))
        g.add((node, DCTERMS.source, URIRef("https://docslib.org/")))
        for ind in indicators:
            inv.add((node, PIC.answeredWithIndicator, indicator(ind)))
        for s in studies:
            inv.add((node, PIC.informedByStudy, study(s)))
    for slug, fr, en, themes, members in GROUPS:
        node = ID[f"group/{slug}"]
        b.labelled(inv, node, [PIC.WorkingGroup, ORG.OrganizationalUnit], fr, en)
        inv.add((node, FOAF.name, Literal(fr)))
        inv.add((node, ORG.unitOf, actor("plateforme-intelligence-collective")))
        inv.add((node, PIC.illustrative, Literal(True)))
        for t in themes:
            inv.add((node, DCTERMS.subject, THEME[t]))
        for m in members:
            membership = ID[f"membership/{m}--group-{slug}"]
            inv.add((membership, RDF.type, ORG.Membership))
            inv.add((membership, ORG.member, actor(m)))
            inv.add((membership, ORG.organization, node))
            inv.add((membership, ORG.role, ROLE["membre"]))
            inv.add((membership, PIC.illustrative, Literal(True)))
    inv.add((study("livret-euralens-10"), PIC.followedBy, ID["group/impacts-louvre-lens"]))
    inv.add((study("diagnostic-habitat-minier-renove"), PIC.followedBy, ID["group/habitat-cadre-de-vie"]))
    inv.add((study("cooperation-acteurs-pic"), PIC.followedBy, ID["group/recherche-action"]))


PREFIXES = prefixes("pic", "prov", "org", "skos", "dcterms", "qb", "foaf", "rdfs", "xsd")


def add_annotations(b: Builder) -> None:
    """W3C Web Annotations by the fictional people, as the annotation server writes them (every node named)."""
    g = b.invented
    for key, author, org_slug, motivation, text, target, quote, link in ANNOTATIONS:
        node = ID[f"annotation/{key}"]
        person = ID[f"person/{author}"]
        g.add((person, ORG.memberOf, actor(org_slug)))
        g.add((node, RDF.type, OA.Annotation))
        g.add((node, OA.motivatedBy, OA[motivation]))
        g.add((node, DCTERMS.creator, person))
        g.add((node, DCTERMS.created, Literal("2026-10-15T10:00:00Z", datatype=XSD.dateTime)))
        b.mark(g, node, None)
        body = URIRef(f"{node}#body-1")
        g.add((node, OA.hasBody, body))
        g.add((body, RDF.type, OA.TextualBody))
        g.add((body, RDF.value, Literal(text)))
        g.add((body, DCTERMS.language, Literal("fr")))
        source = ID[target] if target.startswith("annotation/") else study(target)
        if quote:
            selected, selector = URIRef(f"{node}#target-1"), URIRef(f"{node}#selector-1-1")
            g.add((node, OA.hasTarget, selected))
            g.add((selected, RDF.type, OA.SpecificResource))
            g.add((selected, OA.hasSource, source))
            g.add((selected, OA.hasSelector, selector))
            g.add((selector, RDF.type, OA.TextQuoteSelector))
            g.add((selector, OA.exact, Literal(quote)))
        else:
            g.add((node, OA.hasTarget, source))
        if link:
            relation, entity = link
            resource = URIRef(f"{node}#body-2")
            g.add((node, OA.hasBody, resource))
            g.add((resource, RDF.type, OA.SpecificResource))
            g.add((resource, OA.hasSource, ID[entity]))
            g.add((resource, OA.hasPurpose, OA.linking if relation != "theme" else OA.tagging))
            if relation != "theme":
                g.add((resource, PIC.relation, Literal(relation)))
        for part in {o for _, _, o in g.triples((None, None, None)) if str(o).startswith(f"{node}#")}:
            b.mark(g, part, None)


def build() -> Builder:
    b = Builder()
    add_actors(b)
    add_projects(b)
    add_studies(b)
    add_indicators(b)
    add_questions_and_groups(b)
    add_annotations(b)
    return b


def trig(b: Builder) -> bytes:
    """Both graphs as TriG, sorted so that the file only changes when the data does."""
    from pyoxigraph import NamedNode, Quad

    quads = []
    for name, g in ((SOURCED, b.sourced), (INVENTED, b.invented)):
        triples = parse(g.serialize(format="nt", encoding="utf-8"), RdfFormat.N_TRIPLES)
        quads += [Quad(t.subject, t.predicate, t.object, NamedNode(str(name))) for t in triples]
    quads.sort(key=lambda q: (q.graph_name.value, str(q.subject), str(q.predicate), str(q.object)))
    return serialize(quads, format=RdfFormat.TRIG, prefixes=PREFIXES)


def main() -> None:
    sys.stdout.write("# Generated by `python -m pic.ontology.demo.build_demo`; do not edit by hand.\n")
    sys.stdout.write(trig(build()).decode())


if __name__ == "__main__":
    main()
