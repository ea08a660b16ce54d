"""Build the demo territory's data (`demo.trig`): actors, projects, studies, groups, questions, indicators.

Two kinds of content, kept apart so that nobody quotes an invented fact:
- `graph/partner/euralens` holds facts taken from public sources (research note, marked [V]); each
  such node carries `dcterms:source` with the page it comes from.
- `graph/partner/demo` holds everything invented for the demonstration: fictional actors, projects
  and studies, the roles and usage links between real nodes, and every indicator value. Each of its
  nodes carries `pic:illustrative true`, and the graph itself is described as illustrative.

The TriG file is committed; a test rebuilds it and checks it is unchanged.

    python -m pic.ontology.demo.build_demo > ontology/demo/demo.trig
"""

import random
import sys

from pyoxigraph import RdfFormat, parse, serialize
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from pic.ontology.build_territories import read_rows
from pic.ontology.namespaces import ID, PIC, QB

SOURCED = ID["graph/partner/euralens"]
INVENTED = ID["graph/partner/demo"]
YEARS = range(2010, 2026)

ACTOR_TYPES = {k: ID[f"actor-type/{k}"] for k in (
    "etat", "collectivite", "intercommunalite", "culture", "agence", "recherche", "consulaire",
    "tourisme", "association", "entreprise")}
ROLE = {k: ID[f"role/{k}"] for k in (
    "pilote", "partenaire", "financeur", "maitre-ouvrage", "maitre-oeuvre", "expert",
    "commanditaire", "realisateur", "animateur", "membre")}
STATUS = {k: ID[f"study-status/{k}"] for k in ("planned", "ongoing", "completed", "published")}
THEME = {k: ID[f"theme/{k}"] for k in (
    "culture", "tourisme", "economie-emploi", "education-formation", "sante",
    "renouvellement-urbain-habitat", "mobilite", "environnement", "cohesion-sociale", "patrimoine",
    "attractivite-image", "gouvernance-cooperation")}


def terr(kind: str, code: str) -> URIRef:
    return ID[f"territory/{kind}/{code}"]


LENS = terr("commune", "62498")
CALL, CAHC, CABBALR = terr("epci", "246200364"), terr("epci", "246200299"), terr("epci", "200072460")
ARR_LENS, ARR_BETHUNE = terr("arrondissement", "627"), terr("arrondissement", "622")
DEP62, REG32 = terr("departement", "62"), terr("region", "32")
POLE = terr("project", "pole-metropolitain-artois")
BASSIN = terr("project", "bassin-minier")

