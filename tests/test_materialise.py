"""The SPARQL materialisation gives owlrl's OWL 2 RL inferences, and refuses what it cannot translate."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from partenariat import build, materialise, reason

T = Namespace("http://example.org/t#")
PID = Namespace("https://w3id.org/partenariat/id/")

PREFIXES = """
@prefix t: <http://example.org/t#> .
@prefix pid: <https://w3id.org/partenariat/id/> .
@prefix pc: <https://w3id.org/partenariat/concept/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Every translated axiom kind, with data that makes its rules fire, and the filters of
# reason._keep at work (subjects outside the data namespaces, blank nodes, asserted triples).
# The first part runs in one pass; the second (conjunctive class rules, chains) in rounds.
ONE_PASS = """
t:A rdfs:subClassOf t:B . t:B rdfs:subClassOf t:C .
t:E owl:equivalentClass t:F .
t:p rdfs:subPropertyOf t:q . t:q owl:equivalentProperty t:r .
t:p rdfs:domain t:D ; rdfs:range t:R .
t:D rdfs:subClassOf t:DD .
t:hasPart owl:inverseOf t:partOf . t:partOf rdfs:range t:Whole .
t:knows a owl:SymmetricProperty .
t:within a owl:TransitiveProperty . t:inside rdfs:subPropertyOf t:within .
t:contains owl:inverseOf t:within .
t:U owl:unionOf (t:U1 t:U2) . t:U rdfs:subClassOf t:UU .
t:m rdfs:domain [ owl:unionOf (t:M1 t:M2) ; rdfs:subClassOf t:MM ] .
t:O owl:oneOf (pid:o1 pid:o2) .
t:Empty owl:equivalentClass [ a owl:Restriction ; owl:onProperty t:p ; owl:maxCardinality 0 ] .
t:X owl:disjointWith t:Y .

pid:a1 a t:A .
pid:e1 a t:E . pid:f1 a t:F .
pid:x t:p pid:y .
pid:w t:hasPart pid:z .
<http://example.org/outside> t:partOf pid:w2 ; t:p pid:y2 .
pid:k1 t:knows pid:k2 .
pid:c1 t:within pid:c2 . pid:c2 t:inside pid:c3 . pid:c3 t:within pid:c4 .
pid:c5 t:within _:b . _:b t:within pid:c6 .
pid:bn t:p _:o .
pid:asserted t:p pid:y3 ; t:q pid:y3 ; a t:D .
pid:u1 a t:U1 .
pid:n1 t:m pid:n2 .
pc:concept t:p "a literal" .
"""
ROUNDS = """
t:I owl:intersectionOf (t:I1 t:I2) . t:I rdfs:subClassOf t:II .
t:SV owl:equivalentClass [ a owl:Restriction ; owl:onProperty t:s ; owl:someValuesFrom t:SF ] .
t:ST owl:equivalentClass [ a owl:Restriction ; owl:onProperty t:s2 ; owl:someValuesFrom owl:Thing ] .
t:AV rdfs:subClassOf [ a owl:Restriction ; owl:onProperty t:a ; owl:allValuesFrom t:AF ] .
t:HV owl:equivalentClass [ a owl:Restriction ; owl:onProperty t:h ; owl:hasValue pid:v ] .
t:uncle owl:propertyChainAxiom (t:parent t:brother) .

pid:i1 a t:I1 , t:I2 . pid:i2 a t:I1 . pid:i3 a t:I .
pid:s1 t:s pid:s2 . pid:s2 a t:SF . pid:s3 t:s pid:s4 .
pid:t1 t:s2 pid:t2 .
pid:av1 a t:AV ; t:a pid:av2 .
pid:hv1 a t:HV . pid:hv2 t:h pid:v .
pid:g1 t:parent pid:g2 . pid:g2 t:brother pid:g3 .
"""
RULE_KINDS = PREFIXES + ONE_PASS + ROUNDS


def _graph(turtle: str) -> Graph:
    return Graph().parse(data=turtle, format="turtle")


