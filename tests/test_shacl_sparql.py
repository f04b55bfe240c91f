"""The SHACL shapes compiled to SPARQL give pySHACL's results: corpus, examples, injections, increments."""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from partenariat import corpus
from partenariat.shacl_sparql import (
    SAFE_LEXICAL,
    ShaclSparqlValidator,
    UnsupportedShapeError,
    memory_store,
    validate_corpus,
)
from partenariat.store import to_oxigraph, to_rdflib
from partenariat.validate import SH, validate_graph
from partenariat.validate import validate_corpus as pyshacl_validate_corpus

EXAMPLES = Path(__file__).resolve().parent / "shapes"
PART = Namespace("https://w3id.org/partenariat/def#")
PID = Namespace("https://w3id.org/partenariat/id/")
PC = Namespace("https://w3id.org/partenariat/concept/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
QB = Namespace("http://purl.org/linked-data/cube#")
NEW_CASE_GRAPH = "https://w3id.org/partenariat/graph/data/cases/"

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


# -- comparing two SHACL report graphs --------------------------------------------------------


def canonical(term: Node | None) -> Node | None:
    """A literal as the store gives it back (Oxigraph writes numbers in canonical form)."""
    if not isinstance(term, Literal):
        return term
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), to_oxigraph(term)))
    return to_rdflib(next(iter(store)).object)


