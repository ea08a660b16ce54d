"""The facts and figures of the demo: who, what, where — sourced rows name their public source,
invented rows have none and are marked illustrative by the builder (build_demo.py)."""

from rdflib import URIRef

from pic.ontology.build_territories import read_rows
from pic.ontology.namespaces import ID

SOURCED = ID["graph/partner/euralens"]
INVENTED = ID["graph/partner/demo"]
YEARS = range(2010, 2026)

ACTOR_TYPES = {
    k: ID[f"actor-type/{k}"]
    for k in (
        "etat",
        "collectivite",
        "intercommunalite",
        "culture",
        "agence",
        "recherche",
        "consulaire",
        "tourisme",
        "association",
        "entreprise",
    )
}
ROLE = {
    k: ID[f"role/{k}"]
    for k in (
        "pilote",
        "partenaire",
        "financeur",
        "maitre-ouvrage",
        "maitre-oeuvre",
        "expert",
        "commanditaire",
        "realisateur",
        "animateur",
        "membre",
    )
}
STATUS = {k: ID[f"study-status/{k}"] for k in ("planned", "ongoing", "completed", "published")}
THEME = {
    k: ID[f"theme/{k}"]
    for k in (
        "culture",
        "tourisme",
        "economie-emploi",
        "education-formation",
        "sante",
        "renouvellement-urbain-habitat",
        "mobilite",
        "environnement",
        "cohesion-sociale",
        "patrimoine",
        "attractivite-image",
        "gouvernance-cooperation",
    )
}


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
    ("euralens", "Euralens", None, "association", POLE, "https://www.euralens.org/qui-sommes-nous/"),
    (
        "pole-metropolitain-artois",
        "Pôle métropolitain de l'Artois",
        "Artois metropolitan pole",
        "intercommunalite",
        POLE,
        "https://www.euralens.org/actions/la-mission-pole-metropolitain-de-lartois.html",
    ),
    (
        "mission-bassin-minier",
        "Mission Bassin Minier Nord-Pas de Calais",
        "Mining Basin Mission",
        "agence",
        BASSIN,
        "https://www.missionbassinminier.org/la-mission/",
    ),
    (
        "louvre-lens",
        "Musée du Louvre-Lens",
        "Louvre-Lens museum",
        "culture",
        LENS,
        "https://www.louvrelens.fr/partenaires/",
    ),
    ("atemis", "ATEMIS", None, "recherche", None, "https://www.atemis-lir.fr/"),
    (
        "universite-artois",
        "Université d'Artois",
        "University of Artois",
        "recherche",
        DEP62,
        "https://books.openedition.org/irhis/1604",
    ),
    (
        "ca-lens-lievin",
        "Communauté d'agglomération de Lens-Liévin",
        "Lens-Liévin conurbation",
        "intercommunalite",
        CALL,
        "https://www.npmjs.com/package/@etalab/decoupage-administratif",
    ),
    (
        "ca-henin-carvin",
        "Communauté d'agglomération d'Hénin-Carvin",
        "Hénin-Carvin conurbation",
        "intercommunalite",
        CAHC,
        "https://www.npmjs.com/package/@etalab/decoupage-administratif",
    ),
    (
        "ca-bethune-bruay",
        "Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane",
        "Béthune-Bruay Artois-Lys Romane conurbation",
        "intercommunalite",
        CABBALR,
        "https://www.npmjs.com/package/@etalab/decoupage-administratif",
    ),
    (
        "region-hauts-de-france",
        "Région Hauts-de-France",
        "Hauts-de-France Region",
        "collectivite",
        REG32,
        "https://www.francetvinfo.fr/",
    ),
    (
        "departement-pas-de-calais",
        "Département du Pas-de-Calais",
        "Pas-de-Calais Department",
        "collectivite",
        DEP62,
        "https://www.euralens.org/actions/la-mission-pole-metropolitain-de-lartois.html",
    ),
    ("ville-de-lens", "Ville de Lens", "City of Lens", "collectivite", LENS, "https://www.louvrelens.fr/partenaires/"),
    (
        "aula",
        "Agence d'urbanisme de l'Artois",
        "Artois urban planning agency",
        "agence",
        ARR_BETHUNE,
        "https://www.francesustainablecity.org/",
    ),
    (
        "insee-hauts-de-france",
        "INSEE, direction régionale Hauts-de-France",
        "INSEE Hauts-de-France regional office",
        "etat",
        REG32,
        "https://www.insee.fr/fr/statistiques/4214601",
    ),
    (
        "sous-prefecture-lens",
        "Sous-préfecture de Lens",
        "Lens sub-prefecture",
        "etat",
        ARR_LENS,
        "https://www.euralens.org/actions/plateforme-dintelligence-collective.html",
    ),
    ("cci-artois", "CCI Artois", "Artois chamber of commerce", "consulaire", DEP62, "https://www.lagazettefrance.fr/"),
    (
        "office-tourisme-lens-lievin",
        "Office de tourisme de Lens-Liévin",
        "Lens-Liévin tourist office",
        "tourisme",
        CALL,
        "https://www.tendancesandco.fr/",
    ),
    # Invented actors.
    (
        "terril-conseil",
        "Terril Conseil (bureau d'études fictif)",
        "Terril Conseil (fictional consultancy)",
        "entreprise",
        POLE,
        None,
    ),
    (
        "collectif-cite-9",
        "Collectif des habitants de la cité 9 (fictif)",
        "Cité 9 residents' collective (fictional)",
        "association",
        LENS,
        None,
    ),
    (
        "observatoire-social-artois",
        "Observatoire social de l'Artois (fictif)",
        "Artois social observatory (fictional)",
        "association",
        ARR_BETHUNE,
        None,
    ),
]
SIREN = {"ca-lens-lievin": "246200364", "ca-henin-carvin": "246200299", "ca-bethune-bruay": "200072460"}
JURISDICTION = {
    "ca-lens-lievin": CALL,
    "ca-henin-carvin": CAHC,
    "ca-bethune-bruay": CABBALR,
    "region-hauts-de-france": REG32,
    "departement-pas-de-calais": DEP62,
    "ville-de-lens": LENS,
    "pole-metropolitain-artois": POLE,
}
PIC_URL = "https://www.euralens.org/actions/plateforme-dintelligence-collective.html"
PIC_MEMBERS = [
    "aula",
    "cci-artois",
    "insee-hauts-de-france",
    "louvre-lens",
    "office-tourisme-lens-lievin",
    "pole-metropolitain-artois",
    "universite-artois",
    "sous-prefecture-lens",
]


