"""The command line: exit codes, one-line errors without tracebacks, readable reports."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]




PREFIXES = (
    "@prefix part: <https://w3id.org/partenariat/def#> .\n"
    "@prefix pid: <https://w3id.org/partenariat/id/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
)


def test_validate_the_corpus_conforms(cli):
    result = cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforme" in result.stdout


def test_validate_a_syntax_error_is_one_line_and_exit_2(cli, tmp_path: Path):
    bad = tmp_path / "case.ttl"
    bad.write_text(PREFIXES + "pid:x a part:CaseStudy ;\n  rdfs:label \"x\"@fr ,, .\n", encoding="utf-8")
    result = cli("validate", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {bad}:5:")


def test_validate_violations_are_reported_by_node_with_exit_1(cli, tmp_path: Path):
    bad = tmp_path / "case.ttl"
    bad.write_text(PREFIXES + "\npid:x a part:CaseStudy ;\n  rdfs:label \"x\"@fr .\n", encoding="utf-8")
    result = cli("validate", str(bad), "--lang", "en")
    assert result.returncode == 1
    assert f"pid:x ({bad}:5)" in result.stdout
    assert "A case has exactly one box number" in result.stdout
    # only the given file's nodes are reported
    assert "encadre-1" not in result.stdout


def test_validate_json_and_turtle_formats(cli, tmp_path: Path):
    bad = tmp_path / "case.ttl"
    bad.write_text(PREFIXES + "\npid:x a part:CaseStudy ;\n  rdfs:label \"x\"@fr .\n", encoding="utf-8")
    report = json.loads(cli("validate", str(bad), "--format", "json").stdout)
    assert report["conforms"] is False
    assert report["focus_nodes"][0]["focus"] == "pid:x"
    turtle = cli("validate", str(bad), "--format", "turtle")
    assert "sh:ValidationReport" in turtle.stdout


def test_validate_a_missing_file_exits_2(cli, tmp_path: Path):
    result = cli("validate", str(tmp_path / "absent.ttl"))
    assert result.returncode == 2
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def built_dir(cli, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli-build")
    result = cli("build", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "built" in result.stdout
    return out


def test_build_writes_store_and_release(built_dir: Path):
    assert (built_dir / "store").is_dir()
    assert {p.name for p in (built_dir / "release").iterdir()} == {
        "partenariat.ttl",
        "partenariat.nt",
        "partenariat.jsonld",
        "partenariat.context.jsonld",
        "build-report.json",
    }


def test_stats_counts_by_class_case_and_scheme(cli, built_dir: Path):
    result = cli("stats", "--store", str(built_dir / "store"))
    assert result.returncode == 0, result.stderr
    assert "part:CaseStudy" in result.stdout
    assert "Encadré 6" in result.stdout
    assert "Values of care" in result.stdout


def test_query_runs_a_catalogue_query_in_each_format(cli, built_dir: Path):
    store = str(built_dir / "store")
    table = cli("query", "cq01-partnership-levels", "--store", store)
    assert table.returncode == 0, table.stderr
    assert "minimal" in table.stdout
    as_json = json.loads(cli("query", "cq01-partnership-levels", "--format", "json", "--store", store).stdout)
    assert len(as_json["results"]["bindings"]) == 6
    csv = cli("query", "cq01-partnership-levels", "--format", "csv", "--store", store).stdout
    assert csv.splitlines()[0].startswith("caseNumber")


def test_query_errors_are_one_line(cli, built_dir: Path):
    store = str(built_dir / "store")
    unknown = cli("query", "no-such-query", "--store", store)
    assert unknown.returncode == 2
    assert "no such query" in unknown.stderr
    bad_param = cli("query", "cq15-evidence", "--param", "nope=1", "--store", store)
    assert bad_param.returncode == 2
    assert "unknown parameter" in bad_param.stderr
    no_store = cli("query", "cq01-partnership-levels", "--store", str(built_dir / "absent"))
    assert no_store.returncode == 2
    assert "partenariat build" in no_store.stderr
    for result in (unknown, bad_param, no_store):
        assert "Traceback" not in result.stderr


def test_a_build_with_violations_exits_1_and_writes_nothing(cli, tmp_path: Path):
    import shutil

    project = tmp_path / "project"
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / name, project / name)
    (project / "data" / "bad.ttl").write_text(PREFIXES + "pid:x a part:CaseStudy .\n", encoding="utf-8")
    result = cli("build", "--out", str(tmp_path / "out"), "--no-inference", env={"PARTENARIAT_ROOT": str(project)})
    assert result.returncode == 1
    assert "pid:x" in result.stderr
    assert not (tmp_path / "out" / "store").exists()


def test_query_suggests_close_names_and_names_bad_parameters(cli, built_dir: Path, tmp_path: Path):
    store = str(built_dir / "store")
    close = cli("query", "cq01-partnership-level", "--store", store)
    assert close.returncode == 2
    assert "did you mean cq01-partnership-levels" in close.stderr
    bad_type = cli("query", "cq11-organisation-types-across-cases", "--param", "minCases=three", "--store", store)
    assert bad_type.returncode == 2
    assert "parameter minCases: 'three' is not a valid integer" in bad_type.stderr
    malformed = tmp_path / "bad.rq"
    malformed.write_text("# title: bad\nSELECT ?x WHERE {\n  ?x ?p\n}\n", encoding="utf-8")
    broken = cli("query", str(malformed), "--store", store)
    assert broken.returncode == 2
    import re

    assert re.search(r"bad\.rq: SPARQL syntax error at line \d+, column \d+: expected", broken.stderr)
    for result in (close, bad_type, broken):
        assert "Traceback" not in result.stderr


def test_query_says_plainly_when_there_is_no_result(cli, built_dir: Path):
    result = cli("query", "partners-of-scheme", "--param", "scheme=pid:nothing", "--store", str(built_dir / "store"))
    assert result.returncode == 0
    assert "partners-of-scheme: no result" in result.stdout


def test_query_lists_the_catalogue(cli):
    result = cli("queries")
    assert result.returncode == 0
    assert "cq16-bridges-between-cases" in result.stdout and "CQ16" in result.stdout


def test_network_exports_and_measures(cli, built_dir: Path, tmp_path: Path):
    store = str(built_dir / "store")
    gexf = tmp_path / "n.gexf"
    result = cli("network", "--mode", "actors", "--format", "gexf", "--out", str(gexf), "--store", store)
    assert result.returncode == 0, result.stderr
    assert gexf.read_text(encoding="utf-8").startswith("<?xml")
    png = tmp_path / "n.png"
    assert cli("network", "--format", "png", "--out", str(png), "--store", store).returncode == 0
    assert png.stat().st_size > 10_000
    measures = cli("network", "--mode", "actors", "--measures", "--store", store)
    assert measures.returncode == 0
    assert "betweenness" in measures.stdout and "CAF du Pas-de-Calais" in measures.stdout
    ego = cli("network", "--ego", "pid:apsa", "--measures", "--store", store)
    assert "APSA" in ego.stdout
    missing = cli("network", "--ego", "pid:nobody", "--store", store)
    assert missing.returncode == 2 and "not a node" in missing.stderr
    unwritable = cli("network", "--out", "/proc/nope/n.gexf", "--store", store)
    assert unwritable.returncode == 2 and "Traceback" not in unwritable.stderr


def _base(endpoint) -> str:
    return endpoint.query_url.rsplit("/", 1)[0]


def test_load_and_query_a_real_oxigraph_server(cli, built_dir: Path, oxigraph_server):
    store = str(built_dir / "store")
    base = _base(oxigraph_server)
    first = cli("load", "--server", "oxigraph", "--endpoint", base, "--store", store)
    assert first.returncode == 0, first.stderr
    assert "withheld by the public profile" in first.stdout
    again = cli("load", "--server", "oxigraph", "--endpoint", base, "--protocol", "update", "--store", store)
    assert again.returncode == 0, again.stderr
    assert first.stdout.split(" triples")[0] == again.stdout.split(" triples")[0]  # idempotent
    answer = json.loads(
        cli("query", "cq01-partnership-levels", "--server", "oxigraph", "--endpoint", base, "--format", "json").stdout
    )
    assert len(answer["results"]["bindings"]) == 6
    table = cli("query", "cq05-tests", "--server", "oxigraph", "--endpoint", base)
    assert "épreuve civique" in table.stdout


def test_load_into_virtuoso_with_the_password_from_the_environment(cli, built_dir: Path, virtuoso_server):
    store = str(built_dir / "store")
    base = _base(virtuoso_server)
    refused = cli(
        "load", "--server", "virtuoso", "--endpoint", base, "--user", "dba", "--password-env", "VPASS",
        "--store", store, env={"VPASS": "wrong-secret"},
    )
    assert refused.returncode == 2
    assert "login refused" in refused.stderr and "wrong-secret" not in refused.stderr + refused.stdout
    loaded = cli(
        "load", "--server", "virtuoso", "--endpoint", base, "--user", "dba", "--password-env", "VPASS",
        "--store", store, env={"VPASS": "dba"},
    )
    assert loaded.returncode == 0, loaded.stderr
    missing = cli("load", "--server", "virtuoso", "--endpoint", base, "--user", "dba", "--store", store)
    assert missing.returncode == 2 and "--password-env" in missing.stderr


def test_load_to_an_unreachable_endpoint_fails_clearly(cli, built_dir: Path):
    result = cli("load", "--server", "oxigraph", "--endpoint", "http://127.0.0.1:9", "--store", str(built_dir / "store"))
    assert result.returncode == 2
    assert "unreachable" in result.stderr and "previous graphs are left as they were" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_answers_queries_and_refuses_updates(built_dir: Path, server_tools):
    import time

    import httpx

    port = server_tools.free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "partenariat.cli", "serve", "--port", str(port), "--store", str(built_dir / "store")],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        answer = httpx.get(
            base + "/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/partenariat/def#CaseStudy> }"},
            headers={"Accept": "text/csv"},
        )
        assert answer.status_code == 200 and answer.text.split() == ["n", "6"]
        assert httpx.post(base + "/sparql", data={"update": "DROP ALL"}).status_code == 403
        age = httpx.get(
            base + "/sparql", params={"query": "ASK { ?s <https://w3id.org/partenariat/def#age> ?o }"}
        ).json()
        assert age["boolean"] is False  # the public profile is served by default
        assert httpx.get(base + "/").status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_on_a_busy_port_fails_clearly(cli, built_dir: Path, server_tools):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--port", str(port), "--store", str(built_dir / "store"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr


def test_release_command(cli, built_dir: Path, tmp_path: Path):
    folder = tmp_path / "rel"
    result = cli("release", "--version", "1.0.0", "--out", str(folder), "--store", str(built_dir / "store"))
    assert result.returncode == 0, result.stderr
    assert (folder / "SHA256SUMS").is_file() and (folder / "partenariat.trig").is_file()
    bad = cli("release", "--version", "1.0", "--out", str(tmp_path / "bad"), "--store", str(built_dir / "store"))
    assert bad.returncode == 2 and "X.Y.Z" in bad.stderr and not (tmp_path / "bad").exists()


def test_validate_with_the_sparql_engine_and_on_a_store(cli, built, tmp_path):
    import pyoxigraph as ox

    out_dir, _report = built
    assert cli("validate", "--engine", "sparql").returncode == 0
    assert cli("validate", "--store", str(out_dir / "store")).returncode == 0
    broken = tmp_path / "store"
    shutil.copytree(out_dir / "store", broken)
    graph = ox.Store(str(broken))
    graph.add(ox.Quad(ox.NamedNode("https://w3id.org/partenariat/id/encadre-1"),
                      ox.NamedNode("https://w3id.org/partenariat/def#caseNumber"),
                      ox.Literal("0", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                      ox.NamedNode("urn:x-test:broken")))
    graph.flush()
    del graph
    result = cli("validate", "--store", str(broken), "--lang", "en")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "encadre-1" in result.stdout and "Traceback" not in result.stderr
