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


def public_quads(quads: Iterable[ox.Quad] | ox.Store) -> list[ox.Quad]:
    """The public profile of pyoxigraph quads or of a whole store, each kept triple in the
    graph it came from (store_public_quads; the same triples as public_named_graphs, which
    a test checks); quads with RDF-star triple terms are left out."""
    if not isinstance(quads, ox.Store):
        memory = ox.Store()
        memory.bulk_extend(quads)
        quads = memory
    return list(store_public_quads(quads))


def rdflib_public_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The public profile of pyoxigraph quads through rdflib (public_named_graphs): the
    reference implementation store_public_quads is tested against."""
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


# -- the same profile computed on a pyoxigraph store, for graphs too large for rdflib --------

_PREFIXES = f"""PREFIX part: <{namespaces.PART}>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_FLAGGED = "?term part:personalData ?flag . FILTER(?flag = true)"
_TIES = ("partner", "beneficiary", "inScheme", "fundedScheme", "payer")


def _column(graph: ox.Store, query: str) -> set:
    """The values of a one-column SELECT over the union of the named graphs."""
    return {row[0] for row in graph.query(_PREFIXES + query, use_default_graph_as_union=True)}


def _objects_of(graph: ox.Store, subjects: Iterable, predicate: str) -> set:
    """The objects of one predicate for the given subjects."""
    named = ox.NamedNode(predicate)
    return {q.object for s in subjects for q in graph.quads_for_pattern(s, named, None, None)}


def _subjects_of(graph: ox.Store, predicate: str, objects: Iterable) -> set:
    """The subjects pointing by one predicate at the given objects."""
    named = ox.NamedNode(predicate)
    return {q.subject for o in objects for q in graph.quads_for_pattern(None, named, o, None)}


def store_public_quads(graph: ox.Store) -> Iterator[ox.Quad]:
    """The public profile of a whole store, streamed: the same triples as public_quads.

    The nodes to hide are found by a few queries on the store (flags, recipients and
    their subclasses, pathways, objectives, ties, figures, passages), then every quad is
    read once and filtered as public_triples does; memory grows with the number of
    personal nodes, not with the graph. A redacted passage's `part:redacted true` goes to
    the graph holding its quote.
    """
    hidden_properties = _column(
        graph, f"SELECT DISTINCT ?term WHERE {{ {_FLAGGED} ?term a ?kind . "
        "FILTER(?kind IN (owl:DatatypeProperty, owl:ObjectProperty)) }"
    )
    recipients = _column(
        graph, f"SELECT DISTINCT ?node WHERE {{ {_FLAGGED} ?term a owl:Class . "
        "?class rdfs:subClassOf* ?term . ?node a ?class }"
    )
    pathways = _column(
        graph, f"SELECT DISTINCT ?node WHERE {{ {_FLAGGED} ?term a skos:Concept . "
        "?node part:schemeType ?term }"
    )
    private = recipients | pathways
    objectives = _objects_of(graph, private, PART.hasObjective)
    private |= objectives
    tied = set().union(*(_subjects_of(graph, PART[p], private) for p in _TIES)) - private
    figures = _subjects_of(graph, PART.figureOf, private | tied)
    redacted = _objects_of(graph, private | figures, PART.evidence)
    personal = private | tied
    kept = frozenset(ox.NamedNode(str(p)) for p in KEPT_LITERALS)
    line_number = ox.NamedNode(str(PART.lineNumber))
    exact = ox.NamedNode(str(OA.exact))
    homes: dict = {}
    for quad in graph.quads_for_pattern(None, None, None, None):
        s, p, o = quad.subject, quad.predicate, quad.object
        if isinstance(s, ox.Triple) or isinstance(o, ox.Triple):
            continue
        if p in hidden_properties or s in figures or o in figures:
            continue
        if isinstance(o, ox.Literal):
            if s in redacted:
                if p == exact:
                    homes.setdefault(s, quad.graph_name)
                if p != line_number:
                    continue
            if s in objectives:
                continue
            if s in personal and p not in kept:
                continue
        yield quad
    flag = ox.Literal("true", datatype=ox.NamedNode(str(XSD_BOOLEAN)))
    for passage in sorted(redacted, key=str):
        home = homes.get(passage)
        if home is None:
            found = next(graph.quads_for_pattern(passage, None, None, None), None)
            home = found.graph_name if found is not None else ox.DefaultGraph()
        yield ox.Quad(passage, ox.NamedNode(str(PART.redacted)), flag, home)


XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