def _canonical(graph: Graph) -> set[tuple]:
    return {tuple(reason.canonical(term) for term in triple) for triple in graph}


def _diff(expected: Graph, actual: Graph) -> str:
    """The triples one side has and the other lacks, one N-Triples line each, sorted."""
    want, got = _canonical(expected), _canonical(actual)
    lines = [f"missing: {s.n3()} {p.n3()} {o.n3()} ." for s, p, o in sorted(want - got)]
    lines += [f"extra:   {s.n3()} {p.n3()} {o.n3()} ." for s, p, o in sorted(got - want)]
    return "\n".join(lines)


def test_the_inferences_equal_owlrl_on_the_corpus(union):
    expected = reason.owl_rl_inferences_owlrl(union)
    actual = materialise.inferences(union)
    assert len(actual) > 1000
    assert not _diff(expected, actual), "\n" + _diff(expected, actual)


def test_the_inferences_equal_owlrl_on_every_rule_kind():
    graph = _graph(RULE_KINDS)
    expected = reason.owl_rl_inferences_owlrl(graph)
    actual = materialise.inferences(graph)
    assert not _diff(expected, actual), "\n" + _diff(expected, actual)
    # Each rule kind fired (the comparison would pass vacuously otherwise).
    for triple in [
        (PID.a1, RDF.type, T.C),  # cax-sco, scm-sco
        (PID.e1, RDF.type, T.F),  # cax-eqc1
        (PID.f1, RDF.type, T.E),  # cax-eqc2
        (PID.x, T.r, PID.y),  # prp-spo1, prp-eqp1
        (PID.x, RDF.type, T.DD),  # prp-dom, scm-dom1
        (PID.y, RDF.type, T.R),  # prp-rng
        (PID.z, T.partOf, PID.w),  # prp-inv1
        (PID.w2, T.hasPart, URIRef("http://example.org/outside")),  # prp-inv2
        (PID.w, RDF.type, T.Whole),  # prp-rng through an inverse
        (PID.y2, RDF.type, T.R),  # about a subject outside the data namespaces
        (PID.k2, T.knows, PID.k1),  # prp-symp
        (PID.c1, T.within, PID.c4),  # prp-trp through a sub-property
        (PID.c4, T.contains, PID.c1),  # and its inverse
        (PID.c5, T.within, PID.c6),  # through a blank node
        (PID.u1, RDF.type, T.UU),  # cls-uni, scm-uni
        (PID.n1, RDF.type, T.MM),  # a domain by an anonymous union
        (PID.i1, RDF.type, T.II),  # cls-int1
        (PID.i3, RDF.type, T.I2),  # cls-int2
        (PID.o1, RDF.type, T.O),  # cls-oo
        (PID.s1, RDF.type, T.SV),  # cls-svf1
        (PID.t1, RDF.type, T.ST),  # cls-svf2
        (PID.av2, RDF.type, T.AF),  # cls-avf
        (PID.hv1, T.h, PID.v),  # cls-hv1
        (PID.hv2, RDF.type, T.HV),  # cls-hv2
        (PID.g1, T.uncle, PID.g3),  # prp-spo2
    ]:
        assert triple in actual, triple
    for triple in [
        (PID.s3, RDF.type, T.SV),  # no witness of the filler
        (PID.i2, RDF.type, T.I),  # one class of the intersection only
        (PID.asserted, T.q, PID.y3),  # already asserted
        (PID.asserted, RDF.type, T.D),
    ]:
        assert triple not in actual, triple
    subjects = {str(s) for s in actual.subjects()}
    assert all(s.startswith(reason.DATA_NAMESPACES) for s in subjects)


def _rules(graph: Graph) -> materialise.Rules:
    store = ox.Store()
    name = ox.NamedNode(materialise.ASSERTED_GRAPH)
    store.extend(ox.Quad(*(materialise.to_oxigraph(t) for t in triple), name) for triple in graph)
    return materialise.compile_rules(materialise.read_tbox(store))


