"""The `pic` command, run as a user runs it: a real process on a real on-disk store."""

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

PIC = str(Path(sys.executable).with_name("pic"))


def run(args, data_dir: Path, check=True):
    result = subprocess.run(
        [PIC, *args],
        capture_output=True,
        text=True,
        env={"PIC_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin", "HOME": str(data_dir.parent)},
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("cli") / "data"
    run(["init", "--demo"], data)
    return data


def test_help_lists_the_commands(tmp_path):
    out = run(["--help"], tmp_path / "d").stdout
    for command in ("init", "load", "validate", "query", "export", "stats", "serve"):
        assert command in out


def test_init_refuses_a_store_that_is_not_empty(demo_dir):
    result = run(["init"], demo_dir, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and "not empty" in result.stderr


def test_query_in_every_format(demo_dir):
    q = (
        "SELECT ?code WHERE { <https://w3id.org/pic-euralens/id/territory/commune/62498> "
        "<http://rdf.insee.fr/def/geo#codeINSEE> ?code }"
    )
    assert "62498" in run(["query", q], demo_dir).stdout
    data = json.loads(run(["query", q, "--format", "json"], demo_dir).stdout)
    assert data["results"]["bindings"][0]["code"]["value"] == "62498"
    assert run(["query", q, "--format", "csv"], demo_dir).stdout.splitlines() == ["code", "62498"]
    assert "62498" in run(["query", q, "--format", "tsv"], demo_dir).stdout
    query_file = demo_dir.parent / "code.rq"
    query_file.write_text(q)
    assert "62498" in run(["query", str(query_file), "--format", "csv"], demo_dir).stdout
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"
    assert "<https://" in run(["query", construct, "--format", "turtle"], demo_dir).stdout


def test_a_malformed_query_is_one_clear_line(demo_dir):
    result = run(["query", "SELECT ?s WHERE { ?s ?p }"], demo_dir, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: malformed query") and result.stderr.count("\n") == 1


def test_load_a_bad_turtle_file_names_line_and_column(demo_dir, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('<http://a> <http://b> "x" .\n<http://a> <http://b> "unterminated .\n')
    before = run(["stats"], demo_dir).stdout
    result = run(
        ["load", str(bad), "--graph", "https://w3id.org/pic-euralens/id/graph/partner/x"], demo_dir, check=False
    )
    assert result.returncode == 1
    assert "bad.ttl, line 2, column" in result.stderr, result.stderr
    assert run(["stats"], demo_dir).stdout == before


def test_load_and_validate_report_shape_violations(demo_dir, tmp_path):
    bad = tmp_path / "org.ttl"
    bad.write_text(
        "<https://w3id.org/pic-euralens/id/actor/x> a <http://www.w3.org/ns/org#FormalOrganization> ;"
        ' <http://www.w3.org/2000/01/rdf-schema#label> "X"@fr .\n'
    )
    result = run(["validate", str(bad)], demo_dir, check=False)
    assert result.returncode == 1 and "foaf/0.1/name" in result.stderr
    result = run(
        ["load", str(bad), "--graph", "https://w3id.org/pic-euralens/id/graph/partner/x"], demo_dir, check=False
    )
    assert result.returncode == 1 and "SHACL violation" in result.stderr


def test_load_then_export_a_graph(demo_dir, tmp_path):
    good = tmp_path / "good.ttl"
    good.write_text(
        "<https://w3id.org/pic-euralens/id/actor/cli> a <http://www.w3.org/ns/org#FormalOrganization> ;"
        ' <http://www.w3.org/2000/01/rdf-schema#label> "CLI"@fr ;'
        ' <http://xmlns.com/foaf/0.1/name> "CLI" .\n'
    )
    graph = "https://w3id.org/pic-euralens/id/graph/partner/cli"
    out = run(["load", str(good), "--graph", graph], demo_dir).stdout
    assert "Loaded 3 triples" in out
    exported = tmp_path / "cli.nt"
    run(["export", "--graph", graph, "--format", "nt", "--out", str(exported)], demo_dir)
    assert len(exported.read_text().splitlines()) == 3


def test_stats_counts_the_demo(demo_dir):
    out = run(["stats"], demo_dir).stdout
    assert "graph/partner/demo" in out and "Commune" in out and "150" in out


def test_usage_errors_exit_with_2(tmp_path):
    result = run(["load"], tmp_path / "d", check=False)
    assert result.returncode == 2


def test_map_writes_the_same_files_as_the_pages(demo_dir, tmp_path):
    page = tmp_path / "map.html"
    result = run(["map", "cooperation", "--theme", "culture", "--from", "2013", "--out", str(page)], demo_dir)
    assert "Wrote" in result.stderr and page.read_text(encoding="utf-8").count("vis.Network") == 1
    assert '<script src="http' not in page.read_text(encoding="utf-8")  # the standalone file works offline
    gexf = tmp_path / "flows.gexf"
    run(["map", "knowledge-flows", "--ego", "actor/louvre-lens", "--depth", "2", "--out", str(gexf)], demo_dir)
    flows = nx.read_gexf(gexf)
    assert flows.is_directed() and "https://w3id.org/pic-euralens/id/actor/louvre-lens" in flows


def test_map_errors_are_one_line(demo_dir, tmp_path):
    bad = run(
        ["map", "cooperation", "--from", "2020", "--until", "2010", "--out", str(tmp_path / "m.svg")],
        demo_dir,
        check=False,
    )
    assert bad.returncode == 1 and bad.stderr.strip() == "Error: --until: Value error, 'until' is before 'from'"
    assert not (tmp_path / "m.svg").exists()
    unknown = run(["map", "cooperation", "--out", str(tmp_path / "m.doc")], demo_dir, check=False)
    assert unknown.returncode == 1 and "unknown format 'doc'" in unknown.stderr