# slug, name fr, name en (None = same), type, territory of action, source url (None = invented)
ACTORS = [
    ("euralens", "Euralens", None, "association", POLE,
     "https://www.euralens.org/qui-sommes-nous/"),
    ("pole-metropolitain-artois", "Pôle métropolitain de l'Artois", "Artois metropolitan pole",
     "intercommunalite", POLE, "https://www.euralens.org/actions/la-mission-pole-metropolitain-de-lartois.html"),
    ("mission-bassin-minier", "Mission Bassin Minier Nord-Pas de Calais", "Mining Basin Mission",
     "agence", BASSIN, "https://www.missionbassinminier.org/la-mission/"),
    ("louvre-lens", "Musée du Louvre-Lens", "Louvre-Lens museum", "culture", LENS,
     "https://www.louvrelens.fr/partenaires/"),
    ("atemis", "ATEMIS", None, "recherche", None, "https://www.atemis-lir.fr/"),
    ("universite-artois", "Université d'Artois", "University of Artois", "recherche", DEP62,
     "https://books.openedition.org/irhis/1604"),
    ("ca-lens-lievin", "Communauté d'agglomération de Lens-Liévin", "Lens-Liévin conurbation",
     "intercommunalite", CALL, "https://www.npmjs.com/package/@etalab/decoupage-administratif"),
    ("ca-henin-carvin", "Communauté d'agglomération d'Hénin-Carvin", "Hénin-Carvin conurbation",
     "intercommunalite", CAHC, "https://www.npmjs.com/package/@etalab/decoupage-administratif"),
    ("ca-bethune-bruay", "Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane",
     "Béthune-Bruay Artois-Lys Romane conurbation", "intercommunalite", CABBALR,
     "https://www.npmjs.com/package/@etalab/decoupage-administratif"),
    ("region-hauts-de-france", "Région Hauts-de-France", "Hauts-de-France Region", "collectivite",
     REG32, "https://www.francetvinfo.fr/"),
    ("departement-pas-de-calais", "Département du Pas-de-Calais", "Pas-de-Calais Department",
     "collectivite", DEP62, "https://www.euralens.org/actions/la-mission-pole-metropolitain-de-lartois.html"),
    ("ville-de-lens", "Ville de Lens", "City of Lens", "collectivite", LENS,
     "https://www.louvrelens.fr/partenaires/"),
    ("aula", "Agence d'urbanisme de l'Artois", "Artois urban planning agency", "agence", ARR_BETHUNE,
     "https://www.francesustainablecity.org/"),
    ("insee-hauts-de-france", "INSEE, direction régionale Hauts-de-France",
     "INSEE Hauts-de-France regional office", "etat", REG32, "https://www.insee.fr/fr/statistiques/4214601"),
    ("sous-prefecture-lens", "Sous-préfecture de Lens", "Lens sub-prefecture", "etat", ARR_LENS,
     "https://www.euralens.org/actions/plateforme-dintelligence-collective.html"),
    ("cci-artois", "CCI Artois", "Artois chamber of commerce", "consulaire", DEP62,
     "https://www.lagazettefrance.fr/"),
    ("office-tourisme-lens-lievin", "Office de tourisme de Lens-Liévin", "Lens-Liévin tourist office",
     "tourisme", CALL, "https://www.tendancesandco.fr/"),
    # Invented actors.
    ("terril-conseil", "Terril Conseil (bureau d'études fictif)", "Terril Conseil (fictional consultancy)",
     "entreprise", POLE, None),
    ("collectif-cite-9", "Collectif des habitants de la cité 9 (fictif)",
     "Cité 9 residents' collective (fictional)", "association", LENS, None),
    ("observatoire-social-artois", "Observatoire social de l'Artois (fictif)",
     "Artois social observatory (fictional)", "association", ARR_BETHUNE, None),
]
SIREN = {"ca-lens-lievin": "246200364", "ca-henin-carvin": "246200299", "ca-bethune-bruay": "200072460"}
JURISDICTION = {"ca-lens-lievin": CALL, "ca-henin-carvin": CAHC, "ca-bethune-bruay": CABBALR,
                "region-hauts-de-france": REG32, "departement-pas-de-calais": DEP62,
                "ville-de-lens": LENS, "pole-metropolitain-artois": POLE}
PIC_URL = "https://www.euralens.org/actions/plateforme-dintelligence-collective.html"
PIC_MEMBERS = ["aula", "cci-artois", "insee-hauts-de-france", "louvre-lens", "office-tourisme-lens-lievin",
               "pole-metropolitain-artois", "universite-artois", "sous-prefecture-lens"]


def actor(slug: str) -> URIRef:
    return ID[f"actor/{slug}"]