def test_the_one_pass_rules_equal_owlrl_alone():
    graph = _graph(PREFIXES + ONE_PASS)
    assert not _rules(graph).recursive and _rules(_graph(RULE_KINDS)).recursive
    expected = reason.owl_rl_inferences_owlrl(graph)
    actual = materialise.inferences(graph)
    assert (PID.c1, T.within, PID.c4) in actual and (PID.y2, RDF.type, T.R) in actual
    assert not _diff(expected, actual), "\n" + _diff(expected, actual)


def test_a_transitive_symmetric_property_needs_rounds_and_gets_them():
    graph = _graph(
        PREFIXES
        + """
        t:linked a owl:TransitiveProperty , owl:SymmetricProperty .
        t:next rdfs:subPropertyOf t:linked .
        t:near a owl:TransitiveProperty . t:linked rdfs:subPropertyOf t:near .
        pid:a t:next pid:b . pid:b t:next pid:c . pid:d t:linked pid:c .
    """
    )
    assert _rules(graph).recursive
    expected = reason.owl_rl_inferences_owlrl(graph)
    actual = materialise.inferences(graph)
    assert (PID.a, T.linked, PID.d) in actual and (PID.a, T.near, PID.a) in actual
    assert not _diff(expected, actual), "\n" + _diff(expected, actual)


def test_the_rules_run_in_one_pass_on_the_ontology(union):
    rules = _rules(union)
    assert not rules.recursive
    assert rules.transitive == {ox.NamedNode("https://w3id.org/partenariat/def#within")}


@pytest.mark.parametrize(
    ("axiom", "named"),
    [
        ("t:f a owl:FunctionalProperty .", "owl:FunctionalProperty"),
        ("t:f a owl:InverseFunctionalProperty .", "owl:InverseFunctionalProperty"),
        ("pid:a owl:sameAs pid:b .", "owl:sameAs"),
        ("t:C owl:hasKey (t:p) .", "owl:hasKey"),
        (
            "t:C rdfs:subClassOf [ owl:onProperty t:p ; owl:maxCardinality 1 ] .",
            "owl:maxCardinality",
        ),
        (
            "t:C rdfs:subClassOf [ owl:onProperty t:p ; owl:minCardinality 1 ] .",
            "owl:minCardinality",
        ),
        ("t:p rdfs:subPropertyOf [ owl:inverseOf t:q ] .", "anonymous property"),
        (
            "t:C owl:equivalentClass [ owl:onProperty t:d ; owl:someValuesFrom xsd:integer ] .",
            "data ranges",
        ),
        ("pid:Klass a owl:Class .", "pid:Klass"),
        ("pc:broader rdfs:subPropertyOf t:p .", "data namespaces"),
        ("t:p rdfs:subPropertyOf rdfs:subClassOf .", "built-in"),
    ],
)
def test_an_untranslated_axiom_is_named_in_a_clear_error(axiom, named):
    graph = _graph(PREFIXES + "pid:a t:p pid:b .\n" + axiom)
    with pytest.raises(
        materialise.UnsupportedAxiom, match=r"not translate|namespaces|built-in"
    ) as error:
        materialise.inferences(graph)
    assert named in str(error.value)


def test_materialise_writes_the_build_graph_of_an_on_disk_store(tmp_path, union):
    assert str(build.INFERRED_GRAPH) == materialise.INFERRED_GRAPH
    store = ox.Store(str(tmp_path / "store"))
    store.extend(
        ox.Quad(*(materialise.to_oxigraph(t) for t in triple), ox.NamedNode("urn:x-test:g"))
        for triple in union
    )
    count = materialise.materialise(store)
    assert count == materialise.materialise(store)  # the graph is replaced, not added to
    graphs = {g.value for g in store.named_graphs()}
    assert materialise.INFERRED_GRAPH in graphs and materialise.SCRATCH_GRAPH not in graphs
    assert count == len(reason.owl_rl_inferences(union))
    store.add(ox.Quad(ox.NamedNode("urn:x-test:s"), ox.NamedNode("urn:x-test:p"), ox.Literal("o")))
    with pytest.raises(ValueError, match="default graph"):
        materialise.materialise(store)
