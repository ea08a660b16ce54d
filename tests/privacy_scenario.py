"""The privacy matrix's scenario (issue 15): what an owner writes through the public HTTP API, each id and
each text carrying a marker of its own, and who may read each kind of data.

The owner `ana` (partner of `aula`) writes public, private and embargoed data, private and group-shared
annotations and a private document; the admin writes one embargo whose day is today. The other partner
`ben` belongs to `universite-artois` (the demo actor `cd62` does not exist; the university is a member of
another working group than aula's, so a group annotation is a real test for him); the facilitator `fay`
belongs to `euralens`.

Markers are lowercase words starting `zq` (no demo text has them; search tokenises them whole), so
that a marker found in an answer is that datum and nothing else: ids end in `ix` (slugs, in IRIs), texts
in `tx` (titles, abstracts, annotation bodies, a document's name and text). Ids the server mints
(annotation keys, the document's checksum, change ids, the observation's key) are markers too.
"""

import io
import json
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta

import docx
import httpx

BASE = "https://w3id.org/pic-euralens/id/"
GRAPH = f"{BASE}graph/"
ORG, GROUP = "aula", "habitat-cadre-de-vie"  # the owner's organisation and a working group it is in
USERS = [("ana", "partner", ORG), ("ben", "partner", "universite-artois"), ("fay", "facilitator", "euralens")]
ROLES = {"anonymous": None, "other-partner": "ben", "facilitator": "fay", "owner": "ana"}
EVERYONE, OWNERS = tuple(ROLES), ("facilitator", "owner")
# Who may read each kind of data (the target rules of issue 15).
READERS = {
    "public": EVERYONE,
    "private": OWNERS,
    "derived-private": OWNERS,  # two private actors, and what inference concludes about them
    "embargoed-before": OWNERS,  # embargo ends tomorrow
    "embargoed-day-of": EVERYONE,  # embargo ends today
    "private-annotation": OWNERS,
    "group-annotation": OWNERS,  # shared with aula's working group, which ben's organisation is not in
    "private-document": OWNERS,
    # the audiences of issue 20, each a study shared through the contribution API
    "members-study": ("other-partner", *OWNERS),  # every signed-in member of the PIC
    "named-study": ("other-partner", *OWNERS),  # shared with ben's organisation by name
    "other-named-study": OWNERS,  # shared with another organisation (louvre-lens): not ben's
    "group-study": OWNERS,  # shared with aula's working group, which ben's organisation is not in
}
SHARED = {  # kind of data -> (the study's id and text markers, the contribution API's audience, its graph)
    "members-study": ("zqmembersix", "zqmemberstx", {"visibility": "members"}, "members"),
    "named-study": (
        "zqnamedix",
        "zqnamedtx",
        {"visibility": "organisations", "shared_with": "universite-artois"},
        "with-universite-artois",
    ),
    "other-named-study": (
        "zqothernamedix",
        "zqothernamedtx",
        {"visibility": "organisations", "shared_with": "louvre-lens"},
        "with-louvre-lens",
    ),
    "group-study": (
        "zqgroupstudyix",
        "zqgroupstudytx",
        {"visibility": "group", "shared_with": GROUP},
        f"group-{GROUP}",
    ),
}
MEDIA = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
PUBLIC_STUDY = "zqpubstudyix"


