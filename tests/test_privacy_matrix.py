"""The standing privacy matrix (issue 15): every read path of the application, enumerated from its own
routes, × every role (anonymous, another partner, a facilitator, the owner) × every kind of data (public,
private, derived from private, embargoed until tomorrow and until today, private and group annotations, a
private document), each written with unique markers (`tests/privacy_scenario.py`). A marker is found
only where the role may read it; what a role may not read is "not found" exactly as something that does
not exist; public markers do show, so the matrix fails both ways.

A route of the application is either in `PROBES` (`tests/privacy_probes.py`: a function making concrete
requests for it) or in `EXEMPT` with the reason: a route added later fails
`test_every_route_is_probed_or_exempt` until someone says how it is read. SERVICE and deeply nested
queries are probed apart (they must be refused).
"""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import routing

from pic.service.app import create_app
from tests.conftest import LIGHT, pic_server
from tests.privacy_probes import FAMILIES, PROBES, SPARQL_JSON
from tests.privacy_scenario import (
    READERS,
    ROLES,
    USERS,
    Listener,
    Probe,
    Scenario,
    browser,
    build,
    client,
    engine_ports,
    judge,
    readers_of,
    send,
)

pytestmark = pytest.mark.slow


# -- the application's routes ------------------------------------------------------------------------
def app_routes() -> set[tuple[str, str]]:
    """(method, path template) of every route; HEAD is implied by GET on the same route. A mount is
    ("MOUNT", path)."""
    found = set()
    for context in routing.iter_route_contexts(create_app().routes):
        route = context.original_route
        if not hasattr(route, "methods") or route.methods is None:
            found.add(("MOUNT", context.path))
            continue
        methods = set(route.methods) - ({"HEAD"} if "GET" in route.methods else set())
        found |= {(m, context.path) for m in methods}
    return found


