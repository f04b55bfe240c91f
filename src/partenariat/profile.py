"""The public profile: the graph without the personal data that must not leave the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import TypeVar

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.term import Node

from partenariat import namespaces, store

PART = Namespace(namespaces.PART)
OA = Namespace("http://www.w3.org/ns/oa#")
Triple = tuple[Node, Node, Node]
K = TypeVar("K", bound=Hashable)

# Literals kept on a node about a recipient: its pseudonymous label, and what a funding
# pays and in which share (the scheme's money, not the family's situation).
KEPT_LITERALS = frozenset(
    {RDFS.label, PART.pseudonym, PART.fundedItem, PART.share, PART.shareRatio, PART.year}
)


def _flagged(ontology: Graph) -> set[Node]:
    """The terms the ontology flags with part:personalData true."""
    return {
        term
        for term, flag in ontology.subject_objects(PART.personalData)
        if isinstance(term, URIRef) and isinstance(flag, Literal) and flag.toPython() is True
    }


def personal_properties(ontology: Graph) -> set[Node]:
    """The properties the ontology flags with part:personalData true."""
    kinds = (OWL.DatatypeProperty, OWL.ObjectProperty)
    return {t for t in _flagged(ontology) if any((t, RDF.type, k) in ontology for k in kinds)}


def _recipients(graph: Graph, schema: Graph) -> set[Node]:
    """Every individual of a class flagged personal data (the recipient), or of a subclass."""
    flagged = {c for c in _flagged(schema) if (c, RDF.type, OWL.Class) in schema}
    classes = set(flagged)
    for cls in flagged:
        classes |= set(schema.transitive_subjects(RDFS.subClassOf, cls))
    return {node for cls in classes for node in graph.subjects(RDF.type, cls)}


def personal_nodes(graph: Graph, schema: Graph | None = None) -> tuple[set[Node], set[Node]]:
    """The recipients with their individual pathways (schemes of a type flagged personal
    data) and objectives (private), and the participations and fundings tied to them
    (about a recipient, but about a scheme too). The flags, classes and concepts are read
    from `schema` (the ontology; by default the graph itself)."""
    schema = graph if schema is None else schema
    pathway_types = {c for c in _flagged(schema) if (c, RDF.type, SKOS.Concept) in schema}
    pathways = {s for t in pathway_types for s in graph.subjects(PART.schemeType, t)}
    private = _recipients(graph, schema) | pathways
    private |= {o for pathway in list(private) for o in graph.objects(pathway, PART.hasObjective)}
    tied = {
        s
        for p in (PART.partner, PART.beneficiary, PART.inScheme, PART.fundedScheme, PART.payer)
        for s, o in graph.subject_objects(p)
        if o in private
    }
    return private, tied - private


def sensitive_nodes(graph: Graph, schema: Graph | None = None) -> set[Node]:
    """Figures about a recipient, a pathway or a tie to them (dropped whole)."""
    private, tied = personal_nodes(graph, schema)
    return {f for node in private | tied for f in graph.subjects(PART.figureOf, node)}


def sensitive_passages(graph: Graph, schema: Graph | None = None) -> set[Node]:
    """The passages that ground a recipient, a pathway, its objectives or a figure about them.

    Such a passage quotes the recipient's situation, so the public profile keeps it
    without its text: its case, line and source stay, `oa:exact` and every other
    literal (labels repeat the quote) go, and `part:redacted true` says so; the text
    remains in the cited source file.
    """
    private, _tied = personal_nodes(graph, schema)
    about = private | sensitive_nodes(graph, schema)
    return {p for node in about for p in graph.objects(node, PART.evidence)}


def public_triples(graph: Graph, ontology: Graph | None = None) -> Iterator[Triple]:
    """The triples that may be published.

    Dropped: values of personal-data properties; figures about recipients; the free text
    (situation, outcome, contribution, comment, description, text) of recipients,
    pathways and the participations and fundings tied to them; the labels and text of a
    pathway's objectives; and the text of the passages that ground them.
    """
    schema = graph if ontology is None else ReadOnlyGraphAggregate([graph, ontology])
    hidden_properties = personal_properties(schema)
    hidden_nodes = sensitive_nodes(graph, schema)
    private, tied = personal_nodes(graph, schema)
    objectives = {o for node in private for o in graph.objects(node, PART.hasObjective)}
    redacted = sensitive_passages(graph, schema)
    for triple in graph:
        s, p, o = triple
        if p in hidden_properties or s in hidden_nodes or o in hidden_nodes:
            continue
        if isinstance(o, Literal):
            if s in redacted and p != PART.lineNumber:
                continue
            if s in objectives:
                continue
            if (s in private or s in tied) and p not in KEPT_LITERALS:
                continue
        yield triple
    for passage in redacted:
        yield (passage, PART.redacted, Literal(True))


def public_graph(graph: Graph, ontology: Graph | None = None) -> Graph:
    """A copy of the graph without personal data (see public_triples)."""
    public = Graph()
    for prefix, namespace in graph.namespaces():
        public.bind(prefix, namespace)
    for triple in public_triples(graph, ontology):
        public.add(triple)
    return public


def public_named_graphs(
    graphs: Mapping[K, Iterable[Triple]], flags: Graph | None = None
) -> tuple[dict[K, list[Triple]], int]:
    """Each named graph cut down to the public profile, and how many triples were kept back.

    The profile is computed over the union of the graphs (with `flags`, the ontology,
    when the graphs do not carry it), and each
    kept triple stays in the graph(s) it came from. Triples the profile adds (a passage's
    `part:redacted true`) go to the graph holding most triples about their subject.
    """
    graphs = {name: list(triples) for name, triples in graphs.items()}
    union = Graph()
    for triples in graphs.values():
        for triple in triples:
            union.add(triple)
    public = set(public_triples(union, flags))
    kept: dict[K, list[Triple]] = {}
    about: dict[Node, Counter[K]] = {}
    for name, triples in graphs.items():
        kept[name] = [t for t in dict.fromkeys(triples) if t in public]
        for subject, _p, _o in triples:
            about.setdefault(subject, Counter())[name] += 1
    added = public - {t for triples in kept.values() for t in triples}
    for triple in sorted(added, key=lambda t: tuple(map(str, t))):
        homes = about.get(triple[0])
        name = homes.most_common(1)[0][0] if homes else next(iter(kept), None)
        if name is not None:
            kept[name].append(triple)
    return kept, len(union) - len(public - added)


def public_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The public profile of pyoxigraph quads (public_named_graphs), each kept triple in the
    graph it came from; quads with RDF-star triple terms are left out."""
    graphs: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[Triple]] = {}
    for quad in quads:
        try:
            triple = tuple(store.to_rdflib(t) for t in (quad.subject, quad.predicate, quad.object))
        except TypeError:
            continue
        graphs.setdefault(quad.graph_name, []).append(triple)
    kept, _withheld = public_named_graphs(graphs)
    return [
        ox.Quad(*(store.to_oxigraph(term) for term in triple), name)
        for name, triples in kept.items()
        for triple in triples
    ]
