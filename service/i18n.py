"""French first, English too: the UI's strings and how a request chooses its language."""

from fastapi import Request

STRINGS = {
    "fr": {
        "title": "Plateforme d'Intelligence Collective Euralens",
        "tagline": "Acteurs, projets, études, indicateurs et territoires du bassin minier autour du Louvre-Lens.",
        "counts": "Le graphe en chiffres",
        "graphs": "Graphes nommés",
        "triples": "triplets",
        "switch": "English",
        "organisations": "Organisations", "projects": "Projets", "studies": "Études",
        "indicators": "Indicateurs", "observations": "Observations", "communes": "Communes",
        "latest": "Dernières études publiées", "planned": "Études prévues ou en cours",
        "researchers": "Chercheurs : interroger le graphe en SPARQL",
        "workbench_link": "Ouvrir l'atelier de requêtes",
        "illustrative": "Les valeurs marquées « illustratives » sont inventées pour la démonstration.",
        "workbench_title": "Atelier de requêtes SPARQL",
        "maps_intro": "Qui travaille avec qui, d'où vient la connaissance et où elle va : des cartes "
                      "calculées à partir du graphe, filtrables, partageables par leur lien.",
        "map_descriptions": {
            "cooperation": "acteurs reliés par des projets communs ou des études cosignées",
            "knowledge-flows": "d'un acteur à l'autre, quand l'étude de l'un sert au projet ou à l'étude de l'autre",
            "actor-project": "réseau biparti des acteurs et de leurs projets",
            "citations": "les études et celles sur lesquelles elles s'appuient",
            "actor-territory": "les acteurs et les territoires où ils agissent",
        },
        "new_ties": "Nouveaux liens", "lost_ties": "Liens perdus", "newcomers": "Nouveaux venus",
        "left": "Sortis du réseau", "kept": "liens maintenus", "maps_link": "Cartes",
        "maps_open": "Ouvrir les cartes du réseau", "reports_link": "États annuels",
        "kinds": {"actor": "Acteur", "project": "Projet", "study": "Étude", "indicator": "Indicateur",
                  "territory": "Territoire", "theme": "Thème", "group": "Groupe de travail",
                  "question": "Question évaluative", "observation": "Observation", "thing": "Ressource"},
        "search": "Rechercher", "results": "résultats", "no_results": "Aucun résultat.",
        "clear_filters": "retirer les filtres",
        "facet_names": {"type": "Type", "theme": "Thème", "territory": "Territoire", "year": "Année"},
        "incoming": "Cité par", "on_the_map": "sur la carte des coopérations", "illustrative_badge": "illustratif",
        "not_found": "Le graphe ne dit rien de cette ressource.", "ontology": "Ontologie de la PIC",
        "classes": "Classes", "object_properties": "Relations", "datatype_properties": "Attributs",
        "facilitators": "Animateurs : qui coopère avec qui, d'où vient la connaissance, ce qui a changé depuis 2012",
        "workbench": {
            "run": "Exécuter", "saved": "Requêtes enregistrées", "free": "Requête libre",
            "rows": "lignes", "truncated": "résultat tronqué à la limite", "ms": "ms",
            "download": "Télécharger", "permalink": "Lien permanent", "error": "Erreur",
            "line": "ligne", "column": "colonne", "noRows": "Aucun résultat", "describe": "Décrire",
            "running": "Exécution…", "yes": "oui", "no": "non", "parameters": "Paramètres",
        },
    },
    "en": {
        "title": "Euralens Collective Intelligence Platform",
        "tagline": "Actors, projects, studies, indicators and territories of the mining basin around the Louvre-Lens.",
        "counts": "The graph in figures",
        "graphs": "Named graphs",
        "triples": "triples",
        "switch": "Français",
        "organisations": "Organisations", "projects": "Projects", "studies": "Studies",
        "indicators": "Indicators", "observations": "Observations", "communes": "Municipalities",
        "latest": "Latest published studies", "planned": "Planned or ongoing studies",
        "researchers": "Researchers: query the graph with SPARQL",
        "workbench_link": "Open the query workbench",
        "illustrative": "Values marked 'illustrative' are invented for the demonstration.",
        "workbench_title": "SPARQL query workbench",
        "maps_intro": "Who works with whom, where knowledge comes from and where it goes: maps computed "
                      "from the graph, filterable, shareable by their link.",
        "map_descriptions": {
            "cooperation": "actors linked by shared projects or co-signed studies",
            "knowledge-flows": "from one actor to another, when one's study serves the other's project or study",
            "actor-project": "two-mode network of actors and their projects",
            "citations": "studies and the studies they build on",
            "actor-territory": "actors and the territories they act on",
        },
        "new_ties": "New ties", "lost_ties": "Lost ties", "newcomers": "Newcomers",
        "left": "Left the network", "kept": "ties kept", "maps_link": "Maps",
        "maps_open": "Open the network maps", "reports_link": "Annual reports",
        "kinds": {"actor": "Actor", "project": "Project", "study": "Study", "indicator": "Indicator",
                  "territory": "Territory", "theme": "Theme", "group": "Working group",
                  "question": "Evaluation question", "observation": "Observation", "thing": "Resource"},
        "search": "Search", "results": "results", "no_results": "No result.", "clear_filters": "remove the filters",
        "facet_names": {"type": "Type", "theme": "Theme", "territory": "Territory", "year": "Year"},
        "incoming": "Referred to by", "on_the_map": "on the cooperation map", "illustrative_badge": "illustrative",
        "not_found": "The graph says nothing about this resource.", "ontology": "The PIC ontology",
        "classes": "Classes", "object_properties": "Relations", "datatype_properties": "Attributes",
        "facilitators": "Facilitators: who cooperates with whom, where knowledge flows, what changed since 2012",
        "workbench": {
            "run": "Run", "saved": "Saved queries", "free": "Free query",
            "rows": "rows", "truncated": "result cut at the limit", "ms": "ms",
            "download": "Download", "permalink": "Permalink", "error": "Error",
            "line": "line", "column": "column", "noRows": "No results", "describe": "Describe",
            "running": "Running…", "yes": "yes", "no": "no", "parameters": "Parameters",
        },
    },
}


def language(request: Request) -> str:
    """`?lang=en` wins, then the `lang` cookie; French otherwise."""
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "fr"
    return lang if lang in STRINGS else "fr"