def template_regex(template: str) -> re.Pattern:
    pattern = re.sub(r"\{(\w+):path\}", "(.+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
    return re.compile("^" + re.sub(r"\{(\w+)\}", "([^/]+)", pattern) + "$")


WRITE = "a write: how it answers about private entities is tests/test_existence_oracle.py"
EXEMPT = {
    ("MOUNT", "/static"): "the package's own CSS and scripts, the same bytes for everyone",
    ("GET", "/vendor/vis-network.min.js"): "vis-network from the installed pyvis package, no graph data",
    ("GET", "/vendor/vis-network.css"): "vis-network from the installed pyvis package, no graph data",
    ("GET", "/vendor/docs/{name}"): "Swagger UI's script, style and icon from the installed package, no graph data",
    ("GET", "/maps/static/{name}"): "the map page's own script and style, files of the package",
    ("GET", "/import/templates/{name}"): "spreadsheet headers built from the column specs, no graph data",
    ("POST", "/update"): "admins only (who read everything); any other role gets 401/403 before parsing",
    ("GET", "/admin/backup"): "admins only (who read everything): the whole data directory; any other role gets "
    "401/403 (tests/test_backup.py)",
    ("POST", "/login"): "an account's password check, nothing of the graph",
    ("POST", "/logout"): "ends a session, nothing of the graph",
    ("POST", "/account/tokens"): "mints the user's own token, nothing of the graph",
    **{
        route: WRITE
        for route in [
            ("PUT", "/rdf-graphs"),
            ("POST", "/rdf-graphs"),
            ("DELETE", "/rdf-graphs"),
            ("PUT", "/rdf-graphs/{path:path}"),
            ("POST", "/rdf-graphs/{path:path}"),
            ("DELETE", "/rdf-graphs/{path:path}"),
            ("POST", "/api/studies/{key}/documents"),
            ("POST", "/studies/{key}/documents"),
            ("DELETE", "/api/studies/{key}/documents/{document_id}"),
            ("POST", "/api/import/{kind}"),
            ("POST", "/import"),
            ("POST", "/api/withdraw"),
            ("POST", "/api/accounts/{name}/erase"),
            ("POST", "/api/contribute/{kind}"),
            ("PUT", "/api/contribute/{kind}/{key:path}"),
            ("DELETE", "/api/contribute/{kind}/{key:path}"),
            ("POST", "/contribute/{kind}"),
            ("POST", "/contribute/{kind}/{key:path}"),
            ("POST", "/changes/{change_id}/revert"),
            ("POST", "/annotations/"),
            ("PUT", "/annotations/{key}"),
            ("DELETE", "/annotations/{key}"),
            ("POST", "/annotations/{key}/flag"),
            ("POST", "/annotations/{key}/hide"),
            ("POST", "/annotations/{key}/restore"),
            ("POST", "/annotations/{key}/accept"),
            ("POST", "/annotations/{key}/reject"),
        ]
    },
}


# -- probes: concrete requests for each route ----------------------------------------------------------


# -- the server, the scenario, the answers -------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with pic_server(tmp_path_factory.mktemp("privacy") / "data", USERS) as (url, tokens):
        yield url, tokens


@pytest.fixture(scope="module")
def scenario(server) -> Scenario:
    return build(*server)


@pytest.fixture(scope="module")
def probes(scenario) -> list[Probe]:
    out = []
    for route, make in PROBES.items():
        made = make(scenario, route)
        assert made, f"{route} made no request"
        wrong = [p.path for p in made if not template_regex(route[1]).match(p.path) or p.route != route]
        assert not wrong, f"{route}: requests on another route: {wrong[:3]}"
        assert {p.family for p in made} <= set(FAMILIES), f"{route}: a family that no test reads"
        out += made
    return out


@pytest.fixture(scope="module")
def answers(server, scenario, probes) -> dict:
    """Every probe as every role (and, for those who may not read what it names, its absent twin)."""
    url, tokens = server
    clients = {(role, False): client(url, tokens.get(user)) for role, user in ROLES.items()} | {
        (role, True): browser(url, user) for role, user in ROLES.items()
    }
    jobs = [
        (i, role, twin)
        for i, p in enumerate(probes)
        for role in p.roles
        for twin in ((False, True) if p.absent and role not in readers_of(p) else (False,))
    ]

    def run(job):
        i, role, twin = job
        p = probes[i]
        return job, send(clients[(role, p.session)], p.swapped() if twin else p)

    with ThreadPoolExecutor(8) as pool:
        done = dict(pool.map(run, jobs))
    for c in clients.values():
        c.close()
    return {
        (i, role): (done[(i, role, False)], done.get((i, role, True))) for i, p in enumerate(probes) for role in p.roles
    }


# -- the tests ---------------------------------------------------------------------------------------------
def test_every_route_is_probed_or_exempt():
    """A route nobody said how to read fails here: add a probe to PROBES or a reason to EXEMPT."""
    routes = app_routes()
    neither = sorted(routes - PROBES.keys() - EXEMPT.keys())
    assert not neither, f"routes neither probed nor exempt: {neither}"
    stale = sorted((PROBES.keys() | EXEMPT.keys()) - routes)
    assert not stale, f"probed or exempt routes the application no longer has: {stale}"
    assert not PROBES.keys() & EXEMPT.keys()


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("family", FAMILIES)
def test_a_marker_is_found_only_where_the_role_may_read_it(family, role, scenario, probes, answers):
    """Each (request, kind of data) of the family is one case for the role: the failures are listed by
    kind of data, each with the request and what went wrong (the first problem of the case)."""
    failures: dict[str, list[str]] = {}
    cases = 0
    for i, p in enumerate(probes):
        if p.family != family or role not in p.roles:
            continue
        answer, absent = answers[(i, role)]
        for data, problems in judge(scenario, p, role, answer, absent).items():
            cases += 1
            if problems:
                failures.setdefault(data, []).append(f"{p.label}: {problems[0]}")
    assert cases, f"no {family} probe"
    total = sum(len(v) for v in failures.values())
    summary = ", ".join(f"{data} {len(v)}" for data, v in failures.items())
    lines = [f"  [{data}] {line}" for data, v in failures.items() for line in v[:12]]
    assert not failures, f"{total} of {cases} {family} cases fail for {role}: {summary}\n" + "\n".join(lines)


def service_queries(endpoint: str) -> dict[str, str]:
    """SERVICE in every spelling the grammar allows, and in every place a pattern may be."""
    call = f"SERVICE <{endpoint}> {{ ?s ?p ?o }}"
    return {
        "no space": f"SELECT * WHERE {{ SERVICE<{endpoint}> {{ ?s ?p ?o }} }}",
        "service silent": f"select * where {{ service silent <{endpoint}> {{ ?s ?p ?o }} }}",
        "after an IRI with #": f"SELECT * WHERE {{ OPTIONAL {{ ?x ?y <urn:x#> }} {call} }}",
        "prefixed endpoint": f"PREFIX e: <{endpoint}> SELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
        "relative endpoint": f"BASE <{endpoint}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        "variable endpoint": f"SELECT * WHERE {{ VALUES ?x {{ <{endpoint}> }} SERVICE ?x {{ ?s ?p ?o }} }}",
        "sub-query": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {call} }} }} }}",
        "optional": f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ {call} }} }} LIMIT 1",
        "minus": f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ {call} }} }} LIMIT 1",
        "exists": f"ASK {{ ?a ?b ?c FILTER EXISTS {{ {call} }} }}",
        "union": f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ {call} }} }} LIMIT 1",
        "inside GRAPH": f"SELECT * WHERE {{ GRAPH ?g {{ {call} }} }}",
        "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {call} }}",
        "describe": f"DESCRIBE ?s WHERE {{ {call} }}",
        "mixed case and tab": f"SELECT * WHERE {{ SeRvIcE\t<{endpoint}> {{ ?s ?p ?o }} }}",
        "comment and newline": f"SELECT * WHERE {{ SERVICE # a comment\n <{endpoint}> {{ ?s ?p ?o }} }}",
        "escaped keyword": f"SELECT * WHERE {{ \\u0053ERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        "escaped IRI": f"SELECT * WHERE {{ SERVICE <\\u0068{endpoint[1:]}> {{ ?s ?p ?o }} }}",
        "in a string first": f'SELECT * WHERE {{ BIND ("\\" SERVICE" AS ?x) {call} }}',
    }