def path_key(graph: Graph, node: Node | None) -> str | None:
    """A result path written out, so that blank-node paths compare by their structure."""
    if node is None or isinstance(node, URIRef):
        return None if node is None else str(node)
    if (node, RDF.first, None) in graph:
        return "(" + "/".join(str(path_key(graph, i)) for i in graph.items(node)) + ")"
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(str(path_key(graph, i)) for i in graph.items(alternatives)) + ")"
    for predicate, mark in (
        (SH.inversePath, "^"),
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = graph.value(node, predicate)
        if inner is not None:
            return f"{mark}{path_key(graph, inner)}"
    return "?"


Row = tuple[Node, str | None, Node | None, Node, Node, Node, frozenset[str]]


def result_rows(graph: Graph) -> Counter[Row]:
    """Every sh:ValidationResult (sh:detail ones included): focus, path, value, shape,
    component, severity and the message texts (pySHACL drops the language of SPARQL ones)."""
    rows: Counter[Row] = Counter()
    for result in graph.subjects(RDF.type, SH.ValidationResult):
        rows[
            (
                graph.value(result, SH.focusNode),
                path_key(graph, graph.value(result, SH.resultPath)),
                canonical(graph.value(result, SH.value)),
                graph.value(result, SH.sourceShape),
                graph.value(result, SH.sourceConstraintComponent),
                graph.value(result, SH.resultSeverity),
                frozenset(str(m) for m in graph.objects(result, SH.resultMessage)),
            )
        ] += 1  # type: ignore[index]
    return rows


def readable(row: Row, names: Graph) -> str:
    focus, path, value, shape, component, severity, messages = row

    def short(node: Node | None) -> str:
        if node is None:
            return "-"
        return node.n3(names.namespace_manager) if isinstance(node, URIRef | Literal) else str(node)

    return (
        f"{short(focus)} [{path or '-'}] value {short(value)} shape {short(shape)} "
        f"{str(component).rsplit('#', 1)[-1]} {str(severity).rsplit('#', 1)[-1]}: "
        f"{' | '.join(sorted(messages))}"
    )


def assert_same_results(expected: Graph, got: Graph, names: Graph) -> None:
    """The two reports hold the same results, as sets and with the same multiplicity."""
    want, have = result_rows(expected), result_rows(got)
    missing = [readable(r, names) + (f" (x{n})" if n > 1 else "") for r, n in (want - have).items()]
    extra = [readable(r, names) + (f" (x{n})" if n > 1 else "") for r, n in (have - want).items()]
    lines = [f"only pySHACL: {line}" for line in sorted(missing)]
    lines += [f"only shacl_sparql: {line}" for line in sorted(extra)]
    assert not lines, "results differ:\n" + "\n".join(lines)


def text_lines(report_text: str) -> list[str]:
    """A text report's lines, sorted (pySHACL orders ties of path and message arbitrarily)."""
    return sorted(report_text.splitlines())


def compare_with_pyshacl(data: Graph, shapes: Graph) -> tuple[Counter[Row], bool]:
    expected = validate_graph(data, shapes)
    got = ShaclSparqlValidator(shapes, data).validate(memory_store(data))
    assert_same_results(expected.graph, got.graph, data)
    assert got.conforms == expected.conforms
    assert got.violation_count == expected.violation_count
    return result_rows(got.graph), got.conforms


# -- the corpus and the failing examples ------------------------------------------------------


def test_the_corpus_conforms_as_with_pyshacl(model, shapes):
    expected = pyshacl_validate_corpus(model, shapes)
    got = validate_corpus(model, shapes)
    assert expected.conforms and got.conforms
    assert got.as_text("en") == expected.as_text("en") == "conforms: no violation"
    assert_same_results(expected.graph, got.graph, model.union())


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.ttl")), ids=lambda p: p.stem)
def test_failing_example_gives_pyshacls_results(example: Path, example_context: Graph, shapes: Graph):
    data = Graph()
    for prefix, namespace in example_context.namespaces():
        data.bind(prefix, namespace)
    for triple in example_context:
        data.add(triple)
    corpus.parse_turtle(example, data)
    expected = validate_graph(data, shapes)
    got = ShaclSparqlValidator(shapes, data).validate(memory_store(data))
    assert not got.conforms
    assert_same_results(expected.graph, got.graph, data)
    for lang in ("en", "fr"):
        assert text_lines(got.as_text(lang)) == text_lines(expected.as_text(lang))


# -- many violations at once --------------------------------------------------------------------


def instances(graph: Graph, cls: URIRef) -> list[URIRef]:
    rows = graph.query(
        "SELECT DISTINCT ?x WHERE { ?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c }",
        initBindings={"c": cls},
    )
    return sorted(r[0] for r in rows if isinstance(r[0], URIRef))  # type: ignore[index]


def inject_violations(source: Graph) -> Graph:
    """A copy of a graph with violations of every constraint the shapes use, many times over."""
    g = Graph()
    for prefix, namespace in source.namespaces():
        g.bind(prefix, namespace)
    for triple in source:
        g.add(triple)
    for i, node in enumerate(instances(g, PART.Actor)):
        if i % 5 == 0:  # no French label (qualified value shape)
            for label in list(g.objects(node, RDFS.label)):
                if isinstance(label, Literal) and label.language == "fr":
                    g.remove((node, RDFS.label, label))
                    g.add((node, RDFS.label, Literal(str(label), lang="en")))
        if i % 7 == 1:  # two French labels (sh:uniqueLang)
            g.add((node, RDFS.label, Literal(f"Autre nom {i}", lang="fr")))
        if i % 9 == 2:  # no provenance (sh:or of property shapes)
            g.remove((node, PART.evidence, None))
            g.remove((node, PART.referenceSource, None))
        if i % 6 == 3 and (node, RDF.type, PART.Organisation) in g:
            g.add((node, PART.organisationType, PC.pre))  # sh:node, with its details
    passages = instances(g, PART.Passage)
    for i, node in enumerate(passages):
        if i % 11 == 0:
            g.set((node, OA.exact, Literal("x")))  # sh:minLength
        if i % 13 == 1:
            g.set((node, PART.lineNumber, Literal("1.5", datatype=XSD.decimal)))  # sh:datatype
        if i % 17 == 2:
            g.set((node, PART.lineNumber, Literal("abc", datatype=XSD.integer)))  # ill-typed
        if i % 19 == 3:
            g.set((node, PART.lineNumber, Literal(-3)))  # sh:minInclusive
        if i % 23 == 4:
            g.remove((node, PART.inSource, None))  # sh:minCount
        if i % 29 == 5:
            g.add((node, PART.inCase, PID["encadre-1"]))
            g.add((node, PART.inCase, PID["encadre-2"]))  # sh:maxCount
    for i, node in enumerate(instances(g, PART.CaseStudy)):
        if i == 0:
            g.set((node, PART.caseNumber, Literal(2)))  # the SPARQL constraint
        if i == 2:
            g.add((node, PART.caseNumber, Literal(0)))
        if i == 3:
            for title in list(g.objects(node, DCT.title)):
                if isinstance(title, Literal) and title.language == "fr":
                    g.remove((node, DCT.title, title))
        if i == 4:
            g.add((node, PART.evidence, passages[0]))
    for i, node in enumerate(instances(g, SKOS.Concept)):
        if i % 10 == 0:
            g.remove((node, SKOS.prefLabel, None))
        if i % 10 == 1:
            g.add((node, SKOS.prefLabel, Literal(f"bis {i}", lang="en")))
        if i % 10 == 2:
            g.remove((node, SKOS.definition, None))
        if i % 10 == 3:
            g.remove((node, SKOS.inScheme, None))
    for i, node in enumerate(instances(g, PART.Scheme)):
        if i % 3 == 0:
            g.set((node, PART.startDate, Literal("2009")))  # sh:or of datatypes
        if i % 4 == 1:
            g.add((node, PART.startDate, Literal("2010-02-30", datatype=XSD.date)))  # ill-typed
            g.add((node, PART.startDate, Literal("2011", datatype=XSD.gYear)))
        if i % 5 == 2:
            g.add((node, PART.implements, PID["encadre-1"]))  # sh:class
        if i % 5 == 3:
            g.set((node, PART.schoolYear, Literal("2009/2010")))  # sh:pattern
        if i % 5 == 4:
            g.set((node, PART.schoolYear, Literal("2009-2010\n")))  # Python's $ matches before \n
        if i % 6 == 0:
            g.remove((node, PART.schemeType, None))
    for i, node in enumerate(instances(g, PART.Territory)):
        if i % 3 == 0:
            g.set((node, PART.inseeCode, Literal("1234567")))
        if i % 4 == 1:
            g.add((node, PART.within, PID["programme-pre"]))
    for i, node in enumerate(instances(g, PART.Commune)):
        if i % 2 == 0:
            g.remove((node, PART.within, None))  # qualified sh:class
    for i, node in enumerate(instances(g, PART.Figure)):
        if i % 4 == 0:
            g.set((node, PART.value, Literal("12")))
        if i % 5 == 1:
            g.set((node, PART.denominator, Literal(0)))  # sh:minExclusive
        if i % 6 == 2:
            for p in (PART.value, PART.numerator, PART.denominator, PART.minValue, PART.maxValue):
                g.remove((node, p, None))  # sh:or with sh:and
        if i % 7 == 3:
            g.add((node, PART.measure, PC["organisation-types"]))
    for i, node in enumerate(instances(g, PART.FundingContribution)):
        if i % 2 == 0:
            g.set((node, PART.shareRatio, Literal("1.50", datatype=XSD.decimal)))  # sh:maxInclusive
        if i % 3 == 1:
            g.remove((node, PART.payer, None))
            g.remove((node, PART.payerDescription, None))
        if i % 3 == 2:
            g.add((node, PART.payer, PID["talk-2017"]))
    for node in instances(g, PART.Amount):
        g.set((node, SCHEMA.value, Literal("12,5")))
        g.add((node, SCHEMA.currency, Literal("eur")))
    for i, node in enumerate(instances(g, PART.Recipient)):
        g.add((node, FOAF.name, Literal("Nom réel")))  # sh:alternativePath, sh:maxCount 0
        g.set((node, PART.age, Literal(-1 - i)))
        g.add((node, PART.schoolDelayYears, Literal("deux")))
    for node in instances(g, PART.Testimony):
        g.set((node, PART.text, Literal("sans langue")))
    for i, node in enumerate(instances(g, PART.MarginComment)):
        if i % 2 == 0:
            g.set((node, DCT.created, Literal("2017")))
        if i % 3 == 1:
            g.add((node, OA.hasTarget, PID["programme-pre"]))
    for i, node in enumerate(instances(g, PART.Partnership)):
        if i % 8 == 0:
            g.remove((node, PART.role, None))
        if i % 8 == 1:
            g.add((node, PART.partner, passages[1]))
        if i % 8 == 2:
            g.add((node, PART.contribution, Literal("texte nu")))
    for i, node in enumerate(instances(g, PART.Objective)):
        if i % 5 == 0:
            g.add((node, PART.rank, Literal("premier")))
    coded = sorted({s for s in g.subjects(PART.codedAs, None) if isinstance(s, URIRef)})
    for node in coded[:3]:
        g.add((node, PART.codedAs, PID["encadre-3"]))  # a sh:targetSubjectsOf shape
    observations = sorted({s for s in g.subjects(QB.dataSet, None) if isinstance(s, URIRef)})
    for node in observations[:2]:
        g.add((node, QB.dataSet, PID["encadre-4"]))
    return g


def test_many_injected_violations_give_pyshacls_results(union, shapes):
    rows, conforms = compare_with_pyshacl(inject_violations(union), shapes)
    assert not conforms
    components = {str(row[4]).rsplit("#", 1)[-1] for row in rows}
    assert components >= {
        "QualifiedMinCountConstraintComponent",
        "DatatypeConstraintComponent",
        "OrConstraintComponent",
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "UniqueLangConstraintComponent",
        "MinInclusiveConstraintComponent",
        "NodeConstraintComponent",
        "ClassConstraintComponent",
        "MinLengthConstraintComponent",
        "PatternConstraintComponent",
        "HasValueConstraintComponent",
        "MinExclusiveConstraintComponent",
        "MaxInclusiveConstraintComponent",
        "SPARQLConstraintComponent",
    }
    assert sum(rows.values()) > 400


SYNTHETIC_SHAPES = """
@prefix ex:   <http://example.org/> .
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .

ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:code ; sh:maxLength 4 ; sh:nodeKind sh:Literal ; sh:in ( "A1" "B2" "C3" "LONGER" ) ] ;
    sh:property [ sh:path ex:score ; sh:minExclusive 0 ; sh:maxExclusive 10 ; sh:datatype xsd:decimal ;
                  sh:message "score out of range"@en , "score hors bornes"@fr ] ;
    sh:property [ sh:path ( ex:part ex:code ) ; sh:minCount 1 ] ;
    sh:property [ sh:path [ sh:inversePath ex:part ] ; sh:maxCount 1 ; sh:class ex:Thing ] ;
    sh:property [ sh:path [ sh:zeroOrMorePath ex:part ] ; sh:nodeKind sh:IRI ] ;
    sh:property [ sh:path [ sh:alternativePath ( ex:tag ex:label ) ] ; sh:maxCount 3 ] ;
    sh:property [ sh:path ex:tag ; sh:xone ( [ sh:datatype xsd:string ] [ sh:pattern "^t" ] ) ] ;
    sh:property [ sh:path ex:label ; sh:not [ sh:languageIn ( "de" ) ] ; sh:uniqueLang true ] ;
    sh:property [ sh:path ex:part ; sh:qualifiedValueShape [ sh:class ex:Good ] ; sh:qualifiedMaxCount 1 ;
                  sh:qualifiedValueShapesDisjoint true ] ;
    sh:property [ sh:path ex:part ; sh:qualifiedValueShape [ sh:class ex:Bad ] ; sh:qualifiedMinCount 1 ;
                  sh:qualifiedValueShapesDisjoint true ] ;
    sh:property [ sh:path ex:count ; sh:maxCount 5 ; sh:minCount 4 ] ;
    sh:property [ sh:path ex:note ; sh:severity sh:Warning ; sh:minLength 3 ; sh:pattern "^[a-z]+$" ; sh:flags "i" ] ;
    sh:property [ sh:path ex:year ; sh:or ( [ sh:datatype xsd:gYear ] [ sh:datatype xsd:date ] [ sh:datatype xsd:integer ] ) ;
                  sh:maxInclusive 3000 ] ;
    sh:property [ sh:path ex:when ; sh:datatype xsd:dateTime ] ;
    sh:property [ sh:path ex:flag ; sh:datatype xsd:boolean ] ;
    sh:property [ sh:path ex:old ; sh:deactivated true ; sh:minCount 1 ] ;
    sh:property [ sh:path ex:kid ; sh:property [ sh:path ex:code ; sh:minCount 1 ] ] ;
    sh:property [ sh:path ex:peer ; sh:and ( [ sh:nodeKind sh:IRI ] [ sh:class ex:Thing ] ) ] ;
    sh:sparql [ sh:select \"\"\"SELECT $this ?value WHERE { $this ex:peer ?value .
                               FILTER NOT EXISTS { ?value ex:peer $this } }\"\"\" ;
                sh:message "{$this} peers {?value} alone"@en ; sh:prefixes ex:prefixes ] .

ex:PeerShape a sh:NodeShape ; sh:targetObjectsOf ex:peer ; sh:nodeKind sh:IRI ; sh:node ex:HasCode .
ex:HasCode a sh:NodeShape ; sh:property [ sh:path ex:code ; sh:minCount 1 ; sh:node ex:ShortCode ] .
ex:ShortCode a sh:NodeShape ; sh:maxLength 2 .
ex:Fixed a sh:NodeShape ; sh:targetNode ex:a , "lit" ; sh:hasValue ex:a .
ex:WarnShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:severity sh:Warning ;
    sh:property [ sh:path ex:code ; sh:minCount 1 ] .
ex:PathSparql a sh:PropertyShape ; sh:targetSubjectsOf ex:tag ; sh:path ex:tag ;
    sh:sparql [ sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER(STRLEN(STR(?value)) > 5) }" ;
                sh:message "long tag {?value}"@en ] .
ex:Implicit a rdfs:Class , sh:NodeShape ; sh:property [ sh:path ex:code ; sh:minCount 1 ] .
"""

SYNTHETIC_DATA = """
@prefix ex:   <http://example.org/> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:SubThing rdfs:subClassOf ex:Thing .
ex:Deep rdfs:subClassOf ex:SubThing .
ex:a a ex:Thing ; ex:code "A1" ; ex:score 5.5 ; ex:part ex:b ; ex:peer ex:b ;
    ex:count 1, 2, 3, 4 ; ex:year "2009"^^xsd:gYear ; ex:flag true ; ex:when "2020-01-01T10:00:00"^^xsd:dateTime .
ex:b a ex:SubThing , ex:Good ; ex:code "LONGER" , ex:iri ; ex:score 10 , "3"^^xsd:decimal , 0.0 , "1.50"^^xsd:decimal ;
    ex:peer ex:a , ex:c ; ex:tag "tiny" , "t-long-tag"@en , "x"^^xsd:token ; ex:label "a"@fr , "b"@FR , "c"@de , "d"@en ;
    ex:part ex:g1 , ex:g2 , ex:bad1 ; ex:note "ok" , "Fine" , "x1" , _:blank ;
    ex:year "2009-02-30"^^xsd:date , "12"^^xsd:integer , "1e3"^^xsd:integer , 4000 ;
    ex:flag "1"^^xsd:boolean , "0"^^xsd:boolean ; ex:when "2020-13-01T10:00:00"^^xsd:dateTime ;
    ex:kid ex:k1 , ex:k2 ; ex:count 1 .
ex:c a ex:Deep ; ex:part ex:c ; ex:score "abc"^^xsd:decimal , "7"^^xsd:integer , " 8 "^^xsd:decimal ;
    ex:tag "tango" ; ex:code "C3"@en ; ex:count 1, 2, 3, 4, 5, 6 ; ex:year "0044"^^xsd:gYear , "2009" .
ex:g1 a ex:Good . ex:g2 a ex:Good . ex:bad1 a ex:Bad , ex:Good .
ex:k1 ex:code "K" . ex:k2 ex:other 1 .
ex:imp a ex:Implicit .
ex:z ex:peer "literal peer" , ex:nocode .
"""


def test_constructs_beyond_the_project_shapes_give_pyshacls_results():
    """Paths of every form, sh:xone, sh:not, sh:in, sh:nodeKind, exclusive bounds, disjoint
    qualified shapes, counts above 3, warnings, deactivation, nested property shapes, SPARQL
    messages with {?value}, generic messages, implicit class targets, literal targets."""
    shapes = Graph().parse(data=SYNTHETIC_SHAPES, format="turtle")
    data = Graph().parse(data=SYNTHETIC_DATA, format="turtle")
    rows, conforms = compare_with_pyshacl(data, shapes)
    assert not conforms
    assert len({row[4] for row in rows}) >= 20


def test_the_checks_pyshacl_makes_in_python_agree_with_rdflib():
    """A lexical form the SPARQL fast path accepts is one rdflib parses to the right value."""
    samples = {
        XSD.integer: ["0", "-12", "+7", "0012", "1.0", " 1", "1_0", "", "١٢"],
        XSD.decimal: ["0", "1.5", "-.5", "5.", "+0.25", "1e3", "NaN", ".", "1,5"],
        XSD.date: [
            "2020-02-28",
            "0001-01-01",
            "2020-02-29",
            "2021-02-29",
            "0000-01-01",
            "2020-13-01",
            "2020-1-1",
        ],
        XSD.boolean: ["true", "false", "1", "0", "yes", "TRUE"],
    }
    for datatype, lexicals in samples.items():
        for lexical in lexicals:
            if re.search(SAFE_LEXICAL[datatype], lexical):
                literal = Literal(lexical, datatype=datatype)
                assert literal.ill_typed is not True and literal.value is not None, (
                    datatype,
                    lexical,
                )


# -- workers --------------------------------------------------------------------------------


def test_two_worker_processes_give_the_same_results(tmp_path, union, shapes):
    data = inject_violations(union)
    path = tmp_path / "store"
    disk = ox.Store(str(path))
    disk.bulk_extend(memory_store(data))
    disk.flush()
    del disk
    validator = ShaclSparqlValidator(shapes, data)
    one = validator.validate(memory_store(data))
    two = validator.validate(path, workers=2)
    assert result_rows(two.graph) == result_rows(one.graph)
    assert two.violation_count == one.violation_count > 400


# -- incremental validation ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator(model, shapes) -> ShaclSparqlValidator:
    return ShaclSparqlValidator(shapes, model.union())


def new_case(model: corpus.Corpus, suffix: str, number: int) -> Graph:
    """Encadré 1 as a new case: every node it defines renamed, the box number changed."""
    source = model.graph_of(model.root / "data/cases/encadre-1-angouleme.ttl")
    own = {s for s in source.subjects() if isinstance(s, URIRef) and s.startswith(str(PID))}

    def rename(term: Node) -> Node:
        return URIRef(f"{term}-{suffix}") if term in own else term

    graph = Graph()
    for s, p, o in source:
        graph.add((rename(s), p, Literal(number) if p == PART.caseNumber else rename(o)))
    return graph


def add_graph(store: ox.Store, graph: Graph, name: str) -> ox.NamedNode:
    node = ox.NamedNode(name)
    store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), node) for s, p, o in graph)  # type: ignore[arg-type]
    return node


