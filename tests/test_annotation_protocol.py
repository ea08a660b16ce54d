"""The W3C Web Annotation Protocol (Recommendation of 23 February 2017,
https://www.w3.org/TR/annotation-protocol/) against a live `pic serve`, over HTTP: one test, or one case,
per requirement. The W3C published no protocol test suite we could run here (`../shared/conformance/`
holds the Data Model's schemas), so these checks are written from the specification's own words.

What a server MUST do (the Recommendation's sections; the number is the test's):
  §3 Annotation Retrieval
   1. support GET, HEAD and OPTIONS on an annotation's IRI;
   2. support the JSON-LD representation with the Web Annotation profile: `Content-Type`
      `application/ld+json` (SHOULD: with `profile="http://www.w3.org/ns/anno.jsonld"`);
   3. answer with `Link: <http://www.w3.org/ns/ldp#Resource>; rel="type"`;
   4. answer with an `ETag` (an entity tag of RFC 7232);
   5. answer with `Allow`, the methods available on the annotation;
   6. since it negotiates formats, answer with `Vary` naming `Accept`.
  §4.1 Annotation Containers, Container Retrieval
   7. provide at least one container, whose IRI ends in "/";
   8. support GET, HEAD and OPTIONS on the container's IRI;
   9. answer a GET with a description of the container, available in JSON-LD;
  10. answer every request with `Link`: the container's type (`ldp:BasicContainer`, and `ldp:Resource`
      as LDP 4.2.1.4 asks of every LDP resource) and `<http://www.w3.org/TR/annotation-protocol/>;
      rel="http://www.w3.org/ns/ldp#constrainedBy"`;
  11. answer every request with an `ETag`;
  12. answer a request without `Accept` with JSON-LD;
  13. since it negotiates formats, answer with `Vary` naming `Accept`;
  §4.2 Container Representations (and its Preferences, §4.2.1–4.2.4)
  14. with annotations in it, give `first`: a link to the first page, or that page embedded;
  15. name the container by an IRI that tells a list of IRIs from a list of descriptions (`?iris=1`)
      and, not redirecting there, send that IRI as `Content-Location`;
  16. (`PreferMinimalContainer`) neither `ldp:contains` nor the first page embedded;
  17. (`PreferContainedIRIs`) `first` an `AnnotationPage` whose `items` are only the contained
      annotations' IRIs — their `id`s, so that a created annotation is found in its container;
  18. (`PreferContainedDescriptions`) `first` an `AnnotationPage` whose `items` are complete annotations;
  §4.3 Annotation Pages
  19. link each page to its container with `partOf`;
  20. link a page that is not the first to the one before (`prev`), one that is not the last to the next;
  §5 Creation, Updating and Deletion of Annotations
  21. give the annotation an IRI in `id`, even if the client sent one: the container's IRI and a segment;
  22. keep a client's `canonical` without change;
  23. answer a creation with 201 Created and `Location`, the annotation's new IRI;
  24. answer a successful PUT with 200 and the annotation's new state, in the content type requested;
  25. answer a successful DELETE with 204;
  26. remove a deleted annotation's IRI from its container;
  and from HTTP (RFC 7232 §3.1), which the protocol builds on:
  27. not perform a PUT or DELETE whose `If-Match` does not match the current entity tag: 412.

What it SHOULD do, and PIC does (checked here too):
  S1. a Turtle representation of annotations (§3), containers (§4.1) and pages, by content negotiation:
      the same RDF as the JSON-LD (read here with the W3C context of `../shared/conformance/`);
  S2. `Allow` and `Accept-Post` on the container's GET, HEAD and OPTIONS (§4.1);
  S3. `total`, and `last` when there are several pages (§4.2); `startIndex` on pages (Data Model §5.2);
  S4. copy a client's `id` to `via` (§5.1);
  S5. refuse an update that changes `canonical` or `via` once set (§5.3): 409;
  S6. answer a creation with the annotation's JSON-LD (§1.2).

What the Recommendation leaves to the server, and PIC's choice:
  - `If-Match` is what a client SHOULD send (§5.3, §5.4; the working group kept it a SHOULD,
    w3c/web-annotation#327): PIC requires it for PUT (428 without it, RFC 6585: a PUT replaces the whole
    annotation) and honours it on DELETE without requiring it (the page's delete button holds no ETag).
  - Error responses of the container carry its `Link` header but no `ETag`: an error is no
    representation of the container, and an entity tag names one (RFC 7232 §2.3). FastAPI's own 422 for
    a malformed `?page=` is answered before the route, without `Link`.
  - The §4.4 MUST (a `Link` to a container uses rel `http://www.w3.org/ns/oa#annotationService`) binds
    only servers that link resources to a container; PIC's pages do not (it is optional).
  - OPTIONS on the container and on an annotation answers 204 with `Allow`; a CORS pre-flight (§3, §4.1:
    OPTIONS is there "to enable CORS pre-flight requests") is answered by the application's CORS
    middleware, which offers GET, HEAD and POST to other origins, not PUT and DELETE.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from rdflib.plugins.parsers.jsonld import to_rdf

from tests.conftest import LIVE_DATA

ID = "https://w3id.org/pic-euralens/id/"
ANNO = "http://www.w3.org/ns/anno.jsonld"
MEDIA = f'application/ld+json; profile="{ANNO}"'
LDP, OA, AS = "http://www.w3.org/ns/ldp#", "http://www.w3.org/ns/oa#", "http://www.w3.org/ns/activitystreams#"
STUDY = f"{ID}study/frequentation-habitants-louvre-lens"
USER = "annoprotocol"  # this module's partner on the shared live server; what it creates, it deletes
CREATOR = f"{ID}user/{USER}"
PAGE = 20  # the server's page size
# The W3C context, as published (copied with its provenance); the LDP terms the container uses.
W3C_CONTEXT = json.loads(
    (Path(__file__).resolve().parents[2] / "shared/conformance/w3c/web-annotation/anno.jsonld").read_text(
        encoding="utf-8"
    )
)["@context"]
LDP_TERMS = {"ldp": LDP, "BasicContainer": "ldp:BasicContainer", "contains": {"@id": "ldp:contains", "@type": "@id"}}


def prefer(*iris: str) -> dict:
    return {"Prefer": f'return=representation;include="{" ".join(iris)}"'}


MINIMAL, IRIS = f"{LDP}PreferMinimalContainer", f"{OA}PreferContainedIRIs"
DESCRIPTIONS = f"{OA}PreferContainedDescriptions"


@dataclass
class Site:
    url: str
    author: httpx.Client
    anonymous: httpx.Client
    made: list[str] = field(default_factory=list)

    def create(self, text: str = "Protocole : une remarque.", **extra) -> httpx.Response:
        note = {
            "@context": ANNO,
            "type": "Annotation",
            "motivation": "commenting",
            "body": {"type": "TextualBody", "value": text},
            "target": STUDY,
            **extra,
        }
        r = self.author.post("/annotations/", content=json.dumps(note), headers={"Content-Type": MEDIA})
        assert r.status_code == 201, r.text
        self.made.append(r.headers["location"])
        return r


@pytest.fixture(scope="module")
def site(live_server):
    env = {**os.environ, "PIC_DATA_DIR": str(LIVE_DATA[live_server])}
    pic = str(Path(sys.executable).with_name("pic"))
    subprocess.run(
        [pic, "user", "add", USER, "--org", "aula", "--password", f"{USER}-password"],
        env=env,
        check=True,
        capture_output=True,
    )
    token = (
        subprocess.run([pic, "user", "token", USER], env=env, check=True, capture_output=True, text=True)
        .stdout.strip()
        .split()[-1]
    )
    with (
        httpx.Client(base_url=live_server, headers={"Authorization": f"Bearer {token}"}, timeout=60) as author,
        httpx.Client(base_url=live_server, timeout=60) as anonymous,
    ):
        found = Site(live_server, author, anonymous)
        yield found
        for location in found.made:  # leave the shared server's annotations as they were
            assert author.delete(location).status_code in (204, 404)


@pytest.fixture(scope="module")
def note(site) -> httpx.Response:
    """One annotation of this module's partner, created once."""
    return site.create("Protocole : l'annotation de référence.")