@pytest.fixture(scope="module")
def clients(server):
    url, tokens = server
    made = {role: client(url, tokens.get(user)) for role, user in ROLES.items()}
    yield made
    for c in made.values():
        c.close()


def refused_everywhere(clients, queries: dict[str, str]) -> list[str]:
    """What is not a 400 among the queries, sent by every role in the protocol's three forms."""
    wrong = []
    for role, c in clients.items():
        for name, text in queries.items():
            for form, r in (
                ("GET", c.get("/sparql", params={"query": text})),
                ("POST form", c.post("/sparql", data={"query": text})),
                (
                    "POST direct",
                    c.post("/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-query"}),
                ),
            ):
                if r.status_code != 400:
                    wrong.append(f"{name} ({form}, {role}): {r.status_code} {r.text[:120]!r}")
    return wrong


def test_service_is_refused_in_every_spelling(clients):
    """400 for every spelling and place of SERVICE (the allowlist is empty), and no call goes out."""
    with Listener() as listener:
        wrong = refused_everywhere(clients, service_queries(f"http://127.0.0.1:{listener.port}/"))
    assert listener.connections == 0, f"a SERVICE call reached 127.0.0.1:{listener.port}; {wrong}"
    assert not wrong, f"{len(wrong)} SERVICE queries not refused with 400:\n" + "\n".join(wrong)


def test_the_engines_loopback_port_is_never_reached(server, clients):
    """The engines answer on 127.0.0.1 without authentication: a query must not make them its SERVICE."""
    ports = engine_ports(int(server[0].rsplit(":", 1)[1]))
    assert ports, "the query engines' ports were not found"
    queries = {
        f"{name} ({port})": text
        for port in ports
        for name, text in service_queries(f"http://127.0.0.1:{port}/query").items()
    }
    wrong = refused_everywhere(clients, queries)
    assert not wrong, f"{len(wrong)} queries to the engines' own port not refused:\n" + "\n".join(wrong)


def test_the_matrix_counts_its_cases(probes, answers, record_property, capsys):
    """How many (request × role × kind of data) cases the matrix judged, in the test report."""
    routes = {p.route for p in probes}
    cases = sum(len(p.roles) * len(READERS) for p in probes)
    record_property("privacy_cases", cases)
    message = (
        f"privacy matrix: {cases} cases ({len(probes)} requests on {len(routes)} routes × {len(ROLES)} "
        f"roles × {len(READERS)} kinds of data; {len(answers)} answers)"
    )
    with capsys.disabled():
        print(f"\n{message}")
    assert cases > 10_000, message


def test_deep_nesting_is_refused_and_the_server_stays_up(clients):
    """Last: 20,000 nested groups once crashed the engine."""
    c = clients["anonymous"]
    deep = "SELECT * WHERE " + "{" * 20_000 + "}" * 20_000
    r = c.post("/sparql", content=deep.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400, (r.status_code, r.text[:200])
    light = c.get("/sparql", params={"query": LIGHT}, headers=dict(SPARQL_JSON))
    assert light.status_code == 200 and light.json()["boolean"] is True, light.text[:200]
