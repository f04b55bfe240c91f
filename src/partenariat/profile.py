"""The public profile: the graph without the personal data that must not leave the store."""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from partenariat import namespaces

PART = Namespace(namespaces.PART)


def personal_properties(ontology: Graph) -> set[Node]:
    """The properties the ontology flags with part:personalData true."""
    return {
        prop
        for prop, flag in ontology.subject_objects(PART.personalData)
        if isinstance(prop, URIRef) and isinstance(flag, Literal) and flag.toPython() is True
    }


def _recipients(graph: Graph) -> set[Node]:
    """Every node typed part:Recipient, directly or through a subclass."""
    classes = {PART.Recipient} | set(graph.transitive_subjects(RDFS.subClassOf, PART.Recipient))
    return {node for cls in classes for node in graph.subjects(RDF.type, cls)}


def sensitive_nodes(graph: Graph) -> set[Node]:
    """Figures about a recipient, and the passages that are evidence about a recipient.

    A passage that grounds a statement about a recipient quotes their situation, so it
    is sensitive even though it is verbatim text of the talk.
    """
    recipients = _recipients(graph)
    figures = {f for r in recipients for f in graph.subjects(PART.figureOf, r)}
    passages = {p for node in recipients | figures for p in graph.objects(node, PART.evidence)}
    return figures | passages


def public_triples(graph: Graph, ontology: Graph | None = None):
    """The triples that may be published: no personal-data property, no sensitive node."""
    hidden_properties = personal_properties(graph if ontology is None else ontology)
    hidden_nodes = sensitive_nodes(graph)
    for triple in graph:
        s, p, o = triple
        if p in hidden_properties or s in hidden_nodes or o in hidden_nodes:
            continue
        yield triple


def public_graph(graph: Graph, ontology: Graph | None = None) -> Graph:
    """A copy of the graph without personal data (see public_triples)."""
    public = Graph()
    for prefix, namespace in graph.namespaces():
        public.bind(prefix, namespace)
    for triple in public_triples(graph, ontology):
        public.add(triple)
    return public