class Builder:
    def __init__(self):
        self.sourced = Graph()
        self.invented = Graph()
        self.invented.add((INVENTED, PIC.illustrative, Literal(True)))
        self.invented.add((INVENTED, RDFS.label, Literal(
            "Données inventées pour la démonstration (acteurs, liens, valeurs)", lang="fr")))
        self.invented.add((INVENTED, RDFS.label, Literal(
            "Data invented for the demonstration (actors, links, values)", lang="en")))

    def graph_for(self, source):
        return self.sourced if source else self.invented

    def labelled(self, g, node, cls, fr, en=None):
        for c in (cls if isinstance(cls, list) else [cls]):
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
    b.labelled(g, BASSIN, [PIC.ProjectTerritory], "Bassin minier du Nord et du Pas-de-Calais",
               "Nord-Pas-de-Calais mining basin")
    g.add((BASSIN, PIC.withinTerritory, REG32))
    g.add((BASSIN, DCTERMS.source, URIRef("https://www.insee.fr/fr/statistiques/4214601")))
    # Euralens joined the Pôle métropolitain on 1 January 2022 (ORG unit).
    g.add((actor("euralens"), ORG.unitOf, actor("pole-metropolitain-artois")))
    g.add((actor("insee-hauts-de-france"), RDF.type, ORG.OrganizationalUnit))

    # The PIC itself, a unit of Euralens, and its members.
    pic = actor("plateforme-intelligence-collective")
    b.labelled(g, pic, [ORG.OrganizationalUnit, PROV.Organization],
               "Plateforme d'Intelligence Collective Euralens", "Euralens Collective Intelligence Platform")
    g.add((pic, FOAF.name, Literal("PIC Euralens")))
    g.add((pic, ORG.unitOf, actor("euralens")))
    g.add((pic, ORG.classification, ACTOR_TYPES["association"]))
    g.add((pic, PIC.territoryOfAction, POLE))
    g.add((pic, DCTERMS.source, URIRef(PIC_URL)))
    for slug, role in [("euralens", "animateur"), ("mission-bassin-minier", "animateur")] + [
            (m, "membre") for m in PIC_MEMBERS]:
        add_membership(g, slug, "plateforme-intelligence-collective", role, PIC_URL)

    person = ID["person/christian-du-tertre"]
    b.labelled(g, person, [FOAF.Person, PROV.Person], "Christian du Tertre")
    g.add((person, FOAF.name, Literal("Christian du Tertre")))
    g.add((person, DCTERMS.source, URIRef(PIC_URL)))
    add_membership(g, "christian-du-tertre", "atemis", "expert", PIC_URL, person=True)
    add_membership(g, "christian-du-tertre", "plateforme-intelligence-collective", "expert", PIC_URL,
                   person=True)
    for slug, fr in [("camille-lefebvre", "Camille Lefebvre (personne fictive)"),
                     ("yanis-benali", "Yanis Benali (personne fictive)")]:
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