@dataclass
class Scenario:
    """What the matrix needs to know of the data written: markers by kind of data, the pages and graphs
    that hold them, and the years and slots of the report figure."""

    url: str
    tokens: dict[str, str]
    today: date = field(default_factory=date.today)
    markers: dict[str, list[str]] = field(default_factory=lambda: {d: [] for d in READERS})
    entities: list[tuple[str, str, str]] = field(default_factory=list)  # (path under the base, data, shown text)
    annotations: dict[str, str] = field(default_factory=dict)  # data -> key
    document: str = ""  # the private document's id (checksum prefix)
    changes: dict[str, str] = field(default_factory=dict)  # change id -> data
    history: dict[str, list[str]] = field(default_factory=dict)  # entity path -> ids of its changes
    figure: dict[str, str] = field(default_factory=dict)  # year, dataset, territory, indicator, observation
    by_admin: set[str] = field(default_factory=set)  # ids of the changes the admin made (not the owner's user)

    @property
    def tomorrow(self) -> date:
        return self.today + timedelta(days=1)

    def mark(self, data: str, *texts: str) -> None:
        self.markers[data].extend(texts)

    def changes_of(self, *data: str) -> tuple[str, ...]:
        return tuple(c for c, d in self.changes.items() if d in data)

    def graphs(self) -> dict[str, tuple[str | None, tuple[str, ...]]]:
        """The named graphs of the target layout this scenario writes to: IRI -> (the kind of data whose
        readers may read the graph, the markers it holds — what those readers must find there)."""
        org, before, day_of = (
            f"private/{ORG}",
            f"private/{ORG}/until-{self.tomorrow}",
            f"private/{ORG}/until-{self.today}",
        )
        private_changes = self.changes_of(
            "private", "derived-private", "private-annotation", "group-annotation", "private-document"
        )
        layout = {
            f"partner/{ORG}": ("public", (PUBLIC_STUDY,)),
            f"annotations/{ORG}": ("public", ("zqpubnotetx",)),
            "provenance": ("public", self.changes_of("public")),
            "inferred": ("public", ()),
            "restricted/provenance": (None, ()),  # facilitators and admins: no change of this scenario
            f"{org}/main": (
                "private",
                ("zqsecstudytx", "zqsecprojtx", "zqcoopatx", "zqdocnametx", self.figure["observation"]),
            ),
            f"{org}/inferred": ("private", ("zqcoopaix", "zqcoopbix")),  # cooperatesWith, informs
            f"{org}/provenance": ("private", private_changes),
            f"{org}/annotations": ("private-annotation", ("zqsecnotetx",)),
            f"annotations/{ORG}/group/{GROUP}": ("group-annotation", ("zqgroupnotetx",)),
            before: ("embargoed-before", ("zqembargotx",)),
            f"{before}/provenance": ("embargoed-before", self.changes_of("embargoed-before")),
            day_of: ("embargoed-day-of", ("zqliftedtx",)),
            f"{day_of}/provenance": ("embargoed-day-of", self.changes_of("embargoed-day-of")),
            **{f"{org}/{graph}": (data, (text,)) for data, (_, text, _, graph) in SHARED.items()},
            **{f"{org}/{graph}/provenance": (data, self.changes_of(data)) for data, (*_, graph) in SHARED.items()},
        }
        return {GRAPH + g: v for g, v in layout.items()}

    def id_markers(self) -> list[str]:
        """The markers the server minted (no `zq` in them), for queries that must find every marker."""
        return [m for found in self.markers.values() for m in found if not m.startswith("zq")]


def client(url: str, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=url, headers=headers, timeout=120)


def browser(url: str, name: str | None) -> httpx.Client:
    """A client signed in through the login form, as a browser is (session cookie, no token)."""
    c = httpx.Client(base_url=url, timeout=120)
    if name:
        csrf = c.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
        r = c.post("/login", data={"name": name, "password": f"{name}-password", "csrf": csrf})
        assert r.status_code == 303, f"{name} could not sign in: {r.status_code} {r.text[:200]}"
    return c


def build(url: str, tokens: dict[str, str]) -> Scenario:
    """Write the scenario as an outsider would (HTTP only) and say where each marker went."""
    s = Scenario(url, tokens)
    with client(url, tokens["ana"]) as ana, client(url, "t") as admin:
        contribute_entities(s, ana)
        lift_an_embargo_today(s, admin)
        annotate(s, ana)
        attach_document(s, ana)
        add_report_figure(s, ana, admin)
        collect_changes(s, admin)
    return s


def contribute(
    ana: httpx.Client,
    kind: str,
    fields: dict,
    visibility: str = "public",
    until: date | None = None,
    shared_with: str | None = None,
) -> None:
    """One entity through the contribution API (`visibility`: public, private, embargo until a day, or one
    of the audiences of issue 20 — members, organisations or a group `shared_with`)."""
    extra = {"visibility": visibility} | ({"embargo_until": until.isoformat()} if until else {})
    extra |= {"shared_with": shared_with} if shared_with else {}
    r = ana.post(f"/api/contribute/{kind}", json={**fields, **extra})
    assert r.status_code == 201, f"{kind} {fields.get('id')}: {r.status_code} {r.text}"


