"""Reasoning: HermiT finds the corpus consistent, and the OWL 2 RL inferences are the expected ones."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from partenariat import reason

PART = Namespace("https://w3id.org/partenariat/def#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
PID = Namespace("https://w3id.org/partenariat/id/")


def test_the_ontology_with_its_data_is_consistent_under_hermit(union):
    reason.check_consistency(union)


def test_hermit_detects_an_inconsistency(union):
    broken = Graph()
    for triple in union:
        broken.add(triple)
    broken.add((PID["apsa"], RDF.type, PART.Territory))  # actors and territories are disjoint
    with pytest.raises(reason.InconsistencyError):
        reason.check_consistency(broken)


@pytest.fixture(scope="module")
def inferred(union) -> Graph:
    return reason.owl_rl_inferences(union)


def test_subclass_typing_is_inferred(inferred):
    assert (PID["apsa"], RDF.type, ORG.Organization) in inferred
    assert (PID["apsa"], RDF.type, PART.Actor) in inferred


def test_transitive_containment_is_inferred(inferred):
    assert (PID["commune-angouleme"], PART.within, PID["region-nouvelle-aquitaine"]) in inferred


def test_inverse_and_super_properties_are_inferred(inferred, union):
    passage, case = next(iter(union.subject_objects(PART.inCase)))
    assert (case, PART.hasPassage, passage) in inferred or (case, PART.hasPassage, passage) in union
    node, evidence = next(iter(union.subject_objects(PART.evidence)))
    assert (node, PROV.wasDerivedFrom, evidence) in inferred


def test_inferences_only_concern_individuals_and_concepts(inferred):
    assert all(isinstance(s, URIRef) and str(s).startswith(reason.DATA_NAMESPACES) for s in inferred.subjects())


def test_reasonable_gives_the_same_inferences_as_owlrl(union, inferred):
    assert set(reason.owl_rl_inferences_owlrl(union)) == set(inferred)