# slug, fr, en, start, end, themes, territories, source (None = invented project),
# roles [(actor, role, sourced?)]
PROJECTS = [
    ("louvre-lens-construction", "Construction du musée du Louvre-Lens", "Building the Louvre-Lens museum",
     2009, 2012, ["culture", "patrimoine"], [LENS], "https://www.entreprise-lille.fr/",
     [("region-hauts-de-france", "maitre-ouvrage", True), ("region-hauts-de-france", "financeur", True),
      ("louvre-lens", "pilote", False), ("ville-de-lens", "partenaire", False)]),
    ("label-euralens", "Label Euralens", "Euralens label", 2012, None,
     ["gouvernance-cooperation", "attractivite-image"], [POLE], "https://www.euralens.org/",
     [("euralens", "pilote", True), ("pole-metropolitain-artois", "partenaire", False)]),
    ("plateforme-intelligence-collective", "Plateforme d'Intelligence Collective",
     "Collective Intelligence Platform", 2013, None, ["gouvernance-cooperation"], [POLE], PIC_URL,
     [("euralens", "animateur", True), ("mission-bassin-minier", "animateur", True),
      ("atemis", "expert", True), ("insee-hauts-de-france", "partenaire", False),
      ("aula", "partenaire", False), ("louvre-lens", "partenaire", False)]),
    ("mission-pole-metropolitain", "Mission de préfiguration du Pôle métropolitain de l'Artois",
     "Preparing the Artois metropolitan pole", 2015, 2016, ["gouvernance-cooperation"], [POLE],
     "https://www.euralens.org/actions/la-mission-pole-metropolitain-de-lartois.html",
     [("euralens", "pilote", True), ("ca-lens-lievin", "partenaire", True),
      ("ca-henin-carvin", "partenaire", True), ("ca-bethune-bruay", "partenaire", True),
      ("departement-pas-de-calais", "partenaire", True)]),
    ("chaine-des-parcs", "Chaîne des parcs", "Chain of parks", 2010, None,
     ["environnement", "patrimoine"], [POLE], "https://micheldesvignepaysagiste.com/",
     [("euralens", "pilote", False), ("pole-metropolitain-artois", "maitre-ouvrage", False),
      ("mission-bassin-minier", "expert", False)]),
    ("gestion-bien-unesco", "Gestion du bien Bassin minier patrimoine mondial",
     "Managing the Mining Basin World Heritage property", 2013, None, ["patrimoine", "tourisme"],
     [BASSIN], "https://www.missionbassinminier.org/la-mission/",
     [("mission-bassin-minier", "pilote", True), ("region-hauts-de-france", "financeur", False)]),
    ("site-9-9bis", "Reconversion du site du 9-9bis et Métaphone", "Converting the 9-9bis site",
     2003, 2012, ["culture", "patrimoine"], [terr("commune", "62637")],
     "https://www.euralens.org/territoire/lieux-phares.html",
     [("ca-henin-carvin", "maitre-ouvrage", True), ("mission-bassin-minier", "partenaire", False)]),
    ("euralogistic", "Euralogistic", None, 2010, None, ["economie-emploi"], [DEP62],
     "https://www.lagazettefrance.fr/",
     [("cci-artois", "pilote", True), ("universite-artois", "partenaire", False)]),
    ("cite-orient-harnes", "Rénovation de la cité d'Orient à Harnes", "Renovating the Cité d'Orient in Harnes",
     2020, 2025, ["renouvellement-urbain-habitat"], [terr("commune", "62413")],
     "https://www.lagazettefrance.fr/",
     [("ca-lens-lievin", "partenaire", False), ("aula", "expert", False)]),
    ("espace-mobilite-artois", "Espace Mobilité de l'Artois", "Artois mobility centre", 2021, None,
     ["mobilite"], [POLE], "https://www.lagazettefrance.fr/",
     [("pole-metropolitain-artois", "pilote", False), ("ca-bethune-bruay", "partenaire", False)]),
    # Invented projects.
    ("parcours-autour-du-louvre-lens", "Parcours de visite autour du Louvre-Lens (fictif)",
     "Visitor trails around the Louvre-Lens (fictional)", 2014, 2019, ["tourisme", "culture"], [CALL], None,
     [("office-tourisme-lens-lievin", "pilote", False), ("louvre-lens", "partenaire", False),
      ("ca-lens-lievin", "financeur", False)]),
    ("observatoire-habitat-minier", "Observatoire partagé de l'habitat minier (fictif)",
     "Shared observatory of mining housing (fictional)", 2016, None, ["renouvellement-urbain-habitat"],
     [POLE], None,
     [("aula", "pilote", False), ("mission-bassin-minier", "partenaire", False),
      ("ca-lens-lievin", "partenaire", False), ("ca-henin-carvin", "partenaire", False)]),
    ("recherche-action-efc", "Recherche-action économie de la fonctionnalité (fictif)",
     "Research-action on the functional economy (fictional)", 2017, 2022,
     ["economie-emploi", "gouvernance-cooperation"], [POLE], None,
     [("atemis", "pilote", False), ("euralens", "partenaire", False),
      ("universite-artois", "partenaire", False), ("cci-artois", "partenaire", False)]),
    ("emploi-jeunes-culture", "Accès des jeunes aux métiers de la culture (fictif)",
     "Young people into cultural jobs (fictional)", 2019, 2024, ["education-formation", "culture"],
     [ARR_LENS], None,
     [("louvre-lens", "pilote", False), ("universite-artois", "partenaire", False),
      ("observatoire-social-artois", "partenaire", False), ("collectif-cite-9", "partenaire", False)]),
    ("sante-bassin-minier", "Parcours de santé dans le bassin minier (fictif)",
     "Health pathways in the mining basin (fictional)", 2022, None, ["sante", "cohesion-sociale"],
     [CAHC], None,
     [("ca-henin-carvin", "pilote", False), ("observatoire-social-artois", "partenaire", False)]),
]


def project(slug: str) -> URIRef:
    return ID[f"project/{slug}"]


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