def study(key: str, text: str, **more) -> dict:
    """A planned study of the owner's, its title and abstract carrying the text marker."""
    return {
        "id": key,
        "title_fr": f"Étude {text}",
        "abstract_fr": f"Résumé de {text}.",
        "status": "planned",
        "year": "2024",
        "producer": ORG,
        "themes": "culture",
        "territories": "commune/62498",
        **more,
    }


def contribute_entities(s: Scenario, ana: httpx.Client) -> None:
    """Public, private and embargoed studies; a private project of two private actors and the owner's
    public one (inference derives that they cooperate: the public actor's page must not say so to those
    who may not read the project) and a private study building on another (inference derives `informs`).
    The private graphs' names are markers too: that they exist is the organisation's business."""

    def entity(kind: str, key: str, text: str, data: str, fields: dict, **how) -> None:
        contribute(ana, kind, fields, **how)
        s.mark(data, key, text)
        s.entities.append((f"{kind}/{key}", data, text))

    entity("study", PUBLIC_STUDY, "zqpubstudytx", "public", study(PUBLIC_STUDY, "zqpubstudytx"))
    entity(
        "study", "zqsecstudyix", "zqsecstudytx", "private", study("zqsecstudyix", "zqsecstudytx"), visibility="private"
    )
    for key, text in (("zqcoopaix", "zqcoopatx"), ("zqcoopbix", "zqcoopbtx")):
        entity(
            "actor",
            key,
            text,
            "derived-private",
            {"id": key, "name_fr": f"Acteur {text}", "type": "association", "territory": "commune/62498"},
            visibility="private",
        )
    entity(
        "project",
        "zqsecprojix",
        "zqsecprojtx",
        "private",
        {
            "id": "zqsecprojix",
            "title_fr": "Projet zqsecprojtx",
            "start": "2020-01-01",
            "themes": "culture",
            "territories": "commune/62498",
            "participants": f"zqcoopaix:pilote;zqcoopbix:partenaire;{ORG}:expert",
        },
        visibility="private",
    )
    entity(
        "study",
        "zqbasestudyix",
        "zqbasestudytx",
        "private",
        study("zqbasestudyix", "zqbasestudytx", producer="zqcoopaix"),
        visibility="private",
    )
    entity(
        "study",
        "zqderivstudyix",
        "zqderivstudytx",
        "private",
        study("zqderivstudyix", "zqderivstudytx", producer="zqcoopbix", builds_on="zqbasestudyix"),
        visibility="private",
    )
    entity(
        "study",
        "zqembargoix",
        "zqembargotx",
        "embargoed-before",
        study("zqembargoix", "zqembargotx"),
        visibility="embargo",
        until=s.tomorrow,
    )
    private = f"graph/private/{ORG}/"
    for data, (key, text, audience, graph) in SHARED.items():
        entity("study", key, text, data, study(key, text), **audience)
        s.mark(data, private + graph)
    s.mark("private", private + "main", private + "provenance")
    s.mark("derived-private", private + "inferred")
    s.mark("embargoed-before", f"{private}until-{s.tomorrow}")
    s.mark("private-annotation", private + "annotations")
    s.mark("group-annotation", f"graph/annotations/{ORG}/group/{GROUP}")


def lift_an_embargo_today(s: Scenario, admin: httpx.Client) -> None:
    """An embargo whose day is today (the API only takes future days, so the admin writes the graph)."""
    iri = f"{BASE}study/zqliftedix"
    turtle = f"""@prefix pic: <https://w3id.org/pic-euralens/ontology#> . @prefix dcterms: <http://purl.org/dc/terms/> .
<{iri}> a pic:Study ; dcterms:title "Étude zqliftedtx"@fr ; <http://www.w3.org/2000/01/rdf-schema#label>
  "Étude zqliftedtx"@fr ; pic:studyStatus <{BASE}study-status/planned> ; pic:producedBy <{BASE}actor/{ORG}> ;
  pic:expectedYear "2024"^^<http://www.w3.org/2001/XMLSchema#gYear> ; dcterms:subject <{BASE}theme/culture> ."""
    r = admin.put(
        "/rdf-graphs",
        params={"graph": f"{GRAPH}private/{ORG}/until-{s.today}"},
        content=turtle.encode(),
        headers={"Content-Type": "text/turtle"},
    )
    assert r.status_code in (201, 204), r.text
    s.mark("embargoed-day-of", "zqliftedix", "zqliftedtx")
    s.entities.append(("study/zqliftedix", "embargoed-day-of", "zqliftedtx"))