def actor(slug: str) -> URIRef:
    return ID[f"actor/{slug}"]


# slug, fr, en, start, end, themes, territories, source (None = invented project),
# roles [(actor, role, sourced?)]
PROJECTS = [
    (
        "louvre-lens-construction",
        "Construction du musée du Louvre-Lens",
        "Building the Louvre-Lens museum",
        2009,
        2012,
        ["culture", "patrimoine"],
        [LENS],
        "https://www.entreprise-lille.fr/",
        [
            ("region-hauts-de-france", "maitre-ouvrage", True),
            ("region-hauts-de-france", "financeur", True),
            ("louvre-lens", "pilote", False),
            ("ville-de-lens", "partenaire", False),
        ],
    ),
    (
        "label-euralens",
        "Label Euralens",
        "Euralens label",
        2012,
        None,
        ["gouvernance-cooperation", "attractivite-image"],
        [POLE],
        "https://www.euralens.org/",
        [("euralens", "pilote", True), ("pole-metropolitain-artois", "partenaire", False)],
    ),
    (
        "plateforme-intelligence-collective",
        "Plateforme d'Intelligence Collective",
        "Collective Intelligence Platform",
        2013,
        None,
        ["gouvernance-cooperation"],
        [POLE],
        PIC_URL,
        [
            ("euralens", "animateur", True),
            ("mission-bassin-minier", "animateur", True),
            ("atemis", "expert", True),
            ("insee-hauts-de-france", "partenaire", False),
            ("aula", "partenaire", False),
            ("louvre-lens", "partenaire", False),
        ],
    ),
    (
        "mission-pole-metropolitain",
        "Mission de préfiguration du Pôle métropolitain de l'Artois",
        "Preparing the Artois metropolitan pole",
        2015,
        2016,
        ["gouvernance-cooperation"],
        [POLE],
        "https://www.euralens.org/actions/la-mission-pole-metropolitain-de-lartois.html",
        [
            ("euralens", "pilote", True),
            ("ca-lens-lievin", "partenaire", True),
            ("ca-henin-carvin", "partenaire", True),
            ("ca-bethune-bruay", "partenaire", True),
            ("departement-pas-de-calais", "partenaire", True),
        ],
    ),
    (
        "chaine-des-parcs",
        "Chaîne des parcs",
        "Chain of parks",
        2010,
        None,
        ["environnement", "patrimoine"],
        [POLE],
        "https://micheldesvignepaysagiste.com/",
        [
            ("euralens", "pilote", False),
            ("pole-metropolitain-artois", "maitre-ouvrage", False),
            ("mission-bassin-minier", "expert", False),
        ],
    ),
    (
        "gestion-bien-unesco",
        "Gestion du bien Bassin minier patrimoine mondial",
        "Managing the Mining Basin World Heritage property",
        2013,
        None,
        ["patrimoine", "tourisme"],
        [BASSIN],
        "https://www.missionbassinminier.org/la-mission/",
        [("mission-bassin-minier", "pilote", True), ("region-hauts-de-france", "financeur", False)],
    ),
    (
        "site-9-9bis",
        "Reconversion du site du 9-9bis et Métaphone",
        "Converting the 9-9bis site",
        2003,
        2012,
        ["culture", "patrimoine"],
        [terr("commune", "62637")],
        "https://www.euralens.org/territoire/lieux-phares.html",
        [("ca-henin-carvin", "maitre-ouvrage", True), ("mission-bassin-minier", "partenaire", False)],
    ),
    (
        "euralogistic",
        "Euralogistic",
        None,
        2010,
        None,
        ["economie-emploi"],
        [DEP62],
        "https://www.lagazettefrance.fr/",
        [("cci-artois", "pilote", True), ("universite-artois", "partenaire", False)],
    ),
    (
        "cite-orient-harnes",
        "Rénovation de la cité d'Orient à Harnes",
        "Renovating the Cité d'Orient in Harnes",
        2020,
        2025,
        ["renouvellement-urbain-habitat"],
        [terr("commune", "62413")],
        "https://www.lagazettefrance.fr/",
        [("ca-lens-lievin", "partenaire", False), ("aula", "expert", False)],
    ),
    (
        "espace-mobilite-artois",
        "Espace Mobilité de l'Artois",
        "Artois mobility centre",
        2021,
        None,
        ["mobilite"],
        [POLE],
        "https://www.lagazettefrance.fr/",
        [("pole-metropolitain-artois", "pilote", False), ("ca-bethune-bruay", "partenaire", False)],
    ),
    # Invented projects.
    (
        "parcours-autour-du-louvre-lens",
        "Parcours de visite autour du Louvre-Lens (fictif)",
        "Visitor trails around the Louvre-Lens (fictional)",
        2014,
        2019,
        ["tourisme", "culture"],
        [CALL],
        None,
        [
            ("office-tourisme-lens-lievin", "pilote", False),
            ("louvre-lens", "partenaire", False),
            ("ca-lens-lievin", "financeur", False),
        ],
    ),
    (
        "observatoire-habitat-minier",
        "Observatoire partagé de l'habitat minier (fictif)",
        "Shared observatory of mining housing (fictional)",
        2016,
        None,
        ["renouvellement-urbain-habitat"],
        [POLE],
        None,
        [
            ("aula", "pilote", False),
            ("mission-bassin-minier", "partenaire", False),
            ("ca-lens-lievin", "partenaire", False),
            ("ca-henin-carvin", "partenaire", False),
        ],
    ),
    (
        "recherche-action-efc",
        "Recherche-action économie de la fonctionnalité (fictif)",
        "Research-action on the functional economy (fictional)",
        2017,
        2022,
        ["economie-emploi", "gouvernance-cooperation"],
        [POLE],
        None,
        [
            ("atemis", "pilote", False),
            ("euralens", "partenaire", False),
            ("universite-artois", "partenaire", False),
            ("cci-artois", "partenaire", False),
        ],
    ),
    (
        "emploi-jeunes-culture",
        "Accès des jeunes aux métiers de la culture (fictif)",
        "Young people into cultural jobs (fictional)",
        2019,
        2024,
        ["education-formation", "culture"],
        [ARR_LENS],
        None,
        [
            ("louvre-lens", "pilote", False),
            ("universite-artois", "partenaire", False),
            ("observatoire-social-artois", "partenaire", False),
            ("collectif-cite-9", "partenaire", False),
        ],
    ),
    (
        "sante-bassin-minier",
        "Parcours de santé dans le bassin minier (fictif)",
        "Health pathways in the mining basin (fictional)",
        2022,
        None,
        ["sante", "cohesion-sociale"],
        [CAHC],
        None,
        [("ca-henin-carvin", "pilote", False), ("observatoire-social-artois", "partenaire", False)],
    ),
]