Key = tuple[Node, Node, Node | None, Node | None, Node, Node, tuple[Literal, ...]]


def flat(validator: ShaclSparqlValidator, results) -> Counter[Key]:
    """Results and their sh:node details, keyed by the top focus node they come from."""
    out: Counter[Key] = Counter()

    def walk(result, origin: Node) -> None:
        out[
            (
                origin,
                result.focus,
                result.path,
                result.value,
                result.shape.node,
                result.constraint.component,
                validator.messages(result),
            )
        ] += 1
        for detail in result.details:
            walk(detail, origin)

    for result in results:
        walk(result, result.origin)
    return out


def check_increment(validator, store, before, added=(), removed=()):
    """The delta report equals full validation on the affected nodes, and misses no change."""
    delta = validator.validate_delta(store, added, removed)
    after = flat(validator, validator.results(store))
    got = flat(validator, delta.results)
    assert delta.affected is not None
    expected = Counter({k: n for k, n in after.items() if k[0] in delta.affected})
    assert got == expected
    changed = {k[0] for k in (before - after) + (after - before)}
    assert changed <= delta.affected, f"affected nodes missed: {changed - delta.affected}"
    return delta, after


def test_a_good_new_case_reports_nothing(model, validator):
    store = memory_store(model)
    before = flat(validator, validator.results(store))
    assert not before
    case = new_case(model, "new", 7)
    name = add_graph(store, case, NEW_CASE_GRAPH + "new")
    delta, _after = check_increment(validator, store, before, name)
    assert delta.report.conforms and delta.report.violation_count == 0
    subjects = {s for s in case.subjects() if isinstance(s, URIRef)}
    assert subjects <= delta.affected  # type: ignore[operator]
    assert delta.seconds < 2