# slug, title fr, title en, status, year, producers, commissioners, themes, territories, source,
# indicators documented
STUDIES = [
    ("livret-euralens-10", "Livret Euralens n°10 : Louvre-Lens, chiffres clés et impacts 2016",
     "Euralens booklet no. 10: Louvre-Lens key figures and impacts 2016", "published", "2017-02-24",
     ["plateforme-intelligence-collective"], ["euralens"], ["culture", "tourisme"], [POLE],
     "https://fdocuments.fr/", ["frequentation-louvre-lens"]),
    ("livret-euralens-2", "Livret Euralens n°2 : Louvre-Lens, chiffres clés et impacts",
     "Euralens booklet no. 2: Louvre-Lens key figures and impacts", "published", "2014",
     ["plateforme-intelligence-collective"], ["euralens"], ["culture", "tourisme", "economie-emploi"],
     [POLE], "https://docslib.org/", ["frequentation-louvre-lens", "part-entrees-gratuites"]),
    ("insee-flash-hdf-74", "Le bassin minier : un territoire densément peuplé confronté à diverses fragilités sociales",
     "The mining basin: a densely populated area facing social fragilities", "published", "2019-09-17",
     ["insee-hauts-de-france"], [], ["cohesion-sociale", "economie-emploi"], [BASSIN],
     "https://www.insee.fr/fr/statistiques/4214601", ["taux-chomage", "revenu-median"]),
    ("insee-analyses-hdf-105", "Les jeunes en Hauts-de-France", "Young people in Hauts-de-France",
     "published", "2019-12-06", ["insee-hauts-de-france"], [], ["education-formation"], [REG32],
     "https://www.insee.fr/fr/statistiques/4258038", ["part-diplomes-superieur"]),
    ("insee-analyses-hdf-137", "PIB dans les Hauts-de-France", "GDP in Hauts-de-France", "published",
     "2022-04-28", ["insee-hauts-de-france"], [], ["economie-emploi"], [REG32],
     "https://www.insee.fr/fr/statistiques/6436629", []),
    ("insee-flash-hdf-151", "Artois Douaisis : un marché du travail en interaction croissante",
     "Artois Douaisis: an increasingly interconnected labour market", "published", "2023-08-24",
     ["insee-hauts-de-france"], [], ["economie-emploi", "mobilite"], [ARR_LENS, ARR_BETHUNE],
     "https://www.insee.fr/fr/statistiques/7652493", ["taux-chomage"]),
    ("diagnostic-louvre-lens-2012", "Diagnostic socio-économique du territoire du Louvre Lens",
     "Socio-economic diagnosis of the Louvre Lens area", "published", "2012-12", [], [],
     ["culture", "economie-emploi", "cohesion-sociale"], [CALL],
     "https://www.euralens.org/", []),
    ("cahier-label-2015", "Cahier du label Euralens 2015", "Euralens label book 2015", "published", "2015",
     ["euralens"], [], ["gouvernance-cooperation"], [POLE], "https://www.euralens.org/", []),
    ("rapport-premiere-vague-label", "Rapport d'analyse de la première vague du label Euralens",
     "Analysis of the first wave of the Euralens label", "published", "2013", ["euralens"], [],
     ["gouvernance-cooperation"], [POLE], "https://www.euralens.org/", []),
]
# Invented studies: slug, title fr, title en, status, year, producers, commissioners, themes,
# territories, indicators, builds on (study slugs)
INVENTED_STUDIES = [
    ("etat-impacts-{y}", "État annuel des impacts du Louvre-Lens {y} (fictif)",
     "Annual state of the Louvre-Lens impacts {y} (fictional)", "published", "{y1}-03",
     ["plateforme-intelligence-collective", "terril-conseil"], ["euralens"], ["culture", "tourisme",
     "economie-emploi"], [POLE], ["frequentation-louvre-lens", "nuitees-touristiques",
     "emplois-culture-tourisme", "part-entrees-gratuites"], []),
    ("frequentation-habitants-louvre-lens", "Fréquentation du Louvre-Lens par les habitants du bassin minier (fictif)",
     "Visits to the Louvre-Lens by residents of the mining basin (fictional)", "planned", "2026",
     ["universite-artois"], ["louvre-lens"], ["culture", "cohesion-sociale"], [BASSIN],
     ["frequentation-louvre-lens"], ["etat-impacts-2024"]),
    ("image-territoire-2026", "Enquête sur l'image du territoire (fictif)",
     "Survey of the territory's image (fictional)", "planned", "2026", ["terril-conseil"],
     ["pole-metropolitain-artois"], ["attractivite-image"], [POLE], [], ["livret-euralens-10"]),
    ("diagnostic-habitat-minier-renove", "Diagnostic de l'habitat minier rénové (fictif)",
     "Diagnosis of renovated mining housing (fictional)", "ongoing", "2026", ["aula"],
     ["mission-bassin-minier"], ["renouvellement-urbain-habitat"], [CALL, CAHC],
     ["logements-renoves"], ["insee-flash-hdf-74"]),
    ("emplois-induits-louvre-lens", "Les emplois induits par le Louvre-Lens (fictif)",
     "Jobs generated by the Louvre-Lens (fictional)", "ongoing", "2026", ["universite-artois", "atemis"],
     ["euralens"], ["economie-emploi", "culture"], [CALL], ["emplois-culture-tourisme"],
     ["insee-flash-hdf-151", "etat-impacts-2023"]),
    ("nuitees-autour-louvre-lens", "Hébergement touristique autour du Louvre-Lens (fictif)",
     "Tourist accommodation around the Louvre-Lens (fictional)", "completed", "2025",
     ["office-tourisme-lens-lievin"], ["ca-lens-lievin"], ["tourisme"], [CALL],
     ["nuitees-touristiques"], ["livret-euralens-10"]),
    ("sante-bassin-minier-etude", "État de santé des habitants du bassin minier (fictif)",
     "Health of the mining basin's residents (fictional)", "published", "2021-06",
     ["observatoire-social-artois"], ["region-hauts-de-france"], ["sante"], [BASSIN], [],
     ["insee-flash-hdf-74"]),
    ("jeunes-decrochage-artois", "Décrochage scolaire dans l'Artois (fictif)",
     "Early school leaving in Artois (fictional)", "published", "2020-11", ["universite-artois"],
     ["departement-pas-de-calais"], ["education-formation"], [ARR_LENS, ARR_BETHUNE],
     ["part-diplomes-superieur"], ["insee-analyses-hdf-105"]),
    ("mobilites-domicile-travail", "Mobilités domicile-travail dans le Pôle métropolitain (fictif)",
     "Commuting in the metropolitan pole (fictional)", "published", "2022-05", ["aula"],
     ["pole-metropolitain-artois"], ["mobilite"], [POLE], [], ["insee-flash-hdf-151"]),
    ("trame-verte-chaine-des-parcs", "La trame verte de la Chaîne des parcs (fictif)",
     "The green network of the Chain of parks (fictional)", "published", "2018-09",
     ["mission-bassin-minier"], ["euralens"], ["environnement"], [POLE], [], []),
    ("economie-fonctionnalite-bilan", "Bilan de la recherche-action économie de la fonctionnalité (fictif)",
     "Review of the functional economy research-action (fictional)", "completed", "2023",
     ["atemis"], ["euralens"], ["economie-emploi", "gouvernance-cooperation"], [POLE], [],
     ["rapport-premiere-vague-label"]),
    ("cooperation-acteurs-pic", "Cartographie des coopérations de la PIC (fictif)",
     "Mapping cooperation in the PIC (fictional)", "ongoing", "2026",
     ["universite-artois"], ["euralens"], ["gouvernance-cooperation"], [POLE], [],
     ["cahier-label-2015"]),
]
# project slug -> studies it used (all links invented)
USES = {
    "parcours-autour-du-louvre-lens": ["livret-euralens-10", "livret-euralens-2"],
    "observatoire-habitat-minier": ["insee-flash-hdf-74", "diagnostic-habitat-minier-renove"],
    "recherche-action-efc": ["rapport-premiere-vague-label", "cahier-label-2015"],
    "emploi-jeunes-culture": ["insee-analyses-hdf-105", "jeunes-decrochage-artois"],
    "sante-bassin-minier": ["sante-bassin-minier-etude"],
    "cite-orient-harnes": ["diagnostic-habitat-minier-renove"],
    "espace-mobilite-artois": ["mobilites-domicile-travail"],
    "chaine-des-parcs": ["trame-verte-chaine-des-parcs"],
    "label-euralens": ["etat-impacts-2019"],
    "gestion-bien-unesco": ["etat-impacts-2022"],
}


