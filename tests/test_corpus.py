"""Parsing the model files: named graphs, locations, and one-line syntax errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, RDFS, BNode, Namespace, URIRef

from partenariat import corpus

PART = Namespace("https://w3id.org/partenariat/def#")
PID = "https://w3id.org/partenariat/id/"


def test_every_model_file_is_its_own_named_graph(model):
    names = {str(g.identifier) for g in model.dataset.graphs() if len(g)}
    assert corpus.GRAPH_BASE + "data/cases/encadre-1-angouleme" in names
    assert corpus.GRAPH_BASE + "ontology/partenariat" in names
    assert len(names) == len(model.files)


def test_the_six_cases_have_their_file(root):
    cases = sorted(p.name for p in (root / "data" / "cases").glob("*.ttl"))
    assert [name.split("-")[1] for name in cases] == ["1", "2", "3", "4", "5", "6"]


def test_locations_point_at_the_defining_line(model):
    location = model.locations[URIRef(PID + "encadre-1")]
    assert location.path.name == "encadre-1-angouleme.ttl"
    line = location.path.read_text(encoding="utf-8").splitlines()[location.line - 1]
    assert line.startswith("pid:encadre-1")


def test_no_blank_node_is_an_entity(union):
    typed_blank = {
        s for s, o in union.subject_objects(RDF.type) if isinstance(s, BNode) and str(o).startswith(str(PART))
    }
    assert typed_blank == set()


def test_each_individual_is_labelled_in_one_file_only(model):
    files_by_subject: dict = {}
    for context in model.dataset.graphs():
        for subject in set(context.subjects(RDFS.label, None)):
            if str(subject).startswith(PID):
                files_by_subject.setdefault(subject, set()).add(context.identifier)
    assert {s: f for s, f in files_by_subject.items() if len(f) > 1} == {}


def test_a_syntax_error_names_file_line_and_column(tmp_path: Path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix a: <http://x/> .\na:b a:c a:d .\na:e a:f ;; .\n", encoding="utf-8")
    with pytest.raises(corpus.CorpusError) as error:
        corpus.parse_turtle(bad)
    message = str(error.value)
    assert message.startswith(f"{bad}:3:")
    assert "\n" not in message


def test_a_missing_file_is_a_corpus_error(tmp_path: Path):
    with pytest.raises(corpus.CorpusError, match="no such file"):
        corpus.parse_turtle(tmp_path / "absent.ttl")


def test_a_non_utf8_file_is_a_corpus_error(tmp_path: Path):
    bad = tmp_path / "latin1.ttl"
    bad.write_bytes('<http://x/a> <http://x/b> "é" .'.encode("latin-1"))
    with pytest.raises(corpus.CorpusError, match="not UTF-8"):
        corpus.parse_turtle(bad)


def test_identifiers_are_readable_ascii_slugs(union):
    import re

    slug = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
    bad = {
        str(term)
        for triple in union
        for term in triple
        if isinstance(term, URIRef)
        and str(term).startswith(("https://w3id.org/partenariat/id/", "https://w3id.org/partenariat/concept/"))
        and not slug.match(str(term).rsplit("/", 1)[1])
    }
    assert bad == set()