def test_a_bad_new_case_reports_what_full_validation_reports(model, validator):
    store = memory_store(model)
    before = flat(validator, validator.results(store))
    case = new_case(model, "bad", 1)  # the number of an existing case
    organisations = sorted(
        s for s in case.subjects(PART.organisationType, None) if isinstance(s, URIRef)
    )
    case.remove((organisations[0], RDFS.label, None))
    case.add((organisations[1], PART.organisationType, PC.pre))
    passages = sorted(s for s in case.subjects(RDF.type, PART.Passage) if isinstance(s, URIRef))
    case.remove((passages[0], RDF.type, PART.Passage))
    case.add((PID["encadre-2"], PART.hasPassage, organisations[1]))  # an old node gets a bad value
    case.add((PID["encadre-3"], PART.evidence, passages[1]))  # an old case cites a new passage
    name = add_graph(store, case, NEW_CASE_GRAPH + "bad")
    delta, _after = check_increment(validator, store, before, name)
    focus = {node.focus for node in delta.report.focus_nodes}
    assert {"pid:encadre-1", "pid:encadre-2", "pid:encadre-3", "pid:encadre-1-bad"} <= focus
    assert "pc:pre" in focus  # the sh:node details of the wrong organisation type
    assert not delta.report.conforms
    assert delta.seconds < 2