def study(slug: str) -> URIRef:
    return ID[f"study/{slug}"]


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
        node, _, _ = add_study(b, b.sourced, slug, fr, en, status, date, prod, comm, themes, places,
                               source)
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
            node, _, _ = add_study(b, inv, fill(slug), fill(fr), fill(en), status, fill(date), prod,
                                   comm, themes, places, None)
            for p in prod:
                inv.add((node, PIC.producedBy, actor(p)))
            for c in comm:
                inv.add((node, PIC.commissionedBy, actor(c)))
            for i in indicators:
                inv.add((node, PIC.documentsIndicator, indicator(i)))
            previous = [f"etat-impacts-{y - 1}"] if y and y > 2018 else []
            for s in builds_on + previous:
                inv.add((node, PROV.wasDerivedFrom, study(s)))
    for p, used in USES.items():
        for s in used:
            inv.add((project(p), PROV.used, study(s)))


# slug, fr, en, unit, theme, definition fr, definition en, territories, (start value, yearly drift),
# first year, gaps [(territory, year)]
INDICATORS = [
    ("frequentation-louvre-lens", "Fréquentation du Louvre-Lens", "Louvre-Lens attendance", "visiteurs",
     "culture", "Nombre annuel d'entrées au musée du Louvre-Lens.",
     "Yearly number of admissions to the Louvre-Lens museum.", [LENS], (700000, -0.02), 2013, []),
    ("part-entrees-gratuites", "Part des entrées gratuites", "Share of free admissions", "%", "culture",
     "Part des entrées gratuites dans la fréquentation annuelle du musée ; "
     "numérateur et dénominateur publiés avec la valeur.",
     "Share of free admissions in the museum's yearly attendance; numerator and denominator published with the value.",
     [LENS], (55.0, 0.005), 2013, [(LENS, 2024)]),
    ("taux-chomage", "Taux de chômage", "Unemployment rate", "%", "economie-emploi",
     "Part des chômeurs dans la population active (au sens du BIT).",
     "Share of unemployed people in the labour force (ILO definition).",
     [CALL, CAHC, CABBALR, ARR_LENS, ARR_BETHUNE, DEP62, REG32], (14.0, -0.02), 2010, [(CAHC, 2024)]),
    ("nuitees-touristiques", "Nuitées touristiques", "Tourist overnight stays", "nuitées", "tourisme",
     "Nombre de nuitées dans les hébergements marchands.", "Number of nights spent in paid accommodation.",
     [CALL, CAHC, CABBALR, DEP62, REG32], (300000, 0.03), 2010, []),
    ("emplois-culture-tourisme", "Emplois de la culture et du tourisme", "Jobs in culture and tourism",
     "emplois", "economie-emploi", "Emplois salariés des secteurs culture, hébergement, restauration et loisirs.",
     "Salaried jobs in culture, accommodation, catering and leisure.",
     [CALL, CAHC, CABBALR, DEP62, REG32], (4000, 0.015), 2010, []),
    ("logements-renoves", "Logements miniers rénovés", "Renovated mining dwellings", "logements",
     "renouvellement-urbain-habitat", "Nombre cumulé de logements miniers rénovés.",
     "Cumulative number of renovated mining dwellings.", [CALL, CAHC, CABBALR], (500, 0.08), 2010, []),
    ("part-diplomes-superieur", "Part des diplômés du supérieur", "Share of higher-education graduates",
     "%", "education-formation", "Part des 25-34 ans titulaires d'un diplôme de l'enseignement supérieur.",
     "Share of 25-34 year-olds holding a higher-education degree.",
     [CALL, CAHC, CABBALR, DEP62, REG32], (25.0, 0.02), 2010, []),
    ("revenu-median", "Revenu disponible médian", "Median disposable income", "euros",
     "cohesion-sociale", "Revenu disponible médian par unité de consommation.",
     "Median disposable income per consumption unit.",
     [CALL, CAHC, CABBALR, DEP62, REG32], (17000, 0.012), 2010, []),
]
STALE_UNTIL = {"logements-renoves": 2021}  # a series that stopped: the data-quality panel shows it


