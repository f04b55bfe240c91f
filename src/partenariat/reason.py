"""Reasoning: HermiT consistency through owlready2, and the OWL 2 RL closure with owlrl."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef

from partenariat.namespaces import PC, PID

DATA_NAMESPACES = (PID, PC)

# The datatypes of the OWL 2 datatype map (OWL 2 Structural Specification, section 4).
OWL2_DATATYPES = frozenset(
    URIRef(str(XSD) + name)
    for name in [
        "decimal",
        "integer",
        "nonNegativeInteger",
        "nonPositiveInteger",
        "positiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "double",
        "float",
        "string",
        "normalizedString",
        "token",
        "language",
        "Name",
        "NCName",
        "NMTOKEN",
        "boolean",
        "hexBinary",
        "base64Binary",
        "anyURI",
        "dateTime",
        "dateTimeStamp",
    ]
) | {RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal, OWL.real, OWL.rational, RDF.langString}


def for_dl_reasoner(graph: Graph) -> Graph:
    """A copy whose literals of datatypes outside the OWL 2 map (xsd:gYear, xsd:date…) are strings.

    HermiT refuses such datatypes outright; as no axiom of the ontology constrains
    them, reading them as strings changes no entailment that HermiT could check.
    """
    copy = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None and o.datatype not in OWL2_DATATYPES:
            o = Literal(str(o))
        copy.add((s, p, o))
    return copy


def canonical(term):
    """An RDF 1.1 term in one spelling: a literal typed xsd:string becomes a simple literal."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


class InconsistencyError(Exception):
    """The ontology and data are inconsistent; the message says what the reasoner reported."""


class ReasonerUnavailable(Exception):
    """The reasoner cannot run here (no Java); the message says what is missing."""


def check_consistency(graph: Graph) -> None:
    """Run HermiT on the graph; raise InconsistencyError if it is inconsistent.

    owlready2 reads N-Triples, not Turtle, so the graph is written to a temporary
    N-Triples file first; the reasoner's own temporary files go to a folder removed
    afterwards, even on failure.
    """
    import owlready2

    if shutil.which(owlready2.JAVA_EXE) is None and shutil.which("java") is None:
        raise ReasonerUnavailable("HermiT needs Java: install a JRE (Debian: default-jre-headless)")
    workdir = Path(tempfile.mkdtemp(prefix="partenariat-hermit-"))
    previous_tempdir = tempfile.tempdir
    tempfile.tempdir = str(workdir)
    try:
        path = workdir / "graph.nt"
        for_dl_reasoner(graph).serialize(destination=path, format="nt", encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as error:
            raise InconsistencyError(
                f"HermiT: the ontology with its data is inconsistent ({error})"
            ) from error
        finally:
            world.close()
    finally:
        tempfile.tempdir = previous_tempdir
        shutil.rmtree(workdir, ignore_errors=True)


def _keep(triple: tuple, graph: Graph) -> bool:
    """Whether an inferred triple is worth adding: new, about an individual or concept, not noise."""
    s, p, o = triple
    if triple in graph or not isinstance(s, URIRef) or not str(s).startswith(DATA_NAMESPACES):
        return False
    if p == OWL.sameAs or isinstance(o, BNode):  # e.g. typings by anonymous union classes
        return False
    return not (p == RDF.type and o in (OWL.Thing, OWL.NamedIndividual))


def _inferred_graph(triples, graph: Graph) -> Graph:
    """The kept inferences as a graph with the source graph's prefixes."""
    inferred = Graph()
    for prefix, namespace in graph.namespaces():
        inferred.bind(prefix, namespace)
    for s, p, o in triples:
        triple = (canonical(s), p, canonical(o))
        if _keep(triple, graph):
            inferred.add(triple)
    return inferred


def owl_rl_inferences(graph: Graph) -> Graph:
    """The OWL 2 RL inferences about the graph's individuals and concepts, by `reasonable`
    (a reference for the tests: the build uses materialise.inferences, by SPARQL).

    `reasonable` (a Rust OWL 2 RL reasoner) is about fifty times faster than owlrl on
    this corpus and gives the same inferences here (a test compares them); it is only
    safe without owl:FunctionalProperty and other sameAs-producing axioms, which the
    ontology does not use.
    """
    import reasonable

    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    return _inferred_graph(reasoner.reason(), graph)


def owl_rl_inferences_owlrl(graph: Graph) -> Graph:
    """The same inferences computed by owlrl, the reference implementation (slow)."""
    from owlrl import DeductiveClosure, OWLRL_Semantics

    closure = Graph()
    for triple in graph:
        closure.add(triple)
    DeductiveClosure(OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(
        closure
    )
    return _inferred_graph(closure, graph)