def test_removals_and_modifications(model, validator):
    store = memory_store(model)
    before = flat(validator, validator.results(store))
    label = next(
        q
        for q in store.quads_for_pattern(None, ox.NamedNode(str(RDFS.label)), None)
        if isinstance(q.object, ox.Literal)
        and q.object.language == "fr"
        and q.subject.value.startswith(str(PID))
    )
    number = next(
        store.quads_for_pattern(
            ox.NamedNode(PID["encadre-3"]), ox.NamedNode(str(PART.caseNumber)), None
        )
    )
    typed = next(
        store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PART.Passage)))
    )
    removed = [label, number, typed]
    for quad in removed:
        store.remove(quad)
    delta, before = check_increment(validator, store, before, (), [q.triple for q in removed])
    assert not delta.report.conforms
    old = next(
        store.quads_for_pattern(
            ox.NamedNode(PID["encadre-2"]), ox.NamedNode(str(PART.caseNumber)), None
        )
    )
    store.remove(old)
    changed = ox.Quad(old.subject, old.predicate, to_oxigraph(Literal(1)), old.graph_name)
    store.add(changed)
    delta, _after = check_increment(validator, store, before, [changed.triple], [old.triple])
    assert {"pid:encadre-1", "pid:encadre-2"} <= {node.focus for node in delta.report.focus_nodes}