def annotate(s: Scenario, ana: httpx.Client) -> None:
    """A public, a group-shared and a private comment on the public study."""
    for data, text, extra in (
        ("public", "zqpubnotetx", {}),
        ("group-annotation", "zqgroupnotetx", {"pic:visibility": "group", "pic:group": f"{BASE}group/{GROUP}"}),
        ("private-annotation", "zqsecnotetx", {"pic:visibility": "private"}),
    ):
        note = {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "type": "Annotation",
            "motivation": "commenting",
            "body": {"type": "TextualBody", "value": f"Remarque {text}", "language": "fr"},
            "target": f"{BASE}study/{PUBLIC_STUDY}",
            **extra,
        }
        r = ana.post("/annotations/", content=json.dumps(note), headers={"Content-Type": MEDIA})
        assert r.status_code == 201, r.text
        key = r.headers["location"].rsplit("/", 1)[-1]
        s.annotations[data] = key
        s.mark(data, key, text)
        s.entities.append((f"annotation/{key}", data, ""))  # its text is on its body node, not on its page


def attach_document(s: Scenario, ana: httpx.Client) -> None:
    """A Word file on the private study: its name and its text carry markers, its id is one."""
    d = docx.Document()
    d.add_paragraph("Le compte rendu zqdoctexttx de l'atelier.")
    out = io.BytesIO()
    d.save(out)
    r = ana.post("/api/studies/zqsecstudyix/documents", files={"file": ("zqdocnametx.docx", out.getvalue())})
    assert r.status_code == 201, r.text
    s.document = r.json()["document"].rsplit("/", 1)[-1]
    s.mark("private-document", s.document, "zqdocnametx", "zqdoctexttx")
    s.entities.append((f"document/{s.document}", "private-document", "zqdocnametx"))


TERRITORIES = " ".join(
    f"<{BASE}territory/{t}>" for t in ("commune/62498", "epci/246200364", "departement/62", "region/32")
)  # the report's
FREE_SLOT = """PREFIX pic: <https://w3id.org/pic-euralens/ontology#> PREFIX qb: <http://purl.org/linked-data/cube#>
SELECT ?year ?dataset ?territory ?indicator WHERE {
  { SELECT DISTINCT ?year WHERE { ?q pic:answeredWithIndicator ?i . ?d pic:measuresIndicator ?i .
                                  ?o qb:dataSet ?d ; pic:refYear ?y BIND (STR(?y) AS ?year) } }
  ?q pic:answeredWithIndicator ?indicator . ?dataset pic:measuresIndicator ?indicator .
  VALUES ?territory { TERRITORIES }
  FILTER EXISTS { ?o qb:dataSet ?dataset ; pic:refArea ?territory }
  FILTER NOT EXISTS { ?x qb:dataSet ?dataset ; pic:refArea ?territory ; pic:refYear ?y FILTER (STR(?y) = ?year) }
} ORDER BY DESC(?year) ?dataset ?territory LIMIT 1""".replace("TERRITORIES", TERRITORIES)


def add_report_figure(s: Scenario, ana: httpx.Client, admin: httpx.Client) -> None:
    """A private observation of the owner's organisation filling a gap of a report series (the latest year
    with one): a figure of the annual report that only its readers may see. Its IRI is its marker."""
    rows = admin.get("/sparql", params={"query": FREE_SLOT}, headers={"Accept": "application/json"}).json()
    rows = rows["results"]["bindings"]
    assert rows, "the demo has no report series with a gap to fill"
    slot = {k: v["value"] for k, v in rows[0].items()}
    dataset, code = slot["dataset"].rsplit("/", 1)[-1], slot["territory"].rsplit("/", 1)[-1]
    territory = slot["territory"][len(f"{BASE}territory/") :]
    # into the demo's series: curated by the admin in aula's private graph (a partner writes figures into
    # its own organisation's series only, `writes.checks.others_series`)
    contribute(
        admin,
        "observation",
        {"dataset": dataset, "territory": territory, "year": slot["year"], "value": "97531.5", "org": ORG},
        visibility="private",
    )
    observation = f"observation/{dataset}/{code}/{slot['year']}"
    s.figure = {**slot, "observation": observation}
    s.mark("private", observation)
    s.entities.append((observation, "private", observation))


