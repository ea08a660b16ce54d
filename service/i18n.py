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
        "illustrative": "Les valeurs marquées « illustratives » sont inventées pour la démonstration.",
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
        "illustrative": "Values marked 'illustrative' are invented for the demonstration.",
    },
}


def language(request: Request) -> str:
    """`?lang=en` wins, then the `lang` cookie; French otherwise."""
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "fr"
    return lang if lang in STRINGS else "fr"