def test_a_new_case_on_a_larger_synthetic_store(model, validator, tmp_path):
    synth = pytest.importorskip("partenariat.synth")
    out = tmp_path / "synth.nq"
    synth.generate(out, 60_000, seed=3, fmt="nq", with_cases=True)
    store = ox.Store()
    store.bulk_load(path=str(out), format=ox.RdfFormat.N_QUADS)
    case = new_case(model, "synth", 1001)
    name = add_graph(store, case, NEW_CASE_GRAPH + "synth")
    start = time.perf_counter()
    delta = validator.validate_delta(store, name)
    assert time.perf_counter() - start < 2
    assert delta.report.conforms, delta.report.as_text("en")
    assert delta.affected is not None and len(delta.affected) < 1000


def test_a_synthetic_graph_with_injected_violations_gives_pyshacls_results(tmp_path, shapes):
    synth = pytest.importorskip("partenariat.synth")
    out = tmp_path / "synth.nq"
    synth.generate(out, 12_000, seed=1, fmt="nq", with_cases=True)
    dataset = Dataset()
    dataset.parse(str(out), format="nquads")
    graph = Graph()
    for prefix, namespace in dataset.namespaces():
        graph.bind(prefix, namespace)
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    rows, conforms = compare_with_pyshacl(inject_violations(graph), shapes)
    assert not conforms and sum(rows.values()) > 400


