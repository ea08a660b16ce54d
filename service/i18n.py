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
