"""Every kind of Web Annotation document the platform emits, checked against the W3C suite's schemas.

A partner creates a few annotations through the Web Annotation Protocol (`POST /annotations/`) on a
document the admin loaded: a comment on a quoted passage (two selectors), a tag on the whole
document, a reply to the comment, a highlight without body, one with two bodies. Then everything the
platform answers is collected: each annotation (`GET` its `Location`), the container as an Annotation
Collection (full, `PreferMinimalContainer`, `PreferContainedIRIs`), and every page, with its items.
"""

import json

from tests.w3c.annotation_schemas import check
from tests.w3c.targets import Target, message

MEDIA = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
CONTEXT = "http://www.w3.org/ns/anno.jsonld"
DOC = "http://example.org/w3c/rapport-annuel"
GRAPH = "http://example.org/w3c/annotated"
DATA = (
    f"<{DOC}> a <http://xmlns.com/foaf/0.1/Document> ; "
    '<http://www.w3.org/2000/01/rdf-schema#label> "Rapport annuel des impacts du musée" .'
)
LDP = "http://www.w3.org/ns/ldp#"


def annotations(reply_to: str | None = None) -> list[dict]:
    text = {
        "type": "TextualBody",
        "value": "Chiffre à vérifier avec l'étude de fréquentation.",
        "language": "fr",
        "format": "text/plain",
    }
    if reply_to:
        return [
            {
                "@context": CONTEXT,
                "type": "Annotation",
                "motivation": "replying",
                "body": {"type": "TextualBody", "value": "Vérifié : c'est bien 1 500.", "language": "fr"},
                "target": reply_to,
            }
        ]
    return [
        {
            "@context": CONTEXT,
            "type": "Annotation",
            "motivation": "commenting",
            "body": text,
            "target": {
                "source": DOC,
                "selector": [
                    {"type": "TextQuoteSelector", "exact": "impacts", "prefix": "Rapport annuel des ", "suffix": " du"},
                    {"type": "TextPositionSelector", "start": 19, "end": 26},
                ],
            },
        },
        {
            "@context": CONTEXT,
            "type": "Annotation",
            "motivation": "tagging",
            "body": {"type": "TextualBody", "value": "fréquentation", "purpose": "tagging"},
            "target": DOC,
        },
        {"@context": CONTEXT, "type": "Annotation", "motivation": "highlighting", "target": DOC},
        {
            "@context": CONTEXT,
            "type": "Annotation",
            "motivation": "commenting",
            "body": [text, {"type": "TextualBody", "value": "musée", "purpose": "tagging"}],
            "target": DOC,
        },
    ]


def emitted(target: Target) -> list[tuple[str, str, object]]:
    """(kind, where, document) for everything the platform answered, after creating the annotations."""
    c = target.client
    r = c.put(
        target.gsp_url,
        params={"graph": GRAPH},
        content=DATA.encode(),
        headers={**target.admin, "Content-Type": "text/turtle"},
    )
    assert r.status_code in (201, 204), f"loading the annotated document: {r.status_code} {message(r)}"
    partner = {"Authorization": f"Bearer {target.partner_token}", "Content-Type": MEDIA}
    found, locations = [], []
    for i, body in enumerate(annotations()):
        r = c.post(f"{target.url}/annotations/", content=json.dumps(body), headers=partner)
        assert r.status_code == 201, f"creating annotation {i}: {r.status_code} {message(r)}"
        locations.append(r.headers["location"])
        found.append(("annotation", f"POST answer {i}", r.json()))
    r = c.post(f"{target.url}/annotations/", content=json.dumps(annotations(locations[0])[0]), headers=partner)
    assert r.status_code == 201, f"creating the reply: {r.status_code} {message(r)}"
    locations.append(r.headers["location"])
    for i, location in enumerate(locations):
        found.append(("annotation", f"GET {i}", c.get(location).json()))
    containers = [
        ("full", {}),
        ("minimal", {"Prefer": f'return=representation;include="{LDP}PreferMinimalContainer"'}),
        ("iris", {"Prefer": 'return=representation;include="http://www.w3.org/ns/oa#PreferContainedIRIs"'}),
    ]
    pages = []
    for name, headers in containers:
        collection = c.get(f"{target.url}/annotations/", headers=headers).json()
        found.append(("collection", f"container ({name})", collection))
        first = collection.get("first")
        pages.append(first if isinstance(first, str) else first["id"]) if first else None
    created = {location: i for i, location in enumerate(locations)}
    for url in dict.fromkeys(pages):
        while url:
            page = c.get(url).json()
            where = f"page {url.removeprefix(target.url)}"
            found.append(("page", where, page))
            for item in page.get("items", []):
                if isinstance(item, dict):  # (items inherit the page's context)
                    found.append(
                        (
                            "annotation",
                            f"{where} item {created.get(item.get('id'), item.get('id'))}",
                            {"@context": page["@context"], **item},
                        )
                    )
            url = page.get("next")
    return found


def run(target: Target) -> dict[str, str | None]:
    """One outcome per document emitted: None, or the MUST assertions it fails."""
    outcomes = {}
    for kind, where, document in emitted(target):
        musts, _ = check(kind, document)
        outcomes[f"{kind} {where}"] = "fails " + ", ".join(musts) if musts else None
    return outcomes