CHANGES = """PREFIX pic: <https://w3id.org/pic-euralens/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?change ?text WHERE { GRAPH ?g { ?change a pic:Change .
  { ?change dcterms:source ?text } UNION { ?change pic:touched ?t BIND (STR(?t) AS ?text) } } }"""


def collect_changes(s: Scenario, admin: httpx.Client) -> None:
    """The changes that wrote the scenario (read as admin, wherever their records are): each change id is
    a marker of the data it wrote, the most restricted kind first (a document's record names its study)."""
    rows = admin.get("/sparql", params={"query": CHANGES}, headers={"Accept": "application/json"}).json()
    texts: dict[str, str] = {}
    for row in rows["results"]["bindings"]:
        change = row["change"]["value"].rsplit("/", 1)[-1]
        texts[change] = texts.get(change, "") + " " + row["text"]["value"]
    order = [
        "private-document",
        "private-annotation",
        "group-annotation",
        "derived-private",
        "embargoed-before",
        "group-study",
        "other-named-study",
        "private",
        "named-study",
        "members-study",
        "embargoed-day-of",
        "public",
    ]
    found = []
    for change, text in sorted(texts.items()):
        named = next(((d, m) for d in order for m in s.markers[d] if m in text), None)
        if named:
            s.changes[change] = named[0]
            found.append((change, *named))
            for entity, _, _ in s.entities:
                if f"{BASE}{entity} " in f"{text} ":
                    s.history.setdefault(entity, []).append(change)
    s.by_admin = {
        change for change, text in texts.items() if s.figure and f"{BASE}{s.figure['observation']}" in text
    } | set(s.changes_of("embargoed-day-of"))
    for change, data, named in found:
        s.mark(data, change)
        s.entities.append((f"change/{change}", data, named))  # a change's page says what it wrote
    assert len(s.changes) >= 12, f"the scenario's changes were not all found: {s.changes}"


# -- probes and how their answers are judged ---------------------------------------------------------
@dataclass(frozen=True)
class Probe:
    """One concrete request on one route, made by every role.

    `shows`: markers its answer must hold for those who may read their data (so the matrix fails both
    ways). `about`: the kind of data of the entity it names — those who may not read that get exactly
    the answer for something that does not exist (the same request with `absent` = (real, fake) text
    swapped, its body read back with the swap undone). `echoes`: the answer may repeat the request's own
    markers (a 404 page names the IRI asked for; query results never repeat the query). `reveal`: the
    text of a binary or boolean answer."""

    family: str  # the group of routes it belongs to, one test per family and role
    route: tuple[str, str]  # (method, path template) of the application
    path: str
    params: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes | None = None
    form: tuple[tuple[str, str], ...] | None = None
    shows: tuple[str, ...] = ()
    about: str | None = None
    absent: tuple[str, str] | None = None
    echoes: bool = True
    reveal: object = None  # callable(httpx.Response) -> str
    roles: tuple[str, ...] = EVERYONE
    session: bool = False  # signed in through the login form (forms need it) rather than with a token
    note: str = ""  # what the request tries, when its text does not say it at a glance

    @property
    def method(self) -> str:
        return self.route[0]

    @property
    def label(self) -> str:
        text = self.path + ("?" + "&".join(f"{k}={v}" for k, v in self.params) if self.params else "")
        text += f" [{dict(self.headers)}]" if self.headers else ""
        text += (
            " <- " + (self.content or "&".join(f"{k}={v}" for k, v in self.form or ()).encode()).decode()[:120]
            if self.content or self.form
            else ""
        )
        note = f"{self.note}: " if self.note else ""
        return f"{note}{self.method} {' '.join(text.split())[:220]}" + (" (signed in)" if self.session else "")

    def request_text(self) -> str:
        return " ".join(
            [
                self.path,
                *(v for _, v in self.params),
                *(v for _, v in self.form or ()),
                (self.content or b"").decode(errors="replace"),
            ]
        ).lower()

    def swapped(self) -> "Probe":
        real, fake = self.absent

        def sub(pairs):
            return tuple((k, v.replace(real, fake)) for k, v in pairs) if pairs is not None else None

        return Probe(
            self.family,
            self.route,
            self.path.replace(real, fake),
            sub(self.params),
            self.headers,
            self.content.replace(real.encode(), fake.encode()) if self.content else None,
            sub(self.form),
            reveal=self.reveal,
            session=self.session,
        )