def indicator(slug: str) -> URIRef:
    return ID[f"indicator/{slug}"]


SCALE = {CALL: 1.0, CAHC: 0.55, CABBALR: 1.1, ARR_LENS: 1.5, ARR_BETHUNE: 1.1, DEP62: 6.0, REG32: 25.0,
         LENS: 1.0}
LEVEL = {CALL: 1.0, CAHC: 1.05, CABBALR: 0.95, ARR_LENS: 1.02, ARR_BETHUNE: 0.97, DEP62: 0.9,
         REG32: 0.82, LENS: 1.0}


PER_COMMUNE = {"taux-chomage"}  # commune-level series, for comparisons with parent territories
COMMUNES = [terr("commune", row["code_insee"]) for row in read_rows()]


def add_indicators(b: Builder) -> None:
    g = b.invented
    rng = random.Random(62)
    scheme = ID["scheme/indicators"]
    b.labelled(g, scheme, [SKOS.ConceptScheme], "Indicateurs de la PIC", "PIC indicators")
    g.add((scheme, PIC.illustrative, Literal(True)))
    for (slug, fr, en, unit, theme, dfr, den, places, (start, drift), first, gaps) in INDICATORS:
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
        g.add((ds, DCTERMS.description, Literal(
            "Valeurs inventées pour la démonstration : ne pas citer.", lang="fr")))
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


