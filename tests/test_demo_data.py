"""The demo territory: regenerated files match the committed ones; facts are sourced or marked."""

import csv
import io
from contextlib import redirect_stdout

from pyoxigraph import RdfFormat, parse
from rdflib import Graph
from rdflib.compare import isomorphic

from pic.ontology import build_territories, read_bytes
from pic.ontology.demo import build_demo


def test_territories_file_is_what_the_builder_makes():
    out = io.StringIO()
    with redirect_stdout(out):
        build_territories.main()
    rebuilt = Graph().parse(data=out.getvalue(), format="turtle")
    committed = Graph().parse(data=read_bytes("territories.ttl"), format="turtle")
    assert isomorphic(rebuilt, committed)


def test_demo_file_is_what_the_builder_makes():
    out = io.StringIO()
    with redirect_stdout(out):
        build_demo.main()
    rebuilt = {str(q) for q in parse(out.getvalue().encode(), RdfFormat.TRIG)}
    committed = {str(q) for q in parse(read_bytes("demo/demo.trig"), RdfFormat.TRIG)}
    assert rebuilt == committed


def test_the_150_communes_have_their_insee_codes_and_epci():
    rows = list(csv.DictReader(io.StringIO(read_bytes("reference/communes-pole-metropolitain-artois.csv").decode())))
    assert len(rows) == 150
    g = Graph().parse(data=read_bytes("territories.ttl"), format="turtle")
    lens = "https://w3id.org/pic-euralens/id/territory/commune/62498"
    found = g.query(f"""PREFIX igeo: <http://rdf.insee.fr/def/geo#>
        PREFIX pic: <https://w3id.org/pic-euralens/ontology#>
        SELECT ?code ?epci ?pop WHERE {{ <{lens}> igeo:codeINSEE ?code ;
            igeo:subdivisionDirecteDe ?epci ; pic:population ?pop .
            ?epci a igeo:Intercommunalite }}""")
    [(code, epci, pop)] = list(found)
    assert str(code) == "62498" and str(epci).endswith("/epci/246200364") and int(pop) == 32920
    communes = set(g.subjects(predicate=None, object=None))
    assert sum(1 for s in communes if "/territory/commune/" in str(s)) == 150


def test_every_observation_is_marked_illustrative_and_every_year_is_covered():
    quads = list(parse(read_bytes("demo/demo.trig"), RdfFormat.TRIG))
    observations = {q.subject for q in quads if q.object.value == "http://purl.org/linked-data/cube#Observation"}
    marked = {q.subject for q in quads if q.predicate.value.endswith("#illustrative") and q.object.value == "true"}
    assert observations and observations <= marked
    years = {q.object.value for q in quads if q.predicate.value.endswith("#refYear")}
    assert years == {str(y) for y in range(2010, 2026)}