@pytest.fixture(scope="module")
def crowded(site) -> dict:
    """More annotations by this module's partner than a page holds; the container filtered on them."""
    already = site.anonymous.get("/annotations/", params={"creator": CREATOR}).json()["total"]
    for i in range(PAGE + 1 - already):
        site.create(f"Protocole : remarque {i}.")
    return {"creator": CREATOR}


def links(response: httpx.Response) -> set[tuple[str, str]]:
    """(target, rel) of every entry of the response's Link headers."""
    found = set()
    for header in response.headers.get_list("link"):
        for entry in header.split(","):
            target, *params = [p.strip() for p in entry.split(";")]
            rel = next((p.split("=", 1)[1].strip('"') for p in params if p.startswith("rel=")), None)
            found.add((target.strip("<>"), rel))
    return found


def varies_on_accept(response: httpx.Response) -> bool:
    return "accept" in {v.strip().lower() for h in response.headers.get_list("vary") for v in h.split(",")}


def rdf_of(document: dict) -> Graph:
    """The JSON-LD as RDF, with the W3C context read from disk: never fetched."""

    def local(context):
        contexts = context if isinstance(context, list) else [context]
        return [
            W3C_CONTEXT if c == ANNO else LDP_TERMS if c == "http://www.w3.org/ns/ldp.jsonld" else c for c in contexts
        ]

    graph = Graph()  # rdflib's JSON-LD processor (the server's is pyoxigraph's): two readings must agree
    to_rdf({**document, "@context": local(document["@context"])}, graph)
    return graph