# -- what the compiler refuses --------------------------------------------------------------------


UNSUPPORTED = {
    "sh:equals": "ex:Bad a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:equals ex:q ] .",
    "sh:closed": "ex:Bad a sh:NodeShape ; sh:targetClass ex:T ; sh:closed true .",
    "sh:target": 'ex:Bad a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this {}" ] .',
    "recursive": "ex:Bad a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:node ex:Bad ] .",
    "SPARQL constraint": (
        "ex:Bad a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:node ex:Inner ] .\n"
        'ex:Inner a sh:NodeShape ; sh:sparql [ sh:select "SELECT $this WHERE { $this ex:q ?x }" ] .'
    ),
    "custom constraint component": (
        "ex:Bad a sh:NodeShape ; sh:targetClass ex:T ; ex:myParam 3 .\n"
        "ex:MyComponent a sh:ConstraintComponent ; sh:parameter [ sh:path ex:myParam ] ;\n"
        '    sh:validator [ a sh:SPARQLAskValidator ; sh:ask "ASK {}" ] .'
    ),
}


@pytest.mark.parametrize("construct", sorted(UNSUPPORTED))
def test_an_unsupported_construct_is_an_error_naming_the_shape(construct: str):
    shapes = Graph().parse(
        data="@prefix ex: <http://example.org/> .\n@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        + UNSUPPORTED[construct],
        format="turtle",
    )
    with pytest.raises(UnsupportedShapeError, match=r"ex:Bad|ex:Inner") as caught:
        ShaclSparqlValidator(shapes)
    assert construct.split()[0] in str(caught.value) or construct in str(caught.value)


def test_a_blank_node_shape_is_named_by_its_path_and_owner():
    shapes = Graph().parse(
        data="@prefix ex: <http://example.org/> .\n@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "ex:Owner a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:lessThan ex:q ] .",
        format="turtle",
    )
    with pytest.raises(
        UnsupportedShapeError, match=r"property shape \(sh:path ex:p\) of ex:Owner: sh:lessThan"
    ):
        ShaclSparqlValidator(shapes)