@dataclass
class Answer:
    status: int
    media: str
    body: str  # the body as text (or what `reveal` reads in it)
    headers: str  # every header value: a marker in a Location or a file name counts too

    @property
    def text(self) -> str:
        return f"{self.body}\n{self.headers}".lower()


def send(c: httpx.Client, p: Probe) -> Answer:
    r = c.request(
        p.method,
        p.path,
        params=list(p.params),
        headers=dict(p.headers),
        content=p.content,
        data=dict(p.form) if p.form is not None else None,
    )
    body = p.reveal(r) if p.reveal and r.status_code < 400 else r.content.decode(errors="replace")
    return Answer(r.status_code, r.headers.get("content-type", ""), body, "\n".join(r.headers.values()))


def readers_of(p: Probe) -> tuple[str, ...]:
    return READERS[p.about] if p.about else EVERYONE


def judge(s: Scenario, p: Probe, role: str, answer: Answer, absent: Answer | None) -> dict[str, list[str]]:
    """The problems of one probe for one role, by kind of data (an empty list: that case passes)."""
    asked, text = p.request_text(), answer.text
    found: dict[str, list[str]] = {}
    for data, readers in READERS.items():
        problems = found.setdefault(data, [])
        if role in readers:
            if p.about == data and answer.status >= 400:
                problems.append(f"a reader gets {answer.status}: {answer.body[:120]!r}")
            problems += [
                f"does not show {m!r} (status {answer.status})"
                for m in p.shows
                if m in s.markers[data] and m.lower() not in text
            ]
            continue
        for m in s.markers[data]:
            if m.lower() in text and not (p.echoes and m.lower() in asked):
                at = text.index(m.lower())
                problems.append(f"shows {m!r}: …{' '.join(text[max(0, at - 80) : at + 40].split())}…")
        if p.about == data and absent is not None:
            real, fake = p.absent
            expected = absent.body.replace(fake, real)
            if (answer.status, answer.media, answer.body) != (absent.status, absent.media, expected):
                problems.append(
                    f"answers {answer.status} {answer.body[:100]!r} where something absent gets "
                    f"{absent.status} {expected[:100]!r}"
                )
    return found


# -- what SERVICE probes need ---------------------------------------------------------------------
class Listener:
    """A TCP port on 127.0.0.1 that records every connection: a SERVICE call must never reach it."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port, self.connections = self.socket.getsockname()[1], 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:  # closed
                return
            self.connections += 1
            conn.close()

    def __enter__(self) -> "Listener":
        return self

    def __exit__(self, *_):
        self.socket.close()


def engine_ports(server_port: int) -> list[int]:
    """The ports of the query engines that `pic serve` started: its children's `--bind 127.0.0.1:PORT`."""
    processes = {}  # pid -> (parent pid, command line)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                line = f.read().decode(errors="replace").split("\0")
            with open(f"/proc/{pid}/stat") as f:
                parent = f.read().rsplit(")", 1)[1].split()[1]
        except OSError:  # it ended meanwhile
            continue
        processes[pid] = (parent, line)
    servers = {
        pid for pid, (_, line) in processes.items() if "serve" in line and "--port" in line and str(server_port) in line
    }
    return [
        int(arg.rsplit(":", 1)[1])
        for parent, line in processes.values()
        if parent in servers
        for arg in line
        if arg.startswith("127.0.0.1:")
    ]