def turtle_of(response: httpx.Response) -> Graph:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == "text/turtle", response.headers
    return Graph().parse(data=response.text, format="turtle")


def every_page(client: httpx.Client, first) -> list[dict]:
    page = first if isinstance(first, dict) else client.get(first).json()
    pages = [page]
    while "next" in pages[-1]:
        pages.append(client.get(pages[-1]["next"]).json())
    return pages


# -- §4 Annotation Retrieval ------------------------------------------------------------------------
def test_01_get_head_and_options_on_an_annotation(site, note):
    location = note.headers["location"]
    got, head, options = (site.anonymous.request(m, location) for m in ("GET", "HEAD", "OPTIONS"))
    assert got.status_code == 200 and got.json()["id"] == location, got.text
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == got.headers["etag"]
    assert options.status_code in (200, 204), options.text


@pytest.mark.parametrize("accept", [None, "*/*", "application/ld+json", MEDIA, "application/json"])
def test_02_json_ld_with_the_annotation_profile(site, note, accept):
    r = site.anonymous.get(note.headers["location"], headers={"Accept": accept} if accept else {})
    media, *params = [p.strip() for p in r.headers["content-type"].split(";")]
    assert media == "application/ld+json" and f'profile="{ANNO}"' in params, r.headers
    assert ANNO in r.json()["@context"]