DELTA_SHAPES = """
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
ex:Sub a sh:NodeShape ; sh:targetClass ex:T ; sh:sparql [ sh:prefixes ex:prefixes ;
    sh:select "SELECT $this WHERE { $this ex:p ?x . { SELECT ?x WHERE { ?x ex:q 0 } } }" ] .
ex:Path a sh:NodeShape ; sh:targetClass ex:T ; sh:sparql [ sh:prefixes ex:prefixes ;
    sh:select "SELECT $this ?value WHERE { $this ex:p/ex:r ?value . FILTER(?value > 5) }" ] .
ex:Count a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:maxCount 2 ] .
"""


def test_increments_the_analysis_cannot_bound_are_validated_in_full():
    shapes = Graph().parse(data=DELTA_SHAPES, format="turtle")
    validator = ShaclSparqlValidator(shapes)
    ex = "http://example.org/"
    store = ox.Store()
    graph = ox.NamedNode(ex + "g")
    for i in range(20):
        node = ox.NamedNode(f"{ex}t{i}")
        store.add(ox.Quad(node, ox.NamedNode(str(RDF.type)), ox.NamedNode(ex + "T"), graph))
        store.add(ox.Quad(node, ox.NamedNode(ex + "p"), ox.NamedNode(f"{ex}x{i % 4}"), graph))
    before = flat(validator, validator.results(store))
    assert not before
    # a sub-select: the shape is validated on all its targets, which are all affected
    added = [
        ox.Quad(ox.NamedNode(ex + "x1"), ox.NamedNode(ex + "q"), to_oxigraph(Literal(0)), graph)
    ]
    store.extend(added)
    delta, before = check_increment(validator, store, before, [q.triple for q in added])
    assert {URIRef(f"{ex}t{i}") for i in range(20)} <= delta.affected  # type: ignore[operator]
    assert {n.focus for n in delta.report.focus_nodes} == {f"<{ex}t{i}>" for i in range(1, 20, 4)}
    # a property path of a SPARQL constraint the change touches: likewise
    added = [
        ox.Quad(ox.NamedNode(ex + "x2"), ox.NamedNode(ex + "r"), to_oxigraph(Literal(9)), graph)
    ]
    store.extend(added)
    delta, before = check_increment(validator, store, before, [q.triple for q in added])
    assert len(delta.report.focus_nodes) == 10
    # blank nodes cannot be named in a query: the whole store is validated again
    blank = ox.BlankNode()
    added = [
        ox.Quad(blank, ox.NamedNode(str(RDF.type)), ox.NamedNode(ex + "T"), graph),
        ox.Quad(blank, ox.NamedNode(ex + "p"), ox.NamedNode(ex + "a"), graph),
        ox.Quad(blank, ox.NamedNode(ex + "p"), ox.NamedNode(ex + "b"), graph),
        ox.Quad(blank, ox.NamedNode(ex + "p"), ox.NamedNode(ex + "c"), graph),
    ]
    store.extend(added)
    delta = validator.validate_delta(store, [q.triple for q in added])
    assert delta.affected is None
    assert flat(validator, delta.results) == flat(validator, validator.results(store))
    assert delta.report.violation_count == 11  # 5 + 5 + the blank node's third ex:p value


def test_the_data_graph_can_leave_named_graphs_out(model, shapes):
    """A built store also holds the OWL RL inferences: validation can keep to the model files."""
    store = memory_store(model)
    files = sorted({q.graph_name.value for q in store})
    extra = ox.NamedNode("https://w3id.org/partenariat/graph/inferred")
    store.add(
        ox.Quad(
            ox.NamedNode(PID["encadre-1"]),
            ox.NamedNode(str(PART.caseNumber)),
            to_oxigraph(Literal(9)),
            extra,
        )
    )
    validator = ShaclSparqlValidator(shapes, model.union(), graphs=files)
    assert validator.validate(store).conforms
    assert not ShaclSparqlValidator(shapes, model.union()).validate(store).conforms
    added = [
        ox.Triple(
            ox.NamedNode(PID["encadre-1"]),
            ox.NamedNode(str(PART.caseNumber)),
            to_oxigraph(Literal(9)),
        )
    ]
    assert validator.validate_delta(store, added).report.conforms
