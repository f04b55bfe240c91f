"""Citable releases: every file parses, versions match, checksums hold, no personal data."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Namespace, URIRef

from partenariat import release

OWL = Namespace("http://www.w3.org/2002/07/owl#")
VOID = Namespace("http://rdfs.org/ns/void#")
PART = Namespace("https://w3id.org/partenariat/def#")
ONTOLOGY = URIRef("https://w3id.org/partenariat/def")


@pytest.fixture(scope="module")
def released(built, tmp_path_factory) -> Path:
    out, _report = built
    folder = tmp_path_factory.mktemp("release") / "0.2.0"
    release.make_release("0.2.0", folder, store_path=out / "store")
    return folder


def test_ontology_in_three_syntaxes_with_the_release_version(released: Path):
    for name, fmt in (
        ("ontology.ttl", "turtle"),
        ("ontology.rdf", "xml"),
        ("ontology.jsonld", "json-ld"),
    ):
        graph = Graph().parse(released / name, format=fmt)
        assert (ONTOLOGY, OWL.versionIRI, URIRef(f"{ONTOLOGY}/0.2.0")) in graph, name
        assert str(graph.value(ONTOLOGY, OWL.versionInfo)) == "0.2.0"
        assert (None, OWL.versionIRI, URIRef(f"{ONTOLOGY}/0.1.0")) not in graph


def test_graph_has_one_named_graph_per_case_and_matches_nquads(released: Path):
    trig = Dataset()
    trig.parse(released / "partenariat.trig", format="trig")
    names = {str(g.identifier) for g in trig.graphs() if len(g)}
    cases = {n for n in names if "/data/cases/encadre-" in n}
    assert len(cases) == 6
    nquads = Dataset()
    nquads.parse(released / "partenariat.nq", format="nquads")
    assert sum(len(g) for g in trig.graphs()) == sum(len(g) for g in nquads.graphs())
    versions = {str(o) for g in trig.graphs() for o in g.objects(ONTOLOGY, OWL.versionInfo)}
    assert versions == {"0.2.0"}


def test_release_is_the_public_profile(released: Path):
    nquads = Dataset()
    nquads.parse(released / "partenariat.nq", format="nquads")
    assert not any((None, PART.age, None) in g for g in nquads.graphs())
    assert "deux ans de retard" not in (released / "partenariat.nq").read_text(encoding="utf-8")
    assert (released / "partenariat-public.nt").is_file()


def test_void_statistics_and_checksums(released: Path):
    void = Graph().parse(released / "void.ttl", format="turtle")
    dataset = URIRef("https://w3id.org/partenariat/release/0.2.0")
    nquads = Dataset()
    nquads.parse(released / "partenariat.nq", format="nquads")
    assert void.value(dataset, VOID.triples).toPython() == sum(len(g) for g in nquads.graphs())
    sums = (released / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert len(sums) >= 8
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((released / name).read_bytes()).hexdigest() == digest, name
    assert 'version: "0.2.0"' in (released / "CITATION.cff").read_text(encoding="utf-8")


def test_bad_version_is_refused_and_nothing_written(built, tmp_path: Path):
    out, _report = built
    with pytest.raises(release.ReleaseError, match=r"X\.Y\.Z"):
        release.make_release("v1", tmp_path / "r", store_path=out / "store")
    assert not (tmp_path / "r").exists()
    assert list(tmp_path.iterdir()) == []