# Key questions of the Livret n°2 (2014) [V]; the links to indicators and studies are invented.
QUESTIONS = [
    ("frequentation-previsions", "La fréquentation du Louvre-Lens est-elle conforme aux prévisions ?",
     "Is the Louvre-Lens attendance in line with forecasts?", ["frequentation-louvre-lens",
     "part-entrees-gratuites"], ["livret-euralens-10"]),
    ("creation-emplois", "Le Louvre-Lens a-t-il créé des emplois ?", "Did the Louvre-Lens create jobs?",
     ["emplois-culture-tourisme", "taux-chomage"], ["emplois-induits-louvre-lens"]),
    ("retombees-habitants", "Les retombées économiques profitent-elles aux habitants ?",
     "Do the economic benefits reach residents?", ["revenu-median", "nuitees-touristiques"],
     ["insee-flash-hdf-74"]),
    ("image-territoire", "L'image du territoire a-t-elle changé ?", "Has the territory's image changed?",
     [], ["image-territoire-2026"]),
]
GROUPS = [
    ("impacts-louvre-lens", "Groupe impacts du Louvre-Lens (fictif)", "Louvre-Lens impacts group (fictional)",
     ["culture", "tourisme"], ["euralens", "louvre-lens", "office-tourisme-lens-lievin", "terril-conseil"]),
    ("habitat-cadre-de-vie", "Groupe habitat et cadre de vie (fictif)",
     "Housing and living environment group (fictional)",
     ["renouvellement-urbain-habitat", "environnement"], ["aula", "mission-bassin-minier", "ca-lens-lievin"]),
    ("recherche-action", "Groupe recherche-action (fictif)", "Research-action group (fictional)",
     ["gouvernance-cooperation"], ["atemis", "universite-artois", "euralens"]),
]


def add_questions_and_groups(b: Builder) -> None:
    g, inv = b.sourced, b.invented
    scheme = ID["scheme/evaluation-questions"]
    b.labelled(g, scheme, [SKOS.ConceptScheme], "Questions clés de l'état annuel des impacts",
               "Key questions of the annual impact report")
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


PREFIXES = {"pic": str(PIC), "prov": str(PROV), "org": str(ORG), "skos": str(SKOS),
            "dcterms": str(DCTERMS), "qb": str(QB), "foaf": str(FOAF),
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "xsd": "http://www.w3.org/2001/XMLSchema#"}


def build() -> Builder:
    b = Builder()
    add_actors(b)
    add_projects(b)
    add_studies(b)
    add_indicators(b)
    add_questions_and_groups(b)
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