@pytest.mark.parametrize("accept", [MEDIA, "text/turtle"])
def test_03_to_06_link_etag_allow_vary_on_an_annotation(site, note, accept):
    for method in ("GET", "HEAD"):
        r = site.anonymous.request(method, note.headers["location"], headers={"Accept": accept})
        assert r.status_code == 200, r.text
        assert (f"{LDP}Resource", "type") in links(r), r.headers  # 3
        etag = r.headers.get("etag", "")
        assert etag.startswith(('"', 'W/"')) and etag.endswith('"') and len(etag) > 2, r.headers  # 4
        assert {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"} <= {m.strip() for m in r.headers["allow"].split(",")}  # 5
        assert varies_on_accept(r), r.headers  # 6


def test_s1_an_annotation_in_turtle_is_its_json_ld(site, note):
    location = note.headers["location"]
    turtle = turtle_of(site.anonymous.get(location, headers={"Accept": "text/turtle"}))
    assert (URIRef(location), RDF.type, URIRef(f"{OA}Annotation")) in turtle
    assert isomorphic(turtle, rdf_of(site.anonymous.get(location).json()))
    organisation = URIRef("https://w3id.org/pic-euralens/ontology#organisation")
    assert (URIRef(CREATOR), organisation, URIRef(f"{ID}actor/aula")) in turtle  # our extension's IRIs stay IRIs


def test_s1_each_representation_has_its_own_entity_tag(site, note):
    location = note.headers["location"]
    jsonld, turtle = site.anonymous.get(location), site.anonymous.get(location, headers={"Accept": "text/turtle"})
    assert jsonld.headers["etag"] != turtle.headers["etag"]  # a strong tag names one representation
    again = site.anonymous.get(location, headers={"Accept": "text/turtle", "If-None-Match": turtle.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == turtle.headers["etag"]


# -- §5 Annotation Containers -----------------------------------------------------------------------
def test_07_the_container_iri_ends_in_a_slash(site, note):
    r = site.anonymous.get("/annotations/")
    assert r.status_code == 200 and r.json()["id"].endswith("/"), r.text
    assert note.headers["location"].startswith(r.json()["id"])


def test_08_get_head_and_options_on_the_container(site):
    got, head, options = (site.anonymous.request(m, "/annotations/") for m in ("GET", "HEAD", "OPTIONS"))
    assert got.status_code == 200 and head.status_code == 200 and head.content == b""
    assert options.status_code in (200, 204)


def test_09_the_container_describes_itself_in_json_ld(site, note):
    r = site.anonymous.get("/annotations/", headers={"Accept": MEDIA})
    assert r.headers["content-type"].split(";")[0] == "application/ld+json"
    body = r.json()
    assert {"BasicContainer", "AnnotationCollection"} <= set(body["type"]) and body["id"]
    described = rdf_of(body)
    assert (URIRef(body["id"]), RDF.type, URIRef(f"{LDP}BasicContainer")) in described
    assert (URIRef(body["id"]), RDF.type, URIRef(f"{AS}OrderedCollection")) in described


def container_responses(site: Site) -> dict[str, httpx.Response]:
    """A response of each kind the container gives, successes and refusals."""
    note = {"@context": ANNO, "type": "Annotation", "body": {"type": "TextualBody", "value": "x"}, "target": STUDY}
    created = site.create("Protocole : par POST.")
    return {
        "GET": site.anonymous.get("/annotations/"),
        "HEAD": site.anonymous.head("/annotations/"),
        "OPTIONS": site.anonymous.options("/annotations/"),
        "GET minimal": site.anonymous.get("/annotations/", headers=prefer(MINIMAL)),
        "GET IRIs": site.anonymous.get("/annotations/", headers=prefer(IRIS)),
        "GET Turtle": site.anonymous.get("/annotations/", headers={"Accept": "text/turtle"}),
        "POST 201": created,
        "POST 401": site.anonymous.post("/annotations/", content=json.dumps(note), headers={"Content-Type": MEDIA}),
        "POST 415": site.author.post("/annotations/", content="x", headers={"Content-Type": "text/plain"}),
        "POST 400": site.author.post("/annotations/", content="{", headers={"Content-Type": MEDIA}),
        "GET 400": site.anonymous.get("/annotations/", params={"motivation": "shouting"}),
    }


@pytest.fixture(scope="module")
def answers(site, note):
    return container_responses(site)


@pytest.mark.parametrize(
    "kind",
    [
        "GET",
        "HEAD",
        "OPTIONS",
        "GET minimal",
        "GET IRIs",
        "GET Turtle",
        "POST 201",
        "POST 401",
        "POST 415",
        "POST 400",
        "GET 400",
    ],
)
def test_10_the_container_link_header_on_every_response(answers, kind):
    r = answers[kind]
    found = links(r)
    assert (f"{LDP}BasicContainer", "type") in found and (f"{LDP}Resource", "type") in found, (kind, r.headers)
    assert ("http://www.w3.org/TR/annotation-protocol/", f"{LDP}constrainedBy") in found, (kind, r.headers)


@pytest.mark.parametrize("kind", ["GET", "HEAD", "OPTIONS", "GET minimal", "GET IRIs", "GET Turtle", "POST 201"])
def test_11_the_container_etag_on_every_response(answers, kind):
    assert answers[kind].headers.get("etag", "").endswith('"'), (kind, answers[kind].headers)


def test_11_the_container_etag_follows_its_contents(site, note):
    before = site.anonymous.get("/annotations/").headers["etag"]
    assert site.anonymous.head("/annotations/").headers["etag"] == before
    assert site.anonymous.options("/annotations/").headers["etag"] == before
    site.create("Protocole : le conteneur change.")
    assert site.anonymous.get("/annotations/").headers["etag"] != before


def test_12_no_accept_header_gives_json_ld(site):
    request = site.anonymous.build_request("GET", "/annotations/")
    del request.headers["accept"]
    r = site.anonymous.send(request)
    assert r.headers["content-type"].split(";")[0] == "application/ld+json", r.headers
    assert "AnnotationCollection" in r.json()["type"]


@pytest.mark.parametrize("kind", ["GET", "HEAD", "GET minimal", "GET IRIs", "GET Turtle"])
def test_13_the_container_varies_on_accept(answers, kind):
    assert varies_on_accept(answers[kind]), (kind, answers[kind].headers)


@pytest.mark.parametrize("kind", ["GET", "HEAD", "OPTIONS"])
def test_s2_allow_and_accept_post_on_the_container(answers, kind):
    r = answers[kind]
    assert {"GET", "HEAD", "OPTIONS", "POST"} <= {m.strip() for m in r.headers["allow"].split(",")}, r.headers
    assert "application/ld+json" in r.headers["accept-post"], r.headers


# -- §5.2 Container Representations -----------------------------------------------------------------
def test_14_a_container_with_annotations_gives_its_first_page(site, note):
    for headers in ({}, prefer(MINIMAL), prefer(IRIS), prefer(DESCRIPTIONS)):
        body = site.anonymous.get("/annotations/", headers=headers).json()
        assert body["total"] > 0 and "first" in body, (headers, body)
        first = body["first"] if isinstance(body["first"], dict) else site.anonymous.get(body["first"]).json()
        assert first["type"] == "AnnotationPage" and first["items"], first


def test_14_an_empty_container_says_so(site):
    body = site.anonymous.get("/annotations/", params={"creator": f"{ID}user/nobody-at-all"}).json()
    assert body["total"] == 0 and "first" not in body


def test_15_the_iri_list_has_its_own_container_iri_and_content_location(site, note):
    iris = site.anonymous.get("/annotations/", headers=prefer(IRIS))
    descriptions = site.anonymous.get("/annotations/", headers=prefer(DESCRIPTIONS))
    assert iris.json()["id"] != descriptions.json()["id"]
    for r in (iris, descriptions):
        assert r.status_code == 200 and r.headers["content-location"] == r.json()["id"], r.headers
    assert parse_qs(urlsplit(iris.json()["id"]).query).get("iris") == ["1"]
    # the IRI names that representation: dereferenced without Prefer, it gives the IRIs again
    again = site.anonymous.get(iris.json()["id"]).json()
    assert again["id"] == iris.json()["id"] and all(isinstance(i, str) for i in again["first"]["items"])


def test_16_the_minimal_container_embeds_nothing(site, note):
    r = site.anonymous.get("/annotations/", headers=prefer(MINIMAL))
    body = r.json()
    assert "contains" not in body and f"{LDP}contains" not in body and "ldp:contains" not in body
    assert isinstance(body["first"], str), body
    assert "items" not in json.dumps(body)
    described = rdf_of(body)
    assert not list(described.triples((None, URIRef(f"{LDP}contains"), None)))
    assert not list(described.triples((None, URIRef(f"{AS}items"), None)))
    assert r.headers.get("preference-applied")


def test_16_minimal_and_iris_together_link_a_page_of_iris(site, note):
    body = site.anonymous.get("/annotations/", headers=prefer(MINIMAL, IRIS)).json()
    assert isinstance(body["first"], str)
    assert all(isinstance(i, str) for i in site.anonymous.get(body["first"]).json()["items"])


def test_17_contained_iris_are_the_annotations_ids(site, crowded, note):
    body = site.anonymous.get("/annotations/", params=crowded, headers=prefer(IRIS)).json()
    assert body["first"]["type"] == "AnnotationPage"
    listed = [i for page in every_page(site.anonymous, body["first"]) for i in page["items"]]
    assert all(isinstance(i, str) for i in listed), listed
    assert note.headers["location"] in listed  # a created annotation is found in its container
    assert all(site.anonymous.get(i).json()["id"] == i for i in listed[:3])
    described = [
        a["id"]
        for page in every_page(
            site.anonymous,
            site.anonymous.get("/annotations/", params=crowded, headers=prefer(DESCRIPTIONS)).json()["first"],
        )
        for a in page["items"]
    ]
    assert listed == described


def test_18_contained_descriptions_are_complete_annotations(site, note):
    body = site.anonymous.get("/annotations/", params={"creator": CREATOR}, headers=prefer(DESCRIPTIONS)).json()
    assert body["first"]["type"] == "AnnotationPage"
    items = [a for page in every_page(site.anonymous, body["first"]) for a in page["items"]]
    assert all(isinstance(a, dict) and a["type"] == "Annotation" for a in items), items
    mine = next(a for a in items if a["id"] == note.headers["location"])
    assert mine == {k: v for k, v in site.anonymous.get(note.headers["location"]).json().items() if k != "@context"}


def test_s3_total_last_and_start_index(site, crowded):
    body = site.anonymous.get("/annotations/", params=crowded).json()
    assert body["total"] > PAGE and body["last"]
    pages = every_page(site.anonymous, body["first"])
    assert pages[-1]["id"] == body["last"]
    assert [p["startIndex"] for p in pages] == [i * PAGE for i in range(len(pages))]
    assert sum(len(p["items"]) for p in pages) == body["total"]


# -- §5.3 Annotation Pages --------------------------------------------------------------------------
@pytest.mark.parametrize("preference", [IRIS, DESCRIPTIONS])
def test_19_20_pages_link_their_container_and_each_other(site, crowded, preference):
    body = site.anonymous.get("/annotations/", params=crowded, headers=prefer(preference)).json()
    pages = every_page(site.anonymous, body["first"])
    assert len(pages) >= 2
    for i, page in enumerate(pages):
        part_of = page["partOf"]["id"] if isinstance(page["partOf"], dict) else page["partOf"]
        assert part_of == body["id"], page  # 19
        assert ("prev" in page) == (i > 0) and ("next" in page) == (i < len(pages) - 1), page  # 20
        if i > 0:
            assert page["prev"] == pages[i - 1]["id"]
    assert all(isinstance(item, str) for item in pages[-1]["items"]) == (preference == IRIS)


def test_19_20_a_page_on_its_own(site, crowded):
    first = site.anonymous.get("/annotations/", params=crowded, headers=prefer(MINIMAL)).json()["first"]
    r = site.anonymous.get(first)
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == "application/ld+json"
    page = r.json()
    assert page["type"] == "AnnotationPage" and page["partOf"] and page["next"] and "prev" not in page
    assert varies_on_accept(r) and r.headers["etag"]


@pytest.mark.parametrize("preference", [IRIS, DESCRIPTIONS])
def test_s1_containers_and_pages_in_turtle_are_their_json_ld(site, crowded, preference):
    headers = prefer(preference)
    body = site.anonymous.get("/annotations/", params=crowded, headers=headers).json()
    turtle = turtle_of(
        site.anonymous.get("/annotations/", params=crowded, headers={**headers, "Accept": "text/turtle"})
    )
    assert isomorphic(turtle, rdf_of(body))
    assert (URIRef(body["id"]), RDF.type, URIRef(f"{LDP}BasicContainer")) in turtle
    page = site.anonymous.get(body["first"]["next"])
    page_turtle = turtle_of(site.anonymous.get(body["first"]["next"], headers={"Accept": "text/turtle"}))
    assert isomorphic(page_turtle, rdf_of(page.json()))
    assert (URIRef(page.json()["id"]), URIRef(f"{AS}partOf"), URIRef(body["id"])) in page_turtle


# -- §6 Creation, Updating and Deletion -------------------------------------------------------------
def test_21_the_server_names_the_annotation_in_its_container(site):
    mine = "http://client.example/annotations/draft-7"
    created = site.create("Protocole : un id client.", id=mine)
    body = created.json()
    assert body["id"] != mine and body["id"].startswith(f"{site.url}/annotations/")
    assert len(body["id"]) > len(f"{site.url}/annotations/") and "/" not in body["id"].rsplit("/annotations/", 1)[1]
    assert body["via"] in (mine, [mine])  # S4: the client's id is kept as `via`
    assert site.anonymous.get(body["id"]).json()["via"] == body["via"]


def test_22_a_clients_canonical_is_kept(site):
    canonical = "urn:uuid:0b5f6c2a-95a4-4c1f-9b8e-3b0c9d1e2f33"
    created = site.create("Protocole : un canonical client.", canonical=canonical)
    assert created.json()["canonical"] == canonical, created.text
    location = created.headers["location"]
    assert site.anonymous.get(location).json()["canonical"] == canonical
    turtle = turtle_of(site.anonymous.get(location, headers={"Accept": "text/turtle"}))
    assert (URIRef(location), URIRef(f"{OA}canonical"), URIRef(canonical)) in turtle
    # the server adds no second canonical: the Data Model allows one
    assert len(list(turtle.objects(URIRef(location), URIRef(f"{OA}canonical")))) == 1


def test_22_a_canonical_that_is_no_iri_is_refused(site):
    note = {"@context": ANNO, "type": "Annotation", "target": STUDY, "canonical": "pas une IRI"}
    r = site.author.post("/annotations/", content=json.dumps(note), headers={"Content-Type": MEDIA})
    assert r.status_code == 400 and r.json()["error"]["field"] == "canonical", r.text


def test_23_created_201_with_location_equal_to_the_id(site):
    created = site.create("Protocole : créée.")
    assert created.status_code == 201
    assert created.headers["location"] == created.json()["id"]  # S6: the body is the annotation's JSON-LD
    assert created.headers["content-type"].split(";")[0] == "application/ld+json"
    assert site.anonymous.get(created.headers["location"]).status_code == 200


@pytest.mark.parametrize("accept", [MEDIA, "text/turtle"])
def test_24_put_answers_200_with_the_new_state_as_asked(site, accept):
    created = site.create("Protocole : avant.")
    location, etag = created.headers["location"], created.headers["etag"]
    changed = {**created.json(), "body": {"type": "TextualBody", "value": "Protocole : après."}}
    r = site.author.put(
        location, content=json.dumps(changed), headers={"Content-Type": MEDIA, "If-Match": etag, "Accept": accept}
    )
    assert r.status_code == 200, r.text
    now = site.anonymous.get(location)
    assert r.headers["etag"] != etag
    if accept == MEDIA:
        assert r.json() == now.json() and r.json()["body"]["value"] == "Protocole : après."
        assert r.headers["etag"] == now.headers["etag"]
    else:
        assert isomorphic(turtle_of(r), rdf_of(now.json()))
        assert Literal("Protocole : après.") in set(turtle_of(r).objects(None, RDF.value))


def test_s5_canonical_and_via_once_set_do_not_change(site):
    created = site.create(
        "Protocole : identités.",
        canonical="urn:uuid:11111111-2222-4333-8444-555555555555",
        id="http://client.example/annotations/draft-8",
    )
    location, etag = created.headers["location"], created.headers["etag"]
    for change in (
        {"canonical": "urn:uuid:99999999-2222-4333-8444-555555555555"},
        {"via": "http://elsewhere.example/a/1"},
    ):
        r = site.author.put(
            location,
            content=json.dumps({**created.json(), **change}),
            headers={"Content-Type": MEDIA, "If-Match": etag},
        )
        assert r.status_code == 409, r.text
        assert r.json()["error"]["field"] == next(iter(change))
    same = site.author.put(
        location, content=json.dumps(created.json()), headers={"Content-Type": MEDIA, "If-Match": etag}
    )
    assert same.status_code == 200, same.text
    assert same.json()["canonical"] == created.json()["canonical"] and same.json()["via"] == created.json()["via"]


def test_25_26_delete_answers_204_and_leaves_the_container(site):
    created = site.create("Protocole : à supprimer.")
    location = created.headers["location"]

    def listed() -> list[str]:
        body = site.anonymous.get("/annotations/", params={"creator": CREATOR}, headers=prefer(IRIS)).json()
        return [i for page in every_page(site.anonymous, body["first"]) for i in page["items"]]

    assert location in listed()
    r = site.author.delete(location, headers={"If-Match": created.headers["etag"]})
    assert r.status_code == 204, r.text
    assert location not in listed()
    assert site.anonymous.get(location).status_code == 404


def test_27_a_stale_if_match_is_refused(site):
    created = site.create("Protocole : concurrence.")
    location, old = created.headers["location"], created.headers["etag"]
    edit = {**created.json(), "body": {"type": "TextualBody", "value": "Protocole : modifiée."}}
    assert (
        site.author.put(
            location, content=json.dumps(edit), headers={"Content-Type": MEDIA, "If-Match": old}
        ).status_code
        == 200
    )
    stale = {"Content-Type": MEDIA, "If-Match": old}
    assert site.author.put(location, content=json.dumps(created.json()), headers=stale).status_code == 412
    assert site.author.delete(location, headers={"If-Match": old}).status_code == 412
    assert site.author.delete(location, headers={"If-Match": f"W/{old}"}).status_code == 412  # If-Match is strong
    assert site.anonymous.get(location).json()["body"]["value"] == "Protocole : modifiée."
    current = site.anonymous.get(location).headers["etag"]
    assert site.author.delete(location, headers={"If-Match": f'"nope", {current}'}).status_code == 204


def test_the_shipped_context_is_the_w3c_one():
    """The server reads the W3C context from its own copy (never from the network): the published one."""
    from pic.graph.annotations.rdf import ANNO_CONTEXT_FILE

    assert json.loads(ANNO_CONTEXT_FILE.read_text(encoding="utf-8"))["@context"] == W3C_CONTEXT