def project(slug: str) -> URIRef:
    return ID[f"project/{slug}"]


# slug, title fr, title en, status, year, producers, commissioners, themes, territories, source,
# indicators documented
STUDIES = [
    (
        "livret-euralens-10",
        "Livret Euralens n°10 : Louvre-Lens, chiffres clés et impacts 2016",
        "Euralens booklet no. 10: Louvre-Lens key figures and impacts 2016",
        "published",
        "2017-02-24",
        ["plateforme-intelligence-collective"],
        ["euralens"],
        ["culture", "tourisme"],
        [POLE],
        "https://fdocuments.fr/",
        ["frequentation-louvre-lens"],
    ),
    (
        "livret-euralens-2",
        "Livret Euralens n°2 : Louvre-Lens, chiffres clés et impacts",
        "Euralens booklet no. 2: Louvre-Lens key figures and impacts",
        "published",
        "2014",
        ["plateforme-intelligence-collective"],
        ["euralens"],
        ["culture", "tourisme", "economie-emploi"],
        [POLE],
        "https://docslib.org/",
        ["frequentation-louvre-lens", "part-entrees-gratuites"],
    ),
    (
        "insee-flash-hdf-74",
        "Le bassin minier : un territoire densément peuplé confronté à diverses fragilités sociales",
        "The mining basin: a densely populated area facing social fragilities",
        "published",
        "2019-09-17",
        ["insee-hauts-de-france"],
        [],
        ["cohesion-sociale", "economie-emploi"],
        [BASSIN],
        "https://www.insee.fr/fr/statistiques/4214601",
        ["taux-chomage", "revenu-median"],
    ),
    (
        "insee-analyses-hdf-105",
        "Les jeunes en Hauts-de-France",
        "Young people in Hauts-de-France",
        "published",
        "2019-12-06",
        ["insee-hauts-de-france"],
        [],
        ["education-formation"],
        [REG32],
        "https://www.insee.fr/fr/statistiques/4258038",
        ["part-diplomes-superieur"],
    ),
    (
        "insee-analyses-hdf-137",
        "PIB dans les Hauts-de-France",
        "GDP in Hauts-de-France",
        "published",
        "2022-04-28",
        ["insee-hauts-de-france"],
        [],
        ["economie-emploi"],
        [REG32],
        "https://www.insee.fr/fr/statistiques/6436629",
        [],
    ),
    (
        "insee-flash-hdf-151",
        "Artois Douaisis : un marché du travail en interaction croissante",
        "Artois Douaisis: an increasingly interconnected labour market",
        "published",
        "2023-08-24",
        ["insee-hauts-de-france"],
        [],
        ["economie-emploi", "mobilite"],
        [ARR_LENS, ARR_BETHUNE],
        "https://www.insee.fr/fr/statistiques/7652493",
        ["taux-chomage"],
    ),
    (
        "diagnostic-louvre-lens-2012",
        "Diagnostic socio-économique du territoire du Louvre Lens",
        "Socio-economic diagnosis of the Louvre Lens area",
        "published",
        "2012-12",
        [],
        [],
        ["culture", "economie-emploi", "cohesion-sociale"],
        [CALL],
        "https://www.euralens.org/",
        [],
    ),
    (
        "cahier-label-2015",
        "Cahier du label Euralens 2015",
        "Euralens label book 2015",
        "published",
        "2015",
        ["euralens"],
        [],
        ["gouvernance-cooperation"],
        [POLE],
        "https://www.euralens.org/",
        [],
    ),
    (
        "rapport-premiere-vague-label",
        "Rapport d'analyse de la première vague du label Euralens",
        "Analysis of the first wave of the Euralens label",
        "published",
        "2013",
        ["euralens"],
        [],
        ["gouvernance-cooperation"],
        [POLE],
        "https://www.euralens.org/",
        [],
    ),
]
# Invented studies: slug, title fr, title en, status, year, producers, commissioners, themes,
# territories, indicators, builds on (study slugs)
INVENTED_STUDIES = [
    (
        "etat-impacts-{y}",
        "État annuel des impacts du Louvre-Lens {y} (fictif)",
        "Annual state of the Louvre-Lens impacts {y} (fictional)",
        "published",
        "{y1}-03",
        ["plateforme-intelligence-collective", "terril-conseil"],
        ["euralens"],
        ["culture", "tourisme", "economie-emploi"],
        [POLE],
        ["frequentation-louvre-lens", "nuitees-touristiques", "emplois-culture-tourisme", "part-entrees-gratuites"],
        [],
    ),
    (
        "frequentation-habitants-louvre-lens",
        "Fréquentation du Louvre-Lens par les habitants du bassin minier (fictif)",
        "Visits to the Louvre-Lens by residents of the mining basin (fictional)",
        "planned",
        "2026",
        ["universite-artois"],
        ["louvre-lens"],
        ["culture", "cohesion-sociale"],
        [BASSIN],
        ["frequentation-louvre-lens"],
        ["etat-impacts-2024"],
    ),
    (
        "image-territoire-2026",
        "Enquête sur l'image du territoire (fictif)",
        "Survey of the territory's image (fictional)",
        "planned",
        "2026",
        ["terril-conseil"],
        ["pole-metropolitain-artois"],
        ["attractivite-image"],
        [POLE],
        [],
        ["livret-euralens-10"],
    ),
    (
        "diagnostic-habitat-minier-renove",
        "Diagnostic de l'habitat minier rénové (fictif)",
        "Diagnosis of renovated mining housing (fictional)",
        "ongoing",
        "2026",
        ["aula"],
        ["mission-bassin-minier"],
        ["renouvellement-urbain-habitat"],
        [CALL, CAHC],
        ["logements-renoves"],
        ["insee-flash-hdf-74"],
    ),
    (
        "emplois-induits-louvre-lens",
        "Les emplois induits par le Louvre-Lens (fictif)",
        "Jobs generated by the Louvre-Lens (fictional)",
        "ongoing",
        "2026",
        ["universite-artois", "atemis"],
        ["euralens"],
        ["economie-emploi", "culture"],
        [CALL],
        ["emplois-culture-tourisme"],
        ["insee-flash-hdf-151", "etat-impacts-2023"],
    ),
    (
        "nuitees-autour-louvre-lens",
        "Hébergement touristique autour du Louvre-Lens (fictif)",
        "Tourist accommodation around the Louvre-Lens (fictional)",
        "completed",
        "2025",
        ["office-tourisme-lens-lievin"],
        ["ca-lens-lievin"],
        ["tourisme"],
        [CALL],
        ["nuitees-touristiques"],
        ["livret-euralens-10"],
    ),
    (
        "sante-bassin-minier-etude",
        "État de santé des habitants du bassin minier (fictif)",
        "Health of the mining basin's residents (fictional)",
        "published",
        "2021-06",
        ["observatoire-social-artois"],
        ["region-hauts-de-france"],
        ["sante"],
        [BASSIN],
        [],
        ["insee-flash-hdf-74"],
    ),
    (
        "jeunes-decrochage-artois",
        "Décrochage scolaire dans l'Artois (fictif)",
        "Early school leaving in Artois (fictional)",
        "published",
        "2020-11",
        ["universite-artois"],
        ["departement-pas-de-calais"],
        ["education-formation"],
        [ARR_LENS, ARR_BETHUNE],
        ["part-diplomes-superieur"],
        ["insee-analyses-hdf-105"],
    ),
    (
        "mobilites-domicile-travail",
        "Mobilités domicile-travail dans le Pôle métropolitain (fictif)",
        "Commuting in the metropolitan pole (fictional)",
        "published",
        "2022-05",
        ["aula"],
        ["pole-metropolitain-artois"],
        ["mobilite"],
        [POLE],
        [],
        ["insee-flash-hdf-151"],
    ),
    (
        "trame-verte-chaine-des-parcs",
        "La trame verte de la Chaîne des parcs (fictif)",
        "The green network of the Chain of parks (fictional)",
        "published",
        "2018-09",
        ["mission-bassin-minier"],
        ["euralens"],
        ["environnement"],
        [POLE],
        [],
        [],
    ),
    (
        "economie-fonctionnalite-bilan",
        "Bilan de la recherche-action économie de la fonctionnalité (fictif)",
        "Review of the functional economy research-action (fictional)",
        "completed",
        "2023",
        ["atemis"],
        ["euralens"],
        ["economie-emploi", "gouvernance-cooperation"],
        [POLE],
        [],
        ["rapport-premiere-vague-label"],
    ),
    (
        "cooperation-acteurs-pic",
        "Cartographie des coopérations de la PIC (fictif)",
        "Mapping cooperation in the PIC (fictional)",
        "ongoing",
        "2026",
        ["universite-artois"],
        ["euralens"],
        ["gouvernance-cooperation"],
        [POLE],
        [],
        ["cahier-label-2015"],
    ),
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


# slug, fr, en, unit, theme, definition fr, definition en, territories, (start value, yearly drift),
# first year, gaps [(territory, year)]
INDICATORS = [
    (
        "frequentation-louvre-lens",
        "Fréquentation du Louvre-Lens",
        "Louvre-Lens attendance",
        "visiteurs",
        "culture",
        "Nombre annuel d'entrées au musée du Louvre-Lens.",
        "Yearly number of admissions to the Louvre-Lens museum.",
        [LENS],
        (700000, -0.02),
        2013,
        [],
    ),
    (
        "part-entrees-gratuites",
        "Part des entrées gratuites",
        "Share of free admissions",
        "%",
        "culture",
        "Part des entrées gratuites dans la fréquentation annuelle du musée ; "
        "numérateur et dénominateur publiés avec la valeur.",
        "Share of free admissions in the museum's yearly attendance; "
        "numerator and denominator published with the value.",
        [LENS],
        (55.0, 0.005),
        2013,
        [(LENS, 2024)],
    ),
    (
        "taux-chomage",
        "Taux de chômage",
        "Unemployment rate",
        "%",
        "economie-emploi",
        "Part des chômeurs dans la population active (au sens du BIT).",
        "Share of unemployed people in the labour force (ILO definition).",
        [CALL, CAHC, CABBALR, ARR_LENS, ARR_BETHUNE, DEP62, REG32],
        (14.0, -0.02),
        2010,
        [(CAHC, 2024)],
    ),
    (
        "nuitees-touristiques",
        "Nuitées touristiques",
        "Tourist overnight stays",
        "nuitées",
        "tourisme",
        "Nombre de nuitées dans les hébergements marchands.",
        "Number of nights spent in paid accommodation.",
        [CALL, CAHC, CABBALR, DEP62, REG32],
        (300000, 0.03),
        2010,
        [],
    ),
    (
        "emplois-culture-tourisme",
        "Emplois de la culture et du tourisme",
        "Jobs in culture and tourism",
        "emplois",
        "economie-emploi",
        "Emplois salariés des secteurs culture, hébergement, restauration et loisirs.",
        "Salaried jobs in culture, accommodation, catering and leisure.",
        [CALL, CAHC, CABBALR, DEP62, REG32],
        (4000, 0.015),
        2010,
        [],
    ),
    (
        "logements-renoves",
        "Logements miniers rénovés",
        "Renovated mining dwellings",
        "logements",
        "renouvellement-urbain-habitat",
        "Nombre cumulé de logements miniers rénovés.",
        "Cumulative number of renovated mining dwellings.",
        [CALL, CAHC, CABBALR],
        (500, 0.08),
        2010,
        [],
    ),
    (
        "part-diplomes-superieur",
        "Part des diplômés du supérieur",
        "Share of higher-education graduates",
        "%",
        "education-formation",
        "Part des 25-34 ans titulaires d'un diplôme de l'enseignement supérieur.",
        "Share of 25-34 year-olds holding a higher-education degree.",
        [CALL, CAHC, CABBALR, DEP62, REG32],
        (25.0, 0.02),
        2010,
        [],
    ),
    (
        "revenu-median",
        "Revenu disponible médian",
        "Median disposable income",
        "euros",
        "cohesion-sociale",
        "Revenu disponible médian par unité de consommation.",
        "Median disposable income per consumption unit.",
        [CALL, CAHC, CABBALR, DEP62, REG32],
        (17000, 0.012),
        2010,
        [],
    ),
]
STALE_UNTIL = {"logements-renoves": 2021}  # a series that stopped: the data-quality panel shows it


def indicator(slug: str) -> URIRef:
    return ID[f"indicator/{slug}"]


SCALE = {CALL: 1.0, CAHC: 0.55, CABBALR: 1.1, ARR_LENS: 1.5, ARR_BETHUNE: 1.1, DEP62: 6.0, REG32: 25.0, LENS: 1.0}
LEVEL = {CALL: 1.0, CAHC: 1.05, CABBALR: 0.95, ARR_LENS: 1.02, ARR_BETHUNE: 0.97, DEP62: 0.9, REG32: 0.82, LENS: 1.0}


PER_COMMUNE = {"taux-chomage"}  # commune-level series, for comparisons with parent territories
COMMUNES = [terr("commune", row["code_insee"]) for row in read_rows()]


# Key questions of the Livret n°2 (2014) [V]; the links to indicators and studies are invented.
QUESTIONS = [
    (
        "frequentation-previsions",
        "La fréquentation du Louvre-Lens est-elle conforme aux prévisions ?",
        "Is the Louvre-Lens attendance in line with forecasts?",
        ["frequentation-louvre-lens", "part-entrees-gratuites"],
        ["livret-euralens-10"],
    ),
    (
        "creation-emplois",
        "Le Louvre-Lens a-t-il créé des emplois ?",
        "Did the Louvre-Lens create jobs?",
        ["emplois-culture-tourisme", "taux-chomage"],
        ["emplois-induits-louvre-lens"],
    ),
    (
        "retombees-habitants",
        "Les retombées économiques profitent-elles aux habitants ?",
        "Do the economic benefits reach residents?",
        ["revenu-median", "nuitees-touristiques"],
        ["insee-flash-hdf-74"],
    ),
    (
        "image-territoire",
        "L'image du territoire a-t-elle changé ?",
        "Has the territory's image changed?",
        [],
        ["image-territoire-2026"],
    ),
]
GROUPS = [
    (
        "impacts-louvre-lens",
        "Groupe impacts du Louvre-Lens (fictif)",
        "Louvre-Lens impacts group (fictional)",
        ["culture", "tourisme"],
        ["euralens", "louvre-lens", "office-tourisme-lens-lievin", "terril-conseil"],
    ),
    (
        "habitat-cadre-de-vie",
        "Groupe habitat et cadre de vie (fictif)",
        "Housing and living environment group (fictional)",
        ["renouvellement-urbain-habitat", "environnement"],
        ["aula", "mission-bassin-minier", "ca-lens-lievin"],
    ),
    (
        "recherche-action",
        "Groupe recherche-action (fictif)",
        "Research-action group (fictional)",
        ["gouvernance-cooperation"],
        ["atemis", "universite-artois", "euralens"],
    ),
]

# Abstracts of invented studies (invented too, like the studies; the data marks them illustrative).
ABSTRACTS = {
    "frequentation-habitants-louvre-lens": (
        "Cette étude fictive mesurera la part des habitants du bassin minier parmi les visiteurs du "
        "Louvre-Lens, par commune de résidence, et les freins à la première visite : distance, coût perçu, "
        "sentiment que le musée « n'est pas pour nous ». Elle s'appuiera sur l'état annuel des impacts 2024 "
        "et sur une enquête auprès de 1 500 foyers.",
        "This fictional study will measure the share of mining-basin residents among the Louvre-Lens's "
        "visitors, by home municipality, and what holds back a first visit: distance, perceived cost, the "
        "feeling that the museum 'is not for us'. It will build on the 2024 annual state of impacts and on a "
        "survey of 1,500 households.",
    ),
    "diagnostic-habitat-minier-renove": (
        "Diagnostic fictif des cités minières rénovées : état du bâti, performance énergétique, parcours "
        "résidentiels des habitants et effets de la rénovation sur les loyers et la vacance.",
        "A fictional diagnosis of the renovated mining estates: state of the buildings, energy performance, "
        "residents' housing paths, and the renovation's effects on rents and vacancy.",
    ),
    "emplois-induits-louvre-lens": (
        "Étude fictive des emplois directs, indirects et induits par le Louvre-Lens dans la communauté "
        "d'agglomération de Lens-Liévin, à partir des dépenses des visiteurs et des achats du musée.",
        "A fictional study of the direct, indirect and induced jobs the Louvre-Lens brings to the Lens-Liévin "
        "conurbation, from visitors' spending and the museum's purchases.",
    ),
    "nuitees-autour-louvre-lens": (
        "Étude fictive de l'offre d'hébergement touristique autour du Louvre-Lens et de son évolution depuis "
        "2012 : hôtels, meublés, chambres d'hôtes, taux d'occupation et durée des séjours.",
        "A fictional study of tourist accommodation around the Louvre-Lens since 2012: hotels, furnished "
        "rentals, guest rooms, occupancy rates and length of stays.",
    ),
}

# Annotations by the demo's fictional people (invented, like them). Each: key, author, organisation,
# motivation, text, target (study slug, or "annotation/<key>" for a reply), quoted passage of the target's
# abstract (or None), linked entity (IRI tail) with its relation, or a tagging theme.
ANNOTATIONS = [
    (
        "demo-1",
        "camille-lefebvre",
        "aula",
        "commenting",
        "Nous disposons de relevés de performance énergétique pour 2 000 logements (fictif).",
        "diagnostic-habitat-minier-renove",
        "performance énergétique",
        None,
    ),
    (
        "demo-2",
        "yanis-benali",
        "louvre-lens",
        "replying",
        "Intéressant : pourrait-on croiser ces relevés avec la fréquentation du musée par quartier ?",
        "annotation/demo-1",
        None,
        None,
    ),
    (
        "demo-3",
        "yanis-benali",
        "louvre-lens",
        "linking",
        "Cette étude éclairera les parcours proposés autour du musée.",
        "frequentation-habitants-louvre-lens",
        None,
        ("informs", "project/parcours-autour-du-louvre-lens"),
    ),
    (
        "demo-4",
        "camille-lefebvre",
        "aula",
        "tagging",
        "Utile pour le groupe emploi.",
        "emplois-induits-louvre-lens",
        None,
        ("theme", "theme/economie-emploi"),
    ),
]
