"""KnowledgeGraph: catalogue queries by name, SPARQL text, and plain Python values."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from partenariat import store
from partenariat.api import KnowledgeGraph, python_value


def test_python_values_follow_the_datatype():
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert python_value(ox.Literal("3", datatype=ox.NamedNode(xsd + "integer"))) == 3
    assert python_value(ox.Literal("0.35", datatype=ox.NamedNode(xsd + "decimal"))) == 0.35
    assert python_value(ox.Literal("2009", datatype=ox.NamedNode(xsd + "gYear"))) == "2009"
    assert python_value(ox.NamedNode("https://w3id.org/partenariat/id/apsa")).endswith("/apsa")
    assert python_value(None) is None


def test_query_by_name_and_by_text_agree(kg):
    by_name = kg.query("cq01-partnership-levels")
    by_text = kg.query((Path(__file__).parents[1] / "queries" / "cq01-partnership-levels.rq").read_text()
                       .replace("?lang", '"fr"'))
    assert by_name == by_text


def test_select_runs_over_the_union_of_graphs(kg):
    rows = kg.select(
        "PREFIX part: <https://w3id.org/partenariat/def#> "
        "SELECT (COUNT(?c) AS ?n) WHERE { ?c a part:CaseStudy }"
    )
    assert rows == [{"n": 6}]


def test_opening_a_folder_without_store_fails_clearly(tmp_path: Path):
    with pytest.raises(store.StoreError, match="partenariat build"):
        KnowledgeGraph(tmp_path)


def test_lookups_return_dataclasses_of_the_real_graph(kg):
    case = kg.case("pid:encadre-3")
    assert (case.number, case.level.rsplit("/", 1)[1]) == (3, "level-maximal")
    assert kg.case(3) == case
    actor = kg.actor("caf-pas-de-calais")
    assert actor.kind == "PublicOrganisation" and actor.cases == (4,)
    assert "https://w3id.org/partenariat/concept/caf" in actor.types
    schemes = {s.iri: s for s in kg.schemes()}
    assert schemes["https://w3id.org/partenariat/id/pre-angouleme"].programme.endswith("programme-pre")
    partners = {p.actor_label for p in kg.partners_of("pid:reaap-pas-de-calais")}
    assert "CAF du Pas-de-Calais" in partners
    assert {p.scheme for p in kg.schemes_of("pid:apsa")} == {"https://w3id.org/partenariat/id/pathway-f"}
    thresholds = [c.label for c in kg.concepts("thresholds")]
    assert sorted(thresholds) == ["bas seuil", "contrat", "empowerment"]


def test_unknown_identifiers_raise_a_lookup_error(kg):
    from partenariat.api import LookupError_

    with pytest.raises(LookupError_, match="no such case"):
        kg.case(7)
    with pytest.raises(LookupError_, match="no such actor"):
        kg.actor("nobody")
    with pytest.raises(LookupError_, match="no such concept scheme"):
        kg.concepts("nothing")
    with pytest.raises(LookupError_, match="states nothing"):
        kg.evidence("encadre-1", "part:amount")


def test_evidence_by_predicate_and_comments(kg):
    evidence = kg.evidence("encadre-1", "part:illustratesLevel")
    assert {e.kind for e in evidence} == {"passage", "comment"}
    assert any(e.text == "Ontologie additive" for e in evidence)


def test_to_rdflib_and_opening_a_file(kg, built, tmp_path: Path):
    dataset = kg.to_rdflib()
    out, report = built
    assert sum(len(g) for g in dataset.graphs()) == report.quads_in_store
    from_file = KnowledgeGraph(out / "release" / "partenariat.nt")
    assert from_file.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"] == report.public_triples
    assert from_file.query("cq01-partnership-levels")[0]["levelLabel"] == "minimal"
    english = KnowledgeGraph(out / "store", lang="en")
    assert english.case(2).label == "Box 2: PERSEVAL, Lille academy (2014-2017)"
    assert [c.label for c in english.concepts("values-of-care")] == ["care", "cura", "cure"]


def test_labels_fall_back_on_the_other_language(built):
    out, _report = built
    english = KnowledgeGraph(out / "store", lang="en")
    french = KnowledgeGraph(out / "store", lang="fr")
    french_only = french.select(
        """PREFIX part: <https://w3id.org/partenariat/def#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?actor ?label WHERE {
          ?p part:partner ?actor . ?actor rdfs:label ?label . FILTER(LANG(?label) = "fr")
          FILTER NOT EXISTS { ?actor rdfs:label ?en . FILTER(LANG(?en) = "en") }
          FILTER NOT EXISTS { ?actor a part:Recipient }
        } ORDER BY ?actor LIMIT 1"""
    )
    assert french_only, "the corpus has actors labelled in French only"
    iri, label = french_only[0]["actor"], french_only[0]["label"]
    assert english.actor(iri).label == label
    assert english.case(1).label != french.case(1).label  # both languages exist there
