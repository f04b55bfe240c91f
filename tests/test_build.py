"""The build: release files that parse, a truthful report, and nothing lost when it fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from partenariat import build, corpus


def test_release_files_parse_and_agree(built):
    out, report = built
    release = out / "release"
    turtle = Graph().parse(release / "partenariat.ttl", format="turtle")
    ntriples = Graph().parse(release / "partenariat.nt", format="nt")
    jsonld = Graph().parse(release / "partenariat.jsonld", format="json-ld")
    assert len(turtle) == len(ntriples) == len(jsonld) == report.public_triples
    context = json.loads((release / "partenariat.context.jsonld").read_text(encoding="utf-8"))
    assert context["@context"]["pid"] == "https://w3id.org/partenariat/id/"


def test_report_counts_the_real_graph(built, union):
    out, report = built
    saved = json.loads((out / "release" / "build-report.json").read_text(encoding="utf-8"))
    assert saved["triples"] == report.triples == len(union)
    assert saved["quads_in_store"] == report.triples + report.inferred_triples
    assert report.inferred_triples > 0
    assert report.individuals_by_type["part:CaseStudy"] == 6
    assert sorted(report.individuals_by_case) == [
        "encadre-1-angouleme",
        "encadre-2-perseval",
        "encadre-3-valenciennes",
        "encadre-4-pas-de-calais",
        "encadre-5-saint-omer",
        "encadre-6-lille-fives",
    ]
    assert report.individuals_by_case["encadre-1-angouleme"]["part:CaseStudy"] == 1
    assert set(report.seconds) >= {"parse", "validate", "reason", "store", "release"}


def test_the_store_holds_every_file_and_the_inferences(kg, built):
    _out, report = built
    graphs = {row["g"] for row in kg.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert corpus.GRAPH_BASE + "data/cases/encadre-3-valenciennes" in graphs
    assert str(build.INFERRED_GRAPH) in graphs
    count = kg.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
    assert count == report.quads_in_store


@pytest.fixture()
def project_copy(tmp_path: Path, root: Path) -> Path:
    """A copy of the model files to break without touching the real ones."""
    copy = tmp_path / "project"
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(root / name, copy / name)
    return copy


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_failed_build_leaves_the_previous_one_intact(project_copy: Path, tmp_path: Path):
    out = tmp_path / "out"
    build.build(out=out, root=project_copy, inference=False)
    before = _snapshot(out)
    case = project_copy / "data" / "cases" / "encadre-1-angouleme.ttl"
    case.write_text(case.read_text(encoding="utf-8") + "\npid:broken a part:CaseStudy .\n", encoding="utf-8")
    with pytest.raises(build.ValidationFailed) as failure:
        build.build(out=out, root=project_copy, inference=False)
    assert any(node.focus == "pid:broken" for node in failure.value.report.focus_nodes)
    case.write_text(case.read_text(encoding="utf-8") + "\npid:oops a ;\n", encoding="utf-8")
    with pytest.raises(corpus.CorpusError, match=r"encadre-1-angouleme\.ttl:\d+:\d+"):
        build.build(out=out, root=project_copy, inference=False)
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["release", "store"]
